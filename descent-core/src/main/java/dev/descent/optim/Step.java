package dev.descent.optim;

import dev.descent.tensor.Params;
import java.util.Objects;

/**
 * What {@link Updates#step} returns: the parameters after one update, θ + u, and the
 * transformation's next state.
 *
 * @param params the updated parameters
 * @param state  the next state
 * @param <S>    the state type
 */
public record Step<S>(Params params, S state) {
    /** Rejects nulls. */
    public Step {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(state, "state");
    }
}
