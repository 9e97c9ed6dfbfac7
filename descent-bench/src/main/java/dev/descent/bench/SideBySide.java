package dev.descent.bench;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.GemmF32;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The side-by-side harness behind {@code descent bench}: Descent's workload and, with a peer,
 * {@code peer_torch.py}'s identical workload, run alternately in rounds within one invocation so
 * that a slow phase of the (noisy) VM hits both; the repetitions of all rounds are pooled per
 * implementation. Prints one JSON line per measurement, a readable table, and one summary line
 * {@code {"summary": ..., "ratios": {...}}} with the medians, the ratios Descent/peer, the peak
 * resident memory and the final loss or accuracy of each, and whether the bars are met.
 *
 * <p>{@code mlp} and {@code rnn-adding} run Descent in a child JVM ({@link ChildJvm}), so that its
 * peak RSS (VmHWM) is measured as the peer's is (ru_maxrss of its own process). {@code gemm} and
 * {@code hvp} run in this process (no memory figure is compared for them).
 */
public final class SideBySide {
    /** Timed repetitions of each hvp method per round, as the peer's {@code hvp --repeats}. */
    static final int HVP_REPEATS = 30;

    /** Bars of issue 7 (ratios Descent / PyTorch measured in the same run). */
    public static final double MLP_EPOCH_RATIO_BAR = 0.6, MLP_RSS_RATIO_BAR = 0.5, MLP_ACCURACY_SLACK = 0.005,
            RNN_STEP_RATIO_BAR = 0.25, HVP_OVER_GRAD_BAR = 2.0, GEMM_1024_THROUGHPUT_BAR = 0.95;

    /**
     * Options shared by all workloads.
     *
     * @param peer whether to run the peer too
     * @param peerDir where {@code peer_torch.py} lives
     * @param rounds alternating rounds (each runs Descent, then the peer)
     * @param seed the base seed, as the peer's {@code --seed}
     * @param dataDir Fashion-MNIST's directory, or null for the default (both sides)
     * @param warmupS seconds of JIT warm-up in Descent's child before the measured run
     * @param childJvmOptions heap options of Descent's child JVM, or null for the workload's default
     *                        ({@link ChildJvm#DEFAULT_HEAP_OPTIONS}, {@link ChildJvm#RNN_HEAP_OPTIONS})
     * @param out JSON lines, table and summary
     * @param err progress and the peer-skipped message
     */
    public record Options(boolean peer, Path peerDir, int rounds, long seed, Path dataDir, double warmupS, String childJvmOptions,
                          PrintStream out, PrintStream err) {
        /** Validates rounds and warm-up. */
        public Options {
            if (rounds < 1) throw new IllegalArgumentException("bench: rounds must be >= 1, got " + rounds);
            if (!(warmupS >= 0) || Double.isInfinite(warmupS)) {
                throw new IllegalArgumentException("bench: warm-up seconds must be finite and >= 0, got " + warmupS);
            }
        }
    }

    private final Options opt;
    private final Peer peer;

    /** A harness; resolves the peer once (and reports why it is skipped). */
    public SideBySide(Options opt) {
        this.opt = opt;
        Peer p = null;
        if (opt.peer()) {
            String[] why = new String[1];
            p = Peer.locate(opt.peerDir(), why);
            if (p == null) opt.err().println("descent bench: skipping the peer: " + why[0]);
        }
        this.peer = p;
    }

