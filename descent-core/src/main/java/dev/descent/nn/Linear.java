package dev.descent.nn;

import dev.descent.autodiff.Var;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;

/**
 * A fully connected layer y = x Wᵀ + b.
 *
 * <p>Parameters: {@code weight} W of shape [out, in], stored like PyTorch's {@code nn.Linear}
 * so that checkpoints map one to one, and, when enabled, {@code bias} b of shape [out]. The input
 * is [.., in] with any number of leading axes; the output is [.., out].
 *
 * <p>Initialisation: W from the given {@link Init} (PyTorch's default is
 * {@link Init#pytorchDefault()}, U(±1/√in)); b from U(±1/√in), as PyTorch.
 */
public final class Linear extends Module {
    private final int inFeatures, outFeatures;
    private final boolean hasBias;

    /**
     * A layer with {@code inFeatures} inputs and {@code outFeatures} outputs.
     *
     * @param bias whether to add a bias
     * @param weightInit the initialiser of W ([out, in])
     */
    public Linear(int inFeatures, int outFeatures, boolean bias, Init weightInit, Rng rng, DType dtype) {
        if (inFeatures <= 0) throw new IllegalArgumentException("Linear: inFeatures must be positive, got " + inFeatures);
        if (outFeatures <= 0) throw new IllegalArgumentException("Linear: outFeatures must be positive, got " + outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.hasBias = bias;
        addParameter("weight", weightInit.create(rng, dtype, outFeatures, inFeatures));
        if (bias) addParameter("bias", Init.uniform(1 / Math.sqrt(inFeatures)).create(rng, dtype, outFeatures));
    }

    /** A layer with a bias and PyTorch's default initialisation. */
    public Linear(int inFeatures, int outFeatures, Rng rng, DType dtype) {
        this(inFeatures, outFeatures, true, Init.pytorchDefault(), rng, dtype);
    }

    /** Number of input features. */
    public int inFeatures() {
        return inFeatures;
    }

    /** Number of output features. */
    public int outFeatures() {
        return outFeatures;
    }

    /** Whether the layer adds a bias. */
    public boolean hasBias() {
        return hasBias;
    }

    /**
     * The layer with its weight weight-normalised, w = g·v/‖v‖ per row, without forming w (see
     * {@link NormalizedAffine}); {@link WeightNorm} calls it for a wrapped Linear.
     */
    Var applyNormalized(Scope scope, Var g, Var v, Var x) {
        checkInput(x);
        Var flat = x.rank() == 2 ? x : x.reshape(-1, inFeatures);
        Var y = hasBias ? Var.apply(new NormalizedAffine(), flat, g, v, scope.parameter(this, "bias"))
                : Var.apply(new NormalizedAffine(), flat, g, v);
        return restore(x, y);
    }

    private void checkInput(Var x) {
        if (x.rank() < 1 || x.dim(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear: input " + x.shape() + " has " + (x.rank() < 1 ? "no" : x.dim(-1))
                    + " features, expected " + inFeatures);
        }
    }

    /** y [rows, out] back to the input's leading axes. */
    private Var restore(Var x, Var y) {
        if (x.rank() == 2) return y;
        int[] outDims = x.value().dims();
        outDims[outDims.length - 1] = outFeatures;
        return y.reshape(outDims);
    }

    @Override
    public Var apply(Scope scope, Var x) {
        checkInput(x);
        Var w = scope.parameter(this, "weight");
        // Fold the leading axes into one batch axis: one GEMM for any rank.
        Var flat = x.rank() == 2 ? x : x.reshape(-1, inFeatures);
        Var y = hasBias ? Var.apply(new Affine(), flat, w, scope.parameter(this, "bias")) : flat.matmul(w, false, true);
        return restore(x, y);
    }
}
