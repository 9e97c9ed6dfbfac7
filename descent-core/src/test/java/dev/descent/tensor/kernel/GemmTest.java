package dev.descent.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The optimised {@code gemm} of both dtypes against the plain {@code reference} loop.
 *
 * <p>Tolerance. Each entry of C is a sum of k products (k + 1 terms with accumulate, the first
 * being C₀). Recursive summation, with or without fused multiply-adds and in any order,
 * computes it with |ĉ − c| ≤ γ_{k+1}·(|C₀| + Σ_p |a_ip|·|b_pj|), γ_n = n·u / (1 − n·u), where
 * u is the unit roundoff (2⁻⁵³ for float64, 2⁻²⁴ for float32). Both the kernel and the
 * reference obey that bound, so they differ by at most <b>2·γ_{k+1}</b>·(|C₀| + Σ|a||b|): the
 * constant is c = 2 on (k + 1)·u. The sum of absolute products is computed in float64 from the
 * same (exactly representable) inputs.
 */
class GemmTest {

    /** One dtype: runs the optimised or the reference routine on float64-held data. */
    private interface Dtype {
        String name();

        /** Unit roundoff u. */
        double unitRoundoff();

        /** Rounds a value to this dtype (so that inputs are exactly representable). */
        double round(double x);

        void gemm(boolean reference, boolean transA, boolean transB, int m, int n, int k,
                  double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                  double[] c, int cOff, int ldc, boolean accumulate);
    }

