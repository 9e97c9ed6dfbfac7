package dev.descent.optim;

import dev.descent.tensor.Params;
import java.util.Objects;

/**
 * The state of {@link Optimizers#scaleByAdam}.
 *
 * @param count        t, the number of updates so far (bias corrections use β^t)
 * @param firstMoment  m_t, running average of gradients (not bias-corrected)
 * @param secondMoment v_t, running average of squared gradients (not bias-corrected)
 */
public record AdamState(long count, Params firstMoment, Params secondMoment) {
    /** Rejects nulls and a negative count. */
    public AdamState {
        Objects.requireNonNull(firstMoment, "firstMoment");
        Objects.requireNonNull(secondMoment, "secondMoment");
        if (count < 0) throw new IllegalArgumentException("adam state: count must be >= 0, got " + count);
    }
}
