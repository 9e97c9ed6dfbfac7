package dev.descent.spark;

import dev.descent.cli.SequenceModel;
import dev.descent.data.AddingTask;
import dev.descent.data.Batcher;
import dev.descent.data.BatchStream;
import dev.descent.data.Dataset;
import dev.descent.data.FashionMnist;
import dev.descent.nn.Activation;
import dev.descent.nn.ActivationLayer;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Per-step wall time of the same work on one JVM and on Spark local[1] / local[2] (not a test:
 * run by hand, see descent-bench/README.md). Each figure is the median over the timed steps,
 * after warm-up steps that let the JIT compile and Spark cache the shards.
 */
public final class StepTimes {
    private StepTimes() {}

    interface Run {
        TrainingState step(TrainingState s, long upTo);
    }

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "mlp";
        int warm = 3, timed = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        if (which.equals("mlp")) {
            Dataset train = FashionMnist.load(FashionMnist.DEFAULT_DIRECTORY).train();
            ModelSource src = () -> {
                Rng rng = new Rng(1);
                return new Sequential(new Linear(784, 256, rng, DType.F32), new ActivationLayer(Activation.RELU), new Linear(256, 10, rng, DType.F32));
            };
            Supplier<TrainingOptimizer> opt = () -> new TrainingOptimizer.FirstOrder("adam", Optimizers.adam(1e-3), Schedules.constant(1e-3),
                    OptionalDouble.empty());
            measure("MLP 784-256-10 f32, Adam, Fashion-MNIST, batch 4096", src, Objective.SOFTMAX_CROSS_ENTROPY, opt,
                    () -> new Batcher(train, 4096, 7), train, null, 4096, warm, timed);
        } else {
            AddingTask task = new AddingTask(30);
            ModelSource src = () -> SequenceModel.rnn(Rnn.Config.of(2, 64).withActivation(Activation.TANH), 1, false, new Rng(4), DType.F32);
            Supplier<TrainingOptimizer> opt = () -> new TrainingOptimizer.SecondOrder("hessian-free", HessianFree.withDefaults()
                    .withConjugateGradient(HessianFree.DEFAULT_CG_DECAY, 20, HessianFree.DEFAULT_PROGRESS_TOLERANCE));
            measure("RNN 64 tanh f32, Hessian-free (CG <= 20), adding T=30, batch 1000", src, Objective.MEAN_SQUARED_ERROR, opt,
                    () -> task.stream(1000, 7), null, task, 1000, 1, Math.max(2, timed / 2));
        }
    }

    private static void measure(String what, ModelSource src, Objective obj, Supplier<TrainingOptimizer> opt, Supplier<BatchStream> local,
                                Dataset train, AddingTask task, int batch, int warm,
                                int timed) {
        System.out.println(what);
        Module m = src.build();
        Dataset ev = train != null ? train.head(100) : task.generate(100, new Rng(1));
        Trainer t = new Trainer(m, obj, opt.get(), local.get(), new Evaluator(ev, DType.F32, train != null ? Baselines.of(ev, ev)
                : task.trivialBaseline(), 1024), List.of());
        report("one JVM (Trainer)", times((s, k) -> t.run(s, new TrainingConfig(k, 1, 0, 0), new TrainingObserver() {}), t.initialState(), warm, timed));
        for (int threads : new int[] {1, 2}) {
            for (int parts : threads == 1 ? new int[] {1} : new int[] {2, 4}) {
                JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[" + threads + "]").setAppName("step-times")
                        .set("spark.ui.enabled", "false").set("spark.driver.bindAddress", "127.0.0.1").set("spark.driver.host", "127.0.0.1"));
                sc.setLogLevel("ERROR");
                SparkData data = train != null ? SparkData.of(sc, train, parts) : SparkData.synthetic(sc, task, parts);
                SparkTrainer st = new SparkTrainer(src, obj, opt.get(), data, batch, 7, null);
                double[] ts = times((s, k) -> st.run(s, new TrainingConfig(k, 1, 0, 0), new TrainingObserver() {}), st.initialState(), warm, timed);
                report(String.format(Locale.ROOT, "Spark local[%d], %d partitions (%d jobs)", threads, parts, st.jobs()), ts);
                data.release();
                sc.stop();
            }
        }
    }

    private static double[] times(Run r, TrainingState s, int warm, int timed) {
        s = r.step(s, warm);
        double[] ts = new double[timed];
        for (int i = 0; i < timed; i++) {
            long t0 = System.nanoTime();
            s = r.step(s, s.step() + 1);
            ts[i] = (System.nanoTime() - t0) * 1e-6;
        }
        return ts;
    }

    private static void report(String label, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "  %-40s median %8.1f ms/step (min %.1f, max %.1f, %d steps)%n", label, s[s.length / 2], s[0],
                s[s.length - 1], s.length);
    }
}
