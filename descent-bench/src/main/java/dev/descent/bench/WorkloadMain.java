package dev.descent.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Descent's side of one side-by-side measurement, run in its own JVM (see {@link ChildJvm}) so
 * that its peak resident memory is that of the workload alone, as the peer's {@code ru_maxrss} is
 * that of its own process. Prints, like {@code peer_torch.py}, one JSON line per result
 * ({@code "record": "result"}) and finally one {@code "record": "peak_mem"} line with this
 * process's VmHWM.
 *
 * <pre>
 * WorkloadMain mlp --norm none|weight|batch [--epochs N] [--seed S] [--data-dir DIR] [--warmup-s S]
 * WorkloadMain rnn-adding [--steps N] [--warmup N] [--seed S] [--warmup-s S]
 * </pre>
 */
public final class WorkloadMain {
    private WorkloadMain() {}

    /** Default seconds of JIT warm-up on a throwaway model before the measured run. */
    public static final double DEFAULT_WARMUP_S = 3.0;

    /** Parsed {@code --key value} options after the workload name. */
    static Map<String, String> options(String[] args, List<String> allowed) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String k = args[i];
            if (!k.startsWith("--") || !allowed.contains(k.substring(2))) {
                throw new IllegalArgumentException("unknown option '" + k + "' for " + args[0] + "; expected one of " + allowed);
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + k + " needs a value");
            m.put(k.substring(2), args[++i]);
        }
        return m;
    }

    /** Runs the workload named by {@code args[0]} and prints its JSON lines to stdout. */
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        PrintStream out = System.out;
        if (args.length == 0) throw new IllegalArgumentException("usage: WorkloadMain mlp|rnn-adding [options]");
        String workload = args[0];
        switch (workload) {
            case "mlp": {
                Map<String, String> o = options(args, List.of("norm", "epochs", "seed", "data-dir", "warmup-s"));
                MlpWorkload.Norm norm = MlpWorkload.Norm.parse(o.getOrDefault("norm", "none"));
                int epochs = Integer.parseInt(o.getOrDefault("epochs", "2"));
                long seed = Long.parseLong(o.getOrDefault("seed", "0"));
                double warmup = Double.parseDouble(o.getOrDefault("warmup-s", Double.toString(DEFAULT_WARMUP_S)));
                Path dir = o.containsKey("data-dir") ? Path.of(o.get("data-dir")) : MlpWorkload.defaultDirectory();
                long t0 = System.nanoTime();
                MlpWorkload.Data data = MlpWorkload.load(dir);
                double loadS = (System.nanoTime() - t0) * 1e-9;
                MlpWorkload.Result r = new MlpWorkload(norm, data, seed).run(epochs, warmup, System.err);
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("train_loss_per_epoch", r.trainLoss());
                extra.put("test_accuracy", r.testAccuracy());
                extra.put("test_loss", r.testLoss());
                extra.put("data_load_s", loadS);
                extra.put("jit_warmup_s", r.warmup().seconds());
                extra.put("jit_warmup_steps", r.warmup().steps());
                extra.put("jit_settled", r.warmup().settled());
                int n = data.train().count();
                Measure.Result res = new Measure.Result("mlp", "descent", SideBySide.mlpParams(norm, epochs, r.parameters()),
                        r.epochTimesS(), n / median(r.epochTimesS()), "samples/s", extra);
                out.println(res.toJson());
                break;
            }
            case "rnn-adding": {
                Map<String, String> o = options(args, List.of("steps", "warmup", "seed", "warmup-s"));
                int steps = Integer.parseInt(o.getOrDefault("steps", "50"));
                int warmupSteps = Integer.parseInt(o.getOrDefault("warmup", "5"));
                long seed = Long.parseLong(o.getOrDefault("seed", "0"));
                double warmup = Double.parseDouble(o.getOrDefault("warmup-s", Double.toString(DEFAULT_WARMUP_S)));
                RnnAddingWorkload.Result r = new RnnAddingWorkload(seed).run(warmupSteps, steps, warmup);
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("init_probe_mse", r.initProbeLoss());
                extra.put("mean_train_mse_timed_steps", mean(r.losses()));
                extra.put("last_train_mse", r.losses()[r.losses().length - 1]);
                extra.put("jit_warmup_s", r.warmup().seconds());
                extra.put("jit_warmup_steps", r.warmup().steps());
                extra.put("jit_settled", r.warmup().settled());
                Measure.Result res = new Measure.Result("rnn-adding", "descent",
                        SideBySide.rnnParams(warmupSteps, steps, r.parameters()), r.stepTimesS(),
                        RnnAddingWorkload.BATCH / median(r.stepTimesS()), "sequences/s", extra);
                out.println(res.toJson());
                break;
            }
            default:
                throw new IllegalArgumentException("unknown workload '" + workload + "'; expected mlp or rnn-adding");
        }
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("record", "peak_mem");
        mem.put("workload", workload);
        mem.put("impl", "descent");
        mem.put("peak_rss_mib", Measure.peakRssMib());
        mem.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024.0 * 1024.0));
        mem.put("wall_s", (System.nanoTime() - start) * 1e-9);
        mem.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        out.println(Measure.json(mem));
        out.flush();
    }

    static double median(double[] v) {
        double[] t = v.clone();
        java.util.Arrays.sort(t);
        int n = t.length;
        return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
