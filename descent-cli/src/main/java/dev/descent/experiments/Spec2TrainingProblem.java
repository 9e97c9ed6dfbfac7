package dev.descent.experiments;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;

/**
 * The small non-convex float64 model that the §2 experiments train: a two-layer tanh MLP
 * regression, L(θ) = mean_i (tanh(x_i W₁ + b₁) W₂ + b₂ − y_i)², with {@value #INPUTS} inputs,
 * {@value #HIDDEN} hidden units and {@value #EXAMPLES} examples (49 parameters). The targets come
 * from a teacher the student cannot represent exactly, y = tanh(x w) + 0.3 x₁², so the loss
 * stays away from zero and the gradients stay informative for the whole run. Inputs, teacher and
 * initial parameters (weights N(0, 1/fan-in), biases N(0, 0.1²) so that no coordinate starts at
 * zero) are drawn from the caller's generator.
 *
 * @param loss  θ ↦ L(θ), built from {@link Var} operations
 * @param start θ₀
 */
record Spec2TrainingProblem(Function<VarParams, Var> loss, Params start) {
    static final int INPUTS = 4;
    static final int HIDDEN = 8;
    static final int EXAMPLES = 32;

    /** A problem drawn from {@code rng}. */
    static Spec2TrainingProblem draw(Rng rng) {
        Tensor x = rng.normal(DType.F64, 0, 1, EXAMPLES, INPUTS);
        Tensor teacher = rng.normal(DType.F64, 0, 1, INPUTS, 1);
        Tensor y = x.matmul(teacher).tanh().add(x.select(1, 0).reshape(EXAMPLES, 1).square().mul(0.3));
        Params start = Params.of(
                "layer1.weight", rng.normal(DType.F64, 0, 1 / Math.sqrt(INPUTS), INPUTS, HIDDEN),
                "layer1.bias", rng.normal(DType.F64, 0, 0.1, HIDDEN),
                "layer2.weight", rng.normal(DType.F64, 0, 1 / Math.sqrt(HIDDEN), HIDDEN, 1),
                "layer2.bias", rng.normal(DType.F64, 0, 0.1, 1));
        Var inputs = Var.constant(x), targets = Var.constant(y);
        Function<VarParams, Var> loss = p -> {
            Var hidden = inputs.matmul(p.get("layer1.weight")).add(p.get("layer1.bias")).tanh();
            Var output = hidden.matmul(p.get("layer2.weight")).add(p.get("layer2.bias"));
            return output.sub(targets).square().mean();
        };
        return new Spec2TrainingProblem(loss, start);
    }
}
