package dev.descent.tensor.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Bit-reproducible vectorised exp, tanh and logistic sigmoid, for float64 and float32 arrays.
 *
 * <p><b>Why not {@code lanewise(EXP)}:</b> the Vector API's transcendental operators are computed
 * by a native library once C2 compiles the loop and by a Java fallback before that; the two differ
 * in the last bits (measured: 606 of 4096 tanh values changed after warm-up). That makes a
 * training run depend on JIT timing, so a resumed run could not reproduce an uninterrupted one.
 * Everything here is built from +, ×, fused multiply-add, division and bit manipulation, which
 * IEEE 754 defines exactly, so the compiled and interpreted results are identical, and each
 * scalar tail is computed by the same operations in the same order as a vector lane.
 *
 * <p><b>Algorithm (exp):</b> x = k·ln2 + r with k = rint(x/ln2) (by the 1.5·2^52 rounding trick)
 * and r computed with a two-part ln2 (Cody &amp; Waite), |r| ≤ ln2/2; e^r by its Taylor polynomial
 * to degree 13 in Horner form with FMAs (truncation error &lt; 5e-18 relative); then scaled by
 * 2^k in two factors 2^⌊k/2⌋·2^(k−⌊k/2⌋) so that neither overflows before the product does.
 * Accuracy about 1 ulp in float64.
 * tanh: 1 − 2/(e^{2|x|} + 1) with the sign restored for |x| ≥ 1/8, and its odd Taylor series to
 * x^15 below (error &lt; 1e-19) — within 10 ulp, the worst just above |x| = 1/8 where
 * 1 − 2/(e+1) cancels about 3 bits; sigmoid: 1/(1 + e^{−x}) for x ≥ 0 and e^x/(1 + e^x) otherwise.
 *
 * <p><b>Float32</b> is computed natively in float32 lanes (twice as many per vector, and a
 * shorter polynomial): exp with the same reduction (ln2 in a 9-bit and a residual part) and the
 * Taylor polynomial to degree 7 (truncation &lt; 6e-9 relative); tanh by its odd series to x^13
 * below |x| = 3/8 and (1 − t)/(1 + t) with t = e^{−2|x|} above, which cancels less than one bit;
 * sigmoid as in float64. Measured against StrictMath over every 61st float bit pattern (about
 * 70 million arguments): exp ≤ 0.92 ulp, tanh ≤ 2.4 ulp, sigmoid ≤ 2.8 ulp. Only the one float
 * species of the other kernels is used: a second float species in the process makes the JIT's
 * type profiles of the shared {@code FloatVector} methods bimorphic, and C2 then boxes every vector
 * of the GEMM micro-kernel (docs/performance.md, item 1).
 */
public final class VectorMath {
    private VectorMath() {}

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    private static final double INV_LN2 = 1.4426950408889634;
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double SHIFTER = 0x1.8p52;
    private static final long SHIFTER_BITS = Double.doubleToRawLongBits(SHIFTER);
    private static final double MAX_ARG = 709.782712893384;
    private static final double MIN_ARG = -745.1332191019412;
    // 1/n! for n = 13 down to 2
    private static final double[] C = {
        1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
        1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5};
    // tanh x = x + T1 x^3 + ... + T7 x^15
    private static final double[] T = {
        -929569.0 / 638512875.0, 21844.0 / 6081075.0, -1382.0 / 155925.0, 62.0 / 2835.0, -17.0 / 315.0, 2.0 / 15.0, -1.0 / 3.0};
    private static final double TANH_SERIES_LIMIT = 0.125;

    // ------------------------------------------------------------------ scalar definitions

    /** e^x, the scalar twin of the vector lanes (identical bits). */
    public static double exp(double x) {
        if (x != x) return x;
        if (x > MAX_ARG) return Double.POSITIVE_INFINITY;
        if (x < MIN_ARG) return 0;
        double t = Math.fma(x, INV_LN2, SHIFTER);
        double kd = t - SHIFTER;
        long k = Double.doubleToRawLongBits(t) - SHIFTER_BITS;
        double r = Math.fma(kd, -LN2_HI, x);
        r = Math.fma(kd, -LN2_LO, r);
        double p = C[0];
        for (int i = 1; i < C.length; i++) p = Math.fma(p, r, C[i]);
        p = Math.fma(p, r, 1);
        p = Math.fma(p, r, 1);
        long k1 = k >> 1, k2 = k - k1;
        return p * Double.longBitsToDouble((k1 + 1023) << 52) * Double.longBitsToDouble((k2 + 1023) << 52);
    }

