package dev.descent.bench;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.Losses;
import dev.descent.optim.ChainState;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Step;
import dev.descent.optim.Updates;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Scaling curves of issue 18: how Descent's time and the peer's grow with the size of a
 * workload, point by point, Descent then the peer at each size (so that a slow phase of the VM
 * hits both), one JSON line per point.
 *
 * <ul>
 *   <li>{@code mlp-width}: one Adam training step (batch 128, softmax cross-entropy) of the MLP
 *       784 → W → W/2 → 10 (ReLU), W = 256 … 4096; W = 512 is the peer suite's MLP. The work is
 *       6·B·(784·W + W·W/2 + 5·W) GEMM flops per step, recorded with the point.</li>
 *   <li>{@code rnn-length}: one training step of the adding-problem RNN ({@link RnnAddingWorkload},
 *       H = 128, B = 32) against T = 50 … 800; the peer is {@code peer_torch.py rnn-adding
 *       --variant fused --seq-len T}.</li>
 *   <li>{@code rnn-hidden}: the same step at T = 200 against H = 64 … 512.</li>
 *   <li>{@code hvp-params}: gradient and Hessian-vector product (forward-over-reverse; the peer's
 *       double backward) of the same MLP family on one batch of 128, against its parameter count;
 *       the figure of merit is the ratio hvp / grad beside the peer's.</li>
 * </ul>
 *
 * <p>The MLP points start from {@code torch.manual_seed(seed)}'s {@code nn.Linear} draws
 * ({@link TorchGenerator}) on a batch drawn as {@code torch.rand} / {@code torch.randint} from a
 * generator seeded with seed + 1, exactly as {@code descent-bench/peer/scaling_torch.py} does, so
 * the initial loss of both sides is the same number (recorded as {@code init_loss}).
 */
public final class ScalingCurves {
    /** Batch of the MLP points. */
    public static final int MLP_BATCH = 128;
    /** Adam's learning rate on the MLP points (the peer suite's). */
    public static final double MLP_LR = 1e-3;

    /** The curves. */
    public enum Curve {
        /** MLP step time against hidden width. */
        MLP_WIDTH("mlp-width", "hidden width W (784-W-W/2-10)", new int[] {256, 512, 1024, 2048, 4096}, new int[] {256, 512}),
        /** RNN step time against sequence length. */
        RNN_LENGTH("rnn-length", "sequence length T (H=128, B=32)", new int[] {50, 100, 200, 400, 800}, new int[] {50, 100}),
        /** RNN step time against hidden size. */
        RNN_HIDDEN("rnn-hidden", "hidden size H (T=200, B=32)", new int[] {64, 128, 256, 512}, new int[] {64, 128}),
        /** HVP and gradient time against parameter count. */
        HVP_PARAMS("hvp-params", "trainable parameters (784-W-W/2-10, B=128)", new int[] {128, 256, 512, 1024, 2048},
                new int[] {128, 256});

        private final String label, axis;
        private final int[] full, quick;

        Curve(String label, String axis, int[] full, int[] quick) {
            this.label = label;
            this.axis = axis;
            this.full = full;
            this.quick = quick;
        }

        /** The x axis's label. */
        public String axis() {
            return axis;
        }

        /** The swept sizes (widths for mlp-width and hvp-params, T, H). */
        public int[] sizes(boolean quickSweep) {
            return (quickSweep ? quick : full).clone();
        }

