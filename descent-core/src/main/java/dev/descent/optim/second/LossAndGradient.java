package dev.descent.optim.second;

import dev.descent.tensor.Params;
import java.util.Objects;

/**
 * A loss value and its gradient at one point.
 *
 * @param loss     f(θ)
 * @param gradient ∇f(θ)
 */
public record LossAndGradient(double loss, Params gradient) {
    /** Rejects a null gradient. */
    public LossAndGradient {
        Objects.requireNonNull(gradient, "gradient");
    }
}
