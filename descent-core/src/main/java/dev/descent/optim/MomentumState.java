package dev.descent.optim;

import dev.descent.tensor.Params;
import java.util.Objects;

/**
 * The velocity of a momentum method. What it holds depends on the parameterisation: the seed's
 * {@code v} (already scaled by the learning rate) for {@link Optimizers#momentum} and
 * {@link Optimizers#nesterov}, PyTorch's un-scaled momentum buffer for {@link Optimizers#trace}.
 *
 * @param velocity one tensor per parameter
 */
public record MomentumState(Params velocity) {
    /** Rejects null. */
    public MomentumState {
        Objects.requireNonNull(velocity, "velocity");
    }
}