        /** Parses a curve by its label. */
        public static Curve parse(String s) {
            for (Curve c : values()) if (c.label.equals(s)) return c;
            throw new IllegalArgumentException("unknown curve '" + s + "'; expected mlp-width, rnn-length, rnn-hidden, hvp-params or all");
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * One point of a curve. {@code x} is the plotted size (the parameter count for hvp-params);
     * times are medians in seconds, NaN where the peer did not run. For hvp-params the times are
     * the HVP's and {@code descentRatio}/{@code peerRatio} are hvp / grad; elsewhere they are NaN.
     */
    public record Point(Curve curve, int size, double x, double descentS, double peerS, double descentRatio, double peerRatio) {}

    /**
     * Options.
     *
     * @param quick the short sweep and fewer repetitions
     * @param seed base seed, as the peer's {@code --seed}
     * @param peer the PyTorch peer suite ({@code peer_torch.py}), or null
     * @param scalingPeer {@code scaling_torch.py}, or null
     * @param out JSON lines and the table
     * @param err progress
     */
    public record Options(boolean quick, long seed, Peer peer, Peer scalingPeer, PrintStream out, PrintStream err) {}

    private final Options opt;

    /** A sweeper. */
    public ScalingCurves(Options opt) {
        this.opt = opt;
    }

    /** Timed repetitions per point. */
    int repeats() {
        return opt.quick() ? 3 : 7;
    }

    /** Untimed repetitions per point, before them. */
    int warmup() {
        return opt.quick() ? 2 : 3;
    }

    /** Whether the next point is its curve's first (whose warm-up also compiles the curve's code paths). */
    private boolean firstOfCurve;

    /**
     * Minimum seconds of untimed repetitions per point, on top of {@link #warmup()}: the JIT has to
     * compile each size's kernels before Descent's times mean anything (the peer's kernels are
     * compiled ahead of time). A curve's first point gets more: it compiles every code path the
     * curve uses for the first time.
     */
    double warmupSeconds() {
        if (firstOfCurve) return opt.quick() ? 2.0 : 5.0;
        return opt.quick() ? 0.5 : 2.0;
    }

    /** Sweeps {@code curve} over {@code sizes}, printing one JSON line per implementation and point. */
    public List<Point> run(Curve curve, int[] sizes) {
        List<Point> points = new ArrayList<>();
        firstOfCurve = true;
        for (int size : sizes) {
            if (size < 2) throw new IllegalArgumentException("bench scaling: size must be >= 2, got " + size);
            opt.err().println("descent bench scaling: " + curve + " at " + size);
            Point p = switch (curve) {
                case MLP_WIDTH -> mlpPoint(size);
                case RNN_LENGTH -> rnnPoint(curve, size, RnnAddingWorkload.HIDDEN, size);
                case RNN_HIDDEN -> rnnPoint(curve, RnnAddingWorkload.STEPS, size, size);
                case HVP_PARAMS -> hvpPoint(size);
            };
            points.add(p);
            firstOfCurve = false;
        }
        table(curve, points);
        return points;
    }

    /** Layer sizes of the MLP family at width {@code w}. */
    static int[] mlpSizes(int w) {
        return new int[] {784, w, Math.max(1, w / 2), 10};
    }

    /** GEMM flops of one training step (forward, and the two products of each layer's backward) at width {@code w}. */
    static double mlpStepFlops(int w) {
        int[] s = mlpSizes(w);
        double macs = 0;
        for (int i = 0; i + 1 < s.length; i++) macs += (double) s[i] * s[i + 1];
        return 6.0 * MLP_BATCH * macs;
    }

    static Params mlpParams(int w, long seed) {
        int[] s = mlpSizes(w);
        TorchGenerator torch = new TorchGenerator(seed);
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < s.length; i++) {
            Tensor[] wb = torch.linear(s[i], s[i + 1]);
            m.put("layers." + i + ".weight", wb[0]);
            m.put("layers." + i + ".bias", wb[1]);
        }
        return Params.of(m);
    }

    /** The peer's {@code torch.rand(B, 784)} and {@code torch.randint(0, 10, (B,))} from seed + 1, one-hot. */
    static Tensor[] mlpBatch(long seed) {
        TorchGenerator g = new TorchGenerator(seed + 1);
        Tensor x = g.uniform(0f, 1f, MLP_BATCH, 784);
        int[] labels = g.randint(0, 10, MLP_BATCH);
        return new Tensor[] {x, Tensor.oneHot(dev.descent.tensor.DType.F32, labels, 10)};
    }

    static Function<VarParams, Var> mlpLoss(Tensor[] batch) {
        Var x = Var.constant(batch[0]), y = Var.constant(batch[1]);
        return p -> {
            Var h = x;
            for (int i = 0; i < 3; i++) {
                h = h.matmul(p.get("layers." + i + ".weight"), false, true).add(p.get("layers." + i + ".bias"));
                if (i < 2) h = h.relu();
            }
            return Losses.softmaxCrossEntropy(h, y);
        };
    }

    private double lossAt(Function<VarParams, Var> loss, Params params) {
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            return loss.apply(VarParams.constants(params)).value().item();
        }
    }

