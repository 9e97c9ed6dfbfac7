package dev.descent.diagnostics;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.Params;
import java.util.Objects;
import java.util.function.Function;

/**
 * Curvature along directions that matter to training, from Hessian-vector products
 * (forward-over-reverse, {@link Autodiff#gradAndHvp}; H is never formed): gᵀHg and the
 * curvature-optimal step ε* along the gradient, and the agreement between a step's actual loss
 * change and the quadratic model's prediction (SPEC.md §3.1–3.2).
 *
 * <p>{@code loss} must be a deterministic function of the parameters (fixed batch, no dropout):
 * the model and the actual change must describe the same function.
 */
public final class Curvature {
    private Curvature() {}

    /** gᵀHg and ε* at {@code params}: one gradient pass, then one Hessian-vector product along g. */
    public static GradientCurvature alongGradient(Function<VarParams, Var> loss, Params params) {
        Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(loss, params);
        return alongGradient(loss, params, vg.grad());
    }

    /**
     * gᵀHg and ε* given the gradient g already computed by the training step: one
     * Hessian-vector product (about the cost of two to three gradients).
     */
    public static GradientCurvature alongGradient(Function<VarParams, Var> loss, Params params, Params gradient) {
        Objects.requireNonNull(loss, "loss");
        params.checkCompatible("alongGradient: gradient", gradient);
        Autodiff.GradAndHvp gh = Autodiff.gradAndHvp(loss, params, gradient);
        return new GradientCurvature(gh.value().item(), gradient.dot(gradient), gradient.dot(gh.hvp()));
    }

    /**
     * The quadratic model's prediction for the step {@code params → params + update} against the
     * actual change: one forward-over-reverse pass (f, g and HΔ) and one forward pass at the
     * new point.
     */
    public static QuadraticModelAgreement quadraticModel(Function<VarParams, Var> loss, Params params, Params update) {
        Objects.requireNonNull(loss, "loss");
        params.checkCompatible("quadraticModel: update", update);
        Autodiff.GradAndHvp gh = Autodiff.gradAndHvp(loss, params, update);
        double after;
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            after = loss.apply(VarParams.constants(params.add(update))).value().item();
        }
        return new QuadraticModelAgreement(gh.value().item(), after, gh.grad().dot(update), update.dot(gh.hvp()));
    }

    /**
     * The quadratic model of the gradient step {@code x₀ − εg}:
     * predicted change {@code −ε gᵀg + ½ ε² gᵀHg} (SPEC.md §3.1) against the actual change.
     *
     * @param stepSize ε, finite and &gt; 0
     */
    public static QuadraticModelAgreement gradientStep(Function<VarParams, Var> loss, Params params, double stepSize) {
        if (!(stepSize > 0) || Double.isInfinite(stepSize)) {
            throw new IllegalArgumentException("gradientStep: stepSize must be finite and > 0, got " + stepSize);
        }
        Params g = Autodiff.grad(loss, params);
        return quadraticModel(loss, params, g.scale(-stepSize));
    }
}
