package dev.descent.bench;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.data.AddingTask;
import dev.descent.data.Batch;
import dev.descent.nn.Init;
import dev.descent.nn.Rnn;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.Oracles;
import dev.descent.optim.second.SecondOrderStep;
import dev.descent.optim.second.StructuralDampingOracle;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The cost of one Hessian-free step on the tanh RNN for the adding problem (issue 19): how a step
 * splits into its gradient pass on the large batch and its Gauss-Newton(+structural) products on
 * the curvature batch, and how fast those run against the bare [B, H]×[H, H] products they are
 * made of, timed in the same JVM.
 *
 * <p>Flop counts per time step (B rows, H units; the input projection, k = 2, is negligible), in
 * units of one 2BH² product: a forward step is one; backpropagation two (δ_{t+1} W and the W̄
 * term); the tangent recurrence two (ṡ_{t−1} Wᵀ and the block product s_{t−1} Ẇᵀ). A
 * Gauss-Newton product ({@link Autodiff#linearize}: one forward pass carrying tangents, one
 * reverse pass) is therefore 5 products = 10·T·B·H² flops; the same product by a separate JVP
 * and VJP (each with its own forward pass) 6; a JVP alone 3; the gradient 3.
 *
 * <p>Contention: the machine this runs on may be shared, so every figure is taken as the median
 * over repetitions that each time T bare GEMMs and then the measured operation back to back;
 * the "% of the bare GEMM rate" is the median of those per-repetition ratios, which a slow phase
 * of the machine affects far less than either time alone.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp descent.jar dev.descent.bench.HfStepBenchmark
 * [T H BATCH CURVATURE CG_ITERATIONS REPEATS]} (defaults 200 100 1000 200 20 7).
 */
public final class HfStepBenchmark {
    private HfStepBenchmark() {}

    /** Runs the measurement and prints one line per figure. */
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int hidden = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int curvature = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int cg = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 7;
        DType dtype = DType.F32;
        Rnn rnn = new Rnn(Rnn.Config.of(2, hidden).withRecurrentInit(Init.sparse(Init.SPARSE_CONNECTIONS, 1.1)), new Rng(1), dtype);
        Rng rng = new Rng(2);
        Params params = rnn.parameters().with("readout", rng.normal(dtype, 0, 1 / Math.sqrt(hidden), hidden, 1));
        Batch big = new AddingTask(steps).generate(batch, new Rng(3)).all(), small = big.head(curvature, true);
        Function<Batch, Function<VarParams, Var[]>> model = b -> vp -> {
            Var states = rnn.run(vp, Var.constant(b.features().to(dtype)), null).states();
            return new Var[] {states.select(0, steps - 1).matmul(vp.get("readout")), states};
        };
        Function<Batch, Function<Var, Var>> loss = b -> z -> z.sub(Var.constant(b.targets().to(dtype))).square().mean();
        StructuralDampingOracle full = Oracles.withHiddenStates(model.apply(big), loss.apply(big),
                h -> h.square().sum().mul(0.5 / batch));
        StructuralDampingOracle curv = Oracles.withSquaredHiddenPenalty(model.apply(small), loss.apply(small), 1.0 / curvature);
        StructuralDampingOracle general = Oracles.withHiddenStates(model.apply(small), loss.apply(small),
                h -> h.square().sum().mul(0.5 / curvature));
        Function<VarParams, Var> outputs = vp -> model.apply(small).apply(vp)[0];
        Function<Var, Var> smallLoss = loss.apply(small);
        Params v = params.map(t -> rng.normal(dtype, 0, 1, t.dims()));
        Tensor a = rng.normal(dtype, 0, 1, curvature, hidden), w = rng.normal(dtype, 0, 1, hidden, hidden);
        Runnable gemms = () -> {
            for (int k = 0; k < steps; k++) a.matmul(w, false, true);
        };
        double unit = 2.0 * steps * curvature * hidden * hidden; // one [B,H]x[H,H] product per step
        Params[] at = {params};
        // The Gauss-Newton product by a separate JVP and VJP, each with its own forward pass: the route before linearize.
        Runnable twoPass = () -> {
            Autodiff.JvpResult jv = Autodiff.jvp(outputs, at[0], v);
            Var z = Var.parameter(jv.value(), jv.tangent());
            Var l = smallLoss.apply(z);
            Var gz = Autodiff.backward(l, Var.constant(Tensor.ones(dtype)), List.of(z), false)[0];
            Autodiff.vjp(outputs, at[0], gz.tangent());
        };

