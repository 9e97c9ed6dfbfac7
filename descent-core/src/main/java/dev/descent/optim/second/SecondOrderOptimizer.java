package dev.descent.optim.second;

import dev.descent.tensor.Params;

/**
 * A second-order method: immutable configuration, explicit immutable state, one step at a time
 * against a typed oracle for the current batch.
 *
 * @param <O> the oracle it needs (gradients, Hessian- or Gauss-Newton-vector products)
 * @param <S> its state
 * @param <R> its per-step report
 */
public interface SecondOrderOptimizer<O extends GradientOracle, S, R extends StepReport> {
    /** The state before the first step. */
    S init(Params params);

    /** One step from {@code params} on the batch behind {@code oracle}. */
    SecondOrderStep<S, R> step(Params params, S state, O oracle);
}