    static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static double[] concat(double[] a, double[] b) {
        double[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** The parameters recorded with an mlp measurement. */
    static Map<String, Object> mlpParams(MlpWorkload.Norm norm, int epochs, long parameters) {
        return params("norm", norm.toString(), "layers", "784-512-256-10 ReLU", "batch", MlpWorkload.BATCH, "epochs", epochs,
                "optimizer", "Adam", "lr", MlpWorkload.LEARNING_RATE, "trainable_params", parameters, "dtype", "float32");
    }

    /** The parameters recorded with an rnn-adding measurement. */
    static Map<String, Object> rnnParams(int warmup, int steps, long parameters) {
        return params("T", RnnAddingWorkload.STEPS, "hidden", RnnAddingWorkload.HIDDEN, "batch", RnnAddingWorkload.BATCH,
                "act", "tanh", "optimizer", "Adam", "lr", RnnAddingWorkload.LEARNING_RATE, "clip_global_norm", RnnAddingWorkload.CLIP,
                "warmup_steps", warmup, "timed_steps", steps, "trainable_params", parameters, "dtype", "float32");
    }

    /** One implementation's pooled measurements of a training workload. */
    static final class Pooled {
        final String impl, variant;
        double[] times = new double[0];
        double peakRss = Double.NaN;
        String lastResult;

        Pooled(String impl, String variant) {
            this.impl = impl;
            this.variant = variant;
        }

        double median() {
            return WorkloadMain.median(times);
        }

        double min() {
            return Arrays.stream(times).min().orElse(Double.NaN);
        }

        double number(String key) {
            return lastResult == null ? Double.NaN : Peer.number(lastResult, key);
        }

        double[] numbers(String key) {
            return lastResult == null ? new double[0] : Peer.numbers(lastResult, key);
        }
    }

    /**
     * Pools one process's output (result lines of one variant, and its peak_mem line) into
     * {@code into}, printing a JSON line for the measurement.
     */
    private void pool(String workload, int round, List<String> lines, Map<String, Pooled> into, String impl,
                      Function<String, String> variantOf) {
        double rss = Double.NaN;
        List<Pooled> touched = new ArrayList<>();
        for (String line : lines) {
            String record = Peer.string(line, "record");
            if ("peak_mem".equals(record)) {
                rss = Peer.number(line, "peak_rss_mib");
            } else if ("result".equals(record) && workload.equals(Peer.string(line, "workload"))) {
                String variant = variantOf.apply(line);
                Pooled p = into.computeIfAbsent(impl + "|" + variant, k -> new Pooled(impl, variant));
                p.times = concat(p.times, Peer.numbers(line, "times_s"));
                p.lastResult = line;
                touched.add(p);
            }
        }
        for (Pooled p : touched) {
            p.peakRss = Double.isNaN(p.peakRss) ? rss : Math.max(p.peakRss, rss);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("record", "measurement");
            m.put("workload", workload);
            m.put("impl", p.impl);
            m.put("variant", p.variant);
            m.put("round", round + 1);
            double[] t = Peer.numbers(p.lastResult, "times_s");
            m.put("times_s", t);
            m.put("median_s", WorkloadMain.median(t));
            m.put("min_s", Arrays.stream(t).min().orElse(Double.NaN));
            for (String k : List.of("test_accuracy", "test_loss", "init_probe_mse", "mean_train_mse_timed_steps")) {
                double v = Peer.number(p.lastResult, k);
                if (!Double.isNaN(v)) m.put(k, v);
            }
            double[] losses = Peer.numbers(p.lastResult, "train_loss_per_epoch");
            if (losses.length > 0) m.put("train_loss_per_epoch", losses);
            m.put("peak_rss_mib", rss);
            opt.out().println(Measure.json(m));
        }
        if (touched.isEmpty()) throw new IllegalStateException(impl + " printed no " + workload + " result");
    }

    /** A child launcher with the options given, or {@code workloadDefault} when none were. */
    private ChildJvm child(String workloadDefault) {
        return new ChildJvm(opt.childJvmOptions() != null ? opt.childJvmOptions() : workloadDefault, opt.err());
    }

    /**
     * The {@code mlp} workload with {@code norm} for {@code epochs} epochs, Descent (child JVM)
     * and the peer alternately for each round; returns the summary that was printed last.
     */
    public Map<String, Object> mlp(MlpWorkload.Norm norm, int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("bench mlp: epochs must be >= 1, got " + epochs);
        Map<String, Pooled> pooled = new LinkedHashMap<>();
        ChildJvm child = child(ChildJvm.DEFAULT_HEAP_OPTIONS);
        String variant = "norm=" + norm;
        for (int round = 0; round < opt.rounds(); round++) {
            List<String> args = new ArrayList<>(List.of("mlp", "--norm", norm.toString(), "--epochs", Integer.toString(epochs),
                    "--seed", Long.toString(opt.seed()), "--warmup-s", Double.toString(opt.warmupS())));
            if (opt.dataDir() != null) args.addAll(List.of("--data-dir", opt.dataDir().toString()));
            pool("mlp", round, child.run(args), pooled, "descent", line -> variant);
            if (peer != null) {
                List<String> pargs = new ArrayList<>(List.of("mlp", "--norm", norm.toString(), "--epochs", Integer.toString(epochs),
                        "--seed", Long.toString(opt.seed())));
                if (opt.dataDir() != null) pargs.addAll(List.of("--data-dir", opt.dataDir().toString()));
                pool("mlp", round, peer.run(pargs), pooled, "torch", line -> variant);
            }
        }
        table(pooled, "epoch", "samples/s", 60000);
        Pooled d = pooled.get("descent|" + variant), t = pooled.get("torch|" + variant);
        Map<String, Object> summary = summaryHead("mlp", variant);
        summary.put("epochs", epochs);
        summary.put("descent_jvm_options", child.jvmOptions());
        summary.put("descent", trainingFigures(d, "median_epoch_s"));
        Map<String, Object> ratios = new LinkedHashMap<>();
        Map<String, Object> bars = new LinkedHashMap<>();
        if (t != null) {
            summary.put("torch", trainingFigures(t, "median_epoch_s"));
            double time = d.median() / t.median(), rss = d.peakRss / t.peakRss;
            double acc = d.number("test_accuracy") - t.number("test_accuracy");
            ratios.put("epoch_time_descent_over_torch", time);
            ratios.put("epoch_time_min_descent_over_torch", d.min() / t.min());
            ratios.put("peak_rss_descent_over_torch", rss);
            ratios.put("test_accuracy_descent_minus_torch", acc);
            bars.put("epoch_time_ratio_at_most", MLP_EPOCH_RATIO_BAR);
            bars.put("epoch_time_met", time <= MLP_EPOCH_RATIO_BAR);
            bars.put("peak_rss_ratio_at_most", MLP_RSS_RATIO_BAR);
            bars.put("peak_rss_met", rss <= MLP_RSS_RATIO_BAR);
            bars.put("test_accuracy_at_least_torch_minus", MLP_ACCURACY_SLACK);
            bars.put("test_accuracy_met", acc >= -MLP_ACCURACY_SLACK);
        }
        return finish(summary, ratios, bars);
    }

    /**
     * The {@code rnn-adding} workload: {@code warmup} untimed and {@code steps} timed training
     * steps, Descent (child JVM) and the peer (both of its variants) alternately for each round.
     */
    public Map<String, Object> rnnAdding(int warmup, int steps) {
        if (steps < 1) throw new IllegalArgumentException("bench rnn-adding: steps must be >= 1, got " + steps);
        if (warmup < 0) throw new IllegalArgumentException("bench rnn-adding: warm-up steps must be >= 0, got " + warmup);
        Map<String, Pooled> pooled = new LinkedHashMap<>();
        ChildJvm child = child(ChildJvm.RNN_HEAP_OPTIONS);
        for (int round = 0; round < opt.rounds(); round++) {
            pool("rnn-adding", round, child.run(List.of("rnn-adding", "--steps", Integer.toString(steps), "--warmup",
                    Integer.toString(warmup), "--seed", Long.toString(opt.seed()), "--warmup-s", Double.toString(opt.warmupS()))),
                    pooled, "descent", line -> "fused-rnn-scan");
            if (peer != null) {
                pool("rnn-adding", round, peer.run(List.of("rnn-adding", "--variant", "both", "--steps", Integer.toString(steps),
                        "--warmup", Integer.toString(warmup), "--seed", Long.toString(opt.seed()))),
                        pooled, "torch", line -> Peer.string(line, "variant"));
            }
        }
        table(pooled, "step", "sequences/s", RnnAddingWorkload.BATCH);
        Pooled d = pooled.get("descent|fused-rnn-scan"), t = pooled.get("torch|torch.nn.RNN"),
                loop = pooled.get("torch|python-loop-rnncell");
        Map<String, Object> summary = summaryHead("rnn-adding", "tanh T=200 H=128 B=32");
        summary.put("descent_jvm_options", child.jvmOptions());
        summary.put("descent", rnnFigures(d));
        Map<String, Object> ratios = new LinkedHashMap<>();
        Map<String, Object> bars = new LinkedHashMap<>();
        if (t != null) {
            summary.put("torch", rnnFigures(t));
            if (loop != null) summary.put("torch_loop", rnnFigures(loop));
            double time = d.median() / t.median();
            ratios.put("step_time_descent_over_torch", time);
            ratios.put("step_time_min_descent_over_torch", d.min() / t.min());
            if (loop != null) ratios.put("step_time_descent_over_torch_loop", d.median() / loop.median());
            ratios.put("peak_rss_descent_over_torch", d.peakRss / t.peakRss);
            ratios.put("init_probe_mse_descent_minus_torch", d.number("init_probe_mse") - t.number("init_probe_mse"));
            bars.put("step_time_ratio_at_most", RNN_STEP_RATIO_BAR);
            bars.put("step_time_met", time <= RNN_STEP_RATIO_BAR);
        }
        return finish(summary, ratios, bars);
    }

    private static Map<String, Object> trainingFigures(Pooled p, String timeKey) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(timeKey, p.median());
        m.put(timeKey.replace("median", "min"), p.min());
        m.put("repeats", p.times.length);
        m.put("peak_rss_mib", p.peakRss);
        double[] losses = p.numbers("train_loss_per_epoch");
        m.put("final_train_loss", losses.length > 0 ? losses[losses.length - 1] : Double.NaN);
        m.put("test_accuracy", p.number("test_accuracy"));
        m.put("test_loss", p.number("test_loss"));
        return m;
    }

    private static Map<String, Object> rnnFigures(Pooled p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_step_s", p.median());
        m.put("min_step_s", p.min());
        m.put("repeats", p.times.length);
        m.put("peak_rss_mib", p.peakRss);
        m.put("init_probe_mse", p.number("init_probe_mse"));
        m.put("mean_train_mse_timed_steps", p.number("mean_train_mse_timed_steps"));
        return m;
    }

    private Map<String, Object> summaryHead(String workload, String variant) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("summary", workload);
        summary.put("variant", variant);
        summary.put("rounds", opt.rounds());
        summary.put("peer", peer != null);
        return summary;
    }

