package dev.descent.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Paths of the GEMM touched for speed, against the plain reference: operands whose row stride is
 * a multiple of 4 KiB (1024 floats, 512 doubles; the transposed-B gather and the in-place reads
 * of A at their worst for the caches), in both transpositions of A and B and with a partial last
 * tile; products with few columns, computed transposed. Tolerance as in
 * {@link GemmTest}: 2(k + 1)u·Σ|a||b| per element (u the unit roundoff), the standard bound for
 * two summation orders of the same k products.
 */
class GemmPathTest {
    private static void check(boolean f32, boolean ta, boolean tb, int m, int n, int k, int lda, int ldb, boolean acc) {
        Random rnd = new Random(m * 31L + n * 7L + k);
        int aRows = ta ? k : m, bRows = tb ? n : k;
        double[] a = new double[aRows * lda], b = new double[bRows * ldb], c = new double[m * n];
        for (int i = 0; i < a.length; i++) a[i] = f32 ? (float) rnd.nextGaussian() : rnd.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = f32 ? (float) rnd.nextGaussian() : rnd.nextGaussian();
        for (int i = 0; i < c.length; i++) c[i] = f32 ? (float) rnd.nextGaussian() : rnd.nextGaussian();
        double[] ref = c.clone(), abs = new double[m * n];
        GemmF64.reference(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, ref, 0, n, acc);
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
            double s = acc ? Math.abs(c[i * n + j]) : 0;
            for (int p = 0; p < k; p++) s += Math.abs((ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]));
            abs[i * n + j] = s;
        }
        double u = f32 ? Math.ulp(1.0f) / 2 : Math.ulp(1.0) / 2;
        double[] out;
        if (f32) {
            float[] af = new float[a.length], bf = new float[b.length], cf = new float[c.length];
            for (int i = 0; i < a.length; i++) af[i] = (float) a[i];
            for (int i = 0; i < b.length; i++) bf[i] = (float) b[i];
            for (int i = 0; i < c.length; i++) cf[i] = (float) c[i];
            GemmF32.gemm(ta, tb, m, n, k, af, 0, lda, bf, 0, ldb, cf, 0, n, acc);
            out = new double[cf.length];
            for (int i = 0; i < cf.length; i++) out[i] = cf[i];
        } else {
            out = c.clone();
            GemmF64.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, out, 0, n, acc);
        }
        for (int i = 0; i < out.length; i++) {
            assertEquals(ref[i], out[i], 2 * (k + 1) * u * abs[i] + Double.MIN_VALUE,
                    (f32 ? "f32" : "f64") + " ta=" + ta + " tb=" + tb + " m=" + m + " n=" + n + " k=" + k + " element " + i);
        }
    }

    @Test
    void rowStridesOfFourKiB() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                check(true, ta, tb, 70, 100, 60, 1024, 1024, false);
                check(true, ta, tb, 70, 100, 60, 1024, 1024, true);
                check(false, ta, tb, 39, 45, 33, 512, 512, true);
            }
        }
    }

    /**
     * The rows-first path (A's row groups copied to a KC-stride buffer, {@code kernelRows}) must
     * give the same bits as the general path that reads A in place: same products, same order.
     * Shapes cover every row remainder modulo MR = 6 (0-5, including the four-row tail), a partial
     * last column panel, k across several KC blocks, both accumulate modes, transposed and
     * untransposed B, and B packed once ({@code gemmPacked}).
     */
    @Test
    void rowsFirstPathEqualsTheGeneralPathBitForBit() {
        int saved32 = GemmF32.rowCopyMinCols, saved64 = GemmF64.rowCopyMinCols;
        try {
            Random rnd = new Random(5);
            for (int m : new int[] {66, 67, 68, 69, 70, 71, 200}) {
                for (int[] nk : new int[][] {{130, 40}, {200, 300}, {300, 600}}) {
                    int n = nk[0], k = nk[1];
                    float[] af = new float[m * k], bf = new float[k * n], c0f = new float[m * n];
                    double[] ad = new double[m * k], bd = new double[k * n], c0d = new double[m * n];
                    for (int i = 0; i < af.length; i++) ad[i] = af[i] = (float) rnd.nextGaussian();
                    for (int i = 0; i < bf.length; i++) bd[i] = bf[i] = (float) rnd.nextGaussian();
                    for (int i = 0; i < c0f.length; i++) c0d[i] = c0f[i] = (float) rnd.nextGaussian();
                    for (boolean tb : new boolean[] {false, true}) {
                        for (boolean acc : new boolean[] {false, true}) {
                            int ldb = tb ? k : n;
                            float[][] f = new float[3][];
                            double[][] d = new double[3][];
                            for (int run = 0; run < 2; run++) {
                                // 1: the rows-first path wherever it applies, whatever the default threshold.
                                GemmF32.rowCopyMinCols = run;
                                GemmF64.rowCopyMinCols = run;
                                f[run] = c0f.clone();
                                d[run] = c0d.clone();
                                GemmF32.gemm(false, tb, m, n, k, af, 0, k, bf, 0, ldb, f[run], 0, n, acc);
                                GemmF64.gemm(false, tb, m, n, k, ad, 0, k, bd, 0, ldb, d[run], 0, n, acc);
                            }
                            f[2] = c0f.clone();
                            d[2] = c0d.clone();
                            GemmF32.gemmPacked(false, m, n, k, af, 0, k, GemmF32.packB(tb, k, n, bf, 0, ldb), f[2], 0, n, acc);
                            GemmF64.gemmPacked(false, m, n, k, ad, 0, k, GemmF64.packB(tb, k, n, bd, 0, ldb), d[2], 0, n, acc);
                            String at = "m=" + m + " n=" + n + " k=" + k + " tb=" + tb + " acc=" + acc;
                            for (int i = 0; i < m * n; i++) {
                                assertEquals(Float.floatToRawIntBits(f[0][i]), Float.floatToRawIntBits(f[1][i]), "f32 rows-first " + at + " element " + i);
                                assertEquals(Float.floatToRawIntBits(f[0][i]), Float.floatToRawIntBits(f[2][i]), "f32 packed " + at + " element " + i);
                                assertEquals(Double.doubleToRawLongBits(d[0][i]), Double.doubleToRawLongBits(d[1][i]), "f64 rows-first " + at + " element " + i);
                                assertEquals(Double.doubleToRawLongBits(d[0][i]), Double.doubleToRawLongBits(d[2][i]), "f64 packed " + at + " element " + i);
                            }
                        }
                    }
                }
            }
        } finally {
            GemmF32.rowCopyMinCols = saved32;
            GemmF64.rowCopyMinCols = saved64;
        }
    }

    @Test
    void narrowProductsAreComputedTransposed() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int n : new int[] {1, 2, 15}) {
                    check(true, ta, tb, 130, n, 300, ta ? 130 : 300, tb ? 300 : n, false);
                    check(false, ta, tb, 64, n, 77, ta ? 64 : 77, tb ? 77 : n, true);
                }
            }
        }
    }
}
