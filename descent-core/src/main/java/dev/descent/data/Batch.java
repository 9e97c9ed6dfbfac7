package dev.descent.data;

import dev.descent.tensor.Tensor;

/**
 * One minibatch, in its dataset's {@link Dataset.Layout}.
 *
 * <p>{@code features} is {@code [B, ...]} (sample-major) or {@code [T, B, C]} (time-major).
 * Exactly one of {@code targets} (regression, {@code [B, ...]}) and {@code labels} (classification)
 * is non-null; {@code labelShape} is {@code [B]} for one label per sample, or {@code [T, B]}
 * (time-major) / {@code [B, T]} (sample-major) for per-step labels, with {@code labels} in that
 * row-major order. {@code indices} are the dataset rows the batch came from (for synthetic
 * streams, 0..B−1 of a freshly generated set). Arrays are shared, not copied: do not modify them.
 */
public record Batch(Tensor features, Tensor targets, int[] labels, int[] labelShape, int[] indices) {
    /** The number of samples B. */
    public int size() {
        return indices.length;
    }

    /** Whether this batch carries class labels. */
    public boolean isClassification() {
        return labels != null;
    }

    /**
     * The first {@code m} samples of this batch (e.g. the curvature minibatch of Hessian-free,
     * Martens 2010 §4.3), in the same layout: along axis 1 of time-major features [T, B, C] and
     * per-step labels [T, B], along axis 0 otherwise. Shares no arrays with this batch.
     *
     * @param m 1 ≤ m ≤ {@link #size()}
     * @param timeMajor whether the batch is in {@link Dataset.Layout#TIME_MAJOR}
     * @throws IllegalArgumentException for m outside [1, size]
     */
    public Batch head(int m, boolean timeMajor) {
        int b = size();
        if (m < 1 || m > b) throw new IllegalArgumentException("batch: head of " + m + " samples outside [1, " + b + "]");
        if (m == b) return this;
        Tensor x = timeMajor ? features.slice(1, 0, m) : features.slice(0, 0, m);
        Tensor y = targets == null ? null : targets.slice(0, 0, m);
        int[] lab = null, shape = null;
        if (labels != null) {
            if (labelShape.length == 1) {
                lab = java.util.Arrays.copyOf(labels, m);
                shape = new int[] {m};
            } else if (timeMajor) {
                int steps = labelShape[0];
                lab = new int[steps * m];
                for (int t = 0; t < steps; t++) System.arraycopy(labels, t * b, lab, t * m, m);
                shape = new int[] {steps, m};
            } else {
                int steps = labelShape[1];
                lab = java.util.Arrays.copyOf(labels, m * steps);
                shape = new int[] {m, steps};
            }
        }
        return new Batch(x, y, lab, shape, java.util.Arrays.copyOf(indices, m));
    }
}