    private Map<String, Object> finish(Map<String, Object> summary, Map<String, Object> ratios, Map<String, Object> bars) {
        summary.put("ratios", ratios);
        if (!bars.isEmpty()) summary.put("bars", bars);
        opt.out().println(Measure.json(summary));
        return summary;
    }

    private void table(Map<String, Pooled> pooled, String unit, String throughputUnit, double itemsPerRepeat) {
        PrintStream o = opt.out();
        o.println(String.format(Locale.ROOT, "%-8s %-20s %12s %12s %14s %10s %10s %9s", "impl", "variant",
                "median " + unit + " ms", "min ms", throughputUnit, "peak MiB", "loss", "test acc"));
        for (Pooled p : pooled.values()) {
            double[] epochLoss = p.numbers("train_loss_per_epoch");
            double loss = epochLoss.length > 0 ? epochLoss[epochLoss.length - 1] : p.number("mean_train_mse_timed_steps");
            o.println(String.format(Locale.ROOT, "%-8s %-20s %12.3f %12.3f %14.1f %10.1f %10.5f %9s", p.impl, p.variant,
                    p.median() * 1e3, p.min() * 1e3, itemsPerRepeat / p.median(), p.peakRss, loss,
                    Double.isNaN(p.number("test_accuracy")) ? "-" : String.format(Locale.ROOT, "%.4f", p.number("test_accuracy"))));
        }
    }