    /** tanh x, the scalar twin of the vector lanes. */
    public static double tanh(double x) {
        double a = Math.abs(x);
        double y;
        if (a < TANH_SERIES_LIMIT) {
            double z = a * a;
            double p = T[0];
            for (int i = 1; i < T.length; i++) p = Math.fma(p, z, T[i]);
            y = Math.fma(p * z, a, a);
        } else {
            y = 1 - 2 / (exp(2 * a) + 1);
        }
        return x != x ? x : Math.copySign(y, x);
    }

    /** σ(x) = 1/(1 + e^{−x}), the scalar twin of the vector lanes. */
    public static double sigmoid(double x) {
        double e = exp(-Math.abs(x));
        double r = 1 / (1 + e);
        return x < 0 ? e * r : r;
    }

    // ------------------------------------------------------------------ array kernels

    /** out[oo+i] = fn(a[ao+i]) for i &lt; n (float64); {@code out} is modified (may alias a). */
    public static void apply(UnaryOp fn, double[] a, int ao, double[] out, int oo, int n) {
        // One method per function: with the three loops in one method, C2 compiles the first one
        // used with the others as traps and then deoptimises and recompiles it every time the mix
        // changes. The vector code is written out inside each loop rather than in helper methods
        // taking and returning vectors: a helper that C2 has already compiled on its own is
        // "already compiled into a big method" and not inlined, and then every vector crossing
        // the call is boxed (docs/performance.md, "Elementwise kernels").
        switch (fn) {
            case EXP: exp(a, ao, out, oo, n); break;
            case TANH: tanh(a, ao, out, oo, n); break;
            case SIGMOID: sigmoid(a, ao, out, oo, n); break;
            default: throw new IllegalArgumentException("unknown function " + fn);
        }
    }