        // Warm-up: JIT of every path.
        for (int i = 0; i < 3; i++) {
            full.lossAndGradient(params);
            curv.gaussNewtonWithStructural(params, v, 0.1);
            curv.gaussNewtonVectorProduct(params, v);
            twoPass.run();
            gemms.run();
        }
        p("shape: T %d, H %d, gradient batch %d, curvature batch %d, threads %d, %d repetitions (median)", steps, hidden, batch, curvature,
                Runtime.getRuntime().availableProcessors(), repeats);
        p("subnormal floats in J_h v at the initial parameters: %d of %d", subnormals(model.apply(small), params, v), steps * curvature * hidden);
        Measured gemm = interleaved(repeats, gemms, gemms, unit, unit);
        p("bare GEMM [%d,%d]x[%d,%d]ᵀ, %d in a row: %.3f ms each, %.1f GFLOP/s", curvature, hidden, hidden, hidden, steps,
                gemm.seconds * 1e3 / steps, gemm.gflops);
        report("Gauss-Newton + structural product G v + w S v (batch " + curvature + ")", 5 * unit, unit, gemms, repeats,
                () -> curv.gaussNewtonWithStructural(at[0], v, 0.1));
        report("plain Gauss-Newton product G v", 5 * unit, unit, gemms, repeats, () -> curv.gaussNewtonVectorProduct(at[0], v));
        report("G v by a separate JVP and VJP (two forward passes)", 6 * unit, unit, gemms, repeats, twoPass);
        report("G v + w S v through a general penalty D(h)", 5 * unit, unit, gemms, repeats, () -> general.gaussNewtonWithStructural(at[0], v, 0.1));
        report("JVP alone", 3 * unit, unit, gemms, repeats, () -> Autodiff.jvp(outputs, at[0], v));
        report("gradient on the curvature batch", 3 * unit, unit, gemms, repeats, () -> curv.lossAndGradient(at[0]));
        report("gradient on the batch of " + batch, 3 * unit * batch / curvature, unit, gemms, Math.max(3, repeats / 2),
                () -> full.lossAndGradient(at[0]));

        HessianFree hf = HessianFree.withDefaults().withConjugateGradient(0.95, cg, 1e-12).withStructuralDampingWeight(0.03);
        long t0 = System.nanoTime();
        SecondOrderStep<HessianFree.State, HessianFree.Report> s = hf.step(params, hf.init(params), full, curv);
        double step = (System.nanoTime() - t0) / 1e9;
        p("HF step: %.2f s with %d CG iterations (damping %s), stop %s", step, s.report().cgIterations(),
                Arrays.toString(new double[] {s.report().damping()}), s.report().cgStop());
        // After a step the states have moved: are vanishing tangents (subnormal floats) slowing the product?
        at[0] = s.params();
        p("subnormal floats in J_h v after the HF step: %d of %d", subnormals(model.apply(small), at[0], v), steps * curvature * hidden);
        report("G v + w S v after the HF step", 5 * unit, unit, gemms, repeats, () -> curv.gaussNewtonWithStructural(at[0], v, 0.1));
    }

    /** Medians of one operation timed right after T bare GEMMs, repetition by repetition. */
    private record Measured(double seconds, double gflops, double ratio) {}

    private static void report(String what, double flops, double unit, Runnable gemms, int repeats, Runnable op) {
        Measured m = interleaved(repeats, gemms, op, unit, flops);
        p("%s: %.3f s, %.1f GFLOP/s = %.0f%% of the bare GEMM rate", what, m.seconds, m.gflops, 100 * m.ratio);
    }

    private static Measured interleaved(int repeats, Runnable gemms, Runnable op, double gemmFlops, double flops) {
        double[] t = new double[repeats], rate = new double[repeats], ratio = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            gemms.run();
            long t1 = System.nanoTime();
            op.run();
            long t2 = System.nanoTime();
            t[i] = (t2 - t1) / 1e9;
            rate[i] = flops / t[i] / 1e9;
            ratio[i] = (flops / (t2 - t1)) / (gemmFlops / (t1 - t0));
        }
        return new Measured(median(t), median(rate), median(ratio));
    }

    /** How many values of J_h v lie strictly between 0 and the smallest normal float. */
    private static long subnormals(Function<VarParams, Var[]> model, Params at, Params v) {
        Tensor jh = Autodiff.jvp(vp -> model.apply(vp)[1], at, v).tangent();
        long n = 0;
        for (int i = 0; i < jh.size(); i++) {
            double x = Math.abs(jh.getFlat(i));
            if (x > 0 && x < Float.MIN_NORMAL) n++;
        }
        return n;
    }

    private static void p(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
