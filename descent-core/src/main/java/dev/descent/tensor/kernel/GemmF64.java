package dev.descent.tensor.kernel;

/**
 * General matrix multiply for float64 (float32 twin generated):
 * {@code C = op(A)·op(B)} or {@code C += op(A)·op(B)}, where op(X) is X or Xᵀ.
 *
 * <p>A is m×k after op, B is k×n after op, C is m×n, all row-major with leading dimensions
 * lda, ldb, ldc (the row stride of the stored matrix, i.e. before op).
 */
public final class GemmF64 {
    private GemmF64() {}

    /**
     * C[m×n] (+)= op(A)[m×k] · op(B)[k×n]; {@code c} is modified.
     *
     * @param accumulate add into C when true, overwrite C when false
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double[] c, int cOff, int ldc, boolean accumulate) {
        reference(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    /**
     * Plain triple loop (i, p, j order so the inner loop is contiguous in B and C when B is not
     * transposed). The correctness reference for every optimised path.
     */
    public static void reference(boolean transA, boolean transB, int m, int n, int k,
                                 double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                                 double[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (!accumulate) {
                for (int j = 0; j < n; j++) c[ci + j] = 0;
            }
            for (int p = 0; p < k; p++) {
                double aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                if (!transB) {
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
                } else {
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bOff + j * ldb + p];
                }
            }
        }
    }
}
