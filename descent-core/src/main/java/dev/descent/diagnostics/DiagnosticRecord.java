package dev.descent.diagnostics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One diagnostic's output at one step: plain values (numbers, booleans, strings, arrays, lists
 * and maps of those) ready for a metrics file, and the time the diagnostic took.
 *
 * @param step the training step
 * @param diagnostic the diagnostic's name
 * @param values the measured values (unmodifiable)
 * @param computeNanos wall-clock nanoseconds spent computing them
 */
public record DiagnosticRecord(long step, String diagnostic, Map<String, Object> values, long computeNanos) {
    /** Copies the values into an unmodifiable map. */
    public DiagnosticRecord {
        Objects.requireNonNull(diagnostic, "diagnostic");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * The record as one ordered map, {@code {step, diagnostic, computeNanos, values}}, for a
     * metrics writer to serialise (this package writes no files and no JSON).
     */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("diagnostic", diagnostic);
        m.put("computeNanos", computeNanos);
        m.put("values", values);
        return m;
    }
}