    private static final Dtype F64 = new Dtype() {
        @Override public String name() { return "f64"; }
        @Override public double unitRoundoff() { return Math.ulp(1.0) / 2; }
        @Override public double round(double x) { return x; }

        @Override
        public void gemm(boolean reference, boolean transA, boolean transB, int m, int n, int k,
                         double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                         double[] c, int cOff, int ldc, boolean accumulate) {
            if (reference) {
                GemmF64.reference(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            } else {
                GemmF64.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            }
        }
    };

    private static final Dtype F32 = new Dtype() {
        @Override public String name() { return "f32"; }
        @Override public double unitRoundoff() { return Math.ulp(1.0f) / 2; }
        @Override public double round(double x) { return (float) x; }

        @Override
        public void gemm(boolean reference, boolean transA, boolean transB, int m, int n, int k,
                         double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                         double[] c, int cOff, int ldc, boolean accumulate) {
            float[] af = toFloat(a), bf = toFloat(b), cf = toFloat(c);
            if (reference) {
                GemmF32.reference(transA, transB, m, n, k, af, aOff, lda, bf, bOff, ldb, cf, cOff, ldc, accumulate);
            } else {
                GemmF32.gemm(transA, transB, m, n, k, af, aOff, lda, bf, bOff, ldb, cf, cOff, ldc, accumulate);
            }
            for (int i = 0; i < c.length; i++) c[i] = cf[i];
        }
    };

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    private static final int[] SIZES = {0, 1, 7, 33, 129};

    @Test
    void awkwardShapesAllTranspositionsBothDtypes() {
        Random rnd = new Random(1);
        for (Dtype dt : new Dtype[] {F64, F32}) {
            for (int m : SIZES) {
                for (int n : SIZES) {
                    for (int k : SIZES) {
                        for (int t = 0; t < 4; t++) {
                            // Accumulate only on a subset of the cube, to keep the suite fast.
                            boolean accumulate = ((m + n + k + t) & 1) == 1;
                            check(dt, rnd, t >= 2, (t & 1) == 1, m, n, k, accumulate);
                        }
                    }
                }
            }
        }
    }

    @Test
    void bothAccumulateModesOnEveryTransposition() {
        Random rnd = new Random(2);
        for (Dtype dt : new Dtype[] {F64, F32}) {
            for (int t = 0; t < 4; t++) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    check(dt, rnd, t >= 2, (t & 1) == 1, 33, 129, 7, accumulate);
                    check(dt, rnd, t >= 2, (t & 1) == 1, 32, 128, 128, accumulate);
                }
            }
        }
    }

    /** Row counts that leave 2 or 4 rows after the six-row blocks take the four-row kernel, with full and partial column panels. */
    @Test
    void rowRemaindersOfTwoAndFourTakeTheFourRowKernel() {
        Random rnd = new Random(4);
        for (Dtype dt : new Dtype[] {F64, F32}) {
            for (int m : new int[] {4, 8, 10, 14, 16, 20, 32, 128}) {
                for (int n : new int[] {16, 69, 130}) {
                    for (int t = 0; t < 4; t++) {
                        check(dt, rnd, t >= 2, (t & 1) == 1, m, n, 37, (m + n + t) % 2 == 0);
                        check(dt, rnd, t >= 2, (t & 1) == 1, m, n, 300, (m + n + t) % 2 == 1);
                    }
                }
            }
        }
    }

    @Test
    void largeNonSquareProductsTakeTheBlockedParallelPath() {
        Random rnd = new Random(3);
        for (Dtype dt : new Dtype[] {F64, F32}) {
            for (int t = 0; t < 4; t++) {
                check(dt, rnd, t >= 2, (t & 1) == 1, 300, 257, 513, t == 1);
            }
            // k larger than the cache block on one side, tall-skinny on the other.
            check(dt, rnd, false, false, 517, 19, 300, true);
            check(dt, rnd, false, true, 23, 611, 270, false);
        }
    }

    @Test
    void kZeroOverwritesWithZerosOrLeavesCUnchanged() {
        for (Dtype dt : new Dtype[] {F64, F32}) {
            double[] c = new double[3 * 5];
            java.util.Arrays.fill(c, Double.NaN);
            dt.gemm(false, false, false, 3, 4, 0, new double[0], 0, 1, new double[0], 0, 4, c, 0, 5, false);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 5; j++) {
                    double expected = j < 4 ? 0 : Double.NaN;
                    assertEquals(expected, c[i * 5 + j], dt.name() + " C[" + i + "," + j + "]");
                }
            }
            double[] d = {1, 2, 3, 4};
            dt.gemm(false, true, true, 2, 2, 0, new double[0], 0, 2, new double[0], 0, 1, d, 0, 2, true);
            assertEquals(List.of(1.0, 2.0, 3.0, 4.0), List.of(d[0], d[1], d[2], d[3]));
        }
    }

    @Test
    void nanAndInfinityPropagateLikeTheReference() {
        Random rnd = new Random(4);
        for (Dtype dt : new Dtype[] {F64, F32}) {
            for (int t = 0; t < 4; t++) {
                boolean ta = t >= 2, tb = (t & 1) == 1;
                int m = 40, n = 70, k = 50;
                Operands o = new Operands(dt, rnd, ta, tb, m, n, k, false);
                // A zero row meets an infinite column (0·∞ = NaN), a NaN enters A, +∞ and −∞
                // meet in one sum, and a zero in A must not hide an infinity in B.
                for (int p = 0; p < k; p++) o.setA(5, p, 0);
                o.setB(3, 9, Double.POSITIVE_INFINITY);
                o.setA(11, 17, Double.NaN);
                o.setB(20, 30, Double.POSITIVE_INFINITY);
                o.setB(21, 30, Double.NEGATIVE_INFINITY);
                o.setA(0, 40, 0);
                o.setB(40, 60, Double.NEGATIVE_INFINITY);
                o.run(dt);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double x = o.c[o.cIndex(i, j)], r = o.cRef[o.cIndex(i, j)];
                        if (Double.isNaN(r) || Double.isInfinite(r)) {
                            assertEquals(r, x, dt.name() + " t=" + t + " C[" + i + "," + j + "]");
                        }
                    }
                }
                assertTrue(Double.isNaN(o.c[o.cIndex(5, 9)]), "0·∞ must give NaN");
                assertTrue(Double.isNaN(o.c[o.cIndex(0, 60)]), "0·(−∞) must give NaN");
                o.assertClose(dt, "specials t=" + t);
            }
        }
    }

    @Test
    void concurrentCallersGetCorrectResults() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int seed = 10 + w;
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    for (int r = 0; r < 2; r++) {
                        // Above the parallel threshold (m·n·k ≥ 2²²), then a small product.
                        check(F32, rnd, false, r == 1, 170, 150, 170, false);
                        check(F64, rnd, r == 1, false, 33, 128, 128, true);
                    }
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void rejectsOperandsThatDoNotFitTheirArrays() {
        double[] a = new double[6], b = new double[6], c = new double[4];
        assertThrows(IndexOutOfBoundsException.class,
                () -> GemmF64.gemm(false, false, 2, 2, 3, a, 1, 3, b, 0, 2, c, 0, 2, false));
        assertThrows(IndexOutOfBoundsException.class,
                () -> GemmF64.gemm(false, false, 2, 2, 3, a, 0, 2, b, 0, 2, c, 0, 2, false));
        assertThrows(IndexOutOfBoundsException.class,
                () -> GemmF64.gemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, c, 1, 2, false));
        assertThrows(IllegalArgumentException.class,
                () -> GemmF64.gemm(false, false, -1, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false));
    }

    /** Runs one case and compares against the reference, including the untouched borders. */
    private static void check(Dtype dt, Random rnd, boolean ta, boolean tb, int m, int n, int k,
                              boolean accumulate) {
        Operands o = new Operands(dt, rnd, ta, tb, m, n, k, accumulate);
        o.run(dt);
        o.assertClose(dt, dt.name() + " " + (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m
                + " n=" + n + " k=" + k + " accumulate=" + accumulate);
    }

    /**
     * Operands stored with offsets and leading dimensions larger than their rows. Padding of A
     * and B is NaN, so reading outside the operands poisons the result; padding of C is a
     * sentinel that must survive.
     */
    private static final class Operands {
        static final double SENTINEL = -12345;
        final boolean ta, tb, accumulate;
        final int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        final double[] a, b, c, c0, cRef;

        Operands(Dtype dt, Random rnd, boolean ta, boolean tb, int m, int n, int k, boolean accumulate) {
            this.ta = ta;
            this.tb = tb;
            this.m = m;
            this.n = n;
            this.k = k;
            this.accumulate = accumulate;
            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
            aOff = 3;
            lda = aCols + 5;
            bOff = 7;
            ldb = bCols + 2;
            cOff = 5;
            ldc = n + 3;
            a = stored(dt, rnd, aOff, lda, aRows, aCols, Double.NaN);
            b = stored(dt, rnd, bOff, ldb, bRows, bCols, Double.NaN);
            c0 = stored(dt, rnd, cOff, ldc, m, n, SENTINEL);
            if (!accumulate) {
                // Overwrite mode must ignore C entirely, NaN included.
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) c0[cIndex(i, j)] = Double.NaN;
                }
            }
            c = c0.clone();
            cRef = c0.clone();
        }

        private static double[] stored(Dtype dt, Random rnd, int off, int ld, int rows, int cols,
                                       double padding) {
            double[] x = new double[off + rows * ld + 4];
            java.util.Arrays.fill(x, padding);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) x[off + i * ld + j] = dt.round(2 * rnd.nextDouble() - 1);
            }
            return x;
        }

        int cIndex(int i, int j) {
            return cOff + i * ldc + j;
        }

        void setA(int i, int p, double v) {
            a[ta ? aOff + p * lda + i : aOff + i * lda + p] = v;
        }

        void setB(int p, int j, double v) {
            b[tb ? bOff + j * ldb + p : bOff + p * ldb + j] = v;
        }

        double getA(int i, int p) {
            return a[ta ? aOff + p * lda + i : aOff + i * lda + p];
        }

        double getB(int p, int j) {
            return b[tb ? bOff + j * ldb + p : bOff + p * ldb + j];
        }

        void run(Dtype dt) {
            dt.gemm(false, ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            dt.gemm(true, ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, cRef, cOff, ldc, accumulate);
        }

        void assertClose(Dtype dt, String what) {
            double gamma = 2 * (k + 1) * dt.unitRoundoff() / (1 - (k + 1) * dt.unitRoundoff());
            for (int x = 0; x < c.length; x++) {
                int i = (x - cOff) / ldc, j = (x - cOff) % ldc;
                boolean inside = x >= cOff && i < m && j < n;
                if (!inside) {
                    assertEquals(c0[x], c[x], what + ": C outside the m×n window was written at " + x);
                    continue;
                }
                double r = cRef[x];
                if (Double.isNaN(r) || Double.isInfinite(r)) {
                    continue; // compared exactly by the test that plants them
                }
                double scale = accumulate ? Math.abs(c0[x]) : 0;
                for (int p = 0; p < k; p++) scale += Math.abs(getA(i, p) * getB(p, j));
                double bound = gamma * scale;
                if (!(Math.abs(c[x] - r) <= bound)) {
                    fail(what + ": C[" + i + "," + j + "] = " + c[x] + ", reference " + r
                            + ", |diff| " + Math.abs(c[x] - r) + " > bound " + bound);
                }
            }
        }
    }
}
