package dev.descent.nn.kernel;

import dev.descent.tensor.kernel.Storage;
import dev.descent.tensor.kernel.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The backward step through an activation of {@code dev.descent.nn}, for float64 arrays (the
 * float32 twin is generated; see the package docs).
 */
public final class ActivationF64 extends ActivationKernels {
    private ActivationF64() {}

    /** The float64 pass of {@link ActivationKernels}. */
    public static final ActivationF64 INSTANCE = new ActivationF64();

    /** The array of a storage of this dtype, or null. */
    private static double[] arr(Storage s) {
        return s == null ? null : (double[]) s.array();
    }

    @Override
    public void mulActivationDerivative(UnaryOp op, Storage a, int ao, Storage b, int bo, Storage y, int yo, Storage out, int oo, int n) {
        mulActivationDerivative(op, arr(a), ao, arr(b), bo, arr(y), yo, arr(out), oo, n);
    }

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    /**
     * Errors smaller in magnitude than this are set to zero by {@link #mulActivationDerivative}:
     * 2⁴⁰ times the smallest normal number (binary32: 2⁻⁸⁶ ≈ 1.3·10⁻²⁶; binary64: 2⁻⁹⁸²), so that
     * an error that survives, multiplied by any weight or activation of magnitude at least 2⁻⁴⁰,
     * is still a normal number. Backpropagated errors shrink geometrically through time (the
     * seed's (γ‖W‖)^T); once they reach the subnormal range, every product with them takes a slow
     * microcode path on many x86 cores (docs/performance.md, "Subnormal errors in backpropagation
     * through time"). A dropped term is smaller than the rounding unit of any gradient entry
     * larger than 2⁻⁶² (binary32), so only gradients that have themselves all but vanished change.
     */
    public static final double FLUSH_BELOW = Double.MIN_NORMAL * 0x1p40f;

    /**
     * out[i] = (a[i] + b[i]) · σ'(y[i]) with σ' written in terms of the activation's output
     * y = σ(x): 1 − y² for {@link UnaryOp#TANH}, y(1 − y) for {@link UnaryOp#SIGMOID}, 1[y &gt; 0] for
     * {@link UnaryOp#RELU} (any other op: 1), and 0 where |out[i]| &lt; {@link #FLUSH_BELOW}.
     * {@code b} may be null (then a[i] alone). One pass for the step of backpropagation through an
     * activation; {@code out} is modified (may alias a or b).
     */
    public static void mulActivationDerivative(UnaryOp op, double[] a, int ao, double[] b, int bo, double[] y, int yo,
                                               double[] out, int oo, int n) {
        int i = 0;
        int upper = S.loopBound(n), l = S.length();
        DoubleVector one = DoubleVector.broadcast(S, 1), zero = DoubleVector.zero(S);
        for (; i < upper; i += l) {
            DoubleVector g = DoubleVector.fromArray(S, a, ao + i);
            if (b != null) g = g.add(DoubleVector.fromArray(S, b, bo + i));
            DoubleVector yv = DoubleVector.fromArray(S, y, yo + i);
            DoubleVector r;
            if (op == UnaryOp.TANH) r = g.mul(one.sub(yv.mul(yv)));
            else if (op == UnaryOp.SIGMOID) r = g.mul(yv.mul(one.sub(yv)));
            else if (op == UnaryOp.RELU) r = zero.blend(g, yv.compare(VectorOperators.GT, 0));
            else r = g;
            r = r.blend(zero, r.abs().compare(VectorOperators.LT, FLUSH_BELOW));
            r.intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            double g = b == null ? a[ao + i] : a[ao + i] + b[bo + i];
            double yi = y[yo + i];
            double d = op == UnaryOp.TANH ? 1 - yi * yi : op == UnaryOp.SIGMOID ? yi * (1 - yi) : op == UnaryOp.RELU ? (yi > 0 ? 1 : 0) : 1;
            double r = op == UnaryOp.RELU ? (yi > 0 ? g : 0) : g * d;
            out[oo + i] = Math.abs(r) < FLUSH_BELOW ? 0 : r;
        }
    }
}
