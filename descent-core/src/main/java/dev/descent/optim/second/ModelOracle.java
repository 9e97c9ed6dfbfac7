package dev.descent.optim.second;

/**
 * An oracle for a loss of model outputs, L(model(θ)): it offers both Hessian-vector and
 * Gauss-Newton-vector products (see {@link Oracles#fromModel}).
 */
public interface ModelOracle extends CurvatureOracle, GaussNewtonOracle {
}
