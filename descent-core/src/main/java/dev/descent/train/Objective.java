package dev.descent.train;

import dev.descent.autodiff.Var;
import dev.descent.data.Batch;
import dev.descent.data.Dataset;
import dev.descent.nn.Losses;
import dev.descent.tensor.Tensor;
import java.util.Arrays;

/**
 * The training loss of a model's outputs on a batch, chosen by what the targets are.
 *
 * Both are {@link Losses}' (means over examples, PyTorch's {@code reduction='mean'}):
 * <ul>
 *   <li>{@link #MEAN_SQUARED_ERROR} for regression targets: (1/N) Σ (ŷ − y)² over all N output
 *       elements, PyTorch's {@code MSELoss(reduction='mean')}. Outputs must have the targets'
 *       shape.</li>
 *   <li>{@link #SOFTMAX_CROSS_ENTROPY} for class labels: (1/N) Σ_i (log Σ_c e^{z_ic} − z_{i,y_i})
 *       over the N labelled rows, PyTorch's {@code CrossEntropyLoss}. Logits are [B, C] for one
 *       label per sample, or [T, B, C] for one label per time step (labels [T, B], time-major),
 *       which is flattened to [T·B, C] so that every step counts equally.</li>
 * </ul>
 */
public enum Objective {
    /** Mean squared error, for regression. */
    MEAN_SQUARED_ERROR,
    /** Softmax cross-entropy from logits, for classification. */
    SOFTMAX_CROSS_ENTROPY;

    /** The objective for a dataset's targets: cross-entropy for labels, mean squared error otherwise. */
    public static Objective forDataset(Dataset data) {
        return data.isClassification() ? SOFTMAX_CROSS_ENTROPY : MEAN_SQUARED_ERROR;
    }

    /**
     * The loss of {@code output} on {@code batch}.
     *
     * @throws IllegalArgumentException if the output's shape does not fit the batch's targets,
     *     naming both shapes
     */
    public Var loss(Var output, Batch batch) {
        if (this == MEAN_SQUARED_ERROR) {
            if (batch.isClassification()) throw new IllegalArgumentException("mean squared error: the batch has class labels, not targets");
            Tensor target = batch.targets().dtype() == output.dtype() ? batch.targets() : batch.targets().to(output.dtype());
            if (!output.shape().equals(target.shape())) {
                throw new IllegalArgumentException("mean squared error: model output " + output.shape() + " and targets "
                        + target.shape() + " differ in shape");
            }
            return Losses.meanSquaredError(output, Var.constant(target));
        }
        if (!batch.isClassification()) throw new IllegalArgumentException("cross-entropy: the batch has regression targets, not labels");
        return Losses.softmaxCrossEntropy(rows(output, batch.labels().length, batch.labelShape()), batch.labels());
    }

    /** Logits [.., C] as [N, C] rows in label order, checking that they match the labels' shape. */
    static Var rows(Var output, int labels, int[] labelShape) {
        int rank = output.rank();
        int[] lead = Arrays.copyOf(output.value().dims(), Math.max(0, rank - 1));
        if (rank < 2 || !Arrays.equals(lead, labelShape)) {
            throw new IllegalArgumentException("cross-entropy: model output " + output.shape() + " does not fit labels of shape "
                    + Arrays.toString(labelShape) + " (expected " + Arrays.toString(labelShape).replace("]", ", classes]") + ")");
        }
        return rank == 2 ? output : output.reshape(labels, output.dim(rank - 1));
    }
}
