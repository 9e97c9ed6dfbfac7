package dev.descent.tensor.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels for float64 arrays (the float32 twin is generated; see package docs).
 *
 * <p>Binary kernels combine {@code n} elements of {@code a} (offset {@code ao}, stride
 * {@code as} ∈ {0, 1}) with {@code n} elements of {@code b} (offset {@code bo}, stride
 * {@code bs} ∈ {0, 1}) into {@code out} (offset {@code oo}, contiguous). A stride of 0 repeats
 * one element, which is how broadcasting along the innermost dimension reaches the kernel.
 * Plain loops are written so that C2's superword pass vectorises them; transcendental functions
 * use the bit-reproducible code of {@link VectorMath}.
 */
public final class ElementwiseF64 {
    private ElementwiseF64() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    /** out[i] = a[i] op b[i] with strides as, bs ∈ {0,1}; {@code out} is modified. */
    public static void binary(BinaryOp op, double[] a, int ao, int as, double[] b, int bo, int bs,
                              double[] out, int oo, int n) {
        if (as == 1 && bs == 1) {
            binaryContiguous(op, a, ao, b, bo, out, oo, n);
        } else if (as == 1 && bs == 0) {
            binaryScalarRight(op, a, ao, b[bo], out, oo, n);
        } else if (as == 0 && bs == 1) {
            binaryScalarLeft(op, a[ao], b, bo, out, oo, n);
        } else {
            double v = apply(op, a[ao], b[bo]);
            for (int i = 0; i < n; i++) out[oo + i] = v;
        }
    }

    /** The scalar definition of every binary operation; the loops below must agree with it. */
    public static double apply(BinaryOp op, double x, double y) {
        switch (op) {
            case ADD: return x + y;
            case SUB: return x - y;
            case MUL: return x * y;
            case DIV: return x / y;
            case MAX: return Math.max(x, y);
            case MIN: return Math.min(x, y);
            case POW: return (double) Math.pow(x, y);
            case GT: return x > y ? 1 : 0;
            case GE: return x >= y ? 1 : 0;
            case LT: return x < y ? 1 : 0;
            case LE: return x <= y ? 1 : 0;
            case EQ: return x == y ? 1 : 0;
            case NE: return x != y ? 1 : 0;
            default: throw new IllegalArgumentException("unknown binary op " + op);
        }
    }

    // NOTE: the loops below are written with the Vector API. As plain loops inside these
    // switch-dispatched methods C2 (JDK 17) left them scalar, several times slower
    // (docs/performance.md, "Elementwise binary kernels"). The scalar tails apply the same operation to the last
    // n mod L elements (and to every element of the operations without a vector loop).

    private static void binaryContiguous(BinaryOp op, double[] a, int ao, double[] b, int bo,
                                         double[] out, int oo, int n) {
        int i = 0;
        int upper = S.loopBound(n), l = S.length();
        switch (op) {
            case ADD:
                for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).add(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                break;
            case SUB:
                for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).sub(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                break;
            case MUL:
                for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).mul(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                break;
            case DIV:
                for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).div(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                break;
            case MAX:
                for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).max(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                break;
            case MIN:
                for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).min(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                break;
            default:
                break;
        }
        for (; i < n; i++) out[oo + i] = apply(op, a[ao + i], b[bo + i]);
    }

