package dev.descent.optim.second;

import dev.descent.tensor.Params;

/**
 * A {@link GradientOracle} that also gives Hessian-vector products H(θ) v, without forming H:
 * what the curvature-optimal step and exact Newton need.
 */
public interface CurvatureOracle extends GradientOracle {
    /** H(θ) v, the Hessian of the loss at {@code at} applied to {@code v}. */
    Params hessianVectorProduct(Params at, Params v);
}
