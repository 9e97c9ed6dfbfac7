package dev.descent.experiments;

import dev.descent.autodiff.GradCheck;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.chart.Chart;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;

/**
 * The framework's self-test, not a SPEC claim: the public gradient checker
 * ({@link GradCheck}, after JAX's {@code check_grads}) passes on a small tanh MLP with a
 * softmax cross-entropy loss, built from {@link Var} operations in float64.
 *
 * <p>Model: L(W₁, b₁, W₂, b₂) = mean_i −log softmax(tanh(X W₁ + b₁) W₂ + b₂)_{i, y_i} with
 * X ∈ ℝ^{8×5}, 7 hidden units and 3 classes, all drawn from the context's generator. Checks:
 * <ul>
 *   <li>central differences with h = 1e-5 agree with forward mode to relative error ≤ 1e-6: the
 *       truncation error is O(h²) ≈ 1e-10 times third derivatives and the rounding error
 *       O(u/h) ≈ 1e-11 (u = 2⁻⁵³), so 1e-6 leaves four orders of margin while any wrong
 *       derivative rule gives errors of order 1;</li>
 *   <li>the adjoint identity ⟨u, J v⟩ = ⟨Jᵀu, v⟩ between forward and reverse mode to relative
 *       error ≤ 1e-10: both sides are the same products in a different order, so they agree to a
 *       small multiple of u.</li>
 * </ul>
 * The plot shows the finite-difference error against h on log-log axes next to the model
 * h² + u/h: the V shape of truncation against rounding.
 */
public final class GradCheckExperiment implements Experiment {
    static final double FD_BOUND = 1e-6;
    static final double ADJOINT_BOUND = 1e-10;
    private static final int DIRECTIONS = 6;

    @Override
    public String id() {
        return "gradcheck";
    }

    @Override
    public String claim() {
        return "Self-test: the gradient checker passes on a float64 tanh MLP with softmax cross-entropy";
    }

    @Override
    public String why() {
        return "Central differences approximate a directional derivative with a truncation error O(h²) and a "
                + "rounding error O(2⁻⁵³/h), so at h = 1e-5 they pin forward mode down to about 1e-10, while a "
                + "wrong derivative rule is off at O(1). Forward and reverse mode compute the same Jacobian "
                + "products in a different order, so ⟨u, Jv⟩ = ⟨Jᵀu, v⟩ holds to rounding.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        int n = 8, in = 5, hidden = 7, classes = 3;
        Tensor x = rng.normal(DType.F64, 0, 1, n, in);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = rng.nextInt(classes);
        Tensor oneHot = Tensor.oneHot(DType.F64, labels, classes);
        Params params = Params.of(
                "w1", rng.normal(DType.F64, 0, 1 / Math.sqrt(in), in, hidden),
                "b1", rng.normal(DType.F64, 0, 0.1, hidden),
                "w2", rng.normal(DType.F64, 0, 1 / Math.sqrt(hidden), hidden, classes),
                "b2", rng.normal(DType.F64, 0, 0.1, classes));
        Function<VarParams, Var> loss = p -> {
            Var h = Var.constant(x).matmul(p.get("w1")).add(p.get("b1")).tanh();
            Var logits = h.matmul(p.get("w2")).add(p.get("b2"));
            return logits.logSoftmax(1).mul(Var.constant(oneHot)).sum().neg().div(n);
        };
        long checkSeed = rng.nextLong();
        GradCheck.Report report = GradCheck.check(loss, params, DIRECTIONS, 1e-5, checkSeed);

        int points = 11;
        double[] steps = new double[points], errors = new double[points], model = new double[points];
        for (int k = 0; k < points; k++) {
            steps[k] = Math.pow(10, -1 - k);
            errors[k] = GradCheck.check(loss, params, 2, steps[k], checkSeed).finiteDifferenceError();
            model[k] = steps[k] * steps[k] + DType.F64.unitRoundoff() / steps[k];
        }
        Chart plot = Chart.builder("Finite-difference error of the gradient checker against step h")
                .xLabel("step h").yLabel("relative error").xScale(Chart.Scale.LOG10).yScale(Chart.Scale.LOG10)
                .lineWithMarkers("measured", steps, errors)
                .bound("model h² + u/h", steps, model)
                .horizontalLine("bound 1e-6", FD_BOUND)
                .build();
        return Result.of(
                        Row.atMost("central differences (h = 1e-5) agree with forward mode", report.finiteDifferenceError(), FD_BOUND),
                        Row.atMost("adjoint identity ⟨u, Jv⟩ = ⟨Jᵀu, v⟩ between forward and reverse mode", report.adjointError(),
                                ADJOINT_BOUND))
                .withPlot(plot)
                .withNote(DIRECTIONS + " random directions; parameters " + params.elementCount() + " float64 values");
    }
}
