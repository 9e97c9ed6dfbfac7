package dev.descent.spark;

import dev.descent.data.Dataset;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One partition's samples, as plain arrays (what Spark caches and ships): rows
 * {@code [start, start + count)} of the run's global sample order, stored sample-major like
 * {@link Dataset}. Exactly one of {@code f32}/{@code f64} holds the features; exactly one of the
 * target arrays or {@code labels} is set, as in {@link Dataset}. A shard may be empty
 * ({@code count == 0}); it then contributes nothing to any sum.
 *
 * @param start the global index of the first row
 * @param count the number of rows
 * @param sampleShape the feature dims of one sample
 * @param f32 float32 features, or null
 * @param f64 float64 features, or null
 * @param targetShape the target dims of one sample (regression), or null
 * @param targets32 float32 targets, or null
 * @param targets64 float64 targets, or null
 * @param labels class labels (labelsPerSample per sample), or null
 * @param labelsPerSample labels per sample (1, or T for per-step labels)
 * @param classes the number of classes (0 for regression)
 * @param timeMajor whether batches are presented [T, B, C]
 */
public record Shard(long start, int count, int[] sampleShape, float[] f32, double[] f64, int[] targetShape, float[] targets32,
                    double[] targets64, int[] labels, int labelsPerSample, int classes, boolean timeMajor) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Rows {@code [from, to)} of {@code data} as the shard whose first global index is {@code start}. */
    public static Shard of(Dataset data, int from, int to, long start) {
        int n = to - from;
        int[] sampleShape = data.sampleShape();
        boolean timeMajor = data.layout() == Dataset.Layout.TIME_MAJOR;
        if (n == 0) return empty(start, data, timeMajor);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = from + i;
        Dataset s = data.subset(idx);
        Tensor x = s.features();
        boolean f64 = x.dtype() == DType.F64;
        if (s.isClassification()) {
            return new Shard(start, n, sampleShape, f64 ? null : x.rawF32(), f64 ? x.rawF64() : null, null, null, null, s.labels(),
                    s.labelsPerSample(), s.classes(), timeMajor);
        }
        Tensor y = s.targets();
        int[] ts = Arrays.copyOfRange(y.dims(), 1, y.rank());
        return new Shard(start, n, sampleShape, f64 ? null : x.rawF32(), f64 ? x.rawF64() : null, ts,
                f64 ? null : y.rawF32(), f64 ? y.rawF64() : null, null, 0, 0, timeMajor);
    }

    private static Shard empty(long start, Dataset like, boolean timeMajor) {
        boolean f64 = like.dtype() == DType.F64;
        if (like.isClassification()) {
            return new Shard(start, 0, like.sampleShape(), f64 ? null : new float[0], f64 ? new double[0] : null, null, null, null,
                    new int[0], like.labelsPerSample(), like.classes(), timeMajor);
        }
        Tensor y = like.targets();
        return new Shard(start, 0, like.sampleShape(), f64 ? null : new float[0], f64 ? new double[0] : null,
                Arrays.copyOfRange(y.dims(), 1, y.rank()), f64 ? null : new float[0], f64 ? new double[0] : null, null, 0, 0, timeMajor);
    }

    /** Whether the samples carry class labels. */
    public boolean isClassification() {
        return labels != null;
    }

    /** The shard as a {@link Dataset} (requires {@code count > 0}). */
    public Dataset toDataset() {
        if (count == 0) throw new IllegalStateException("shard at " + start + " is empty");
        Tensor x = f64 != null ? Tensor.wrap(f64, dims(count, sampleShape)) : Tensor.wrap(f32, dims(count, sampleShape));
        if (labels != null) {
            return timeMajor ? Dataset.sequenceClassification(x, labels, labelsPerSample, classes) : Dataset.classification(x, labels, classes);
        }
        Tensor y = targets64 != null ? Tensor.wrap(targets64, dims(count, targetShape)) : Tensor.wrap(targets32, dims(count, targetShape));
        return timeMajor ? Dataset.sequenceRegression(x, y) : Dataset.regression(x, y);
    }

    /**
     * The positions within this shard of those {@code global} indices that fall in it, in the
     * order they appear in {@code global}.
     */
    public int[] localIndices(int[] global) {
        int k = 0;
        int[] out = new int[global.length];
        for (int g : global) {
            long local = g - start;
            if (local >= 0 && local < count) out[k++] = (int) local;
        }
        return Arrays.copyOf(out, k);
    }

    private static int[] dims(int n, int[] rest) {
        int[] d = new int[rest.length + 1];
        d[0] = n;
        System.arraycopy(rest, 0, d, 1, rest.length);
        return d;
    }
}
