package dev.descent.optim;

/**
 * The state of {@link Optimizers#clipByGlobalNorm}: what the last update did and running
 * totals of how often and how hard clipping fired, for training loops and diagnostics
 * (find it inside any composed state with {@link OptimizerStates#find}).
 *
 * @param steps                 updates so far
 * @param clippedSteps          updates that scaled the gradient down (scale &lt; 1)
 * @param lastPreClipNorm       the global norm ‖g‖ of the last incoming gradient, before clipping
 * @param lastScale             the factor the last gradient was multiplied by (1 when it did not fire)
 * @param largestPreClipNorm    the largest pre-clip norm seen
 * @param sumOfScalesWhenClipped Σ scale over the clipped updates (for {@link #meanScaleWhenClipped})
 */
public record ClipStats(long steps, long clippedSteps, double lastPreClipNorm, double lastScale,
                        double largestPreClipNorm, double sumOfScalesWhenClipped) {
    /** Before any update. */
    public static final ClipStats NONE = new ClipStats(0, 0, 0, 1, 0, 0);

    /** Rejects inconsistent counts. */
    public ClipStats {
        if (steps < 0 || clippedSteps < 0 || clippedSteps > steps) {
            throw new IllegalArgumentException("clip stats: need 0 <= clippedSteps <= steps, got " + clippedSteps + " of " + steps);
        }
    }

    /** Whether the last update was clipped. */
    public boolean lastClipped() {
        return lastScale < 1;
    }

    /** The fraction of updates that were clipped (0 before any update). */
    public double clipFraction() {
        return steps == 0 ? 0 : (double) clippedSteps / steps;
    }

    /** The mean factor applied when clipping fired (1 if it never fired): how hard it clipped. */
    public double meanScaleWhenClipped() {
        return clippedSteps == 0 ? 1 : sumOfScalesWhenClipped / clippedSteps;
    }

    /** These totals with one more update of pre-clip norm {@code norm} multiplied by {@code scale}. */
    ClipStats record(double norm, double scale) {
        boolean clipped = scale < 1;
        return new ClipStats(steps + 1, clippedSteps + (clipped ? 1 : 0), norm, scale,
                Math.max(largestPreClipNorm, norm), sumOfScalesWhenClipped + (clipped ? scale : 0));
    }
}
