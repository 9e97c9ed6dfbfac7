package dev.descent.train;

import dev.descent.data.Dataset;
import dev.descent.data.SequenceTask;
import dev.descent.tensor.Tensor;

/**
 * Trivial baselines for fixed datasets, the figure a model that ignores its inputs reaches: the
 * number a trained model is printed next to. (Synthetic tasks document their own, see
 * {@link SequenceTask#trivialBaseline()}.)
 */
public final class Baselines {
    private Baselines() {}

    /**
     * For classification, the test accuracy of always predicting the most frequent training label
     * (the smallest such label on ties); for regression, the test MSE of always predicting the
     * training targets' mean (per target column).
     */
    public static SequenceTask.Baseline of(Dataset train, Dataset test) {
        if (train.isClassification() != test.isClassification()) {
            throw new IllegalArgumentException("baseline: train and test sets disagree on classification vs regression");
        }
        if (train.isClassification()) {
            int classes = Math.max(train.classes(), test.classes());
            long[] counts = new long[classes];
            for (int l : train.labels()) counts[l]++;
            int mode = 0;
            for (int c = 1; c < classes; c++) if (counts[c] > counts[mode]) mode = c;
            int[] testLabels = test.labels();
            long hits = 0;
            for (int l : testLabels) if (l == mode) hits++;
            return new SequenceTask.Baseline("accuracy", (double) hits / testLabels.length, false,
                    "always predict the most frequent training class " + mode, SequenceTask.PerSample.constantClass(mode));
        }
        Tensor y = train.targets(), t = test.targets();
        int width = y.size() / y.dim(0);
        if (t.size() / t.dim(0) != width) {
            throw new IllegalArgumentException("baseline: train targets " + y.shape() + " and test targets " + t.shape() + " differ in width");
        }
        double[] mean = new double[width];
        for (int i = 0; i < y.size(); i++) mean[i % width] += y.getFlat(i);
        for (int k = 0; k < width; k++) mean[k] /= y.dim(0);
        double sse = 0;
        for (int i = 0; i < t.size(); i++) {
            double d = t.getFlat(i) - mean[i % width];
            sse += d * d;
        }
        return new SequenceTask.Baseline("mse", sse / t.size(), true, "always predict the training mean", SequenceTask.PerSample.squaredError(mean));
    }
}
