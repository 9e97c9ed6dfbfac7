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
import java.util.Locale;
import java.util.function.Function;

/**
 * The cost of one Hessian-free step on the tanh RNN for the adding problem (issue 19): how a step
 * splits into its gradient pass on the large batch and its Gauss-Newton(+structural) products on
 * the curvature batch, and how fast those run against the bare [B, H]×[H, H] products they are
 * made of, timed in the same JVM.
 *
 * <p>Flop counts per time step (B rows, H units; the input projection, k = 2, is negligible):
 * a forward step is one 2BH² product; backpropagation two (δW and the W̄ term); a Gauss-Newton
 * product is a JVP (forward plus tangent: two) and a VJP with its own forward (three), so
 * 5 products = 10·T·B·H² flops, and the gradient 3 products = 6·T·B·H².
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp descent.jar dev.descent.bench.HfStepBenchmark
 * [T H BATCH CURVATURE CG_ITERATIONS]} (defaults 200 100 1000 200 20).
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
        Params v = params.map(t -> rng.normal(dtype, 0, 1, t.dims()));
        Tensor a = rng.normal(dtype, 0, 1, curvature, hidden), w = rng.normal(dtype, 0, 1, hidden, hidden);

        // Warm-up: JIT of every path, then the medians of repeated timings.
        for (int i = 0; i < 3; i++) {
            full.lossAndGradient(params);
            curv.gaussNewtonWithStructural(params, v, 0.1);
            for (int k = 0; k < 200; k++) a.matmul(w, false, true);
        }
        double gemm = median(15, () -> {
            for (int k = 0; k < 200; k++) a.matmul(w, false, true);
        }) / 200;
        double gradient = median(5, () -> full.lossAndGradient(params));
        double gn = median(5, () -> curv.gaussNewtonWithStructural(params, v, 0.1));
        double plainGn = median(5, () -> curv.gaussNewtonVectorProduct(params, v));
        double generalGn = median(5, () -> general.gaussNewtonWithStructural(params, v, 0.1));
        Function<VarParams, Var> outputs = vp -> model.apply(small).apply(vp)[0];
        double jvp = median(5, () -> Autodiff.jvp(outputs, params, v));
        double smallGradient = median(5, () -> curv.lossAndGradient(params));
        HessianFree hf = HessianFree.withDefaults().withConjugateGradient(0.95, cg, 1e-12).withStructuralDampingWeight(0.03);
        long t0 = System.nanoTime();
        SecondOrderStep<HessianFree.State, HessianFree.Report> s = hf.step(params, hf.init(params), full, curv);
        double step = (System.nanoTime() - t0) / 1e9;

        double gemmFlops = 2.0 * curvature * hidden * hidden;
        double gnFlops = 10.0 * steps * curvature * hidden * hidden, gradFlops = 6.0 * steps * batch * hidden * hidden;
        p("shape: T %d, H %d, gradient batch %d, curvature batch %d, threads %d", steps, hidden, batch, curvature,
                Runtime.getRuntime().availableProcessors());
        p("bare GEMM [%d,%d]x[%d,%d]: %.3f ms, %.1f GFLOP/s", curvature, hidden, hidden, hidden, gemm * 1e3, gemmFlops / gemm / 1e9);
        p("gradient (forward + backward, batch %d): %.3f s, %.1f GFLOP/s", batch, gradient, gradFlops / gradient / 1e9);
        p("Gauss-Newton + structural product (batch %d): %.3f s, %.1f GFLOP/s = %.0f%% of the bare GEMM rate", curvature, gn,
                gnFlops / gn / 1e9, 100 * (gnFlops / gn) / (gemmFlops / gemm));
        p("  plain Gauss-Newton product %.3f s; structural through a general penalty %.3f s; JVP alone %.3f s;"
                + " gradient on the curvature batch %.3f s (%.1f GFLOP/s)", plainGn, generalGn, jvp, smallGradient, 6.0 * steps * curvature * hidden * hidden / smallGradient / 1e9);
        p("HF step: %.2f s with %d CG iterations (%s), stop %s; predicted from the parts: gradient + (CG + 2) products + %d losses",
                step, s.report().cgIterations(), Arrays.toString(new double[] {s.report().damping()}), s.report().cgStop(), 3);
    }

    private static void p(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    private static double median(int repeats, Runnable r) {
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }
}
