package dev.descent.data;

import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.Arrays;

/**
 * An immutable set of samples: features plus either regression targets or integer class labels.
 *
 * <p>Storage is always sample-major: {@code features} is {@code [N, ...]} and {@code targets}
 * {@code [N, ...]}; labels are {@code N · labelsPerSample} ints, sample after sample (one label per
 * sample for ordinary classification, one per time step for sequence labelling such as the copy
 * task). The {@link Layout} says how {@linkplain #batch(int[]) batches} are presented:
 * {@link Layout#SAMPLE_MAJOR} batches are {@code [B, ...]}; {@link Layout#TIME_MAJOR} sequence
 * batches are {@code [T, B, C]} (PyTorch's default RNN layout, and the one the recurrent layers
 * consume), with per-step labels ordered {@code [T, B]}.
 */
public final class Dataset {
    /** How batches are presented. */
    public enum Layout {
        /** Batches are [B, ...]. */
        SAMPLE_MAJOR,
        /** Sequence batches are [T, B, C]; per-step labels [T, B]. */
        TIME_MAJOR
    }

    private final Tensor features;
    private final Tensor targets;
    private final int[] labels;
    private final int labelsPerSample;
    private final int classes;
    private final Layout layout;

    private Dataset(Tensor features, Tensor targets, int[] labels, int labelsPerSample, int classes, Layout layout) {
        this.features = features;
        this.targets = targets;
        this.labels = labels;
        this.labelsPerSample = labelsPerSample;
        this.classes = classes;
        this.layout = layout;
    }

    /** Regression: {@code features [N, ...]} and {@code targets [N, ...]}. */
    public static Dataset regression(Tensor features, Tensor targets) {
        checkSampleAxis(features, "features");
        checkSampleAxis(targets, "targets");
        if (features.dim(0) != targets.dim(0)) {
            throw new IllegalArgumentException("Dataset.regression: features " + features.shape() + " and targets "
                    + targets.shape() + " hold different numbers of samples");
        }
        if (features.dtype() != targets.dtype()) {
            throw new IllegalArgumentException("Dataset.regression: features are " + features.dtype() + " but targets are "
                    + targets.dtype());
        }
        return new Dataset(features, targets, null, 0, 0, Layout.SAMPLE_MAJOR);
    }

    /** Classification: {@code features [N, ...]} and one label in [0, classes) per sample. */
    public static Dataset classification(Tensor features, int[] labels, int classes) {
        return labelled(features, labels, 1, classes, Layout.SAMPLE_MAJOR);
    }

    /**
     * Sequence regression: {@code features [N, T, C]} presented time-major, one target row
     * {@code targets [N, K]} per sequence.
     */
    public static Dataset sequenceRegression(Tensor features, Tensor targets) {
        if (features.rank() != 3) {
            throw new IllegalArgumentException("Dataset.sequenceRegression: features must be [N, T, C], got " + features.shape());
        }
        Dataset d = regression(features, targets);
        return new Dataset(d.features, d.targets, null, 0, 0, Layout.TIME_MAJOR);
    }

    /**
     * Sequence classification: {@code features [N, T, C]} presented time-major and
     * {@code labelsPerSample} labels per sequence (1: one class per sequence; T: one per step),
     * stored sample after sample.
     */
    public static Dataset sequenceClassification(Tensor features, int[] labels, int labelsPerSample, int classes) {
        if (features.rank() != 3) {
            throw new IllegalArgumentException("Dataset.sequenceClassification: features must be [N, T, C], got "
                    + features.shape());
        }
        if (labelsPerSample != 1 && labelsPerSample != features.dim(1)) {
            throw new IllegalArgumentException("Dataset.sequenceClassification: labelsPerSample must be 1 or T = "
                    + features.dim(1) + ", got " + labelsPerSample);
        }
        return labelled(features, labels, labelsPerSample, classes, Layout.TIME_MAJOR);
    }