    private static void binaryScalarRight(BinaryOp op, double[] a, int ao, double y,
                                          double[] out, int oo, int n) {
        int i = 0;
        int upper = S.loopBound(n), l = S.length();
        DoubleVector vy = DoubleVector.broadcast(S, y);
        switch (op) {
            case ADD: for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).add(vy).intoArray(out, oo + i); break;
            case SUB: for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).sub(vy).intoArray(out, oo + i); break;
            case MUL: for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).mul(vy).intoArray(out, oo + i); break;
            case DIV: for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).div(vy).intoArray(out, oo + i); break;
            default: break;
        }
        for (; i < n; i++) out[oo + i] = apply(op, a[ao + i], y);
    }

    private static void binaryScalarLeft(BinaryOp op, double x, double[] b, int bo,
                                         double[] out, int oo, int n) {
        int i = 0;
        int upper = S.loopBound(n), l = S.length();
        DoubleVector vx = DoubleVector.broadcast(S, x);
        switch (op) {
            case ADD: for (; i < upper; i += l) vx.add(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i); break;
            case SUB: for (; i < upper; i += l) vx.sub(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i); break;
            case MUL: for (; i < upper; i += l) vx.mul(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i); break;
            case DIV: for (; i < upper; i += l) vx.div(DoubleVector.fromArray(S, b, bo + i)).intoArray(out, oo + i); break;
            default: break;
        }
        for (; i < n; i++) out[oo + i] = apply(op, x, b[bo + i]);
    }

    /** The scalar definition of every unary operation. */
    public static double apply(UnaryOp op, double x) {
        switch (op) {
            case NEG: return -x;
            case EXP: return (double) VectorMath.exp(x);
            case LOG: return (double) Math.log(x);
            case TANH: return (double) VectorMath.tanh(x);
            case SIGMOID: return sigmoid(x);
            case RELU: return x > 0 ? x : 0;
            case SQRT: return (double) Math.sqrt(x);
            case ABS: return Math.abs(x);
            case SIGN: return Math.signum(x);
            case SQUARE: return x * x;
            case RECIPROCAL: return 1 / x;
            case STEP: return x > 0 ? 1 : 0;
            case LOG1P: return (double) Math.log1p(x);
            case ISFINITE: return Double.isFinite(x) ? 1 : 0;
            default: throw new IllegalArgumentException("unknown unary op " + op);
        }
    }

    /**
     * Logistic sigmoid 1/(1+e^{-x}), evaluated so that neither branch overflows.
     */
    // NOTE: for x < 0 use e^x/(1+e^x); 1/(1+e^{-x}) would compute e^{-x} = inf for x < -709 (f64)
    // and still give 0, but the e^x form keeps relative accuracy for tiny outputs.
    public static double sigmoid(double x) {
        return (double) VectorMath.sigmoid(x);
    }

    /** out[i] = op(a[i]) for i &lt; n; {@code out} is modified (may alias {@code a}). */
    public static void unary(UnaryOp op, double[] a, int ao, double[] out, int oo, int n) {
        int i = 0;
        int upper = S.loopBound(n), l = S.length();
        switch (op) {
            case NEG:
                for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).neg().intoArray(out, oo + i);
                break;
            case RELU: positivePart(a, ao, out, oo, n, false); return;
            case STEP: positivePart(a, ao, out, oo, n, true); return;
            case SQUARE:
                for (; i < upper; i += l) {
                    DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
                    x.mul(x).intoArray(out, oo + i);
                }
                break;
            case ABS:
                for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).abs().intoArray(out, oo + i);
                break;
            case SQRT:
                for (; i < upper; i += l) DoubleVector.fromArray(S, a, ao + i).sqrt().intoArray(out, oo + i);
                break;
            case RECIPROCAL: {
                DoubleVector one = DoubleVector.broadcast(S, 1);
                for (; i < upper; i += l) one.div(DoubleVector.fromArray(S, a, ao + i)).intoArray(out, oo + i);
                break;
            }
            // NOTE: never lanewise(EXP/LOG/TANH): their results change when C2 compiles the loop,
            // which would make runs depend on JIT timing. VectorMath is exact-arithmetic only.
            case EXP: VectorMath.apply(UnaryOp.EXP, a, ao, out, oo, n); return;
            case TANH: VectorMath.apply(UnaryOp.TANH, a, ao, out, oo, n); return;
            case SIGMOID: VectorMath.apply(UnaryOp.SIGMOID, a, ao, out, oo, n); return;
            case LOG: for (int j = 0; j < n; j++) out[oo + j] = (double) Math.log(a[ao + j]); return;
            default:
                break;
        }
        for (; i < n; i++) out[oo + i] = apply(op, a[ao + i]);
    }

    /**
     * out = x &gt; 0 ? x : 0 (relu), or x &gt; 0 ? 1 : 0 (its derivative, {@code indicator}), with
     * a lane mask instead of a branch: on real activations the sign is a coin flip, and a
     * mispredicted branch per element cost more than the rest of the loop. NaN maps to 0, as in
     * {@link #apply(UnaryOp, double)}.
     */
    private static void positivePart(double[] a, int ao, double[] out, int oo, int n, boolean indicator) {
        int i = 0;
        int upper = S.loopBound(n);
        DoubleVector zero = DoubleVector.zero(S), one = DoubleVector.broadcast(S, 1);
        for (; i < upper; i += S.length()) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            zero.blend(indicator ? one : x, x.compare(VectorOperators.GT, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            double x = a[ao + i];
            out[oo + i] = x > 0 ? (indicator ? 1 : x) : 0;
        }
    }

    /**
     * out[i] = x[i] &gt; 0 ? y[i] : 0 (relu's derivative at x applied to y), branch-free;
     * {@code out} is modified (may alias y).
     */
    public static void maskPositive(double[] y, int yo, double[] x, int xo, double[] out, int oo, int n) {
        int i = 0;
        int upper = S.loopBound(n);
        DoubleVector zero = DoubleVector.zero(S);
        for (; i < upper; i += S.length()) {
            DoubleVector xv = DoubleVector.fromArray(S, x, xo + i);
            zero.blend(DoubleVector.fromArray(S, y, yo + i), xv.compare(VectorOperators.GT, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = x[xo + i] > 0 ? y[yo + i] : 0;
    }

    /** out[i] = cond[i] != 0 ? a[i] : b[i], all three with strides in {0,1}. */
    public static void where(double[] c, int co, int cs, double[] a, int ao, int as,
                             double[] b, int bo, int bs, double[] out, int oo, int n) {
        for (int i = 0; i < n; i++) {
            out[oo + i] = c[co + i * cs] != 0 ? a[ao + i * as] : b[bo + i * bs];
        }
    }

    /**
     * out[oo + r·cols + j] = a[ao + r·cols + j] + v[vo + j] for r &lt; rows, j &lt; cols: a row vector
     * added to every row of a row-major block in one call (a bias added to a batch); {@code out}
     * is modified (may alias a).
     */
    public static void addRows(double[] a, int ao, double[] v, int vo, double[] out, int oo, int rows, int cols) {
        int upper = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int ar = ao + r * cols, or = oo + r * cols, j = 0;
            for (; j < upper; j += S.length()) {
                DoubleVector.fromArray(S, a, ar + j).add(DoubleVector.fromArray(S, v, vo + j)).intoArray(out, or + j);
            }
            for (; j < cols; j++) out[or + j] = a[ar + j] + v[vo + j];
        }
    }

    /** out[i] = alpha * x[i] + out[i] (axpy, no fused multiply-add); {@code out} is modified. */
    // NOTE: Vector API for the same reason as ReduceF64.accumulate (C2 leaves the plain
    // read-modify-write loop scalar).
    public static void axpy(double alpha, double[] x, int xo, double[] out, int oo, int n) {
        int i = 0;
        int upper = S.loopBound(n);
        DoubleVector va = DoubleVector.broadcast(S, alpha);
        for (; i < upper; i += S.length()) {
            DoubleVector.fromArray(S, out, oo + i).add(va.mul(DoubleVector.fromArray(S, x, xo + i))).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] += alpha * x[xo + i];
    }

    /**
     * out[i] = alpha·x[i] + beta·y[i] (two products, one sum, no fused multiply-add);
     * {@code out} is modified (may alias x or y element for element).
     */
    public static void axpby(double alpha, double[] x, int xo, double beta, double[] y, int yo,
                             double[] out, int oo, int n) {
        int i = 0;
        int upper = S.loopBound(n);
        DoubleVector va = DoubleVector.broadcast(S, alpha), vb = DoubleVector.broadcast(S, beta);
        for (; i < upper; i += S.length()) {
            va.mul(DoubleVector.fromArray(S, x, xo + i)).add(vb.mul(DoubleVector.fromArray(S, y, yo + i)))
                    .intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = alpha * x[xo + i] + beta * y[yo + i];
    }

    /** out[i] = a[i] * s; {@code out} is modified (may alias a). */
    public static void scale(double[] a, int ao, double s, double[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * s;
    }
}
