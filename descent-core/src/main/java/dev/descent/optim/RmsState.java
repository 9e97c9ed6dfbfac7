package dev.descent.optim;

import dev.descent.tensor.Params;
import java.util.Objects;

/**
 * The state of {@link Optimizers#scaleByRms}.
 *
 * @param squareAverage   running average of squared gradients
 * @param gradientAverage running average of gradients when centred; the empty tree otherwise
 */
public record RmsState(Params squareAverage, Params gradientAverage) {
    /** Rejects nulls. */
    public RmsState {
        Objects.requireNonNull(squareAverage, "squareAverage");
        Objects.requireNonNull(gradientAverage, "gradientAverage");
    }
}
