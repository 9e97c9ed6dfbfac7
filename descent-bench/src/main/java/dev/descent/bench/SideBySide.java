package dev.descent.bench;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
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
 * that a slow phase of the (noisy) VM hits both; all repetitions are pooled per variant. Prints one
 * JSON line per measurement, a readable table, and one summary line
 * {@code {"summary": ..., "ratios": {...}}}.
 */
public final class SideBySide {
    /** Options shared by all workloads. */
    public record Options(boolean peer, Path peerDir, int rounds, long seed, PrintStream out, PrintStream err) {}

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

    private static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** SGEMM C = A·B at each N (float32, preallocated C, as the peer), GFLOP/s = 2N³/t. */
    public List<Measure.Result> gemm(int[] sizes) {
        Map<String, double[]> times = new LinkedHashMap<>();
        Map<Integer, float[][]> data = new LinkedHashMap<>();
        for (int n : sizes) {
            Rng rng = new Rng(opt.seed() + n);
            data.put(n, new float[][] {rng.normal(DType.F32, 0, 1, n, n).rawF32(), rng.normal(DType.F32, 0, 1, n, n).rawF32(), new float[n * n]});
        }
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
            Measure.Result tmp = new Measure.Result("gemm", k[0], params("N", n, "dtype", "float32"), t, 0, "GFLOP/s", Map.of());
            double gflops = 2.0 * n * n * n / tmp.medianS() / 1e9;
            results.add(new Measure.Result("gemm", k[0], tmp.params(), t, gflops, "GFLOP/s", Map.of()));
        }
        report("gemm", results, r -> "N=" + r.params().get("N"), true);
        return results;
    }

    /**
     * The peer's hvp workload: gradient (forward + backward) vs Hessian-vector product
     * (forward-over-reverse) of the MLP on 128 images, interleaved per repetition.
     */
    public List<Measure.Result> hvp(Tensor[] batch) {
        Rng rng = new Rng(opt.seed());
        Params params = Workloads.mlpParams(rng, DType.F32);
        Function<VarParams, Var> loss = Workloads.mlpLoss(batch[0], batch[1]);
        Rng vr = new Rng(opt.seed() + 1);
        Params v = params.map(t -> vr.normal(DType.F32, 0, 1, t.dims()));
        Map<String, double[]> times = new LinkedHashMap<>();
        double[] lossValue = {Double.NaN};
        for (int round = 0; round < opt.rounds(); round++) {
            double[] g = new double[0], h = new double[0], f = new double[0];
            for (int rep = 0; rep < 10; rep++) {
                double[] tf = Measure.time(() -> {
                    try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
                        return loss.apply(VarParams.constants(params)).value();
                    }
                }, rep == 0 && round == 0 ? 2.0 : 0, 1, 1);
                double[] tg = Measure.time(() -> Autodiff.grad(loss, params), rep == 0 && round == 0 ? 2.0 : 0, 1, 1);
                double[] th = Measure.time(() -> Autodiff.hvp(loss, params, v), rep == 0 && round == 0 ? 2.0 : 0, 1, 1);
                f = concat(f, tf);
                g = concat(g, tg);
                h = concat(h, th);
            }
            times.merge("descent|forward(no_grad)", f, SideBySide::concat);
            times.merge("descent|grad", g, SideBySide::concat);
            times.merge("descent|hvp(forward-over-reverse)", h, SideBySide::concat);
            try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
                lossValue[0] = loss.apply(VarParams.constants(params)).value().item();
            }
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
            Measure.Result tmp = new Measure.Result("hvp", k[0], params("variant", k[1], "batch", batch[0].dim(0)), e.getValue(), 0, "", Map.of());
            results.add(new Measure.Result("hvp", k[0], tmp.params(), e.getValue(), batch[0].dim(0) / tmp.medianS(), "samples/s",
                    k[0].equals("descent") ? Map.of("loss", lossValue[0]) : Map.of()));
        }
        report("hvp", results, r -> (String) r.params().get("variant"), false);
        return results;
    }

    private void report(String workload, List<Measure.Result> results, Function<Measure.Result, String> label, boolean higherIsBetter) {
        for (Measure.Result r : results) opt.out().println(r.toJson());
        opt.out().println(String.format(Locale.ROOT, "%-10s %-28s %-14s %12s %12s %14s", "impl", "variant", "", "median ms", "min ms", "throughput"));
        for (Measure.Result r : results) {
            opt.out().println(String.format(Locale.ROOT, "%-10s %-28s %-14s %12.4f %12.4f %10.1f %s", r.impl(), label.apply(r), "",
                    r.medianS() * 1e3, r.minS() * 1e3, r.throughput(), r.throughputUnit()));
        }
        Map<String, Object> ratios = new LinkedHashMap<>();
        if (workload.equals("gemm")) {
            for (Measure.Result d : results) {
                if (!d.impl().equals("descent")) continue;
                for (Measure.Result p : results) {
                    if (!p.impl().equals("descent") && p.params().get("N").equals(d.params().get("N"))) {
                        ratios.put("throughput_descent_over_" + p.impl() + "_N" + d.params().get("N"), d.throughput() / p.throughput());
                    }
                }
            }
        } else {
            Map<String, Double> med = new LinkedHashMap<>();
            for (Measure.Result r : results) med.put(r.impl() + "|" + r.params().get("variant"), r.medianS());
            Double dg = med.get("descent|grad"), dh = med.get("descent|hvp(forward-over-reverse)");
            ratios.put("descent_hvp_over_grad", dh / dg);
            Double tg = med.get("torch|grad"), th = med.get("torch|hvp(double-backward)");
            if (tg != null && th != null) {
                ratios.put("torch_hvp_over_grad", th / tg);
                ratios.put("grad_time_descent_over_torch", dg / tg);
                ratios.put("hvp_time_descent_over_torch", dh / th);
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("summary", workload);
        summary.put("rounds", opt.rounds());
        summary.put("peer", peer != null);
        summary.put("ratios", ratios);
        summary.put("descent_peak_rss_mib", Measure.peakRssMib());
        opt.out().println(Measure.json(summary));
    }

    /** {@code SideBySide gemm|hvp [--peer] [--peer-dir DIR] [--rounds N]}: a plain entry point for scripts. */
    public static void main(String[] args) {
        boolean peer = false;
        Path dir = Path.of("../shared/bench/peer");
        int rounds = 3;
        String what = args.length > 0 ? args[0] : "gemm";
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--peer": peer = true; break;
                case "--peer-dir": dir = Path.of(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        SideBySide s = new SideBySide(new Options(peer, dir, rounds, 0, System.out, System.err));
        if (what.equals("gemm")) s.gemm(new int[] {512, 1024, 2048});
        else s.hvp(Workloads.syntheticBatch(new Rng(0), DType.F32, 128));
    }
}
