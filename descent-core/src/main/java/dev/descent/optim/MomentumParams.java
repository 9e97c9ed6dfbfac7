package dev.descent.optim;

/**
 * The seed's momentum hyper-parameters: v_t = α v_{t−1} + ε g_t, θ_t = θ_{t−1} − v_t.
 *
 * @param momentum     α in [0, 1)
 * @param learningRate ε ≥ 0
 */
public record MomentumParams(double momentum, double learningRate) {
    /** Validates α and ε. */
    public MomentumParams {
        HyperParameters.decayRate("momentum params", "momentum", momentum);
        HyperParameters.nonNegative("momentum params", "learning rate", learningRate);
    }

    /**
     * The running-average parameterisation with the same trajectory (SPEC §2.1): β = α and
     * δ = ε / (1 − α), because with v = δ·v̄ the recursion v = αv + εg becomes
     * v̄ = α v̄ + (ε/δ) g and ε/δ = 1 − β. Exact in real arithmetic; in floating point the two
     * trajectories agree to a few units of rounding per step.
     */
    public RunningAverageParams toRunningAverage() {
        return new RunningAverageParams(momentum, learningRate / (1 - momentum));
    }
}
