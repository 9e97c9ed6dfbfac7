package dev.descent.cli;

import dev.descent.data.BatchStream;
import dev.descent.data.Batcher;
import dev.descent.data.Dataset;
import dev.descent.data.SequenceTask;

/**
 * Loaded training data, whatever its source: training batches (from a fixed {@code train} set or,
 * for a synthetic {@code task}, freshly generated), a fixed {@code test} set for evaluation, and
 * the seed of the training batch order.
 *
 * @param description one line for logs and the run directory
 * @param train the training set, or {@code null} for a synthetic task
 * @param test the held-out set
 * @param task the synthetic task, or {@code null}
 * @param batchSeed the seed of the training batch stream
 */
public record TrainingData(String description, Dataset train, Dataset test, SequenceTask task, long batchSeed) {
    /** Exactly one of train and task is set. */
    public TrainingData {
        if ((train == null) == (task == null)) throw new IllegalArgumentException("TrainingData: need exactly one of train and task");
        if (test == null) throw new IllegalArgumentException("TrainingData: test set is required");
    }

    /**
     * The training batches: shuffled epochs of {@code train} (keeping each epoch's final partial
     * batch), or the task's endless stream of fresh batches. Resumable through its cursor.
     */
    public BatchStream trainBatches(int batchSize) {
        return task != null ? task.stream(batchSize, batchSeed) : new Batcher(train, batchSize, batchSeed);
    }

    /** Whether the targets are class labels. */
    public boolean isClassification() {
        return test.isClassification();
    }

    /** Whether samples are sequences (batches are time-major [T, B, C]). */
    public boolean isSequential() {
        return test.layout() == Dataset.Layout.TIME_MAJOR;
    }

    /** Input features per sample (per time step for sequences). */
    public int inputSize() {
        int[] s = test.sampleShape();
        return s[s.length - 1];
    }

    /** Model outputs: the number of classes, or the regression width. */
    public int outputSize() {
        return isClassification() ? (task != null ? task.outputSize() : Math.max(test.classes(), train.classes()))
                : test.targets().dim(test.targets().rank() - 1);
    }
}