    private static void exp(double[] a, int ao, double[] out, int oo, int n) {
        int i = 0, upper = D.loopBound(n);
        for (; i < upper; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, a, ao + i);
            DoubleVector t_ = x.fma(DoubleVector.broadcast(D, INV_LN2), DoubleVector.broadcast(D, SHIFTER));
            DoubleVector kd_ = t_.sub(SHIFTER);
            LongVector k_ = t_.reinterpretAsLongs().sub(SHIFTER_BITS);
            DoubleVector r_ = kd_.fma(DoubleVector.broadcast(D, -LN2_HI), x);
            r_ = kd_.fma(DoubleVector.broadcast(D, -LN2_LO), r_);
            DoubleVector p_ = DoubleVector.broadcast(D, C[0]);
            for (int j = 1; j < C.length; j++) p_ = p_.fma(r_, DoubleVector.broadcast(D, C[j]));
            p_ = p_.fma(r_, DoubleVector.broadcast(D, 1));
            p_ = p_.fma(r_, DoubleVector.broadcast(D, 1));
            LongVector k1_ = k_.lanewise(VectorOperators.ASHR, 1);
            LongVector k2_ = k_.sub(k1_);
            DoubleVector s1_ = k1_.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector s2_ = k2_.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector y = p_.mul(s1_).mul(s2_);
            y = y.blend(Double.POSITIVE_INFINITY, x.compare(VectorOperators.GT, MAX_ARG));
            y = y.blend(0, x.compare(VectorOperators.LT, MIN_ARG));
            y.blend(x, x.test(VectorOperators.IS_NAN)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = exp(a[ao + i]);
    }

    private static void tanh(double[] a, int ao, double[] out, int oo, int n) {
        int i = 0, upper = D.loopBound(n);
        for (; i < upper; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, a, ao + i);
            DoubleVector a_ = x.abs();
            DoubleVector z_ = a_.mul(a_);
            DoubleVector q_ = DoubleVector.broadcast(D, T[0]);
            for (int j = 1; j < T.length; j++) q_ = q_.fma(z_, DoubleVector.broadcast(D, T[j]));
            DoubleVector series = q_.mul(z_).fma(a_, a_);
            DoubleVector u = a_.add(a_);
            DoubleVector t_ = u.fma(DoubleVector.broadcast(D, INV_LN2), DoubleVector.broadcast(D, SHIFTER));
            DoubleVector kd_ = t_.sub(SHIFTER);
            LongVector k_ = t_.reinterpretAsLongs().sub(SHIFTER_BITS);
            DoubleVector r_ = kd_.fma(DoubleVector.broadcast(D, -LN2_HI), u);
            r_ = kd_.fma(DoubleVector.broadcast(D, -LN2_LO), r_);
            DoubleVector p_ = DoubleVector.broadcast(D, C[0]);
            for (int j = 1; j < C.length; j++) p_ = p_.fma(r_, DoubleVector.broadcast(D, C[j]));
            p_ = p_.fma(r_, DoubleVector.broadcast(D, 1));
            p_ = p_.fma(r_, DoubleVector.broadcast(D, 1));
            LongVector k1_ = k_.lanewise(VectorOperators.ASHR, 1);
            LongVector k2_ = k_.sub(k1_);
            DoubleVector s1_ = k1_.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector s2_ = k2_.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector e = p_.mul(s1_).mul(s2_);
            e = e.blend(Double.POSITIVE_INFINITY, u.compare(VectorOperators.GT, MAX_ARG));
            e = e.blend(0, u.compare(VectorOperators.LT, MIN_ARG));
            DoubleVector big = DoubleVector.broadcast(D, 1).sub(DoubleVector.broadcast(D, 2).div(e.add(1)));
            DoubleVector y = big.blend(series, a_.compare(VectorOperators.LT, TANH_SERIES_LIMIT));
            y = y.blend(y.neg(), x.test(VectorOperators.IS_NEGATIVE));
            y.blend(x, x.test(VectorOperators.IS_NAN)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = tanh(a[ao + i]);
    }

    private static void sigmoid(double[] a, int ao, double[] out, int oo, int n) {
        int i = 0, upper = D.loopBound(n);
        for (; i < upper; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, a, ao + i);
            DoubleVector u = x.abs().neg();
            DoubleVector t_ = u.fma(DoubleVector.broadcast(D, INV_LN2), DoubleVector.broadcast(D, SHIFTER));
            DoubleVector kd_ = t_.sub(SHIFTER);
            LongVector k_ = t_.reinterpretAsLongs().sub(SHIFTER_BITS);
            DoubleVector r_ = kd_.fma(DoubleVector.broadcast(D, -LN2_HI), u);
            r_ = kd_.fma(DoubleVector.broadcast(D, -LN2_LO), r_);
            DoubleVector p_ = DoubleVector.broadcast(D, C[0]);
            for (int j = 1; j < C.length; j++) p_ = p_.fma(r_, DoubleVector.broadcast(D, C[j]));
            p_ = p_.fma(r_, DoubleVector.broadcast(D, 1));
            p_ = p_.fma(r_, DoubleVector.broadcast(D, 1));
            LongVector k1_ = k_.lanewise(VectorOperators.ASHR, 1);
            LongVector k2_ = k_.sub(k1_);
            DoubleVector s1_ = k1_.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector s2_ = k2_.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector e = p_.mul(s1_).mul(s2_);
            e = e.blend(Double.POSITIVE_INFINITY, u.compare(VectorOperators.GT, MAX_ARG));
            e = e.blend(0, u.compare(VectorOperators.LT, MIN_ARG));
            DoubleVector r = DoubleVector.broadcast(D, 1).div(e.add(1));
            r.blend(e.mul(r), x.compare(VectorOperators.LT, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = sigmoid(a[ao + i]);
    }

    // ------------------------------------------------------------------ float32, natively

    /** The float species every float kernel uses (a second one would make C2 box vectors). */
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final float INV_LN2_F = 1.44269504f;
    /** ln 2 split so that k·LN2_HI_F is exact for |k| &lt; 2^15 (9 significant bits). */
    private static final float LN2_HI_F = 0.693359375f;
    private static final float LN2_LO_F = -2.12194440e-4f;
    private static final float SHIFTER_F = 0x1.8p23f;
    private static final int SHIFTER_F_BITS = Float.floatToRawIntBits(SHIFTER_F);
    /** ln(Float.MAX_VALUE): above it e^x overflows. */
    private static final float MAX_ARG_F = 88.72283f;
    /** Below it e^x rounds to zero (ln of half the smallest subnormal). */
    private static final float MIN_ARG_F = -103.97208f;
    // 1/n! for n = 7 down to 2
    private static final float[] CF = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f};
    // tanh x = x + TF1 x^3 + ... + TF6 x^13 (odd Taylor series)
    private static final float[] TF = {
        (float) (21844.0 / 6081075.0), (float) (-1382.0 / 155925.0), (float) (62.0 / 2835.0), (float) (-17.0 / 315.0),
        (float) (2.0 / 15.0), (float) (-1.0 / 3.0)};
    private static final float TANH_SERIES_LIMIT_F = 0.375f;

    /** e^x in float32 arithmetic, the scalar twin of the float32 vector lanes (identical bits). */
    public static float exp(float x) {
        if (x != x) return x;
        if (x > MAX_ARG_F) return Float.POSITIVE_INFINITY;
        if (x < MIN_ARG_F) return 0;
        float t = Math.fma(x, INV_LN2_F, SHIFTER_F);
        float kf = t - SHIFTER_F;
        int k = Float.floatToRawIntBits(t) - SHIFTER_F_BITS;
        float r = Math.fma(kf, -LN2_HI_F, x);
        r = Math.fma(kf, -LN2_LO_F, r);
        float p = CF[0];
        for (int i = 1; i < CF.length; i++) p = Math.fma(p, r, CF[i]);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int k1 = k >> 1, k2 = k - k1;
        return p * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
    }

    /** tanh x in float32 arithmetic, the scalar twin of the float32 vector lanes. */
    public static float tanh(float x) {
        float a = Math.abs(x);
        float y;
        if (a < TANH_SERIES_LIMIT_F) {
            float z = a * a;
            float p = TF[0];
            for (int i = 1; i < TF.length; i++) p = Math.fma(p, z, TF[i]);
            y = Math.fma(p * z, a, a);
        } else {
            float t = exp(-2 * a);
            y = (1 - t) / (1 + t);
        }
        return x != x ? x : Math.copySign(y, x);
    }

    /** σ(x) = 1/(1 + e^{−x}) in float32 arithmetic, the scalar twin of the float32 vector lanes. */
    public static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        float r = 1 / (1 + e);
        return x < 0 ? e * r : r;
    }

    /** fn(x) for one float: the scalar twin that {@link #apply(UnaryOp, float[], int, float[], int, int)} uses for tails. */
    public static float apply1(UnaryOp fn, float x) {
        return fn == UnaryOp.EXP ? exp(x) : fn == UnaryOp.TANH ? tanh(x) : sigmoid(x);
    }

    /**
     * out[oo+i] = fn(a[ao+i]) for i &lt; n, in float32 arithmetic (see the class comment for the
     * accuracy); {@code out} is modified (may alias a).
     */
    public static void apply(UnaryOp fn, float[] a, int ao, float[] out, int oo, int n) {
        // One method per function: with the three loops in one method, C2 compiles the first one
        // used with the others as traps and then deoptimises and recompiles it every time the mix
        // changes. The vector code is written out inside each loop rather than in helper methods
        // taking and returning vectors: a helper that C2 has already compiled on its own is
        // "already compiled into a big method" and not inlined, and then every vector crossing
        // the call is boxed (docs/performance.md, "Elementwise kernels").
        switch (fn) {
            case EXP: exp(a, ao, out, oo, n); break;
            case TANH: tanh(a, ao, out, oo, n); break;
            case SIGMOID: sigmoid(a, ao, out, oo, n); break;
            default: throw new IllegalArgumentException("unknown function " + fn);
        }
    }

    private static void exp(float[] a, int ao, float[] out, int oo, int n) {
        int i = 0, upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, a, ao + i);
            FloatVector t_ = x.fma(FloatVector.broadcast(F, INV_LN2_F), FloatVector.broadcast(F, SHIFTER_F));
            FloatVector kd_ = t_.sub(SHIFTER_F);
            IntVector k_ = t_.reinterpretAsInts().sub(SHIFTER_F_BITS);
            FloatVector r_ = kd_.fma(FloatVector.broadcast(F, -LN2_HI_F), x);
            r_ = kd_.fma(FloatVector.broadcast(F, -LN2_LO_F), r_);
            FloatVector p_ = FloatVector.broadcast(F, CF[0]);
            for (int j = 1; j < CF.length; j++) p_ = p_.fma(r_, FloatVector.broadcast(F, CF[j]));
            p_ = p_.fma(r_, FloatVector.broadcast(F, 1));
            p_ = p_.fma(r_, FloatVector.broadcast(F, 1));
            IntVector k1_ = k_.lanewise(VectorOperators.ASHR, 1);
            IntVector k2_ = k_.sub(k1_);
            FloatVector s1_ = k1_.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2_ = k2_.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector y = p_.mul(s1_).mul(s2_);
            y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, MAX_ARG_F));
            y = y.blend(0, x.compare(VectorOperators.LT, MIN_ARG_F));
            y.blend(x, x.test(VectorOperators.IS_NAN)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = exp(a[ao + i]);
    }

