package dev.descent.optim.second;

import dev.descent.tensor.Params;

/**
 * A {@link GradientOracle} that also gives Gauss-Newton-vector products G(θ) v = Jᵀ H_L J v (J the
 * Jacobian of the model outputs, H_L the Hessian of the loss in the outputs): what Hessian-free
 * optimisation needs. G is positive semi-definite whenever the loss is convex in the outputs
 * (Schraudolph 2002).
 */
public interface GaussNewtonOracle extends GradientOracle {
    /** G(θ) v. */
    Params gaussNewtonVectorProduct(Params at, Params v);
}