    /** SGEMM C = A·B at each N (float32, preallocated C, as the peer), GFLOP/s = 2N³/t. */
    public Map<String, Object> gemm(int[] sizes) {
        Map<String, double[]> times = new LinkedHashMap<>();
        Map<Integer, float[][]> data = new LinkedHashMap<>();
        for (int n : sizes) {
            if (n <= 0) throw new IllegalArgumentException("bench gemm: sizes must be positive, got " + n);
            Rng rng = new Rng(opt.seed() + n);
            data.put(n, new float[][] {rng.normal(DType.F32, 0, 1, n, n).rawF32(), rng.normal(DType.F32, 0, 1, n, n).rawF32(), new float[n * n]});
        }
        // Compile the kernels first (the first size would otherwise pay for C2), then per size
        // the 0.3 s warm-up of the peer. 512: its tasks are 256 columns wide, enough for the
        // rows-first path and its kernel (at 256 the tasks are 128 wide and only the general
        // kernel is compiled, and N = 512's first round ran several times slower; see
        // docs/performance.md, "SGEMM side by side").
        int wn = 512;
        float[][] w = {new Rng(opt.seed()).normal(DType.F32, 0, 1, wn, wn).rawF32(), new float[wn * wn]};
        JitWarmup.run(() -> GemmF32.gemm(false, false, wn, wn, wn, w[0], 0, wn, w[0], 0, wn, w[1], 0, wn, false),
                opt.warmupS());
        for (int round = 0; round < opt.rounds(); round++) {
            for (int n : sizes) {
                float[][] d = data.get(n);
                double[] t = Measure.time(() -> {
                    GemmF32.gemm(false, false, n, n, n, d[0], 0, n, d[1], 0, n, d[2], 0, n, false);
                    return d[2];
                }, 0.3, 2, 10);
                times.merge("descent|" + n, t, SideBySide::concat);
            }
            if (peer != null) {
                StringBuilder sz = new StringBuilder();
                for (int n : sizes) sz.append(sz.length() > 0 ? "," : "").append(n);
                for (String line : peer.run(List.of("gemm", "--sizes", sz.toString(), "--no-unset-run",
                        "--blas-env-label", "unset:OPENBLAS_CORETYPE,OPENBLAS_L2_SIZE", "--seed", Long.toString(opt.seed())))) {
                    if (!"gemm".equals(Peer.string(line, "workload")) || !"result".equals(Peer.string(line, "record"))) continue;
                    String impl = Peer.string(line, "variant");
                    times.merge(impl + "|" + (int) Peer.number(line, "N"), Peer.numbers(line, "times_s"), SideBySide::concat);
                }
            }
        }
        List<Measure.Result> results = new ArrayList<>();
        for (Map.Entry<String, double[]> e : times.entrySet()) {
            String[] k = e.getKey().split("\\|");
            int n = Integer.parseInt(k[1]);
            double[] t = e.getValue();
            double gflops = 2.0 * n * n * n / WorkloadMain.median(t) / 1e9;
            results.add(new Measure.Result("gemm", k[0], params("N", n, "dtype", "float32"), t, gflops, "GFLOP/s", Map.of()));
        }
        for (Measure.Result r : results) opt.out().println(r.toJson());
        printTimes(results, r -> "N=" + r.params().get("N"));
        Map<String, Object> ratios = new LinkedHashMap<>();
        Map<String, Object> bars = new LinkedHashMap<>();
        for (Measure.Result d : results) {
            if (!d.impl().equals("descent")) continue;
            for (Measure.Result p : results) {
                if (!p.impl().equals("descent") && p.params().get("N").equals(d.params().get("N"))) {
                    double r = d.throughput() / p.throughput();
                    ratios.put("throughput_descent_over_" + p.impl() + "_N" + d.params().get("N"), r);
                    if (p.impl().equals("numpy.matmul") && d.params().get("N").equals(1024)) {
                        bars.put("throughput_over_numpy_N1024_at_least", GEMM_1024_THROUGHPUT_BAR);
                        bars.put("throughput_met", r >= GEMM_1024_THROUGHPUT_BAR);
                    }
                }
            }
        }
        return finish(summaryHead("gemm", "float32 C=A·B"), ratios, bars);
    }

