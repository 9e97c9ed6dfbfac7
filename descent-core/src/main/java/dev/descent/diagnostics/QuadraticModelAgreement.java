package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How well the second-order Taylor model predicted a step Δ (SPEC.md §3): predicted change
 * {@code gᵀΔ + ½ ΔᵀHΔ} versus actual change {@code f(x₀ + Δ) − f(x₀)}. The ratio
 * {@code actual / predicted} is the trust-region agreement ratio ρ (Nocedal &amp; Wright,
 * Numerical Optimization, §4.1): ρ ≈ 1 means the step stayed where the quadratic model is
 * accurate; ρ far from 1 (or negative) means the step was too long for the local curvature.
 *
 * <p>The actual change is a difference of two loss values and loses relative accuracy when it is
 * near the rounding level of the loss (≈ 1e-16·|f| in float64, 1e-7·|f| in float32).
 *
 * @param lossBefore f(x₀)
 * @param lossAfter f(x₀ + Δ)
 * @param linearTerm gᵀΔ
 * @param curvatureTerm ΔᵀHΔ
 */
public record QuadraticModelAgreement(double lossBefore, double lossAfter, double linearTerm, double curvatureTerm) {
    /** f(x₀ + Δ) − f(x₀). */
    public double actualChange() {
        return lossAfter - lossBefore;
    }

    /** gᵀΔ + ½ ΔᵀHΔ. */
    public double predictedChange() {
        return linearTerm + 0.5 * curvatureTerm;
    }

    /** actual / predicted; empty when the model predicts exactly no change. */
    public OptionalDouble ratio() {
        double p = predictedChange();
        return p == 0 ? OptionalDouble.empty() : OptionalDouble.of(actualChange() / p);
    }

    /** Plain values for metrics files (absent values as null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lossBefore", lossBefore);
        m.put("lossAfter", lossAfter);
        m.put("actualChange", actualChange());
        m.put("predictedChange", predictedChange());
        m.put("linearTerm", linearTerm);
        m.put("curvatureTerm", curvatureTerm);
        m.put("ratio", ratio().isPresent() ? ratio().getAsDouble() : null);
        return m;
    }
}
