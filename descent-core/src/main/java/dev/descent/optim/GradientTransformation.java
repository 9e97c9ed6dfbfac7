package dev.descent.optim;

import dev.descent.tensor.Params;

/**
 * A pure gradient transformation in the style of Optax (Babuschkin et al. 2020): a function from
 * gradients to updates that threads an explicit, immutable state.
 *
 * <p>A training step is
 * <pre>{@code
 * S state = opt.init(params);                          // once
 * Update<S> u = opt.update(grads, state, params);      // every step
 * params = Updates.apply(params, u.updates());         // θ ← θ + u
 * state = u.state();
 * }</pre>
 * Updates are <em>added</em> to the parameters, so the learning-rate transform negates (see
 * {@link Optimizers#scaleByLearningRate(double)}). Transformations compose with
 * {@link Optimizers#chain}; every named optimiser in {@link Optimizers} is such a composition.
 *
 * <p>Implementations never modify their arguments; states are immutable records (or
 * {@link EmptyState}), so a state can be kept, compared or checkpointed at any step.
 *
 * @param <S> the state type
 */
public interface GradientTransformation<S> {
    /** The state before the first update, shaped like {@code params}. */
    S init(Params params);

    /**
     * Transforms {@code grads} (or the updates of the previous transform in a chain).
     *
     * @param grads  gradients or incoming updates, with the names and shapes of the parameters
     * @param state  the state returned by {@link #init} or by the previous update
     * @param params the current parameters; transformations that do not read them (scaling,
     *               averages, Adam, clipping) accept null, those that do (weight decay) fail
     *               with {@link IllegalArgumentException} on null
     * @return the outgoing updates and the new state
     */
    Update<S> update(Params grads, S state, Params params);
}
