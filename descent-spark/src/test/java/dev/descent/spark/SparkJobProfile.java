package dev.descent.spark;

import dev.descent.cli.SequenceModel;
import dev.descent.data.AddingTask;
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
import dev.descent.train.Objective;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingOptimizer;
import dev.descent.train.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Where a Spark step's time goes (a diagnostic, run by hand; not a test): per step, the wall
 * time, the time inside jobs (job start to job end, from a listener), and per task the
 * executor's deserialisation, run and result-serialisation times and the driver's result fetch.
 * Arguments: {@code mlp|hf MASTER PARTITIONS STEPS [key=value ...]} (extra Spark settings).
 */
public final class SparkJobProfile {
    private SparkJobProfile() {}

    static final class Recorder extends SparkListener {
        final List<long[]> jobs = new ArrayList<>(); // start, end (ms)
        final List<long[]> tasks = new ArrayList<>(); // deserialize, run, resultSer, gettingResult, resultSize, launch->finish, gc
        private long jobStart;

        @Override public synchronized void onJobStart(SparkListenerJobStart e) { jobStart = e.time(); }

        @Override public synchronized void onJobEnd(SparkListenerJobEnd e) { jobs.add(new long[] {jobStart, e.time()}); }

        @Override public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
            TaskMetrics m = e.taskMetrics();
            long getting = e.taskInfo().gettingResultTime() > 0 ? e.taskInfo().finishTime() - e.taskInfo().gettingResultTime() : 0;
            tasks.add(new long[] {m.executorDeserializeTime(), m.executorRunTime(), m.resultSerializationTime(), getting, m.resultSize(),
                e.taskInfo().finishTime() - e.taskInfo().launchTime(), m.jvmGCTime()});
        }

        synchronized void clear() {
            jobs.clear();
            tasks.clear();
        }
    }

    public static void main(String[] args) throws Exception {
        String which = args[0], master = args[1];
        int parts = Integer.parseInt(args[2]), steps = Integer.parseInt(args[3]);
        SparkConf conf = new SparkConf().setMaster(master).setAppName("profile").set("spark.ui.enabled", "false")
                .set("spark.driver.bindAddress", "127.0.0.1").set("spark.driver.host", "127.0.0.1");
        for (int i = 4; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            conf.set(kv[0], kv[1]);
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("ERROR");
        Recorder rec = new Recorder();
        sc.sc().addSparkListener(rec);
        SparkTrainer t;
        if (which.equals("mlp")) {
            Dataset train = FashionMnist.load(FashionMnist.DEFAULT_DIRECTORY).train();
            ModelSource src = () -> {
                Rng rng = new Rng(1);
                return new Sequential(new Linear(784, 256, rng, DType.F32), new ActivationLayer(Activation.RELU), new Linear(256, 10, rng, DType.F32));
            };
            t = new SparkTrainer(src, Objective.SOFTMAX_CROSS_ENTROPY, new TrainingOptimizer.FirstOrder("adam", Optimizers.adam(1e-3),
                    Schedules.constant(1e-3), OptionalDouble.empty()), SparkData.of(sc, train, parts), 4096, 7, null);
        } else {
            AddingTask task = new AddingTask(30);
            ModelSource src = () -> SequenceModel.rnn(Rnn.Config.of(2, 64).withActivation(Activation.TANH), 1, false, new Rng(4), DType.F32);
            t = new SparkTrainer(src, Objective.MEAN_SQUARED_ERROR, new TrainingOptimizer.SecondOrder("hessian-free", HessianFree.withDefaults()
                    .withConjugateGradient(HessianFree.DEFAULT_CG_DECAY, 20, HessianFree.DEFAULT_PROGRESS_TOLERANCE)),
                    SparkData.synthetic(sc, task, parts), 1000, 7, null);
        }
        TrainingState s = t.initialState();
        for (int i = -2; i < steps; i++) {
            rec.clear();
            long j0 = t.jobs(), t0 = System.nanoTime();
            s = t.run(s, new TrainingConfig(s.step() + 1, Long.MAX_VALUE / 4, 0, 0), new TrainingObserver() {});
            double wall = (System.nanoTime() - t0) * 1e-6;
            if (i < 0) continue;
            synchronized (rec) {
                double inJobs = 0;
                for (long[] j : rec.jobs) inJobs += j[1] - j[0];
                double[] sum = new double[7];
                for (long[] k : rec.tasks) for (int q = 0; q < 7; q++) sum[q] += k[q];
                int n = Math.max(1, rec.tasks.size());
                System.out.printf(Locale.ROOT, "step %d: wall %.0f ms, %d jobs, in jobs %.0f ms; per task (n=%d): deser %.1f, run %.1f, "
                        + "resultSer %.1f, fetch %.1f ms, result %.0f kB, launch->finish %.1f, gc %.1f%n", s.step(), wall, t.jobs() - j0, inJobs,
                        rec.tasks.size(), sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n, sum[4] / n / 1e3, sum[5] / n, sum[6] / n);
            }
        }
        sc.stop();
    }
}
