package dev.descent.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.kernel.UnaryOp;
import dev.descent.tensor.kernel.VectorMath;
import org.junit.jupiter.api.Test;

/**
 * The reproducible transcendental kernels: accuracy against StrictMath (fdlibm, &lt; 1 ulp), edge
 * cases, and bit-identical results before and after the JIT compiles the loops.
 */
class VectorMathTest {
    private static final UnaryOp[] FNS = {UnaryOp.EXP, UnaryOp.TANH, UnaryOp.SIGMOID};

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
        VectorMath.apply(UnaryOp.EXP, x, 0, e, 0, n);
        VectorMath.apply(UnaryOp.TANH, x, 0, t, 0, n);
        VectorMath.apply(UnaryOp.SIGMOID, x, 0, s, 0, n);
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

    static double ulps(float got, double ref) {
        float r = (float) ref;
        if (got == r) return 0;
        return Math.abs(got - ref) / Math.ulp(r);
    }

    /**
     * Float32, computed in float32: exp's reduction is exact to far below an ulp and its degree-7
     * polynomial truncates at &lt; 6e-9 relative, so its error is the Horner rounding, ≤ 1 ulp;
     * tanh above 3/8 divides 1 − t by 1 + t with t = e^{−2|x|} ≤ 0.47 (exp's ulp, amplified by
     * t/(1 − t) ≤ 0.9, plus three roundings) and below it sums a series whose terms shrink by
     * x² ≤ 0.14: ≤ 3 ulp; sigmoid adds one division and, for x &lt; 0, one product to exp: ≤ 3 ulp.
     * Every argument decade from 1e-30 to 100 and a dense sweep of [−20, 20] are checked.
     */
    @Test
    void float32WithinAFewUlpsOfTheExactFunction() {
        Rng rng = new Rng(3);
        int n = 200_003;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double mag = i % 2 == 0 ? Math.pow(10, -30 + 32 * rng.nextDouble()) : 20 * rng.nextDouble();
            x[i] = (float) (rng.nextDouble() < 0.5 ? -mag : mag);
        }
        float[] e = new float[n], t = new float[n], s = new float[n];
        VectorMath.apply(UnaryOp.EXP, x, 0, e, 0, n);
        VectorMath.apply(UnaryOp.TANH, x, 0, t, 0, n);
        VectorMath.apply(UnaryOp.SIGMOID, x, 0, s, 0, n);
        double worstExp = 0, worstTanh = 0, worstSig = 0;
        for (int i = 0; i < n; i++) {
            double xd = x[i];
            double re = StrictMath.exp(xd);
            if (re >= Float.MIN_NORMAL && re <= Float.MAX_VALUE) worstExp = Math.max(worstExp, ulps(e[i], re));
            else assertEquals(re > Float.MAX_VALUE ? Float.POSITIVE_INFINITY : (float) re, e[i], Float.MIN_VALUE, "exp " + xd);
            worstTanh = Math.max(worstTanh, ulps(t[i], StrictMath.tanh(xd)));
            double rs = xd >= 0 ? 1 / (1 + StrictMath.exp(-xd)) : StrictMath.exp(xd) / (1 + StrictMath.exp(xd));
            if (rs >= Float.MIN_NORMAL) worstSig = Math.max(worstSig, ulps(s[i], rs));
        }
        assertTrue(worstExp <= 1, "exp worst " + worstExp + " ulp");
        assertTrue(worstTanh <= 3, "tanh worst " + worstTanh + " ulp");
        assertTrue(worstSig <= 3, "sigmoid worst " + worstSig + " ulp");
    }

    @Test
    void float32EdgeCases() {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 88.7f, 89f, -104f, -1e-30f, 1e-30f, 9.5f, -30f, -100f};
        float[] e = new float[x.length], t = new float[x.length], s = new float[x.length];
        VectorMath.apply(UnaryOp.EXP, x, 0, e, 0, x.length);
        VectorMath.apply(UnaryOp.TANH, x, 0, t, 0, x.length);
        VectorMath.apply(UnaryOp.SIGMOID, x, 0, s, 0, x.length);
        assertTrue(Float.isNaN(e[0]) && Float.isNaN(t[0]) && Float.isNaN(s[0]));
        assertEquals(Float.POSITIVE_INFINITY, e[1]);
        assertEquals(0f, e[2]);
        assertEquals(1f, t[1]);
        assertEquals(-1f, t[2]);
        assertEquals(1f, s[1]);
        assertEquals(0f, s[2]);
        assertEquals(1f, e[3]);
        assertEquals(0.5f, s[3]);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(t[4]));
        assertTrue(Float.isFinite(e[5]) && e[5] > 1e38f);
        assertEquals(Float.POSITIVE_INFINITY, e[6]);
        assertEquals(0f, e[7]);
        assertEquals(-1e-30f, t[8]);
        assertEquals(1e-30f, t[9]);
        assertEquals(1f, t[10]);
        assertEquals(-1f, t[11]);
        assertTrue(s[12] > 0 && s[12] < 1e-43f, "sigmoid(-100) = " + s[12]);
    }

    @Test
    void edgeCases() {
        double[] x = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 709.78, 710, -745.2, -1e-300, 1e-300, 22, -30};
        double[] e = new double[x.length], t = new double[x.length], s = new double[x.length];
        VectorMath.apply(UnaryOp.EXP, x, 0, e, 0, x.length);
        VectorMath.apply(UnaryOp.TANH, x, 0, t, 0, x.length);
        VectorMath.apply(UnaryOp.SIGMOID, x, 0, s, 0, x.length);
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
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(t[4]));
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
            VectorMath.apply(FNS[fn], x, 0, first[fn], 0, n);
            VectorMath.apply(FNS[fn], xf, 0, firstF[fn], 0, n);
        }
        double[] o = new double[n];
        float[] of = new float[n];
        for (int it = 0; it < 3000; it++) {
            for (int fn = 0; fn < 3; fn++) {
                VectorMath.apply(FNS[fn], x, 0, o, 0, n);
                VectorMath.apply(FNS[fn], xf, 0, of, 0, n);
            }
        }
        for (int fn = 0; fn < 3; fn++) {
            VectorMath.apply(FNS[fn], x, 0, o, 0, n);
            VectorMath.apply(FNS[fn], xf, 0, of, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Double.doubleToRawLongBits(first[fn][i]), Double.doubleToRawLongBits(o[i]), "fn " + FNS[fn] + " at " + i);
                assertEquals(Float.floatToRawIntBits(firstF[fn][i]), Float.floatToRawIntBits(of[i]), "f32 fn " + FNS[fn] + " at " + i);
                // every float32 lane is its scalar twin, bit for bit
                assertEquals(Float.floatToRawIntBits(VectorMath.apply1(FNS[fn], xf[i])), Float.floatToRawIntBits(firstF[fn][i]),
                        "f32 twin, fn " + FNS[fn] + " at " + i);
            }
        }
    }
}
