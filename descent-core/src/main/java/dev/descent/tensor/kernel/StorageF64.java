package dev.descent.tensor.kernel;

/**
 * A {@link Storage} over a {@code double[]} (the float32 twin is generated; see the package docs).
 * Each method forwards to the float64 kernel of the same name with the arrays of its arguments.
 */
public final class StorageF64 extends Storage {
    private final double[] a;

    /** Storage that takes ownership of {@code a} (no copy). */
    public StorageF64(double[] a) {
        this.a = a;
    }

    /** The array of a storage of this dtype. */
    private static double[] of(Storage s) {
        return ((StorageF64) s).a;
    }

    @Override public int length() { return a.length; }
    @Override public Object array() { return a; }
    @Override public Storage zeros(int n) { return new StorageF64(new double[n]); }
    @Override public Storage copy() { return new StorageF64(a.clone()); }
    @Override public /*@KeepDouble*/ double get(int i) { return a[i]; }
    @Override public void set(int i, /*@KeepDouble*/ double v) { a[i] = (double) v; }
    @Override public void fill(/*@KeepDouble*/ double v) { java.util.Arrays.fill(a, (double) v); }

    @Override
    public double[] toDoubles() { // @KeepDouble
        double[] out = new double[a.length]; // @KeepDouble
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    @Override
    public float[] toFloats() {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = (float) a[i];
        return out;
    }

    @Override
    public void copyTo(int from, Storage out, int oo, int n) {
        System.arraycopy(a, from, of(out), oo, n);
    }

    @Override
    public void copyStrided(int from, int stride, Storage out, int oo, int n) {
        double[] o = of(out);
        for (int j = 0; j < n; j++) o[oo + j] = a[from + j * stride];
    }

    @Override
    public void permute2d(int rows, int cols, int s0, int s1, Storage out) {
        double[] o = of(out);
        final int bs = 32;
        for (int i0 = 0; i0 < rows; i0 += bs) {
            for (int j0 = 0; j0 < cols; j0 += bs) {
                int i1 = Math.min(rows, i0 + bs), j1 = Math.min(cols, j0 + bs);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) o[i * cols + j] = a[i * s0 + j * s1];
                }
            }
        }
    }

    @Override
    public void unary(UnaryOp op, int ao, Storage out, int oo, int n) {
        ElementwiseF64.unary(op, a, ao, of(out), oo, n);
    }

    @Override
    public void binary(BinaryOp op, int ao, int as, Storage b, int bo, int bs, Storage out, int oo, int n) {
        ElementwiseF64.binary(op, a, ao, as, of(b), bo, bs, of(out), oo, n);
    }

    @Override
    public void where(int co, int cs, Storage x, int ao, int as, Storage y, int bo, int bs, Storage out, int oo, int n) {
        ElementwiseF64.where(a, co, cs, of(x), ao, as, of(y), bo, bs, of(out), oo, n);
    }

    @Override
    public void maskPositive(int yo, Storage x, int xo, Storage out, int oo, int n) {
        ElementwiseF64.maskPositive(a, yo, of(x), xo, of(out), oo, n);
    }

    @Override
    public /*@KeepDouble*/ double sum(int off, int n) {
        return ReduceF64.sum(a, off, n);
    }

    @Override
    public /*@KeepDouble*/ double dotWide(int ao, Storage b, int bo, int n) {
        return ReduceF64.dotWide(a, ao, of(b), bo, n);
    }

    @Override
    public void columnSums(int off, int rows, int cols, Storage out, int oo, Storage scratch) {
        ReduceF64.columnSums(a, off, rows, cols, of(out), oo, of(scratch));
    }

    @Override
    public void rows(ReduceOp op, int off, int rows, int cols, Storage out, int oo) {
        ReduceF64.rows(op, a, off, rows, cols, of(out), oo);
    }

    @Override
    public void logSumExpRows(int off, int rows, int cols, Storage out, int oo, Storage scratch) {
        ReduceF64.logSumExpRows(a, off, rows, cols, of(out), oo, of(scratch));
    }

    @Override
    public void accumulate(int from, Storage out, int oo, int n) {
        ReduceF64.accumulate(a, from, of(out), oo, n);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, int ao, int lda, Storage b, int bo, int ldb,
                     Storage c, int co, int ldc, boolean accumulate) {
        GemmF64.gemm(transA, transB, m, n, k, a, ao, lda, of(b), bo, ldb, of(c), co, ldc, accumulate);
    }

    @Override
    public /*@KeepDouble*/ double round(/*@KeepDouble*/ double v) {
        return (double) v;
    }

    @Override
    public /*@KeepDouble*/ double dot(int ao, Storage b, int bo, int n) {
        return ReduceF64.dot(a, ao, of(b), bo, n);
    }

    @Override
    public void scale(int ao, /*@KeepDouble*/ double s, Storage out, int oo, int n) {
        ElementwiseF64.scale(a, ao, (double) s, of(out), oo, n);
    }

    @Override
    public void axpby(/*@KeepDouble*/ double alpha, int xo, /*@KeepDouble*/ double beta, Storage y, int yo, Storage out, int oo, int n) {
        ElementwiseF64.axpby((double) alpha, a, xo, (double) beta, of(y), yo, of(out), oo, n);
    }

    @Override
    public void addRows(int ao, Storage v, int vo, Storage out, int oo, int rows, int cols) {
        ElementwiseF64.addRows(a, ao, of(v), vo, of(out), oo, rows, cols);
    }

    @Override
    public Storage packB(boolean transB, int k, int n, int bo, int ldb) {
        return new StorageF64(GemmF64.packB(transB, k, n, a, bo, ldb));
    }

    @Override
    public void gemmPacked(boolean transA, int m, int n, int k, int ao, int lda, Storage packed, Storage c, int co, int ldc,
                           boolean accumulate) {
        GemmF64.gemmPacked(transA, m, n, k, a, ao, lda, of(packed), of(c), co, ldc, accumulate);
    }
}
