package dev.descent.optim.second;

import dev.descent.optim.HyperParameters;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.function.Function;

/**
 * A diagonal preconditioner M for conjugate gradient in {@link HessianFree}: CG then solves with
 * M⁻¹ applied to every residual. Entries must be positive.
 */
@FunctionalInterface
public interface DiagonalPreconditioner {
    /**
     * The diagonal of M at θ = {@code at}, given the loss and gradient there and the current
     * damping λ.
     */
    Params diagonal(Params at, LossAndGradient lossAndGradient, double damping);

    /**
     * Martens' (2010, §4.7) preconditioner M = (diag(Σᵢ ∇fᵢ ⊙ ∇fᵢ) + λ)^ξ, from the sum over the
     * batch's examples of their squared per-example gradients (an empirical-Fisher diagonal), with
     * ξ = 0.75 in the paper.
     *
     * @param sumOfSquaredExampleGradients θ ↦ Σᵢ (∇fᵢ(θ))², elementwise, on the curvature batch
     * @param exponent ξ in (0, 1]
     */
    static DiagonalPreconditioner martens(Function<Params, Params> sumOfSquaredExampleGradients, double exponent) {
        HyperParameters.fraction("martens preconditioner", "exponent", exponent);
        return (at, lg, damping) -> sumOfSquaredExampleGradients.apply(at).map(t -> t.add(damping).pow(exponent));
    }

    /** A fixed diagonal (e.g. the exact diagonal of G when known: Jacobi preconditioning). */
    static DiagonalPreconditioner fixed(Params diagonal) {
        for (Tensor t : diagonal.asMap().values()) {
            for (int i = 0; i < t.size(); i++) {
                if (!(t.getFlat(i) > 0)) {
                    throw new IllegalArgumentException("fixed preconditioner: entries must be > 0, got " + t.getFlat(i));
                }
            }
        }
        return (at, lg, damping) -> diagonal;
    }
}
