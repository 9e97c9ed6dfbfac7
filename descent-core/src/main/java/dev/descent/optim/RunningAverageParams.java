package dev.descent.optim;

/**
 * The seed's running-average hyper-parameters: v_t = β v_{t−1} + (1−β) g_t,
 * θ_t = θ_{t−1} − δ v_t (no bias correction; see {@link Optimizers#emaSgd}).
 *
 * @param decay    β in [0, 1)
 * @param stepSize δ ≥ 0
 */
public record RunningAverageParams(double decay, double stepSize) {
    /** Validates β and δ. */
    public RunningAverageParams {
        HyperParameters.decayRate("running average params", "decay", decay);
        HyperParameters.nonNegative("running average params", "step size", stepSize);
    }

    /**
     * The momentum parameterisation with the same trajectory (SPEC §2.1): α = β, ε = δ(1 − β).
     * Only the un-corrected running average has a momentum equivalent: bias correction makes the
     * effective ε depend on t.
     */
    public MomentumParams toMomentum() {
        return new MomentumParams(decay, stepSize * (1 - decay));
    }
}
