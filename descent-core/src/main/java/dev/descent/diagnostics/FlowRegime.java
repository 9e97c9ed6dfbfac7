package dev.descent.diagnostics;

/**
 * What the sufficient condition of SPEC.md §1.2 says about a recurrence
 * {@code g_t = σ(W g_{t−1} + U x_t + b)}.
 */
public enum FlowRegime {
    /**
     * λ1(WᵀW) ≤ δ²/γ² for some δ &lt; 1, i.e. δ = γ‖W‖ &lt; 1: every Jacobian product satisfies
     * ‖∂g_T/∂g_t‖ ≤ δ^{T−t} → 0 whatever the inputs and initial state.
     */
    VANISHING_GUARANTEED,
    /**
     * γ‖W‖ ≥ 1: the condition fails, so gradients <em>may</em> explode; whether they do depends
     * on saturation (σ'(a_t)), the inputs and the initial state (SPEC.md §1.3). The measured
     * Jacobian norms tell.
     */
    POSSIBLE_EXPLOSION
}