    /**
     * The peer's hvp workload: gradient (forward + backward) vs Hessian-vector product
     * (forward-over-reverse) of the MLP on 128 images, interleaved per repetition; the MLP starts
     * from the peer's initialisation ({@link TorchGenerator}).
     */
    public Map<String, Object> hvp(Tensor[] batch) {
        Module model = MlpWorkload.model(MlpWorkload.Norm.NONE, new TorchGenerator(opt.seed()));
        Params params = model.parameters();
        Var x = Var.constant(batch[0]), y = Var.constant(batch[1]);
        Function<VarParams, Var> loss = vp -> Losses.softmaxCrossEntropy(model.apply(vp, x), y);
        Rng vr = new Rng(opt.seed() + 1);
        Params v = params.map(t -> vr.normal(DType.F32, 0, 1, t.dims()));
        Map<String, double[]> times = new LinkedHashMap<>();
        double lossValue;
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            lossValue = loss.apply(VarParams.constants(params)).value().item();
        }
        JitWarmup.Result warm = JitWarmup.run(() -> {
            Autodiff.grad(loss, params);
            Autodiff.hvp(loss, params, v);
        }, opt.warmupS());
        for (int round = 0; round < opt.rounds(); round++) {
            double[] g = new double[HVP_REPEATS], h = new double[HVP_REPEATS], f = new double[HVP_REPEATS];
            // As the peer: each repetition runs the methods back to back, after 3 untimed rounds.
            for (int rep = -3; rep < HVP_REPEATS; rep++) {
                long t0 = System.nanoTime();
                try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
                    loss.apply(VarParams.constants(params)).value();
                }
                long t1 = System.nanoTime();
                Autodiff.grad(loss, params);
                long t2 = System.nanoTime();
                Autodiff.hvp(loss, params, v);
                long t3 = System.nanoTime();
                if (rep < 0) continue;
                f[rep] = (t1 - t0) * 1e-9;
                g[rep] = (t2 - t1) * 1e-9;
                h[rep] = (t3 - t2) * 1e-9;
            }
            times.merge("descent|forward(no_grad)", f, SideBySide::concat);
            times.merge("descent|grad", g, SideBySide::concat);
            times.merge("descent|hvp(forward-over-reverse)", h, SideBySide::concat);
            if (peer != null) {
                for (String line : peer.run(List.of("hvp", "--seed", Long.toString(opt.seed())))) {
                    if (!"hvp".equals(Peer.string(line, "workload")) || !"result".equals(Peer.string(line, "record"))) continue;
                    String variant = Peer.string(line, "variant");
                    String key = variant.startsWith("grad") ? "torch|grad" : variant.startsWith("forward") ? "torch|forward(no_grad)"
                            : variant.startsWith("hvp.double") ? "torch|hvp(double-backward)" : "torch|hvp(functional)";
                    times.merge(key, Peer.numbers(line, "times_s"), SideBySide::concat);
                }
            }
        }
        List<Measure.Result> results = new ArrayList<>();
        for (Map.Entry<String, double[]> e : times.entrySet()) {
            String[] k = e.getKey().split("\\|");
            double[] t = e.getValue();
            results.add(new Measure.Result("hvp", k[0], params("variant", k[1], "batch", batch[0].dim(0)), t,
                    batch[0].dim(0) / WorkloadMain.median(t), "samples/s", k[0].equals("descent") ? Map.of("loss", lossValue) : Map.of()));
        }
        for (Measure.Result r : results) opt.out().println(r.toJson());
        printTimes(results, r -> (String) r.params().get("variant"));
        Map<String, Double> med = new LinkedHashMap<>();
        for (Measure.Result r : results) med.put(r.impl() + "|" + r.params().get("variant"), r.medianS());
        double dg = med.get("descent|grad"), dh = med.get("descent|hvp(forward-over-reverse)");
        Map<String, Object> ratios = new LinkedHashMap<>();
        ratios.put("descent_hvp_over_grad", dh / dg);
        Double tg = med.get("torch|grad"), th = med.get("torch|hvp(double-backward)");
        if (tg != null && th != null) {
            ratios.put("torch_hvp_over_grad", th / tg);
            ratios.put("grad_time_descent_over_torch", dg / tg);
            ratios.put("hvp_time_descent_over_torch", dh / th);
        }
        Map<String, Object> bars = new LinkedHashMap<>();
        bars.put("descent_hvp_over_grad_at_most", HVP_OVER_GRAD_BAR);
        bars.put("hvp_over_grad_met", dh / dg <= HVP_OVER_GRAD_BAR);
        Map<String, Object> summary = summaryHead("hvp", "mlp norm=none batch " + batch[0].dim(0));
        summary.put("descent_loss", lossValue);
        summary.put("descent_jit_warmup_s", warm.seconds());
        return finish(summary, ratios, bars);
    }

    private void printTimes(List<Measure.Result> results, Function<Measure.Result, String> label) {
        opt.out().println(String.format(Locale.ROOT, "%-14s %-28s %12s %12s %16s", "impl", "variant", "median ms", "min ms", "throughput"));
        for (Measure.Result r : results) {
            opt.out().println(String.format(Locale.ROOT, "%-14s %-28s %12.4f %12.4f %10.1f %s", r.impl(), label.apply(r),
                    r.medianS() * 1e3, r.minS() * 1e3, r.throughput(), r.throughputUnit()));
        }
    }
}
