package dev.descent.optim.second;

import dev.descent.tensor.Params;

/**
 * The second-order Taylor model of f along the negative gradient (SPEC §3.1):
 * f̂(θ − ε g) = f(θ) − ε gᵀg + ½ ε² gᵀHg, built from one gradient and one Hessian-vector
 * product (H is never formed).
 *
 * @param loss                f(θ)
 * @param gradient            g = ∇f(θ)
 * @param gradientNormSquared gᵀg
 * @param curvature           gᵀHg, the curvature along g (times ‖g‖²)
 */
public record QuadraticModel(double loss, Params gradient, double gradientNormSquared, double curvature) {

    /** The model at θ from {@code oracle}: one gradient, one HVP. */
    public static QuadraticModel alongGradient(CurvatureOracle oracle, Params at) {
        LossAndGradient lg = oracle.lossAndGradient(at);
        Params g = lg.gradient();
        double gg = g.dot(g);
        double gHg = gg == 0 ? 0 : g.dot(oracle.hessianVectorProduct(at, g));
        return new QuadraticModel(lg.loss(), g, gg, gHg);
    }

    /** f̂(θ − ε g) = f(θ) − ε gᵀg + ½ ε² gᵀHg. */
    public double predict(double stepSize) {
        return loss - stepSize * gradientNormSquared + 0.5 * stepSize * stepSize * curvature;
    }

    /** Whether the model is bounded below along −g (gᵀHg &gt; 0), so that ε* exists. */
    public boolean hasPositiveCurvature() {
        return curvature > 0;
    }

    /**
     * The model's minimiser along −g (SPEC §3.2): ε* = gᵀg / gᵀHg. Only meaningful when
     * {@link #hasPositiveCurvature()}; otherwise the model predicts unbounded decrease and this
     * throws {@link IllegalStateException} (use a line search; see {@link CurvatureStep}).
     */
    public double optimalStep() {
        if (!hasPositiveCurvature()) {
            throw new IllegalStateException("quadratic model: curvature gᵀHg = " + curvature + " <= 0, no optimal step");
        }
        return gradientNormSquared / curvature;
    }
}
