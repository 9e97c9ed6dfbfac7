package dev.descent.cli;

import dev.descent.nn.Module;
import dev.descent.spark.ModelSource;
import dev.descent.spark.SparkData;
import dev.descent.spark.SparkTrainer;
import dev.descent.tensor.Rng;
import dev.descent.train.Evaluator;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingSpec;
import dev.descent.train.TrainingState;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code descent train --spark MASTER}: the run that {@link RunSetup} built, trained by a
 * {@link SparkTrainer}. Found by {@code TrainCommand} through {@link java.util.ServiceLoader}
 * (this module's {@code META-INF/services}); it lives in the CLI's package to reuse its
 * package-private run setup.
 *
 * <p>The data the CLI loaded on the driver is cut into contiguous partitions (or, for a synthetic
 * task, each step's generated batch is), the executors build the model from the resolved
 * specification's JSON, and everything else (checkpoints, metrics, evaluation, resumption) is the
 * single-JVM command's.
 */
public final class SparkTraining implements TrainingLoop.Distributed {
    /** Seconds to wait for a standalone master's port before giving up. */
    static final int CONNECT_TIMEOUT_MS = 5000;

    /** Builds the model of a resolved specification (shipped as JSON) without data. */
    record SpecModel(String specJson, int inputs, int outputs, boolean perStep) implements ModelSource {
        private static final long serialVersionUID = 1L;

        @Override
        public Module build() {
            TrainingSpec spec = TrainingSpec.fromJson(Json.parseObject(specJson, "the run's configuration"), "the run's configuration");
            return RunSetup.buildModel(spec, inputs, outputs, perStep, new Rng(spec.run().seed()));
        }
    }

    @Override
    public TrainingLoop start(String master, Integer partitions, RunSetup run, TrainingData d, PrintWriter err) {
        if (run.monitor() != null) {
            throw new CommandFailure("--spark: diagnostics need the single-JVM trainer (they look inside each step); drop --diagnostics");
        }
        checkMaster(master);
        JavaSparkContext sc;
        try {
            SparkConf conf = new SparkConf().setMaster(master).setAppName("descent train").set("spark.ui.showConsoleProgress", "false");
            sc = new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw new CommandFailure("--spark " + master + ": cannot start Spark: " + Errors.firstLine(e.getMessage(), e), e);
        }
        try {
            sc.setLogLevel("WARN");
            int p = partitions != null ? partitions : sc.defaultParallelism();
            SparkData data = d.task() != null ? SparkData.synthetic(sc, d.task(), p) : SparkData.of(sc, d.train(), p);
            ModelSource source = new SpecModel(Json.write(run.spec().toJson()), d.inputSize(), d.outputSize(),
                    d.task() != null && d.task().perStepTargets());
            SparkTrainer trainer = new SparkTrainer(run.model(), source, run.objective(), run.optimizer(), data, run.spec().run().batchSize(),
                    d.batchSeed(), run.trainer().evaluator());
            err.println("spark: " + master + ", " + data);
            return new TrainingLoop() {
                @Override public TrainingState initialState() { return trainer.initialState(); }

                @Override public TrainingState run(TrainingState from, TrainingConfig config, TrainingObserver observer) {
                    try {
                        return trainer.run(from, config, observer);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) { // a SparkException (checked in Java, undeclared by Scala): a job failed for good
                        throw new CommandFailure("spark: a job failed: " + rootMessage(e), e);
                    }
                }

                @Override public Evaluator evaluator() { return trainer.evaluator(); }

                @Override public void close() {
                    data.release();
                    sc.stop();
                }
            };
        } catch (IllegalArgumentException e) {
            sc.stop();
            throw new CommandFailure(e.getMessage(), e);
        } catch (RuntimeException e) {
            sc.stop();
            throw e;
        }
    }

    /**
     * Checks that a standalone master ({@code spark://HOST:PORT}) accepts connections, since
     * Spark itself retries an absent one for a minute and then leaves the run waiting.
     */
    static void checkMaster(String master) {
        String m = master.strip();
        if (m.startsWith("local")) {
            if (!m.matches("local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?\\])?")) {
                throw new CommandFailure("--spark: '" + master + "' is not a local master; expected local, local[N], local[*] or local[N,F]");
            }
            return;
        }
        if (!m.toLowerCase(Locale.ROOT).startsWith("spark://")) return; // yarn, k8s://…: Spark reports on its own
        for (String hostPort : m.substring("spark://".length()).split(",")) {
            URI u = URI.create("spark://" + hostPort);
            if (u.getHost() == null || u.getPort() < 0) throw new CommandFailure("--spark: '" + master + "' is not spark://HOST:PORT");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), u.getPort()), CONNECT_TIMEOUT_MS);
                return; // one answering master of a list is enough
            } catch (IOException e) {
                if (!m.contains(",")) {
                    throw new CommandFailure("--spark: the master " + master + " does not answer (" + Errors.firstLine(e.getMessage(), e) + ")");
                }
            }
        }
        throw new CommandFailure("--spark: none of the masters " + master + " answers");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return Errors.firstLine(t.getMessage(), t);
    }
}
