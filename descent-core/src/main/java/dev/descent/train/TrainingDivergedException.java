package dev.descent.train;

/**
 * Training produced a non-finite loss: the run cannot continue meaningfully. The message names
 * the step and suggests the usual remedies; the last checkpoint handed out before it is intact.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long step;

    /** Divergence at {@code step} (1-based), described by {@code message}. */
    public TrainingDivergedException(long step, String message) {
        super(message);
        this.step = step;
    }

    /** The step whose loss was not finite. */
    public long step() {
        return step;
    }
}
