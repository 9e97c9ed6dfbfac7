package dev.descent.data;

import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * A synthetic long-term-dependency task: sequences generated in-process from a seed, presented
 * time-major ({@code [T, B, C]}), with a documented trivial baseline that a model must beat to
 * show it has learned anything.
 *
 * <p>Implementations: {@link AddingTask}, {@link MultiplicationTask}, {@link TemporalOrderTask},
 * {@link CopyTask}.
 */
public interface SequenceTask {
    /** The task's name as used on the command line, e.g. {@code adding}. */
    String name();

    /** The length parameter T the task was built with. */
    int length();

    /** Time steps per sequence (T, or T + 20 for the copy task). */
    int steps();

    /** Input channels per time step. */
    int inputSize();

    /** Whether the targets are class labels (else regression targets). */
    boolean isClassification();

    /** Outputs the model must produce: the regression width, or the number of classes. */
    int outputSize();

    /** Whether there is one target per time step (copy) rather than one per sequence. */
    boolean perStepTargets();

    /** The best figure a model that ignores the inputs can reach, with how it is computed. */
    Baseline trivialBaseline();

    /** {@code count} fresh sequences drawn from {@code rng}. */
    Dataset generate(int count, Rng rng);

    /**
     * An endless stream of fresh batches: batch k is {@code generate(batchSize, new Rng(key + k·φ))}
     * with {@code key = new Rng(seed).nextLong()} and φ the SplitMix64 increment, so any position
     * can be resumed without replaying the batches before it. Its cursor is (0, k).
     */
    default BatchStream stream(int batchSize, long seed) {
        return new SyntheticBatches(this, batchSize, seed);
    }

    /**
     * A trivial baseline: {@code value} of {@code metric} (e.g. "mse", "accuracy",
     * "cross-entropy") reached by {@code predictor}, which ignores the inputs.
     * {@code lowerIsBetter} says which side of it counts as learning. {@code perSample} gives the
     * baseline's own figure on each sample of a held-out set, so that a model can be compared
     * with it sample by sample (a paired comparison, see {@code dev.descent.train.Evaluation}).
     */
    record Baseline(String metric, double value, boolean lowerIsBetter, String predictor, PerSample perSample) {
        /** Checks that the per-sample rule is given. */
        public Baseline {
            Objects.requireNonNull(perSample, "perSample");
        }

        /**
         * A baseline whose figure is the same on every sample: {@code value} itself (e.g. the
         * expected accuracy 1/k of a uniform guess over k classes).
         */
        public Baseline(String metric, double value, boolean lowerIsBetter, String predictor) {
            this(metric, value, lowerIsBetter, predictor, PerSample.constant(value));
        }

        /** Whether {@code measured} is strictly better than the baseline (no allowance for noise). */
        public boolean beatenBy(double measured) {
            return lowerIsBetter ? measured < value : measured > value;
        }

        @Override
        public String toString() {
            return metric + " " + String.format(Locale.ROOT, "%.4g", value) + " (" + predictor + ")";
        }
    }

    /**
     * A baseline's figure on each sample of a held-out set: for sample i, the mean of the metric
     * over that sample's targets (its one target, or its time steps' labels).
     */
    @FunctionalInterface
    interface PerSample {
        /** One value per sample of {@code test}, in order. */
        double[] of(Dataset test);

        /** The same {@code value} on every sample. */
        static PerSample constant(double value) {
            return test -> {
                double[] v = new double[test.size()];
                Arrays.fill(v, value);
                return v;
            };
        }

        /**
         * The squared error of always predicting {@code prediction} (one value per target column,
         * or one value for all), averaged over each sample's target values.
         */
        static PerSample squaredError(double... prediction) {
            double[] c = prediction.clone();
            return test -> {
                Tensor t = test.targets();
                int n = test.size(), width = t.size() / n;
                if (c.length != 1 && c.length != width) {
                    throw new IllegalArgumentException("baseline: " + c.length + " predicted values for targets of width " + width);
                }
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int k = 0; k < width; k++) {
                        double d = t.getFlat(i * width + k) - c[c.length == 1 ? 0 : k];
                        s += d * d;
                    }
                    v[i] = s / width;
                }
                return v;
            };
        }

        /** The accuracy of always predicting class {@code label}: per sample, the fraction of its labels equal to it. */
        static PerSample constantClass(int label) {
            return test -> {
                int[] labels = test.labels();
                int n = test.size(), per = labels.length / n;
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    int hits = 0;
                    for (int k = 0; k < per; k++) if (labels[i * per + k] == label) hits++;
                    v[i] = (double) hits / per;
                }
                return v;
            };
        }
    }

    /** Validates the length parameter shared by all tasks. */
    static int checkLength(String task, int length, int minimum) {
        if (length < minimum) {
            throw new IllegalArgumentException(task + ": sequence length T must be >= " + minimum + ", got " + length);
        }
        return length;
    }

    /** Validates a generated-set size. */
    static int checkCount(String task, int count) {
        if (count < 1) throw new IllegalArgumentException(task + ": count must be >= 1, got " + count);
        return count;
    }
}
