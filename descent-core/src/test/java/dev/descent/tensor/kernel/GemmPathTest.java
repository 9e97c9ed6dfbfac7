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
