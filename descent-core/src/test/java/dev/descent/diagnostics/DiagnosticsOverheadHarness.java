package dev.descent.diagnostics;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Measures the cost of each built-in diagnostic relative to one training step (gradient plus SGD
 * update) of two small float32 models. Run by hand, not as a unit test (it times things):
 *
 * <pre>
 * mvn -q -o -pl descent-core test-compile
 * java --add-modules jdk.incubator.vector -cp descent-core/target/classes:descent-core/target/test-classes:$HOME/.m2/repository/org/ejml/ejml-core/0.43.1/ejml-core-0.43.1.jar:$HOME/.m2/repository/org/ejml/ejml-ddense/0.43.1/ejml-ddense-0.43.1.jar dev.descent.diagnostics.DiagnosticsOverheadHarness
 * </pre>
 *
 * Models: an MLP 64→128→128→10 (tanh, weight-normalised hidden layers, softmax cross-entropy,
 * batch 64, 26,378 parameters) and an Elman RNN (tanh, H = 64, 16 inputs, T = 32, batch 16,
 * squared error on a readout of the last state, 5,249 parameters). Each figure is the median of
 * repeated timed calls after a warm-up.
 */
public final class DiagnosticsOverheadHarness {
    private DiagnosticsOverheadHarness() {}

    private static Var weightNormalised(Var u, Var g) {
        return u.div(u.square().sum(1, true).sqrt()).mul(g.reshape(u.dim(0), 1));
    }

    public static void main(String[] args) {
        mlp();
        rnn();
    }

    private static void mlp() {
        Rng rng = new Rng(1);
        int batch = 64, in = 64, hidden = 128, classes = 10;
        DType f = DType.F32;
        Tensor x = rng.normal(f, 0, 1, batch, in);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(classes);
        Tensor onehot = Tensor.oneHot(f, labels, classes);
        Params p = Params.of("layer1.weight_v", rng.normal(f, 0, 1 / Math.sqrt(in), hidden, in), "layer1.weight_g", Tensor.ones(f, hidden),
                "layer1.bias", Tensor.zeros(f, hidden),
                "layer2.weight_v", rng.normal(f, 0, 1 / Math.sqrt(hidden), hidden, hidden), "layer2.weight_g", Tensor.ones(f, hidden),
                "layer2.bias", Tensor.zeros(f, hidden),
                "out.weight", rng.normal(f, 0, 1 / Math.sqrt(hidden), classes, hidden), "out.bias", Tensor.zeros(f, classes));
        Function<VarParams, Var> loss = vp -> {
            Var h = Var.constant(x).matmul(weightNormalised(vp.get("layer1.weight_v"), vp.get("layer1.weight_g")), false, true)
                    .add(vp.get("layer1.bias")).tanh();
            h = h.matmul(weightNormalised(vp.get("layer2.weight_v"), vp.get("layer2.weight_g")), false, true).add(vp.get("layer2.bias")).tanh();
            Var z = h.matmul(vp.get("out.weight"), false, true).add(vp.get("out.bias"));
            return z.logSoftmax(1).mul(Var.constant(onehot)).sum().neg().div(batch);
        };
        List<Diagnostic> diagnostics = List.of(Diagnostic.gradientNorms(), Diagnostic.updateRatios(), Diagnostic.nonFinite(),
                Diagnostic.clipping(), Diagnostic.weightNorm(), Diagnostic.curvatureAlongGradient(), Diagnostic.quadraticModel(),
                Diagnostic.hessianEigenvalues(3, 20, 1), Diagnostic.hessianTrace(10, 2),
                Diagnostic.spectralDensity(new HessianSpectrum.SlqOptions(2, 20, 0.01, 1024), 3));
        report("MLP 64-128-128-10, batch 64, float32, " + p.elementCount() + " parameters", p, loss, diagnostics);
    }