    private Point mlpPoint(int w) {
        Tensor[] batch = mlpBatch(opt.seed());
        Function<VarParams, Var> loss = mlpLoss(batch);
        Params[] params = {mlpParams(w, opt.seed())};
        double initLoss = lossAt(loss, params[0]);
        GradientTransformation<ChainState> adam = Optimizers.adam(MLP_LR);
        ChainState[] state = {adam.init(params[0])};
        double[] times = Measure.time(() -> {
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(loss, params[0]);
            Step<ChainState> s = Updates.stepInPlace(adam, vg.grad(), state[0], params[0]);
            params[0] = s.params();
            state[0] = s.state();
            return vg.value();
        }, warmupSeconds(), warmup(), repeats());
        Map<String, Object> p = mlpRecordParams(w, params[0].elementCount());
        double d = emit("mlp-width", "descent", "adam-step", p, times, MLP_BATCH, "samples/s", Map.of("init_loss", initLoss));
        double t = Double.NaN;
        if (opt.scalingPeer() != null) {
            for (String line : opt.scalingPeer().run(List.of("mlp-width", "--width", Integer.toString(w), "--repeats",
                    Integer.toString(repeats()), "--warmup", Integer.toString(warmup()), "--seed", Long.toString(opt.seed())))) {
                if (!"result".equals(Peer.string(line, "record"))) continue;
                t = emit("mlp-width", "torch", "adam-step", p, Peer.numbers(line, "times_s"), MLP_BATCH, "samples/s",
                        Map.of("init_loss", Peer.number(line, "init_loss")));
            }
        }
        return new Point(Curve.MLP_WIDTH, w, w, d, t, Double.NaN, Double.NaN);
    }

    private static Map<String, Object> mlpRecordParams(int w, long parameters) {
        return SideBySide.params("width", w, "layers", "784-" + w + "-" + w / 2 + "-10 ReLU", "batch", MLP_BATCH, "optimizer", "Adam",
                "lr", MLP_LR, "trainable_params", parameters, "gemm_flops_per_step", mlpStepFlops(w), "dtype", "float32");
    }

