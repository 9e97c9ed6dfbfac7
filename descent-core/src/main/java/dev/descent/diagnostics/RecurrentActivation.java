package dev.descent.diagnostics;

import dev.descent.autodiff.Var;
import dev.descent.tensor.Tensor;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The elementwise activation σ of a recurrence, as gradient-flow analysis needs it: the
 * differentiable map itself, its derivative σ' on plain tensors (for the bound
 * Π_s ‖diag(σ'(a_s))‖ ‖W‖) and γ = sup |σ'| (for the cruder bound (γ‖W‖)^T and the regime test
 * λ1(WᵀW) ≤ δ²/γ²; SPEC.md §1.2).
 *
 * <p>The four standard activations are provided as constants; any other can be described with
 * the canonical constructor. This is a seam: the layer package's own activation type maps onto it
 * one to one.
 *
 * @param name a short name for reports
 * @param function σ as a differentiable {@link Var} operation (elementwise)
 * @param derivative σ'(a) evaluated elementwise on a pre-activation tensor a
 * @param gamma sup_a |σ'(a)|, finite and positive
 */
public record RecurrentActivation(String name, Function<Var, Var> function, UnaryOperator<Tensor> derivative,
                                  double gamma) {
    /** Logistic sigmoid σ(a) = 1/(1+e^{−a}); σ' = σ(1−σ) ≤ 1/4, so γ = 1/4. */
    public static final RecurrentActivation SIGMOID = new RecurrentActivation("sigmoid", Var::sigmoid,
            a -> {
                Tensor s = a.sigmoid();
                return s.mul(s.neg().add(1));
            }, 0.25);

    /** Hyperbolic tangent; σ' = 1 − tanh² ≤ 1, so γ = 1. */
    public static final RecurrentActivation TANH = new RecurrentActivation("tanh", Var::tanh,
            a -> {
                Tensor t = a.tanh();
                return t.square().neg().add(1);
            }, 1.0);

    /** max(a, 0); σ' ∈ {0, 1} (0 at a = 0, as in the relu primitive), so γ = 1. */
    public static final RecurrentActivation RELU = new RecurrentActivation("relu", Var::relu, Tensor::step, 1.0);

    /** The identity (a linear recurrence); σ' = 1, γ = 1. */
    public static final RecurrentActivation IDENTITY = new RecurrentActivation("identity", a -> a,
            a -> Tensor.ones(a.dtype(), a.dims()), 1.0);

    /** Validates the components. */
    public RecurrentActivation {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(derivative, "derivative");
        if (!(gamma > 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("activation '" + name + "': gamma must be finite and > 0, got " + gamma);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