    private static void rnn() {
        Rng rng = new Rng(2);
        int batch = 16, in = 16, h = 64, steps = 32;
        DType f = DType.F32;
        Tensor xs = rng.normal(f, 0, 1, steps, batch, in), y = rng.normal(f, 0, 1, batch, 1);
        Params p = Params.of("rnn.w", rng.normal(f, 0, 0.9 / Math.sqrt(h), h, h), "rnn.u", rng.normal(f, 0, 1 / Math.sqrt(in), h, in),
                "rnn.b", Tensor.zeros(f, h), "head.weight", rng.normal(f, 0, 1 / Math.sqrt(h), 1, h), "head.bias", Tensor.zeros(f, 1));
        Tensor[] xt = new Tensor[steps];
        for (int t = 0; t < steps; t++) xt[t] = xs.select(0, t);
        Function<VarParams, Var> loss = vp -> {
            Var w = vp.get("rnn.w"), u = vp.get("rnn.u"), b = vp.get("rnn.b");
            Var g = Var.constant(Tensor.zeros(f, batch, h));
            for (int t = 0; t < steps; t++) g = g.matmul(w, false, true).add(Var.constant(xt[t]).matmul(u, false, true)).add(b).tanh();
            return g.matmul(vp.get("head.weight"), false, true).add(vp.get("head.bias")).sub(Var.constant(y)).square().mean();
        };
        Function<StepContext, RecurrenceSpec> spec = ctx -> new RecurrenceSpec(ctx.paramsBefore().get("rnn.w"),
                ctx.paramsBefore().get("rnn.u"), ctx.paramsBefore().get("rnn.b"), RecurrentActivation.TANH, xs, Tensor.zeros(f, h));
        List<Diagnostic> diagnostics = List.of(Diagnostic.gradientNorms(), Diagnostic.updateRatios(), Diagnostic.nonFinite(),
                Diagnostic.curvatureAlongGradient(), Diagnostic.hessianEigenvalues(3, 20, 1), Diagnostic.hessianTrace(10, 2),
                Diagnostic.gradientFlow(spec, 0),
                named("gradientFlow+inputSensitivity", Diagnostic.gradientFlow(spec, 0, states -> states.select(0, steps - 1).sum())));
        report("Elman RNN H=64, in=16, T=32, batch 16, float32, " + p.elementCount() + " parameters", p, loss, diagnostics);
    }

    private static Diagnostic named(String name, Diagnostic d) {
        return Diagnostic.of(name, d::compute);
    }

    private static void report(String title, Params p, Function<VarParams, Var> loss, List<Diagnostic> diagnostics) {
        double lr = 0.01;
        StepContext[] ctx = new StepContext[1];
        Runnable step = () -> {
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(loss, p);
            Params update = vg.grad().scale(-lr);
            Params next = p.add(update);
            ctx[0] = StepContext.of(1, vg.value().item(), p, vg.grad(), update, next).withLearningRate(lr)
                    .withLossFunction(loss).withClip(new ClipInfo(vg.grad().norm(), 1));
        };
        for (int i = 0; i < 20; i++) step.run();
        System.out.printf("%n%s%n", title);
        System.out.printf("  %-32s %12s %12s %14s%n", "diagnostic", "ms", "step ms", "x step");
        for (Diagnostic d : diagnostics) {
            double[] m = pairedMedians(step, () -> {
                d.observe(ctx[0]);
                d.compute(ctx[0]);
            });
            System.out.printf("  %-32s %12.3f %12.3f %14.3f%n", d.name(), m[1] / 1e6, m[0] / 1e6, m[2]);
        }
    }

    /**
     * Times {@code step} and {@code diagnostic} alternately (after a warm-up of 1 s and at least 5 pairs, for about 3 s
     * and at least 7 pairs) and returns the median step time, the median diagnostic time and the
     * median of the per-pair ratios. Pairing cancels slow drifts in machine load, which on a
     * shared machine matter more than anything measured here.
     */
    private static double[] pairedMedians(Runnable step, Runnable diagnostic) {
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        int warm = 0;
        while (System.nanoTime() < warmEnd || warm < 5) {
            step.run();
            diagnostic.run();
            warm++;
        }
        List<long[]> pairs = new ArrayList<>();
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end || pairs.size() < 7) {
            long t0 = System.nanoTime();
            step.run();
            long t1 = System.nanoTime();
            diagnostic.run();
            long t2 = System.nanoTime();
            pairs.add(new long[] {t1 - t0, t2 - t1});
        }
        double[] s = new double[pairs.size()], d = new double[pairs.size()], r = new double[pairs.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = pairs.get(i)[0];
            d[i] = pairs.get(i)[1];
            r[i] = d[i] / s[i];
        }
        return new double[] {median(s), median(d), median(r)};
    }

    private static double median(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : 0.5 * (c[c.length / 2 - 1] + c[c.length / 2]);
    }
}
