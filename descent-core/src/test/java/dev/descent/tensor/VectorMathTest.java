package dev.descent.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.kernel.VectorMath;
import org.junit.jupiter.api.Test;

/**
 * The reproducible transcendental kernels: accuracy against StrictMath (fdlibm, &lt; 1 ulp), edge
 * cases, and bit-identical results before and after the JIT compiles the loops.
 */
class VectorMathTest {
    static double ulps(double got, double ref) {
        if (got == ref) return 0;
        return Math.abs(got - ref) / Math.ulp(ref);
    }

    @Test
    void accurateToAFewUlpsOverTheWholeRange() {
        Rng rng = new Rng(1);
        int n = 20_003;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (rng.nextDouble() - 0.5) * (i % 3 == 0 ? 1400 : i % 3 == 1 ? 40 : 0.5);
        double[] e = new double[n], t = new double[n], s = new double[n];
        VectorMath.apply(VectorMath.EXP, x, 0, e, 0, n);
        VectorMath.apply(VectorMath.TANH, x, 0, t, 0, n);
        VectorMath.apply(VectorMath.SIGMOID, x, 0, s, 0, n);
        double worstExp = 0, worstTanh = 0, worstSig = 0;
        for (int i = 0; i < n; i++) {
            double re = StrictMath.exp(x[i]);
            // subnormal results lose relative precision by definition; compare absolutely there
            if (re >= Double.MIN_NORMAL && !Double.isInfinite(re)) worstExp = Math.max(worstExp, ulps(e[i], re));
            else assertEquals(re, e[i], Double.MIN_NORMAL * 0x1p-40 + (Double.isInfinite(re) ? 0 : Math.ulp(re)), "exp " + x[i]);
            worstTanh = Math.max(worstTanh, ulps(t[i], StrictMath.tanh(x[i])));
            double rs = x[i] >= 0 ? 1 / (1 + StrictMath.exp(-x[i])) : StrictMath.exp(x[i]) / (1 + StrictMath.exp(x[i]));
            if (rs >= Double.MIN_NORMAL) worstSig = Math.max(worstSig, ulps(s[i], rs));
        }
        // Horner with FMAs and a 2-part ln2 reduction: ≤ 1 ulp for exp; tanh's 1 − 2/(e+1) loses
        // up to log2(1/tanh(1/8)) ≈ 3 bits to cancellation just above |x| = 1/8 (≤ 8 ulp + exp's);
        // sigmoid inherits exp's error plus one division.
        assertTrue(worstExp <= 1, "exp worst " + worstExp + " ulp");
        assertTrue(worstTanh <= 10, "tanh worst " + worstTanh + " ulp");
        assertTrue(worstSig <= 3, "sigmoid worst " + worstSig + " ulp");
    }

    @Test
    void edgeCases() {
        double[] x = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 709.78, 710, -745.2, -1e-300, 1e-300, 22, -30};
        double[] e = new double[x.length], t = new double[x.length], s = new double[x.length];
        VectorMath.apply(VectorMath.EXP, x, 0, e, 0, x.length);
        VectorMath.apply(VectorMath.TANH, x, 0, t, 0, x.length);
        VectorMath.apply(VectorMath.SIGMOID, x, 0, s, 0, x.length);
        assertTrue(Double.isNaN(e[0]) && Double.isNaN(t[0]) && Double.isNaN(s[0]));
        assertEquals(Double.POSITIVE_INFINITY, e[1]);
        assertEquals(0.0, e[2]);
        assertEquals(1.0, t[1]);
        assertEquals(-1.0, t[2]);
        assertEquals(1.0, s[1]);
        assertEquals(0.0, s[2]);
        assertEquals(1.0, e[3]);
        assertEquals(0.5, s[3]);
        assertTrue(Double.isFinite(e[5]) && e[5] > 1.7e308);
        assertEquals(Double.POSITIVE_INFINITY, e[6]);
        assertEquals(0.0, e[7]);
        assertEquals(-1e-300, t[8]);
        assertEquals(1.0, t[10], 1e-16);
        assertEquals(-1.0, t[11]);
    }

    @Test
    void resultsDoNotChangeWhenTheJitCompilesTheLoops() {
        Rng rng = new Rng(2);
        int n = 1027;
        double[] x = new double[n];
        float[] xf = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextGaussian() * 4;
            xf[i] = (float) x[i];
        }
        double[][] first = new double[3][n];
        float[][] firstF = new float[3][n];
        for (int fn = 0; fn < 3; fn++) {
            VectorMath.apply(fn, x, 0, first[fn], 0, n);
            VectorMath.apply(fn, xf, 0, firstF[fn], 0, n);
        }
        double[] o = new double[n];
        float[] of = new float[n];
        for (int it = 0; it < 3000; it++) {
            for (int fn = 0; fn < 3; fn++) {
                VectorMath.apply(fn, x, 0, o, 0, n);
                VectorMath.apply(fn, xf, 0, of, 0, n);
            }
        }
        for (int fn = 0; fn < 3; fn++) {
            VectorMath.apply(fn, x, 0, o, 0, n);
            VectorMath.apply(fn, xf, 0, of, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Double.doubleToRawLongBits(first[fn][i]), Double.doubleToRawLongBits(o[i]), "fn " + fn + " at " + i);
                assertEquals(Float.floatToRawIntBits(firstF[fn][i]), Float.floatToRawIntBits(of[i]), "f32 fn " + fn + " at " + i);
                // float32 is the float64 function of the float input, rounded once
                double wide = fn == 0 ? VectorMath.exp(xf[i]) : fn == 1 ? VectorMath.tanh(xf[i]) : VectorMath.sigmoid(xf[i]);
                assertEquals((float) wide, firstF[fn][i], 0, "f32 rounding, fn " + fn + " at " + i);
            }
        }
    }
}
