package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The spectral test of SPEC.md §1.2 for a recurrent weight W and activation slope bound γ.
 *
 * <p>The condition λ1(WᵀW) ≤ δ²/γ² with δ &lt; 1 guarantees ‖∂g_T/∂g_t‖ ≤ δ^{T−t}. The smallest
 * δ for which it holds is {@code delta = γ·√λ1 = γ‖W‖}; the regime is
 * {@link FlowRegime#VANISHING_GUARANTEED} exactly when that δ is below 1.
 *
 * @param lambda1 λ1(WᵀW) by power iteration
 * @param spectralNorm ‖W‖ by an exact SVD (√lambda1 up to the power iteration's tolerance)
 * @param gamma sup |σ'| of the activation
 * @param delta γ·√λ1, the guaranteed per-step contraction factor when below 1
 * @param regime the verdict
 * @param powerIteration how the power iteration went (iterations, residual, convergence)
 */
public record RegimeAssessment(double lambda1, double spectralNorm, double gamma, double delta, FlowRegime regime,
                               MatrixSpectra.PowerIterationResult powerIteration) {
    /** Plain values for metrics files. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lambda1", lambda1);
        m.put("spectralNorm", spectralNorm);
        m.put("gamma", gamma);
        m.put("delta", delta);
        m.put("regime", regime.name());
        m.put("powerIterations", powerIteration.iterations());
        m.put("powerIterationConverged", powerIteration.converged());
        return m;
    }
}