    private static void tanh(float[] a, int ao, float[] out, int oo, int n) {
        // Constants broadcast once, outside the loop: broadcasting an array element inside it is a
        // load C2 cannot hoist (the stores to out might alias the array), ~14 extra per vector.
        FloatVector c0 = FloatVector.broadcast(F, CF[0]), c1 = FloatVector.broadcast(F, CF[1]), c2 = FloatVector.broadcast(F, CF[2]);
        FloatVector c3 = FloatVector.broadcast(F, CF[3]), c4 = FloatVector.broadcast(F, CF[4]), c5 = FloatVector.broadcast(F, CF[5]);
        FloatVector one = FloatVector.broadcast(F, 1), invLn2 = FloatVector.broadcast(F, INV_LN2_F);
        FloatVector shifter = FloatVector.broadcast(F, SHIFTER_F), ln2Hi = FloatVector.broadcast(F, -LN2_HI_F);
        FloatVector ln2Lo = FloatVector.broadcast(F, -LN2_LO_F);
        FloatVector tf0 = FloatVector.broadcast(F, TF[0]), tf1 = FloatVector.broadcast(F, TF[1]), tf2 = FloatVector.broadcast(F, TF[2]);
        FloatVector tf3 = FloatVector.broadcast(F, TF[3]), tf4 = FloatVector.broadcast(F, TF[4]), tf5 = FloatVector.broadcast(F, TF[5]);
        int i = 0, upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, a, ao + i);
            FloatVector a_ = x.abs();
            FloatVector z_ = a_.mul(a_);
            FloatVector q_ = tf0.fma(z_, tf1).fma(z_, tf2).fma(z_, tf3).fma(z_, tf4).fma(z_, tf5);
            FloatVector series = q_.mul(z_).fma(a_, a_);
            // e^u with u = −2|x| ≤ 0: exp's overflow blend (u > MAX_ARG_F) can never apply.
            FloatVector u = a_.mul(-2f);
            FloatVector t_ = u.fma(invLn2, shifter);
            FloatVector kd_ = t_.sub(SHIFTER_F);
            IntVector k_ = t_.reinterpretAsInts().sub(SHIFTER_F_BITS);
            FloatVector r_ = kd_.fma(ln2Hi, u);
            r_ = kd_.fma(ln2Lo, r_);
            FloatVector p_ = c0.fma(r_, c1).fma(r_, c2).fma(r_, c3).fma(r_, c4).fma(r_, c5);
            p_ = p_.fma(r_, one);
            p_ = p_.fma(r_, one);
            IntVector k1_ = k_.lanewise(VectorOperators.ASHR, 1);
            IntVector k2_ = k_.sub(k1_);
            FloatVector s1_ = k1_.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2_ = k2_.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p_.mul(s1_).mul(s2_).blend(0, u.compare(VectorOperators.LT, MIN_ARG_F));
            FloatVector big = one.sub(e).div(e.add(one));
            FloatVector y = big.blend(series, a_.compare(VectorOperators.LT, TANH_SERIES_LIMIT_F));
            y = y.blend(y.neg(), x.test(VectorOperators.IS_NEGATIVE));
            y.blend(x, x.test(VectorOperators.IS_NAN)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = tanh(a[ao + i]);
    }