    private static Dataset labelled(Tensor features, int[] labels, int perSample, int classes, Layout layout) {
        checkSampleAxis(features, "features");
        if (classes < 1) throw new IllegalArgumentException("Dataset: classes must be >= 1, got " + classes);
        long expected = (long) features.dim(0) * perSample;
        if (labels.length != expected) {
            throw new IllegalArgumentException("Dataset: " + labels.length + " labels for features " + features.shape()
                    + " (expected " + expected + ")");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("Dataset: label " + labels[i] + " at position " + i + " outside [0, "
                        + classes + ")");
            }
        }
        return new Dataset(features, null, labels.clone(), perSample, classes, layout);
    }

    private static void checkSampleAxis(Tensor t, String what) {
        if (t.rank() < 1 || t.dim(0) < 1) {
            throw new IllegalArgumentException("Dataset: " + what + " need a non-empty sample axis, got shape " + t.shape());
        }
    }

    // ---------------------------------------------------------------- accessors

    /** Number of samples N. */
    public int size() {
        return features.dim(0);
    }

    /** All features, sample-major {@code [N, ...]}. */
    public Tensor features() {
        return features;
    }

    /** The dims of one sample's features (features' shape without the sample axis). */
    public int[] sampleShape() {
        return Arrays.copyOfRange(features.dims(), 1, features.rank());
    }

    /** Whether the targets are class labels (else regression targets). */
    public boolean isClassification() {
        return labels != null;
    }

    /** Regression targets {@code [N, ...]}; fails for a classification dataset. */
    public Tensor targets() {
        if (targets == null) throw new IllegalStateException("Dataset: a classification dataset has labels, not targets");
        return targets;
    }

    /** A copy of the labels, sample after sample; fails for a regression dataset. */
    public int[] labels() {
        if (labels == null) throw new IllegalStateException("Dataset: a regression dataset has targets, not labels");
        return labels.clone();
    }

    /** The label of sample {@code i} (for labelsPerSample = 1), or its first label. */
    public int label(int i) {
        if (labels == null) throw new IllegalStateException("Dataset: a regression dataset has targets, not labels");
        return labels[i * labelsPerSample];
    }

    /** Labels per sample: 1, or the sequence length for per-step labels; 0 for regression. */
    public int labelsPerSample() {
        return labelsPerSample;
    }

    /** Number of classes; 0 for regression. */
    public int classes() {
        return classes;
    }

    /** How batches are presented. */
    public Layout layout() {
        return layout;
    }

    /** The features' dtype. */
    public DType dtype() {
        return features.dtype();
    }

    /** This dataset with features (and regression targets) converted to {@code dtype}. */
    public Dataset to(DType dtype) {
        if (dtype == features.dtype()) return this;
        return new Dataset(features.to(dtype), targets == null ? null : targets.to(dtype), labels, labelsPerSample,
                classes, layout);
    }

    // ---------------------------------------------------------------- subsets and batches

    /** The samples at {@code indices}, in that order (repeats allowed), as a new dataset. */
    public Dataset subset(int[] indices) {
        if (indices.length == 0) throw new IllegalArgumentException("Dataset.subset: no indices");
        checkIndices(indices);
        return new Dataset(features.gather(0, indices), targets == null ? null : targets.gather(0, indices),
                labels == null ? null : gatherLabels(indices, false), labelsPerSample, classes, layout);
    }

    /** The first {@code n} samples. */
    public Dataset head(int n) {
        if (n < 1 || n > size()) throw new IllegalArgumentException("Dataset.head: n must be in [1, " + size() + "], got " + n);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return subset(idx);
    }

    /** A train/test partition. */
    public record Split(Dataset train, Dataset test) {}

    /**
     * A random partition into {@code size() − testCount} training and {@code testCount} test
     * samples, drawn by {@code new Rng(seed).permutation(size())}; each part keeps the original
     * relative order of its samples.
     */
    public Split split(int testCount, long seed) {
        if (testCount < 1 || testCount >= size()) {
            throw new IllegalArgumentException("Dataset.split: test count must be in [1, " + (size() - 1) + "], got " + testCount);
        }
        int[] perm = new Rng(seed).permutation(size());
        int[] test = Arrays.copyOf(perm, testCount);
        int[] train = Arrays.copyOfRange(perm, testCount, perm.length);
        Arrays.sort(test);
        Arrays.sort(train);
        return new Split(subset(train), subset(test));
    }

    /**
     * {@link #split(int, long)} with {@code round(testFraction · size())} test samples;
     * {@code testFraction} must lie in (0, 1) and leave at least one sample on each side.
     */
    public Split splitFraction(double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("Dataset.split: test fraction must be in (0, 1), got " + testFraction);
        }
        int testCount = (int) Math.round(testFraction * size());
        if (testCount < 1 || testCount >= size()) {
            throw new IllegalArgumentException("Dataset.split: test fraction " + testFraction + " of " + size()
                    + " samples leaves an empty part");
        }
        return split(testCount, seed);
    }

    /** The samples at {@code indices} as a batch in this dataset's {@link Layout}. */
    public Batch batch(int[] indices) {
        if (indices.length == 0) throw new IllegalArgumentException("Dataset.batch: no indices");
        checkIndices(indices);
        boolean timeMajor = layout == Layout.TIME_MAJOR;
        Tensor x = features.gather(0, indices);
        if (timeMajor) x = x.permute(1, 0, 2);
        Tensor y = targets == null ? null : targets.gather(0, indices);
        int[] lab = null, labShape = null;
        if (labels != null) {
            lab = gatherLabels(indices, timeMajor);
            labShape = labelsPerSample == 1 ? new int[] {indices.length}
                    : timeMajor ? new int[] {labelsPerSample, indices.length} : new int[] {indices.length, labelsPerSample};
        }
        return new Batch(x, y, lab, labShape, indices.clone());
    }

    /** Every sample, in order, as one batch. */
    public Batch all() {
        int[] idx = new int[size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        return batch(idx);
    }

    private int[] gatherLabels(int[] indices, boolean timeMajor) {
        int per = labelsPerSample, b = indices.length;
        int[] out = new int[b * per];
        for (int i = 0; i < b; i++) {
            int src = indices[i] * per;
            if (timeMajor && per > 1) {
                for (int t = 0; t < per; t++) out[t * b + i] = labels[src + t];
            } else {
                System.arraycopy(labels, src, out, i * per, per);
            }
        }
        return out;
    }

    private void checkIndices(int[] indices) {
        int n = size();
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= n) {
                throw new IllegalArgumentException("Dataset: index " + indices[i] + " at position " + i + " outside [0, " + n + ")");
            }
        }
    }

    /** A one-line description: size, feature shape, task. */
    @Override
    public String toString() {
        String task = labels == null ? "regression targets " + Arrays.toString(Arrays.copyOfRange(targets.dims(), 1, targets.rank()))
                : classes + " classes" + (labelsPerSample > 1 ? " (" + labelsPerSample + " labels per sample)" : "");
        return "Dataset(" + size() + " samples of " + Arrays.toString(sampleShape()) + " " + features.dtype() + ", " + task
                + (layout == Layout.TIME_MAJOR ? ", time-major batches" : "") + ")";
    }
}
