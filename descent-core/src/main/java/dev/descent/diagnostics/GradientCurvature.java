package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The curvature of a loss along its own gradient (SPEC.md §3.1–3.2): with g = ∇f(x₀) and
 * H = ∇²f(x₀), the quadratic model along −g is
 * {@code f̂(x₀ − εg) = f(x₀) − ε gᵀg + ½ ε² gᵀHg}; when gᵀHg &gt; 0 its minimiser is
 * {@code ε* = gᵀg / gᵀHg} with predicted decrease {@code (gᵀg)² / (2 gᵀHg)}. When gᵀHg ≤ 0
 * (negative or zero curvature, including g = 0) the model predicts unbounded decrease or none
 * and has no optimal step: {@link #optimalStep()} is empty and
 * {@link #nonPositiveCurvature()} says so.
 *
 * @param loss f(x₀)
 * @param gradientNormSquared gᵀg
 * @param curvature gᵀHg, from one Hessian-vector product
 */
public record GradientCurvature(double loss, double gradientNormSquared, double curvature) {
    /** Whether gᵀHg ≤ 0, so that the quadratic model gives no step. */
    public boolean nonPositiveCurvature() {
        return !(curvature > 0);
    }

    /** ε* = gᵀg / gᵀHg, present only when gᵀHg &gt; 0. */
    public OptionalDouble optimalStep() {
        return nonPositiveCurvature() ? OptionalDouble.empty() : OptionalDouble.of(gradientNormSquared / curvature);
    }

    /** The model's decrease at ε*, (gᵀg)² / (2 gᵀHg), present only when gᵀHg &gt; 0. */
    public OptionalDouble predictedDecrease() {
        return nonPositiveCurvature() ? OptionalDouble.empty()
                : OptionalDouble.of(gradientNormSquared * gradientNormSquared / (2 * curvature));
    }

    /**
     * gᵀHg / gᵀg, the Rayleigh quotient of H along g: the curvature per unit length, on the same
     * scale as H's eigenvalues (0 when g = 0).
     */
    public double rayleighQuotient() {
        return gradientNormSquared == 0 ? 0 : curvature / gradientNormSquared;
    }

    /** Plain values for metrics files (absent values as null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("gradientNormSquared", gradientNormSquared);
        m.put("curvatureAlongGradient", curvature);
        m.put("rayleighQuotient", rayleighQuotient());
        m.put("nonPositiveCurvature", nonPositiveCurvature());
        m.put("optimalStep", optimalStep().isPresent() ? optimalStep().getAsDouble() : null);
        m.put("predictedDecrease", predictedDecrease().isPresent() ? predictedDecrease().getAsDouble() : null);
        return m;
    }
}