    private static void sigmoid(float[] a, int ao, float[] out, int oo, int n) {
        int i = 0, upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, a, ao + i);
            FloatVector u = x.abs().neg();
            FloatVector t_ = u.fma(FloatVector.broadcast(F, INV_LN2_F), FloatVector.broadcast(F, SHIFTER_F));
            FloatVector kd_ = t_.sub(SHIFTER_F);
            IntVector k_ = t_.reinterpretAsInts().sub(SHIFTER_F_BITS);
            FloatVector r_ = kd_.fma(FloatVector.broadcast(F, -LN2_HI_F), u);
            r_ = kd_.fma(FloatVector.broadcast(F, -LN2_LO_F), r_);
            FloatVector p_ = FloatVector.broadcast(F, CF[0]);
            for (int j = 1; j < CF.length; j++) p_ = p_.fma(r_, FloatVector.broadcast(F, CF[j]));
            p_ = p_.fma(r_, FloatVector.broadcast(F, 1));
            p_ = p_.fma(r_, FloatVector.broadcast(F, 1));
            IntVector k1_ = k_.lanewise(VectorOperators.ASHR, 1);
            IntVector k2_ = k_.sub(k1_);
            FloatVector s1_ = k1_.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2_ = k2_.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p_.mul(s1_).mul(s2_);
            e = e.blend(Float.POSITIVE_INFINITY, u.compare(VectorOperators.GT, MAX_ARG_F));
            e = e.blend(0, u.compare(VectorOperators.LT, MIN_ARG_F));
            FloatVector r = FloatVector.broadcast(F, 1).div(e.add(1));
            r.blend(e.mul(r), x.compare(VectorOperators.LT, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = sigmoid(a[ao + i]);
    }

}
