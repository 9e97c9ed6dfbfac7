package dev.descent.optim;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;

/**
 * Small float64 problems shared by the optimiser tests, each written as a loss of model outputs
 * L(model(θ)) + ½ λ‖θ‖² so that Gauss-Newton methods can use them too.
 */
public final class TestProblems {
    private TestProblems() {}

    /**
     * A named objective with its starting point.
     *
     * @param name       for messages
     * @param model      θ ↦ z
     * @param outputLoss z ↦ L(z), convex in z
     * @param l2         λ of the ½ λ‖θ‖² term
     * @param start      θ₀
     */
    public record Problem(String name, Function<VarParams, Var> model, Function<Var, Var> outputLoss, double l2, Params start) {
        /** θ ↦ L(model(θ)) + ½ λ‖θ‖². */
        public Function<VarParams, Var> loss() {
            return vp -> {
                Var l = outputLoss.apply(model.apply(vp));
                if (l2 == 0) return l;
                Var s = null;
                for (Var p : vp.vars()) s = s == null ? p.square().sum() : s.add(p.square().sum());
                return l.add(s.mul(0.5 * l2));
            };
        }
    }

    /** A two-layer tanh MLP regression: L = mean((tanh(x W1 + b1) W2 + b2 − y)²), non-convex. */
    public static Problem mlp(long seed, int inputs, int hidden, int examples) {
        Rng rng = new Rng(seed);
        Tensor x = rng.normal(DType.F64, 0, 1, examples, inputs);
        Tensor wTrue = rng.normal(DType.F64, 0, 1, inputs, 1);
        Tensor y = x.matmul(wTrue).tanh().add(x.select(1, 0).reshape(examples, 1).square().mul(0.3));
        Params start = Params.of(
                "layer1.weight", rng.normal(DType.F64, 0, 1.0 / Math.sqrt(inputs), inputs, hidden),
                "layer1.bias", Tensor.zeros(DType.F64, hidden),
                "layer2.weight", rng.normal(DType.F64, 0, 1.0 / Math.sqrt(hidden), hidden, 1),
                "layer2.bias", Tensor.zeros(DType.F64, 1));
        Var xv = Var.constant(x), yv = Var.constant(y);
        return new Problem("mlp", vp -> mlpOutput(vp, xv), z -> z.sub(yv).square().mean(), 0, start);
    }

    /** The MLP's outputs. */
    public static Var mlpOutput(VarParams vp, Var x) {
        Var h = x.matmul(vp.get("layer1.weight")).add(vp.get("layer1.bias")).tanh();
        return h.matmul(vp.get("layer2.weight")).add(vp.get("layer2.bias"));
    }

    /**
     * Rosenbrock's function (1 − a)² + 100 (b − a²)² as the least-squares problem
     * ‖r‖² with residuals r = (1 − a, 10 (b − a²)); minimum 0 at (1, 1), started at (−1.2, 1).
     */
    public static Problem rosenbrock() {
        Function<VarParams, Var> residuals = vp -> {
            Var a = vp.get("a"), b = vp.get("b");
            return Var.concat(0, a.neg().add(1), b.sub(a.square()).mul(10));
        };
        return new Problem("rosenbrock", residuals, r -> r.square().sum(), 0,
                Params.of("a", Tensor.of(new double[] {-1.2}, 1), "b", Tensor.of(new double[] {1.0}, 1)));
    }

    /** ½ (x − c)ᵀ diag(s) (x − c) as ½ ‖√s ⊙ (x − c)‖²: minimum 0 at c. */
    public static Problem parabola(double[] scales, double[] centre, double[] start) {
        double[] roots = new double[scales.length];
        for (int i = 0; i < roots.length; i++) roots[i] = Math.sqrt(scales[i]);
        Tensor r = Tensor.of(roots, roots.length);
        Tensor c = Tensor.of(centre, centre.length);
        return new Problem("parabola", vp -> vp.get("x").sub(Var.constant(c)).mul(Var.constant(r)), z -> z.square().sum().mul(0.5), 0,
                Params.of("x", Tensor.of(start, start.length)));
    }

    /** Data for L2-regularised logistic regression: features and ±1 labels. */
    public record LogisticData(Tensor x, Tensor labels, double l2) {
        /** The logits x w + b. */
        public Var logits(VarParams vp) {
            return Var.constant(x).matmul(vp.get("w")).add(vp.get("b"));
        }

        /** mean log(1 + exp(−y z)) of logits z. */
        public Var negativeLogLikelihood(Var z) {
            return softplus(z.mul(Var.constant(labels)).neg()).mean();
        }
    }

    /**
     * log(1 + eᶻ), written directly so that it is smooth everywhere (the overflow-safe form
     * max(z, 0) + log(1 + e^−|z|) has kinks at 0 that autodiff differentiates as 0); the test
     * problems keep |z| far below the overflow threshold (≈ 709).
     */
    public static Var softplus(Var z) {
        return z.exp().add(1).log();
    }

    /** Overlapping two-class data drawn from a logistic model. */
    public static LogisticData logisticData(long seed, int examples, int features, double l2) {
        Rng rng = new Rng(seed);
        Tensor x = rng.normal(DType.F64, 0, 1, examples, features);
        Tensor w = rng.normal(DType.F64, 0, 1, features, 1);
        double[] y = new double[examples];
        Tensor s = x.matmul(w);
        for (int i = 0; i < examples; i++) {
            double p = 1 / (1 + Math.exp(-s.getFlat(i)));
            y[i] = rng.nextDouble() < p ? 1 : -1;
        }
        return new LogisticData(x, Tensor.of(y, examples, 1), l2);
    }

    /** mean log(1 + exp(−y (xᵀw + b))) + ½ λ (‖w‖² + b²), strongly convex, from zero. */
    public static Problem logistic(LogisticData data) {
        int f = data.x().dim(1);
        return new Problem("logistic", data::logits, data::negativeLogLikelihood, data.l2(),
                Params.of("w", Tensor.zeros(DType.F64, f, 1), "b", Tensor.zeros(DType.F64, 1)));
    }
}
