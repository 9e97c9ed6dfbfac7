package dev.descent.spark;

import dev.descent.bench.Measure;
import dev.descent.cli.SequenceModel;
import dev.descent.data.AddingTask;
import dev.descent.data.BatchStream;
import dev.descent.data.Batcher;
import dev.descent.data.Dataset;
import dev.descent.data.FashionMnist;
import dev.descent.nn.Activation;
import dev.descent.nn.ActivationLayer;
import dev.descent.nn.Linear;
import dev.descent.nn.Rnn;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedules;
import dev.descent.optim.second.HessianFree;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.train.Baselines;
import dev.descent.train.Evaluator;
import dev.descent.train.Objective;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingOptimizer;
import dev.descent.train.TrainingState;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The measured table of issue 15 (item 4): per-step wall time of the same work on one JVM
 * ({@link Trainer}) and on {@link SparkTrainer} over {@code local[1]} and {@code local[2]} with
 * 1, 2 and 4 partitions, for (a) the MLP 784-256-10 (float32, Adam) on Fashion-MNIST at batch
 * 4096, one Spark job per step, and (b) Hessian-free (CG ≤ 20) on the tanh RNN 64 on the adding
 * task (T = 30, batch 1000), about 17 jobs per step. One JSON line per configuration
 * ({@code "workload": "spark-table"}: the step times, median, jobs per step, and the overhead
 * against one JVM in total and per job), then one summary line per work. Both sides evaluate one
 * held-out example per step (the trainers evaluate at a run's last step), a negligible cost.
 *
 * <p>Lives in descent-spark's test scope (Spark is {@code provided}); run through
 * {@code SparkStepBenchTest} with {@code -Ddescent.spark.table=full} (see
 * descent-bench/README.md). The test runs it at {@link Size#TINY} without the property.
 */
public final class SparkScalingBench {
    private SparkScalingBench() {}

    /**
     * The sizes of a run.
     *
     * @param mlpRows training rows of Fashion-MNIST used (0: all 60,000); synthetic stand-in rows when the set is absent and this is tiny
     */
    record Size(String name, int mlpBatch, int mlpHidden, int mlpRows, int hfBatch, int hfHidden, int hfLength, int cgIterations,
                int warmup, int mlpTimed, int hfTimed) {
        static final Size FULL = new Size("full", 4096, 256, 0, 1000, 64, 30, 20, 2, 10, 5);
        static final Size TINY = new Size("tiny", 64, 8, 512, 16, 4, 5, 3, 1, 2, 2);

        static Size of(String name) {
            return switch (name.strip()) {
                case "full" -> FULL;
                case "tiny" -> TINY;
                default -> throw new IllegalArgumentException("descent.spark.table: expected full or tiny, got '" + name + "'");
            };
        }
    }

    /** A Spark configuration: master threads and partitions. */
    record Config(int threads, int partitions) {
        String master() {
            return "local[" + threads + "]";
        }
    }

    static final List<Config> CONFIGS = List.of(new Config(1, 1), new Config(1, 2), new Config(2, 1), new Config(2, 2), new Config(2, 4));

    /** One work: how to build each side. */
    private record Work(String name, Map<String, Object> params, ModelSource model, Objective objective, Supplier<TrainingOptimizer> optimizer,
                        Supplier<BatchStream> local, Dataset fixed, AddingTask task, int batch, int timed,
                        Evaluator evaluator) {}

    /**
     * Runs both works at {@code size}: each on one JVM, then on one Spark context per master
     * (its partition counts in turn); returns every result (also printed to {@code out}), then
     * prints a summary line per work.
     */
    static List<Measure.Result> run(Size size, PrintStream out) {
        List<Work> works = List.of(mlp(size), hf(size));
        List<Measure.Result> all = new ArrayList<>();
        Map<String, Map<String, Object>> medians = new LinkedHashMap<>();
        Map<String, Double> base = new LinkedHashMap<>();
        for (Work w : works) {
            Trainer single = new Trainer(w.model().build(), w.objective(), w.optimizer().get(), w.local().get(), w.evaluator(), List.of());
            double[] t1 = times(s -> single.run(s, next(s), new TrainingObserver() {}), single.initialState(), size.warmup(), w.timed());
            Measure.Result r = result(w, "single-jvm", 0, 0, t1, Double.NaN, out);
            all.add(r);
            base.put(w.name(), r.medianS());
            medians.computeIfAbsent(w.name(), k -> new LinkedHashMap<>()).put("single-jvm", r.medianS());
        }
        for (int threads : new int[] {1, 2}) {
            String master = "local[" + threads + "]";
            JavaSparkContext sc = new JavaSparkContext(SparkTrainer.configure(new SparkConf()).setMaster(master)
                    .setAppName("descent-spark-table").set("spark.ui.enabled", "false")
                    .set("spark.driver.bindAddress", "127.0.0.1").set("spark.driver.host", "127.0.0.1"));
            try {
                sc.setLogLevel("ERROR");
                for (Work w : works) {
                    for (Config c : CONFIGS) {
                        if (c.threads() != threads) continue;
                        SparkData data = w.fixed() != null ? SparkData.of(sc, w.fixed(), c.partitions()) : SparkData.synthetic(sc, w.task(), c.partitions());
                        SparkTrainer t = new SparkTrainer(w.model(), w.objective(), w.optimizer().get(), data, w.batch(), 7, w.evaluator());
                        TrainingState s = t.initialState();
                        for (int i = 0; i < size.warmup(); i++) s = t.run(s, next(s), new TrainingObserver() {});
                        long jobs0 = t.jobs();
                        double[] ts = times(x -> t.run(x, next(x), new TrainingObserver() {}), s, 0, w.timed());
                        Measure.Result r = result(w, master, c.partitions(), (double) (t.jobs() - jobs0) / w.timed(), ts, base.get(w.name()), out);
                        all.add(r);
                        medians.get(w.name()).put(master + " p" + c.partitions(), r.medianS());
                        data.release();
                    }
                }
            } finally {
                sc.stop();
            }
        }
        for (Work w : works) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("summary", "spark-table");
            summary.put("work", w.name());
            summary.put("size", size.name());
            summary.put("median_step_s", medians.get(w.name()));
            out.println(Measure.json(summary));
        }
        return all;
    }

    private static Work mlp(Size size) {
        Dataset train;
        String source;
        try {
            train = FashionMnist.load(FashionMnist.DEFAULT_DIRECTORY).train();
            source = "fashion-mnist";
        } catch (java.io.IOException | RuntimeException e) {
            if (size != Size.TINY) throw new IllegalStateException("Fashion-MNIST: " + e.getMessage(), e);
            // The tiny check runs without the data set too: random images of the same shape.
            Rng r = new Rng(3);
            dev.descent.tensor.Tensor x = dev.descent.tensor.Tensor.zeros(DType.F32, size.mlpRows(), 784);
            float[] a = x.rawF32();
            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
            int[] labels = new int[size.mlpRows()];
            for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
            train = Dataset.classification(x, labels, 10);
            source = "random 784-pixel images (Fashion-MNIST absent)";
        }
        if (size.mlpRows() > 0 && size.mlpRows() < train.size()) train = train.head(size.mlpRows());
        Dataset data = train;
        int h = size.mlpHidden();
        ModelSource src = () -> {
            Rng rng = new Rng(1);
            return new Sequential(new Linear(784, h, rng, DType.F32), new ActivationLayer(Activation.RELU), new Linear(h, 10, rng, DType.F32));
        };
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("model", "mlp 784-" + h + "-10 relu, float32");
        p.put("optimizer", "adam 1e-3");
        p.put("data", source + ", " + data.size() + " rows");
        p.put("batch", size.mlpBatch());
        return new Work("mlp", p, src, Objective.SOFTMAX_CROSS_ENTROPY,
                () -> new TrainingOptimizer.FirstOrder("adam", Optimizers.adam(1e-3), Schedules.constant(1e-3), OptionalDouble.empty()),
                () -> new Batcher(data, size.mlpBatch(), 7), data, null, size.mlpBatch(), size.mlpTimed(),
                new Evaluator(data.head(1), DType.F32, Baselines.of(data.head(1), data.head(1)), 1));
    }

    private static Work hf(Size size) {
        AddingTask task = new AddingTask(size.hfLength());
        int h = size.hfHidden(), cg = size.cgIterations();
        ModelSource src = () -> SequenceModel.rnn(Rnn.Config.of(2, h).withActivation(Activation.TANH), 1, false, new Rng(4), DType.F32);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("model", "rnn " + h + " tanh, float32");
        p.put("optimizer", "hessian-free, CG <= " + cg);
        p.put("data", "adding T=" + size.hfLength());
        p.put("batch", size.hfBatch());
        return new Work("hf", p, src, Objective.MEAN_SQUARED_ERROR,
                () -> new TrainingOptimizer.SecondOrder("hessian-free", HessianFree.withDefaults()
                        .withConjugateGradient(HessianFree.DEFAULT_CG_DECAY, cg, HessianFree.DEFAULT_PROGRESS_TOLERANCE)),
                () -> task.stream(size.hfBatch(), 7), null, task, size.hfBatch(), size.hfTimed(),
                new Evaluator(task.generate(1, new Rng(2)), DType.F32, task.trivialBaseline(), 1));
    }

    private interface Stepper {
        TrainingState step(TrainingState s);
    }

    private static TrainingConfig next(TrainingState s) {
        return new TrainingConfig(s.step() + 1, Long.MAX_VALUE / 4, 0, 0);
    }

    private static double[] times(Stepper step, TrainingState s, int warmup, int timed) {
        for (int i = 0; i < warmup; i++) s = step.step(s);
        double[] t = new double[timed];
        for (int i = 0; i < timed; i++) {
            long t0 = System.nanoTime();
            s = step.step(s);
            t[i] = (System.nanoTime() - t0) * 1e-9;
        }
        return t;
    }

    private static Measure.Result result(Work w, String impl, int partitions, double jobsPerStep, double[] times, double baseMedian,
                                         PrintStream out) {
        Map<String, Object> p = new LinkedHashMap<>(w.params());
        p.put("work", w.name());
        if (partitions > 0) p.put("partitions", partitions);
        Map<String, Object> extra = new LinkedHashMap<>();
        Measure.Result r0 = new Measure.Result("spark-table", impl, p, times, 0, "", Map.of());
        if (partitions > 0) {
            extra.put("jobs_per_step", jobsPerStep);
            extra.put("overhead_s", r0.medianS() - baseMedian);
            extra.put("overhead_per_job_s", (r0.medianS() - baseMedian) / jobsPerStep);
        }
        Measure.Result r = new Measure.Result("spark-table", impl, p, times, w.batch() / r0.medianS(), "examples/s", extra);
        out.println(r.toJson());
        out.println(String.format(Locale.ROOT, "spark-table %-4s %-10s %s median %.4f s/step%s", w.name(), impl,
                partitions > 0 ? "p" + partitions : "  ", r.medianS(), partitions > 0 ? String.format(Locale.ROOT, ", %.1f jobs/step", jobsPerStep) : ""));
        return r;
    }
}