    private Point rnnPoint(Curve curve, int steps, int hidden, int size) {
        TorchGenerator gen = new TorchGenerator(opt.seed() + 1);
        int n = warmup() + repeats();
        RnnAddingWorkload.Batch[] batches = new RnnAddingWorkload.Batch[n];
        for (int i = 0; i < n; i++) batches[i] = RnnAddingWorkload.batch(steps, RnnAddingWorkload.BATCH, gen);
        RnnAddingWorkload.Batch probe = RnnAddingWorkload.batch(steps, RnnAddingWorkload.BATCH, new TorchGenerator(opt.seed() + 3));
        RnnAddingWorkload.Trainer trainer = new RnnAddingWorkload.Trainer(new TorchGenerator(opt.seed()), hidden);
        double initLoss = trainer.loss(probe);
        long start = System.nanoTime();
        for (int i = 0; i < warmup() || System.nanoTime() - start < warmupSeconds() * 1e9; i++) trainer.step(batches[i % warmup()]);
        double[] times = new double[repeats()];
        for (int i = 0; i < repeats(); i++) {
            long t0 = System.nanoTime();
            trainer.step(batches[warmup() + i]);
            times[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Map<String, Object> p = SideBySide.params("T", steps, "hidden", hidden, "batch", RnnAddingWorkload.BATCH, "act", "tanh",
                "optimizer", "Adam", "lr", RnnAddingWorkload.LEARNING_RATE, "clip_global_norm", RnnAddingWorkload.CLIP,
                "trainable_params", trainer.params().elementCount(), "dtype", "float32");
        double d = emit(curve.toString(), "descent", "fused-rnn-scan", p, times, RnnAddingWorkload.BATCH, "sequences/s",
                Map.of("init_probe_mse", initLoss));
        double t = Double.NaN;
        if (opt.peer() != null) {
            for (String line : opt.peer().run(List.of("rnn-adding", "--variant", "fused", "--seq-len", Integer.toString(steps),
                    "--hidden", Integer.toString(hidden), "--steps", Integer.toString(repeats()), "--warmup", Integer.toString(warmup()),
                    "--seed", Long.toString(opt.seed())))) {
                if (!"result".equals(Peer.string(line, "record"))) continue;
                t = emit(curve.toString(), "torch", Peer.string(line, "variant"), p, Peer.numbers(line, "times_s"),
                        RnnAddingWorkload.BATCH, "sequences/s", Map.of("init_probe_mse", Peer.number(line, "init_probe_mse")));
            }
        }
        return new Point(curve, size, size, d, t, Double.NaN, Double.NaN);
    }

    private Point hvpPoint(int w) {
        Tensor[] batch = mlpBatch(opt.seed());
        Function<VarParams, Var> loss = mlpLoss(batch);
        Params params = mlpParams(w, opt.seed());
        TorchGenerator vg = new TorchGenerator(opt.seed() + 2);
        Params v = params.map(t -> vg.uniform(-1f, 1f, t.dims()));
        int reps = repeats() * 2;
        double[] g = new double[reps], h = new double[reps];
        long start = System.nanoTime();
        for (int i = 0; i < warmup() || System.nanoTime() - start < warmupSeconds() * 1e9; i++) {
            Autodiff.grad(loss, params);
            Autodiff.hvp(loss, params, v);
        }
        // Interleaved, as the peer's hvp: each repetition times both back to back.
        for (int rep = 0; rep < reps; rep++) {
            long t0 = System.nanoTime();
            Autodiff.grad(loss, params);
            long t1 = System.nanoTime();
            Autodiff.hvp(loss, params, v);
            long t2 = System.nanoTime();
            g[rep] = (t1 - t0) * 1e-9;
            h[rep] = (t2 - t1) * 1e-9;
        }
        long count = params.elementCount();
        Map<String, Object> p = SideBySide.params("width", w, "layers", "784-" + w + "-" + w / 2 + "-10 ReLU", "batch", MLP_BATCH,
                "trainable_params", count, "dtype", "float32");
        double dg = emit("hvp-params", "descent", "grad", p, g, MLP_BATCH, "samples/s", Map.of());
        double dh = emit("hvp-params", "descent", "hvp(forward-over-reverse)", p, h, MLP_BATCH, "samples/s",
                Map.of("hvp_over_grad", WorkloadMain.median(h) / dg));
        double tg = Double.NaN, th = Double.NaN;
        if (opt.scalingPeer() != null) {
            for (String line : opt.scalingPeer().run(List.of("hvp-params", "--width", Integer.toString(w), "--repeats",
                    Integer.toString(reps), "--warmup", Integer.toString(warmup()), "--seed", Long.toString(opt.seed())))) {
                if (!"result".equals(Peer.string(line, "record"))) continue;
                String variant = Peer.string(line, "variant");
                double m = emit("hvp-params", "torch", variant, p, Peer.numbers(line, "times_s"), MLP_BATCH, "samples/s", Map.of());
                if ("grad".equals(variant)) tg = m; else th = m;
            }
        }
        return new Point(Curve.HVP_PARAMS, w, count, dh, th, dh / dg, th / tg);
    }

    /** Prints one result line (the record of {@link Measure.Result}) and returns its median. */
    private double emit(String curve, String impl, String variant, Map<String, Object> params, double[] times, int items,
                        String unit, Map<String, Object> extra) {
        if (times.length == 0) throw new IllegalStateException(impl + " printed no times for " + curve);
        Map<String, Object> p = new LinkedHashMap<>(params);
        p.put("variant", variant);
        Map<String, Object> ex = new LinkedHashMap<>();
        ex.put("curve", curve);
        ex.putAll(extra);
        Measure.Result r = new Measure.Result("scaling", impl, p, times, items / WorkloadMain.median(times), unit, ex);
        opt.out().println(r.toJson());
        return r.medianS();
    }

    private void table(Curve curve, List<Point> points) {
        boolean hvp = curve == Curve.HVP_PARAMS;
        opt.out().println(String.format(Locale.ROOT, "%-12s %10s %14s %14s %10s%s", curve, "size", "descent ms", "torch ms",
                "d/t", hvp ? String.format(Locale.ROOT, " %12s %12s", "d hvp/grad", "t hvp/grad") : ""));
        for (Point p : points) {
            opt.out().println(String.format(Locale.ROOT, "%-12s %10.0f %14.4f %14.4f %10.3f%s", "", p.x(), p.descentS() * 1e3,
                    p.peerS() * 1e3, p.descentS() / p.peerS(),
                    hvp ? String.format(Locale.ROOT, " %12.3f %12.3f", p.descentRatio(), p.peerRatio()) : ""));
        }
    }

    /** Where {@code scaling_torch.py} lives under a repository root. */
    public static Path scalingPeerScript(Path repositoryRoot) {
        return repositoryRoot.resolve("descent-bench").resolve("peer").resolve("scaling_torch.py");
    }
}
