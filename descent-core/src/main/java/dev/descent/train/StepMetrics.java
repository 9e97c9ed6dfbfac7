package dev.descent.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one training step measured, as reported to {@link TrainingObserver#onStep}.
 *
 * @param step the step (1-based: the parameters after it have taken {@code step} updates)
 * @param loss the training loss on the step's batch, at the parameters before the update
 * @param gradientNorm the global norm of the batch gradient ‖g‖, before any clipping
 * @param learningRate η of this step (NaN for second-order methods, which choose their own steps)
 * @param clipScale the factor clipping multiplied the gradient by (1 when it did not fire; NaN
 *     without clipping)
 * @param details method-specific figures of second-order steps (e.g. damping, CG iterations,
 *     the path a curvature step took); empty for first-order steps
 */
public record StepMetrics(long step, double loss, double gradientNorm, double learningRate, double clipScale,
                          Map<String, Object> details) {
    /** Copies the details. */
    public StepMetrics {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** Whether clipping fired in this step. */
    public boolean clipped() {
        return clipScale < 1;
    }
}
