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
     * step {@code step}. The model runs in evaluation mode (running statistics instead of batch
     * statistics) and is returned to the mode it was in.
     */
    public Evaluation evaluate(Module model, long step) {
        int n = test.size();
        double sum = 0, correct = 0;
        long rows = 0;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            VarParams vp = VarParams.constants(model.parameters());
            for (int start = 0; start < n; start += chunkSize) {
                int end = Math.min(n, start + chunkSize);
                int[] idx = new int[end - start];
                for (int i = 0; i < idx.length; i++) idx[i] = start + i;
                Batch b = test.batch(idx);
                Tensor out = model.apply(vp, Var.constant(b.features())).value();
                if (test.isClassification()) {
                    Tensor logits = Objective.rows(Var.constant(out), b.labels().length, b.labelShape()).value();
                    Tensor logp = logits.logSoftmax(1);
                    int c = logits.dim(1);
                    int[] labels = b.labels();
                    for (int i = 0; i < labels.length; i++) {
                        sum -= logp.getFlat(i * c + labels[i]);
                        int best = 0;
                        for (int j = 1; j < c; j++) if (logits.getFlat(i * c + j) > logits.getFlat(i * c + best)) best = j;
                        if (best == labels[i]) correct++;
                    }
                    rows += labels.length;
                } else {
                    if (!out.shape().equals(b.targets().shape())) {
                        throw new IllegalArgumentException("evaluation: model output " + out.shape() + " and targets "
                                + b.targets().shape() + " differ in shape");
                    }
                    Tensor t = b.targets();
                    for (int i = 0; i < out.size(); i++) {
                        double d = out.getFlat(i) - t.getFlat(i);
                        sum += d * d;
                    }
                    rows += out.size();
                }
            }
        } finally {
            if (wasTraining) model.train();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        if (test.isClassification()) {
            m.put("loss", sum / rows);
            m.put("accuracy", correct / rows);
            m.put("cross-entropy", sum / rows);
        } else {
            m.put("loss", sum / rows);
            m.put("mse", sum / rows);
        }
        return new Evaluation(step, n, m, baseline);
    }
}
