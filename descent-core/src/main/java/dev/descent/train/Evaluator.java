package dev.descent.train;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.data.Batch;
import dev.descent.data.Dataset;
import dev.descent.data.SequenceTask;
import dev.descent.nn.Module;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Evaluates a model on a held-out {@link Dataset}: in evaluation mode, without recording
 * gradients and without touching buffers, in chunks of at most {@code chunkSize} samples so that
 * memory stays bounded. Sums are accumulated in float64 whatever the model's dtype.
 */
public final class Evaluator {
    /** Default number of samples per evaluation chunk. */
    public static final int DEFAULT_CHUNK = 1024;

    private final Dataset test;
    private final SequenceTask.Baseline baseline;
    private final int chunkSize;
    /** The baseline's figure on each test sample, computed once. */
    private final double[] baselinePerSample;

    /**
     * An evaluator of {@code test} (converted once to {@code dtype}) reporting {@code baseline}.
     *
     * @throws IllegalArgumentException if chunkSize &lt; 1 or the baseline's metric is not one
     *     this evaluator measures for the data
     */
    public Evaluator(Dataset test, DType dtype, SequenceTask.Baseline baseline, int chunkSize) {
        if (chunkSize < 1) throw new IllegalArgumentException("evaluator: chunk size must be >= 1, got " + chunkSize);
        String m = baseline.metric();
        boolean ok = test.isClassification() ? m.equals("accuracy") || m.equals("cross-entropy") : m.equals("mse");
        if (!ok) {
            throw new IllegalArgumentException("evaluator: baseline metric '" + m + "' is not measured for "
                    + (test.isClassification() ? "classification (accuracy, cross-entropy)" : "regression (mse)"));
        }
        this.test = test.to(dtype);
        this.baseline = baseline;
        this.baselinePerSample = baseline.perSample().of(test);
        if (baselinePerSample.length != test.size()) {
            throw new IllegalArgumentException("evaluator: the baseline gave " + baselinePerSample.length + " per-sample figures for "
                    + test.size() + " samples");
        }
        this.chunkSize = chunkSize;
    }

    /** The held-out data, in the evaluation dtype. */
    public Dataset data() {
        return test;
    }

    /** The baseline reported next to the figures. */
    public SequenceTask.Baseline baseline() {
        return baseline;
    }

    /**
     * The figures of {@code model} with its current parameters and buffers, labelled as training
     * step {@code step}, with the paired comparison against the baseline on the same samples
     * ({@link Evaluation.Comparison}). The model runs in evaluation mode (running statistics
     * instead of batch statistics) and is returned to the mode it was in.
     */
    public Evaluation evaluate(Module model, long step) {
        int n = test.size();
        double sum = 0, correct = 0;
        long rows = 0;
        // The model's figure of the baseline's metric per sample: its sum over the sample's rows, then divided by their count.
        double[] perSample = new double[n];
        int[] rowsPerSample = new int[n];
        boolean accuracy = baseline.metric().equals("accuracy");
        boolean wasTraining = model.isTraining();
        model.eval();
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            VarParams vp = VarParams.constants(model.parameters());
            for (int start = 0; start < n; start += chunkSize) {
                int end = Math.min(n, start + chunkSize), size = end - start;
                int[] idx = new int[size];
                for (int i = 0; i < idx.length; i++) idx[i] = start + i;
                Batch b = test.batch(idx);
                Tensor out = model.apply(vp, Var.constant(b.features())).value();
                if (test.isClassification()) {
                    Tensor logits = Objective.rows(Var.constant(out), b.labels().length, b.labelShape()).value();
                    Tensor logp = logits.logSoftmax(1);
                    int c = logits.dim(1);
                    int[] labels = b.labels();
                    int per = labels.length / size;
                    boolean timeMajor = test.layout() == Dataset.Layout.TIME_MAJOR;
                    for (int i = 0; i < labels.length; i++) {
                        double nll = -logp.getFlat(i * c + labels[i]);
                        sum += nll;
                        int best = 0;
                        for (int j = 1; j < c; j++) if (logits.getFlat(i * c + j) > logits.getFlat(i * c + best)) best = j;
                        boolean hit = best == labels[i];
                        if (hit) correct++;
                        // Rows are [B] (one per sample), [T, B] (time-major) or [B, T] (sample-major), row-major.
                        int sample = start + (per == 1 ? i : timeMajor ? i % size : i / per);
                        perSample[sample] += accuracy ? (hit ? 1 : 0) : nll;
                        rowsPerSample[sample]++;
                    }
                    rows += labels.length;
                } else {
                    if (!out.shape().equals(b.targets().shape())) {
                        throw new IllegalArgumentException("evaluation: model output " + out.shape() + " and targets "
                                + b.targets().shape() + " differ in shape");
                    }
                    Tensor t = b.targets();
                    int width = out.size() / size;
                    for (int i = 0; i < out.size(); i++) {
                        double d = out.getFlat(i) - t.getFlat(i);
                        sum += d * d;
                        perSample[start + i / width] += d * d;
                    }
                    for (int i = 0; i < size; i++) rowsPerSample[start + i] += width;
                    rows += out.size();
                }
            }
        } finally {
            if (wasTraining) model.train();
        }
        for (int i = 0; i < n; i++) perSample[i] /= rowsPerSample[i];
        Map<String, Double> m = new LinkedHashMap<>();
        if (test.isClassification()) {
            m.put("loss", sum / rows);
            m.put("accuracy", correct / rows);
            m.put("cross-entropy", sum / rows);
        } else {
            m.put("loss", sum / rows);
            m.put("mse", sum / rows);
        }
        Evaluation.Comparison comparison = Evaluation.Comparison.of(perSample, baselinePerSample, baseline.lowerIsBetter());
        return new Evaluation(step, n, m, baseline, comparison);
    }
}
