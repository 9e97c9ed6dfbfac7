package dev.descent.train;

import dev.descent.data.SequenceTask;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A model's figures on held-out data, next to the trivial baseline it must beat.
 *
 * <p>Metric names: {@code loss} (the training objective), {@code mse} for regression,
 * {@code accuracy} and {@code cross-entropy} for classification (per time step for per-step
 * labels).
 *
 * <p>Whether the baseline is beaten is decided by a paired comparison on the same samples
 * ({@link Comparison}): the model's improvement over the baseline must exceed
 * {@value Comparison#STANDARD_ERRORS} standard errors, so that a difference the choice of test
 * samples alone could produce (e.g. test MSE 0.1659 against the adding task's 1/6) is not called
 * learning.
 *
 * @param step the training step the parameters came from
 * @param samples the number of held-out samples evaluated
 * @param metrics metric name → value (unmodifiable, in a stable order)
 * @param baseline the trivial baseline (its metric is one of {@code metrics})
 * @param comparison the model against the baseline, sample by sample, in the baseline's metric
 */
public record Evaluation(long step, int samples, Map<String, Double> metrics, SequenceTask.Baseline baseline, Comparison comparison) {
    /** Copies the metrics and checks that the baseline's metric was measured. */
    public Evaluation {
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(comparison, "comparison");
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        if (!metrics.containsKey(baseline.metric())) {
            throw new IllegalArgumentException("evaluation: the baseline's metric '" + baseline.metric() + "' was not measured (have "
                    + metrics.keySet() + ")");
        }
    }

    /**
     * The model against the baseline on the same n samples (a paired estimate). With m_i and b_i
     * the model's and the baseline's figure of the baseline's metric on sample i, the per-sample
     * improvement is d_i = b_i − m_i when lower is better (m_i − b_i otherwise); the improvement
     * is the mean d̄ (= baseline figure − model figure on these samples) and its standard error
     * s_d/√n, with s_d the sample standard deviation of the d_i (divisor n − 1). Pairing removes
     * the variation the two share (how hard each sample is), so the standard error is that of the
     * difference, not of either figure.
     *
     * @param baselineOnSamples the baseline's figure on these samples (mean of the b_i)
     * @param improvement d̄, positive when the model is better
     * @param standardError s_d/√n (NaN for fewer than 2 samples)
     */
    public record Comparison(double baselineOnSamples, double improvement, double standardError) {
        /** Standard errors the improvement must exceed to count as beating the baseline. */
        public static final double STANDARD_ERRORS = 2;

        /**
         * The comparison of per-sample figures {@code model} and {@code baseline} (same length,
         * same samples in the same order).
         */
        public static Comparison of(double[] model, double[] baseline, boolean lowerIsBetter) {
            int n = model.length;
            if (n != baseline.length || n == 0) {
                throw new IllegalArgumentException("comparison: " + n + " model and " + baseline.length + " baseline figures");
            }
            double sumB = 0, mean = 0, m2 = 0;
            for (int i = 0; i < n; i++) {
                sumB += baseline[i];
                double d = lowerIsBetter ? baseline[i] - model[i] : model[i] - baseline[i];
                // Welford's update: no cancellation when the d_i are large next to their spread.
                double delta = d - mean;
                mean += delta / (i + 1);
                m2 += delta * (d - mean);
            }
            double se = n < 2 ? Double.NaN : Math.sqrt(m2 / (n - 1) / n);
            return new Comparison(sumB / n, mean, se);
        }

        /** Whether the improvement exceeds {@value #STANDARD_ERRORS} standard errors. */
        public boolean significant() {
            return improvement > STANDARD_ERRORS * standardError;
        }
    }

    /** The value of metric {@code name}; fails naming the measured ones if absent. */
    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) throw new IllegalArgumentException("evaluation: no metric '" + name + "' (have " + metrics.keySet() + ")");
        return v;
    }

    /** The measured value of the baseline's metric. */
    public double baselineMetric() {
        return metric(baseline.metric());
    }

    /**
     * Whether the model beats the trivial baseline: its improvement on these samples exceeds
     * {@value Comparison#STANDARD_ERRORS} paired standard errors ({@link Comparison#significant()}).
     */
    public boolean beatsBaseline() {
        return comparison.significant();
    }

    /**
     * One line, e.g. {@code test mse 0.0123 (trivial baseline mse 0.1667: always predict 1, 0.1671
     * on these samples; improvement 0.1548 ± 0.0061 s.e.: beaten, > 2 s.e.), 1000 samples}.
     */
    public String summary() {
        StringBuilder sb = new StringBuilder("test");
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            if (e.getKey().equals("loss")) continue;
            sb.append(' ').append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.4g", e.getValue()));
        }
        sb.append(String.format(Locale.ROOT, " (trivial baseline %s %.4g: %s", baseline.metric(), baseline.value(), baseline.predictor()));
        double onSamples = comparison.baselineOnSamples();
        if (Math.abs(onSamples - baseline.value()) > 1e-12 * Math.max(1, Math.abs(baseline.value()))) {
            sb.append(String.format(Locale.ROOT, ", %.4g on these samples", onSamples));
        }
        sb.append(String.format(Locale.ROOT, "; improvement %.2g ± %.2g s.e.: %s, %s %.0f s.e.), %d samples", comparison.improvement(),
                comparison.standardError(), beatsBaseline() ? "beaten" : "NOT beaten", beatsBaseline() ? ">" : "needs >",
                Comparison.STANDARD_ERRORS, samples));
        return sb.toString();
    }
}
