package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Exact spectral norms of Jacobian products of a recurrence over T steps, measured by autodiff.
 *
 * <p>{@link Direction#TO_END}: {@code norms[t] = ‖∂g_T/∂g_t‖} for t = 0…T (how much of the
 * gradient arriving at the last state reaches state t; what backpropagation through time sees).
 * {@link Direction#FROM_START}: {@code norms[t] = ‖∂g_t/∂g_0‖} for t = 0…T (how the influence
 * of the initial state decays or grows with the length of the sequence; SPEC.md §1.2 measures
 * this one for T = 1…100). In both, entry {@code [t]} spans {@link #span(int)} steps and the
 * zero-span entry is the identity (norm 1).
 *
 * @param direction which products
 * @param sample the sequence of the batch whose Jacobian this is
 * @param norms T + 1 spectral norms, indexed by t
 */
public record JacobianNorms(Direction direction, int sample, double[] norms) {
    /** Which Jacobian products a {@link JacobianNorms} holds. */
    public enum Direction {
        /** ∂g_T/∂g_t for t = 0…T. */
        TO_END,
        /** ∂g_t/∂g_0 for t = 0…T. */
        FROM_START
    }

    /** Copies the array. */
    public JacobianNorms {
        norms = norms.clone();
    }

    @Override
    public double[] norms() {
        return norms.clone();
    }

    /** T, the number of steps. */
    public int steps() {
        return norms.length - 1;
    }

    /** The norm at index t. */
    public double norm(int t) {
        return norms[t];
    }

    /** How many steps the product at index t spans: T − t for TO_END, t for FROM_START. */
    public int span(int t) {
        return direction == Direction.TO_END ? steps() - t : t;
    }

    /**
     * The least-squares slope of ln‖product‖ against its span, over entries whose span lies in
     * [minSpan, maxSpan] and whose norm is positive and finite: the average log growth per step
     * (positive: exploding, negative: vanishing; e^slope is the per-step factor). Empty when
     * fewer than two entries qualify.
     */
    public OptionalDouble logGrowthRate(int minSpan, int maxSpan) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int t = 0; t < norms.length; t++) {
            int s = span(t);
            double v = norms[t];
            if (s < minSpan || s > maxSpan || !(v > 0) || Double.isInfinite(v)) continue;
            double y = Math.log(v);
            sx += s;
            sy += y;
            sxx += (double) s * s;
            sxy += s * y;
            n++;
        }
        double den = n * sxx - sx * sx;
        if (n < 2 || den == 0) return OptionalDouble.empty();
        return OptionalDouble.of((n * sxy - sx * sy) / den);
    }

    /** Plain values for metrics files. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("direction", direction.name());
        m.put("sample", sample);
        m.put("jacobianNorms", norms.clone());
        return m;
    }
}
