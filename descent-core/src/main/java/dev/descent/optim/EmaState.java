package dev.descent.optim;

import dev.descent.tensor.Params;
import java.util.Objects;

/**
 * The state of an exponential running average {@link Optimizers#ema}.
 *
 * @param average the running average v_t (before any bias correction)
 * @param count   t, the number of updates folded in so far
 */
public record EmaState(Params average, long count) {
    /** Rejects null and a negative count. */
    public EmaState {
        Objects.requireNonNull(average, "average");
        if (count < 0) throw new IllegalArgumentException("ema state: count must be >= 0, got " + count);
    }
}
