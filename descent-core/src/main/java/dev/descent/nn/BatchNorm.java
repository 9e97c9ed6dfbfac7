package dev.descent.nn;

import dev.descent.autodiff.Var;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;

/**
 * Batch normalisation over the last (feature) axis (Ioffe &amp; Szegedy 2015):
 * <pre>
 *   y = γ ⊙ (x − μ) / √(σ² + ε) + β
 * </pre>
 * per feature, where in training mode μ and σ² are the mean and the biased variance (divisor n)
 * of the batch, taken over all leading axes of the input [.., F] (n = their product): a [B, F]
 * input normalises over the batch, a [T, B, F] input over time and batch together; to normalise
 * each time step separately, apply the layer to each [B, F] step. In evaluation mode μ and σ² are
 * the running estimates.
 *
 * <p>Parameters ({@code affine}): {@code weight} γ [F] (ones) and {@code bias} β [F] (zeros).
 * Buffers: {@code running_mean} [F] (zeros) and {@code running_var} [F] (ones), updated by a
 * training-mode pass in an updating scope (see {@link Module}) as
 * <pre>
 *   running_mean ← (1 − m)·running_mean + m·μ,   running_var ← (1 − m)·running_var + m·σ²·n/(n − 1)
 * </pre>
 * with momentum m, i.e. with the unbiased variance, as PyTorch (whose momentum has this meaning;
 * Keras's is 1 − m). Differences from PyTorch: buffers change only in an updating scope; the
 * count of updates, PyTorch's {@code num_batches_tracked} buffer, is an exact {@code long}
 * ({@link #batchesTracked()}), not a buffer: it enters no computation here (there is no
 * cumulative-average mode, momentum = None in PyTorch), Descent checkpoints do not store it, and
 * the PyTorch state-dict mapping ({@code dev.descent.interop.TorchStateDict}) writes and reads it
 * as the int64 tensor PyTorch expects; ε may be 0 (exact normalisation, used by the WN = BN
 * experiment of SPEC.md §4.1).
 */
public final class BatchNorm extends Module {
    /** PyTorch's default ε. */
    public static final double DEFAULT_EPS = 1e-5;
    /** PyTorch's default momentum. */
    public static final double DEFAULT_MOMENTUM = 0.1;

    private final int features;
    private final double eps, momentum;
    private final boolean affine;
    private long batchesTracked;

    /**
     * A layer over {@code features} features.
     *
     * @param eps ε ≥ 0 added to the variance
     * @param momentum m ∈ [0, 1] of the running estimates
     * @param affine whether to learn γ and β
     */
    public BatchNorm(int features, double eps, double momentum, boolean affine, DType dtype) {
        if (features <= 0) throw new IllegalArgumentException("BatchNorm: features must be positive, got " + features);
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("BatchNorm: eps must be finite and >= 0, got " + eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("BatchNorm: momentum must lie in [0, 1], got " + momentum);
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        if (affine) {
            addParameter("weight", Tensor.ones(dtype, features));
            addParameter("bias", Tensor.zeros(dtype, features));
        }
        addBuffer("running_mean", Tensor.zeros(dtype, features));
        addBuffer("running_var", Tensor.ones(dtype, features));
    }

    /** A layer with PyTorch's defaults: ε = 1e-5, momentum 0.1, affine. */
    public BatchNorm(int features, DType dtype) {
        this(features, DEFAULT_EPS, DEFAULT_MOMENTUM, true, dtype);
    }

    /** Number of features F. */
    public int features() {
        return features;
    }

    /** ε. */
    public double eps() {
        return eps;
    }

    /** Whether the layer learns γ and β. */
    public boolean affine() {
        return affine;
    }

    /** The number of batches that updated the running estimates (PyTorch's {@code num_batches_tracked}). */
    public long batchesTracked() {
        return batchesTracked;
    }

    /** Sets the count {@link #batchesTracked()} (e.g. from a PyTorch state dict); must be ≥ 0. */
    public void setBatchesTracked(long count) {
        if (count < 0) throw new IllegalArgumentException("BatchNorm: num_batches_tracked must be >= 0, got " + count);
        batchesTracked = count;
    }

    /** The momentum m of the running estimates. */
    public double momentum() {
        return momentum;
    }

    @Override
    public Var apply(Scope scope, Var x) {
        leadingAxes("BatchNorm", x, features);
        Var normalised;
        if (isTraining()) {
            long n = x.value().size() / features;
            if (n < 2) {
                throw new IllegalArgumentException("BatchNorm: training needs at least 2 values per feature, got input " + x.shape());
            }
            // One primitive for normalisation, γ and β (see BatchNormalize): two passes each way.
            BatchNormalize bn = new BatchNormalize(eps);
            Var y = affine ? Var.apply(bn, x, scope.parameter(this, "weight"), scope.parameter(this, "bias")) : Var.apply(bn, x);
            if (scope.updatesBuffers()) {
                Tensor unbiased = bn.variance().mul((double) n / (n - 1));
                setOwnBuffer("running_mean", ema(ownBuffer("running_mean"), bn.mean()));
                setOwnBuffer("running_var", ema(ownBuffer("running_var"), unbiased));
                batchesTracked++;
            }
            return y;
        } else {
            Tensor mean = ownBuffer("running_mean"), variance = ownBuffer("running_var");
            normalised = x.sub(Var.constant(mean)).div(Var.constant(variance.add(eps).sqrt()));
        }
        return affine ? normalised.mul(scope.parameter(this, "weight")).add(scope.parameter(this, "bias")) : normalised;
    }

    private Tensor ema(Tensor running, Tensor batch) {
        return running.mul(1 - momentum).add(batch.mul(momentum));
    }

    /** The axes 0..rank−2 of an input [.., F], after checking its feature axis. */
    static int[] leadingAxes(String layer, Var x, int features) {
        if (x.rank() < 2 || x.dim(-1) != features) {
            throw new IllegalArgumentException(layer + ": input must be [.., " + features + "] with at least one leading axis, got "
                    + x.shape());
        }
        int[] axes = new int[x.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        return axes;
    }
}
