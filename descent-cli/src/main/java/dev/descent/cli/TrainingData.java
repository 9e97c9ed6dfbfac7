package dev.descent.cli;

import dev.descent.data.BatchStream;
import dev.descent.data.Batcher;
import dev.descent.data.Dataset;
import dev.descent.data.SequenceTask;
import java.util.List;

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
 * @param classNames the names of the classes by index when the data named them (a CSV label
 *     column of words), else {@code null}
 */
public record TrainingData(String description, Dataset train, Dataset test, SequenceTask task, long batchSeed, List<String> classNames) {
    /** Exactly one of train and task is set. */
    public TrainingData {
        if ((train == null) == (task == null)) throw new IllegalArgumentException("TrainingData: need exactly one of train and task");
        if (test == null) throw new IllegalArgumentException("TrainingData: test set is required");
        classNames = classNames == null ? null : List.copyOf(classNames);
    }

    /** Data whose classes, if any, are numbered, not named. */
    public TrainingData(String description, Dataset train, Dataset test, SequenceTask task, long batchSeed) {
        this(description, train, test, task, batchSeed, null);
    }

    /** The class names as one line, {@code 0 = setosa, 1 = versicolor, …}, or {@code null} for none. */
    public String classMapping() {
        if (classNames == null) return null;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < classNames.size(); i++) sb.append(i == 0 ? "" : ", ").append(i).append(" = ").append(classNames.get(i));
        return sb.toString();
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
