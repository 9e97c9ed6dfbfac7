package dev.descent.optim.second;

import dev.descent.tensor.Params;

/**
 * A symmetric positive semi-definite matrix-vector product M(θ) v that depends on the current
 * parameters, e.g. the Gauss-Newton matrix of a penalty (used for structural damping, see
 * {@link HessianFree.StructuralDamping}).
 */
@FunctionalInterface
public interface CurvatureProduct {
    /** M(θ) v at θ = {@code at}. */
    Params apply(Params at, Params v);
}
