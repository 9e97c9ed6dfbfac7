package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running statistics of gradient clipping: how often it fired and how hard. Fed one
 * {@link ClipInfo} per step by the training loop (directly or through a
 * {@link DiagnosticsMonitor}). A mutable accumulator: not thread-safe; {@link #summary()} takes
 * an immutable snapshot.
 */
public final class ClippingStatistics {
    private long steps, clippedSteps, nonFiniteNorms;
    private double sumNorm, maxNorm, sumOverThreshold;
    private long finiteNorms;

    /** A snapshot of the statistics. */
    public record Summary(long steps, long clippedSteps, long nonFiniteNorms, double meanPreClipNorm,
                          double maxPreClipNorm, double meanClipRatio) {
        /** clippedSteps / steps (0 before any step). */
        public double clippedFraction() {
            return steps == 0 ? 0 : (double) clippedSteps / steps;
        }

        /** Plain values for metrics files. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", steps);
            m.put("clippedSteps", clippedSteps);
            m.put("clippedFraction", clippedFraction());
            m.put("nonFiniteNorms", nonFiniteNorms);
            m.put("meanPreClipNorm", meanPreClipNorm);
            m.put("maxPreClipNorm", maxPreClipNorm);
            m.put("meanClipRatio", meanClipRatio);
            return m;
        }
    }

    /** Adds one step. */
    public void record(ClipInfo clip) {
        steps++;
        if (Double.isFinite(clip.preClipNorm())) {
            finiteNorms++;
            sumNorm += clip.preClipNorm();
            maxNorm = Math.max(maxNorm, clip.preClipNorm());
        } else {
            nonFiniteNorms++;
        }
        if (clip.clipped()) {
            clippedSteps++;
            if (Double.isFinite(clip.preClipNorm())) sumOverThreshold += clip.preClipNorm() / clip.maxNorm();
        }
    }

    /**
     * The statistics so far. {@code meanPreClipNorm} and {@code maxPreClipNorm} are over finite
     * norms; {@code meanClipRatio} is the mean of ‖g‖/maxNorm over clipped steps with a finite
     * norm ("how hard": 10 means gradients were ten times the threshold on average); means over
     * no steps are 0.
     */
    public Summary summary() {
        long clippedFinite = clippedSteps - nonFiniteNorms;
        return new Summary(steps, clippedSteps, nonFiniteNorms, finiteNorms == 0 ? 0 : sumNorm / finiteNorms, maxNorm,
                clippedFinite <= 0 ? 0 : sumOverThreshold / clippedFinite);
    }
}
