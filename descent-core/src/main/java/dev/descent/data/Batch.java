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
}
