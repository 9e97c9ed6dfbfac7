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
     * out[i] = (a[i] + b[i]) · σ'(y[i]) with σ' written in terms of the activation's output
     * y = σ(x): 1 − y² for {@link UnaryOp#TANH}, y(1 − y) for {@link UnaryOp#SIGMOID}, 1[y &gt; 0] for
     * {@link UnaryOp#RELU} (any other op: 1). {@code b} may be null (then a[i] alone). One pass for the
     * step of backpropagation through an activation; {@code out} is modified (may alias a or b).
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
            r.intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            double g = b == null ? a[ao + i] : a[ao + i] + b[bo + i];
            double yi = y[yo + i];
            double d = op == UnaryOp.TANH ? 1 - yi * yi : op == UnaryOp.SIGMOID ? yi * (1 - yi) : op == UnaryOp.RELU ? (yi > 0 ? 1 : 0) : 1;
            out[oo + i] = op == UnaryOp.RELU ? (yi > 0 ? g : 0) : g * d;
        }
    }
}
