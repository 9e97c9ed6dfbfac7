package dev.descent.optim;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;

/** Small float64 problems shared by the optimiser tests. */
public final class TestProblems {
    private TestProblems() {}

    /** A named objective with its starting point. */
    public record Problem(String name, Function<VarParams, Var> loss, Params start) {}

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
        Function<VarParams, Var> loss = vp -> mlpOutput(vp, xv).sub(yv).square().mean();
        return new Problem("mlp", loss, start);
    }

    /** The MLP's outputs (for Gauss-Newton products). */
    public static Var mlpOutput(VarParams vp, Var x) {
        Var h = x.matmul(vp.get("layer1.weight")).add(vp.get("layer1.bias")).tanh();
        return h.matmul(vp.get("layer2.weight")).add(vp.get("layer2.bias"));
    }

    /** Rosenbrock's function (1 − a)² + 100 (b − a²)², minimum 0 at (1, 1), from (−1.2, 1). */
    public static Problem rosenbrock() {
        Function<VarParams, Var> loss = vp -> {
            Var a = vp.get("a"), b = vp.get("b");
            return a.neg().add(1).square().add(b.sub(a.square()).square().mul(100)).sum();
        };
        return new Problem("rosenbrock", loss, Params.of("a", Tensor.of(new double[] {-1.2}, 1), "b", Tensor.of(new double[] {1.0}, 1)));
    }

    /** ½ (x − c)ᵀ A (x − c) with A = diag(scales): minimum 0 at c. */
    public static Problem parabola(double[] scales, double[] centre, double[] start) {
        Tensor a = Tensor.of(scales, scales.length);
        Tensor c = Tensor.of(centre, centre.length);
        Function<VarParams, Var> loss = vp -> {
            Var d = vp.get("x").sub(Var.constant(c));
            return d.square().mul(Var.constant(a)).sum().mul(0.5);
        };
        return new Problem("parabola", loss, Params.of("x", Tensor.of(start, start.length)));
    }

    /** Data for L2-regularised logistic regression: features and ±1 labels. */
    public record LogisticData(Tensor x, Tensor labels, double l2) {
        /** mean log(1 + exp(−y xᵀw − y b)) + ½ l2 (‖w‖² + b²), strongly convex. */
        public Var loss(VarParams vp) {
            Var z = Var.constant(x).matmul(vp.get("w")).add(vp.get("b")).mul(Var.constant(labels));
            Var nll = softplus(z.neg()).mean();
            return nll.add(vp.get("w").square().sum().add(vp.get("b").square().sum()).mul(0.5 * l2));
        }

        /** The logits x w + b. */
        public Var logits(VarParams vp) {
            return Var.constant(x).matmul(vp.get("w")).add(vp.get("b"));
        }
    }

    /** log(1 + eᶻ) computed stably as max(z, 0) + log(1 + e^−|z|). */
    public static Var softplus(Var z) {
        return z.relu().add(z.abs().neg().exp().add(1).log());
    }

    /** Overlapping two-class data, so the unregularised optimum is finite too. */
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

    /** Logistic regression as a problem starting at zero. */
    public static Problem logistic(LogisticData data) {
        int f = data.x().dim(1);
        return new Problem("logistic", data::loss, Params.of("w", Tensor.zeros(DType.F64, f, 1), "b", Tensor.zeros(DType.F64, 1)));
    }
}
