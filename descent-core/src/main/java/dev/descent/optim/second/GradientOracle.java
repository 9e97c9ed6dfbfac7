package dev.descent.optim.second;

import dev.descent.tensor.Params;

/**
 * The loss of a fixed batch and its gradient, as functions of the parameters: what L-BFGS
 * needs. Build one per batch (see {@link Oracles}); an oracle must be deterministic, i.e. the
 * same parameters give the same values.
 */
public interface GradientOracle {
    /** f(θ). */
    double loss(Params at);

    /** f(θ) and ∇f(θ) together (one forward and one backward pass). */
    LossAndGradient lossAndGradient(Params at);
}
