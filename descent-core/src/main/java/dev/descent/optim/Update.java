package dev.descent.optim;

import dev.descent.tensor.Params;
import java.util.Objects;

/**
 * What one {@link GradientTransformation#update} returns: the updates to add to the parameters
 * and the transformation's next state.
 *
 * @param updates the outgoing updates (same names and shapes as the parameters)
 * @param state   the next state
 * @param <S>     the state type
 */
public record Update<S>(Params updates, S state) {
    /** Rejects nulls. */
    public Update {
        Objects.requireNonNull(updates, "updates");
        Objects.requireNonNull(state, "state");
    }
}
