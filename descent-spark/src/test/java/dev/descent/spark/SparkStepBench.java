package dev.descent.spark;

import dev.descent.bench.Measure;
import dev.descent.cli.SequenceModel;
import dev.descent.data.AddingTask;
import dev.descent.nn.Activation;
import dev.descent.nn.Rnn;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedules;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.train.Evaluator;
import dev.descent.train.Objective;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingOptimizer;
import dev.descent.train.TrainingState;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The {@code spark-step} measurement of issue 18 part 4: the per-step overhead of
 * {@link SparkTrainer} on {@code local[1]} (one partition) and {@code local[2]} (two partitions)
 * against the single-JVM {@link Trainer} on the same work: the tanh RNN on the adding problem,
 * float32, batch 50, one Adam step (clip 1, η = 10⁻³) per step. Prints one JSON result line per
 * configuration ({@code "workload": "spark-step"}, the same record as {@code descent bench}'s) and
 * a closing line with each Spark median minus the single-JVM median.
 *
 * <p>It lives in descent-spark's test scope because Spark is a {@code provided} dependency: the
 * default jar has no Spark, and the test classpath has it. Run it (see descent-bench/README.md)
 * with {@code mvn -B -ntp -o -q -pl descent-spark -am test -Dtest=SparkStepBenchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Ddescent.spark.bench=T,H,STEPS}.
 */
public final class SparkStepBench {
    private SparkStepBench() {}

    /** Batch of every step. */
    static final int BATCH = 50;

    /** Medians in seconds by configuration ({@code single-jvm}, {@code local[1]}, {@code local[2]}). */
    static Map<String, Double> run(int length, int hidden, int warmup, int steps, long seed, PrintStream out) {
        AddingTask task = new AddingTask(length);
        ModelSource source = () -> SequenceModel.rnn(Rnn.Config.of(2, hidden).withActivation(Activation.TANH), 1, false,
                new Rng(seed), DType.F32);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("T", length);
        params.put("hidden", hidden);
        params.put("batch", BATCH);
        params.put("optimizer", "Adam, clip 1");
        params.put("warmup_steps", warmup);
        params.put("timed_steps", steps);
        params.put("dtype", "float32");
        Map<String, Double> medians = new LinkedHashMap<>();
        // The trainer's end-of-run evaluation is on one sequence (negligible), as descent longterm's.
        Evaluator one = new Evaluator(task.generate(1, new Rng(seed + 2)), DType.F32, task.trivialBaseline(), 1);
        Trainer single = new Trainer(source.build(), Objective.MEAN_SQUARED_ERROR, adam(), task.stream(BATCH, seed), one, List.of());
        medians.put("single-jvm", measure("single-jvm", params, warmup, steps, single.initialState(),
                (s) -> single.run(s, new TrainingConfig(s.step() + 1, Long.MAX_VALUE / 4, 0, 0), new TrainingObserver() {}), -1, out));
        for (int threads : new int[] {1, 2}) {
            String master = "local[" + threads + "]";
            JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster(master).setAppName("descent-spark-step")
                    .set("spark.ui.enabled", "false").set("spark.driver.bindAddress", "127.0.0.1").set("spark.driver.host", "127.0.0.1"));
            try {
                sc.setLogLevel("ERROR");
                SparkTrainer t = new SparkTrainer(source, Objective.MEAN_SQUARED_ERROR, adam(), SparkData.synthetic(sc, task, threads),
                        BATCH, seed, null);
                medians.put(master, measure(master, params, warmup, steps, t.initialState(),
                        s -> t.run(s, new TrainingConfig(s.step() + 1, Long.MAX_VALUE / 4, 0, 0), new TrainingObserver() {}), threads, out));
            } finally {
                sc.stop();
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("summary", "spark-step");
        double base = medians.get("single-jvm");
        Map<String, Object> overhead = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : medians.entrySet()) {
            if (e.getKey().equals("single-jvm")) continue;
            overhead.put(e.getKey() + "_minus_single_jvm_s", e.getValue() - base);
            overhead.put(e.getKey() + "_over_single_jvm", e.getValue() / base);
        }
        summary.put("median_step_s", medians);
        summary.put("overhead", overhead);
        out.println(Measure.json(summary));
        return medians;
    }

    private static TrainingOptimizer adam() {
        return new TrainingOptimizer.FirstOrder("adam", Optimizers.chain(Optimizers.clipByGlobalNorm(1), Optimizers.adam(1e-3)),
                Schedules.constant(1e-3), OptionalDouble.of(1));
    }

    private static double measure(String impl, Map<String, Object> params, int warmup, int steps, TrainingState start,
                                  Function<TrainingState, TrainingState> step, int partitions, PrintStream out) {
        TrainingState s = start;
        double[] times = new double[steps];
        for (int i = -warmup; i < steps; i++) {
            long t0 = System.nanoTime();
            s = step.apply(s);
            if (i >= 0) times[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Map<String, Object> p = new LinkedHashMap<>(params);
        if (partitions > 0) p.put("partitions", partitions);
        Measure.Result r = new Measure.Result("spark-step", impl, p, times, BATCH / median(times), "sequences/s", Map.of());
        out.println(r.toJson());
        out.println(String.format(Locale.ROOT, "spark-step %-10s median %.4f s, min %.4f s", impl, r.medianS(), r.minS()));
        return r.medianS();
    }

    private static double median(double[] v) {
        double[] t = v.clone();
        Arrays.sort(t);
        int n = t.length;
        return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    }

    /** {@code SparkStepBench [T H STEPS]}: defaults T = 200, H = 100, 20 timed steps after 10 untimed. */
    public static void main(String[] args) {
        int length = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int hidden = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        run(length, hidden, 10, steps, 0, System.out);
    }
}
