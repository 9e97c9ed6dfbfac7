package dev.descent.nn;

import dev.descent.autodiff.Var;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;

/**
 * Mean-only batch normalisation (Salimans &amp; Kingma 2016, §2.2), meant to follow a
 * weight-normalised layer: it centres each feature but does not divide by a standard deviation,
 * <pre>
 *   y = x − μ + β
 * </pre>
 * where μ is the batch mean over all leading axes of [.., F] in training mode and the running
 * mean in evaluation mode. Parameter: {@code bias} β [F] (zeros). Buffer: {@code running_mean}
 * [F], updated like {@link BatchNorm}'s as running_mean ← (1 − m)·running_mean + m·μ in a
 * training-mode pass of an updating scope.
 */
public final class MeanOnlyBatchNorm extends Module {
    private final int features;
    private final double momentum;

    /** A layer over {@code features} features with momentum m ∈ [0, 1]. */
    public MeanOnlyBatchNorm(int features, double momentum, DType dtype) {
        if (features <= 0) throw new IllegalArgumentException("MeanOnlyBatchNorm: features must be positive, got " + features);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("MeanOnlyBatchNorm: momentum must lie in [0, 1], got " + momentum);
        }
        this.features = features;
        this.momentum = momentum;
        addParameter("bias", Tensor.zeros(dtype, features));
        addBuffer("running_mean", Tensor.zeros(dtype, features));
    }

    /** A layer with momentum 0.1. */
    public MeanOnlyBatchNorm(int features, DType dtype) {
        this(features, BatchNorm.DEFAULT_MOMENTUM, dtype);
    }

    /** Number of features F. */
    public int features() {
        return features;
    }

    @Override
    public Var apply(Scope scope, Var x) {
        int[] axes = BatchNorm.leadingAxes("MeanOnlyBatchNorm", x, features);
        Var centred;
        if (isTraining()) {
            if (x.value().size() == 0) {
                throw new IllegalArgumentException("MeanOnlyBatchNorm: training needs at least 1 value per feature, got input " + x.shape());
            }
            Var mean = x.mean(axes, true);
            centred = x.sub(mean);
            if (scope.updatesBuffers()) {
                Tensor running = ownBuffer("running_mean");
                setOwnBuffer("running_mean", running.mul(1 - momentum).add(mean.value().reshape(features).mul(momentum)));
            }
        } else {
            centred = x.sub(Var.constant(ownBuffer("running_mean")));
        }
        return centred.add(scope.parameter(this, "bias"));
    }
}
