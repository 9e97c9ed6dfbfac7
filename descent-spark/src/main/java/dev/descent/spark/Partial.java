package dev.descent.spark;

import java.io.Serializable;

/**
 * One partition's contribution to a distributed sum: over the {@code count} rows of the step's
 * batch that it holds, the sum of their losses and (for products) the sum of their per-example
 * vectors, each being {@code count} times the partition's mean. Plain arrays only, so Spark
 * ships it without any Descent class on the wire but this record.
 *
 * @param partition the partition index (the reduction sums in this order)
 * @param count the batch rows this partition held (0: it contributes nothing)
 * @param lossSum Σ of the per-example losses (0 when the kind asks for none)
 * @param vectorSum Σ of the per-example gradients or curvature products, flattened in the model's
 *     parameter order; null when the kind asks for none or {@code count == 0}
 */
public record Partial(int partition, int count, double lossSum, double[] vectorSum) implements Serializable {
    private static final long serialVersionUID = 1L;
}
