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
 * @param step the training step the parameters came from
 * @param samples the number of held-out samples evaluated
 * @param metrics metric name → value (unmodifiable, in a stable order)
 * @param baseline the trivial baseline (its metric is one of {@code metrics})
 */
public record Evaluation(long step, int samples, Map<String, Double> metrics, SequenceTask.Baseline baseline) {
    /** Copies the metrics and checks that the baseline's metric was measured. */
    public Evaluation {
        Objects.requireNonNull(baseline, "baseline");
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        if (!metrics.containsKey(baseline.metric())) {
            throw new IllegalArgumentException("evaluation: the baseline's metric '" + baseline.metric() + "' was not measured (have "
                    + metrics.keySet() + ")");
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

    /** Whether the model is strictly better than the trivial baseline. */
    public boolean beatsBaseline() {
        return baseline.beatenBy(baselineMetric());
    }

    /** One line, e.g. {@code test mse 0.0123 (trivial baseline 0.1667: always predict 1), 1000 samples}. */
    public String summary() {
        StringBuilder sb = new StringBuilder("test");
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            if (e.getKey().equals("loss")) continue;
            sb.append(' ').append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.4g", e.getValue()));
        }
        return sb.append(String.format(Locale.ROOT, " (trivial baseline %s %.4g: %s; %s), %d samples", baseline.metric(), baseline.value(),
                baseline.predictor(), beatsBaseline() ? "beaten" : "NOT beaten", samples)).toString();
    }
}
