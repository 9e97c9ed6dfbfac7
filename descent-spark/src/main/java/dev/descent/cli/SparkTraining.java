package dev.descent.cli;

import dev.descent.io.Json;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import dev.descent.data.CsvReader;
import dev.descent.spark.SparkTables;
import dev.descent.tensor.DType;
import dev.descent.train.TrainingDivergedException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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

    /**
     * The options {@link SparkTrainer} does not apply, refused rather than ignored: diagnostics
     * (listeners inside the single-JVM step), the flow regulariser and structural damping (terms
     * formed inside one JVM's backward pass or from its hidden states), a curvature sub-batch,
     * and batch-statistic normalisations (they couple a batch's examples).
     */
    @Override
    public String refusal(TrainingSpec spec) {
        TrainingSpec.OptimizerSpec o = spec.optimizer();
        if (spec.diagnostics().names() != null && !spec.diagnostics().names().isEmpty()) {
            return "--spark: --diagnostics " + String.join(",", spec.diagnostics().names())
                    + " needs the single-JVM trainer (diagnostics look inside each step); drop it or --spark";
        }
        if (o.flowRegularizer() != null && o.flowRegularizer() > 0) {
            return "--spark: --flow-regularizer " + o.flowRegularizer()
                    + " needs the single-JVM trainer (Omega is formed inside the RNN's backward pass); drop it or --spark";
        }
        if (o.structuralDamping() != null && o.structuralDamping() > 0) {
            return "--spark: --structural-damping " + o.structuralDamping()
                    + " needs the single-JVM trainer (its S v products need the RNN's hidden states); drop it or --spark";
        }
        if (o.curvatureBatch() != null) {
            return "--spark: --curvature-batch " + o.curvatureBatch()
                    + " is not distributed (every product uses the whole batch); drop it or --spark";
        }
        TrainingSpec.Norm norm = spec.model().norm();
        if (norm == TrainingSpec.Norm.BATCH || norm == TrainingSpec.Norm.WEIGHT_MEAN_ONLY) {
            return "--spark: --norm " + norm
                    + " normalises with batch statistics, which couple the examples of a batch, so a step is not a sum over"
                    + " partitions; use --norm weight or none, or drop --spark";
        }
        return null;
    }

    @Override
    public TrainingLoop.Session open(String master, Integer partitions, PrintWriter err) {
        checkMaster(master);
        SparkSession spark;
        try {
            SparkConf conf = SparkTrainer.configure(new SparkConf().setMaster(master).setAppName("descent train")
                    .set("spark.ui.showConsoleProgress", "false"));
            // No web UI for a local run (nobody browses it; it binds a port and listens to every event).
            if (master.strip().startsWith("local")) conf.setIfMissing("spark.ui.enabled", "false");
            spark = SparkSession.builder().config(conf).getOrCreate();
        } catch (RuntimeException e) {
            throw new CommandFailure("--spark " + master + ": cannot start Spark: " + Errors.firstLine(e.getMessage(), e), e);
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        sc.setLogLevel("WARN");
        int p = partitions != null ? partitions : sc.defaultParallelism();
        return new SparkRun(master, spark, sc, p, partitions != null, err);
    }

    /** One {@code descent train} on a Spark session. */
    private static final class SparkRun implements TrainingLoop.Session {
        private final String master;
        private final SparkSession spark;
        private final JavaSparkContext sc;
        private final int partitions;
        private final boolean partitionsGiven;
        private final PrintWriter err;
        private SparkData table;
        private TrainingData tableData;

        SparkRun(String master, SparkSession spark, JavaSparkContext sc, int partitions, boolean partitionsGiven, PrintWriter err) {
            this.master = master;
            this.spark = spark;
            this.sc = sc;
            this.partitions = partitions;
            this.partitionsGiven = partitionsGiven;
            this.err = err;
        }

        @Override
        public TrainingData load(DataSource source, long seed, double testFraction) throws IOException {
            String name;
            Dataset<Row> rows;
            String label;
            boolean regression;
            if (source instanceof DataSource.ParquetSource pq) {
                name = pq.spec();
                label = pq.labelColumn();
                regression = pq.regression();
                rows = read(name, () -> spark.read().parquet(pq.path()));
            } else if (source instanceof DataSource.CsvSource csv) {
                // A URI (hdfs://, s3a://, file:) goes to Spark's reader as written; a plain path is
                // checked here when Spark's default file system is this machine's.
                String location = csv.location();
                name = "csv:" + location;
                if (!DataSource.CsvSource.hasScheme(location) && defaultFsIsLocal() && !Files.exists(Path.of(location))) {
                    throw new CommandFailure(name + ": no such file or directory");
                }
                label = csv.options().labelColumn();
                regression = csv.options().task() == CsvReader.Task.REGRESSION;
                boolean header = switch (csv.options().header()) {
                    case PRESENT -> true;
                    case ABSENT -> false;
                    default -> hasHeader(name, location);
                };
                rows = read(name, () -> spark.read().option("header", header).option("inferSchema", "true")
                        .option("sep", String.valueOf(csv.options().delimiter())).option("mode", "FAILFAST").csv(location));
            } else {
                return source.load(seed, testFraction); // fashion-mnist, synthetic tasks: loaded here, distributed by loop()
            }
            SparkTables.Table t;
            try {
                // Stored in float64; the executors convert to the model's precision once per run.
                t = SparkTables.read(rows, name, label, regression, testFraction, seed, DType.F64, partitionsGiven ? partitions : null);
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(e.getMessage(), e);
            } catch (Exception e) { // a failed job: its first cause is the bad row's message
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) root = root.getCause();
                throw new CommandFailure(root instanceof IllegalArgumentException ? Errors.firstLine(root.getMessage(), root)
                        : name + ": " + rootMessage(e), e);
            }
            table = t.train();
            tableData = new TrainingData(name + " read by Spark (" + t.trainRows() + " training rows of " + t.featureColumns().size()
                    + " features, label '" + t.labelColumn() + "'; " + t.test().size() + " held out)", t.sample(), t.test(), null, seed + 1);
            trainRows = t.trainRows();
            return tableData;
        }

        private int trainRows;

        @Override
        public TrainingSpec.DataFacts facts(TrainingData d) {
            TrainingSpec.DataFacts f = RunSetup.facts(d);
            return d == tableData ? new TrainingSpec.DataFacts(f.description(), f.sequential(), f.taskName(), trainRows) : f;
        }

        @Override
        public String refusal(RunSetup run) {
            String r = new SparkTraining().refusal(run.spec());
            if (r != null) return r;
            if (run.model().buffers().count() > 0) {
                return "--spark: the model has buffers " + run.model().buffers().names()
                        + " (batch statistics); they couple the examples of a batch, so it cannot be trained data-parallel";
            }
            try {
                SparkTrainer.checkResultSize(run.model().trainable().elementCount(), table != null ? table.partitions() : partitions,
                        sc.getConf());
            } catch (IllegalArgumentException e) {
                return "--spark: " + e.getMessage().replaceFirst("^spark: ", "");
            }
            return null;
        }

        @Override
        public TrainingLoop loop(RunSetup run, TrainingData d) {
            String refused = refusal(run);
            if (refused != null) throw new CommandFailure(refused);
            SparkData data;
            if (d == tableData) data = table;
            else if (d.task() != null) data = SparkData.synthetic(sc, d.task(), partitions);
            else data = SparkData.of(sc, d.train(), partitions);
            ModelSource source = new SpecModel(Json.writeObject(run.spec().toJson()), d.inputSize(), d.outputSize(),
                    d.task() != null && d.task().perStepTargets());
            SparkTrainer trainer;
            try {
                trainer = new SparkTrainer(run.model(), source, run.objective(), run.optimizer(), data, run.spec().run().batchSize(),
                        d.batchSeed(), run.trainer().evaluator());
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(e.getMessage(), e);
            }
            err.println("spark: " + master + ", " + data);
            return new TrainingLoop() {
                @Override public TrainingState initialState() { return trainer.initialState(); }

                @Override public TrainingState run(TrainingState from, TrainingConfig config, TrainingObserver observer) {
                    try {
                        return trainer.run(from, config, observer);
                    } catch (RuntimeException e) {
                        if (e instanceof CommandFailure || e instanceof TrainingDivergedException || e instanceof UncheckedIOException) throw e;
                        throw new CommandFailure("spark: a step failed: " + rootMessage(e), e);
                    } catch (Exception e) { // a SparkException (checked in Java, undeclared by Scala): a job failed for good
                        throw new CommandFailure("spark: a job failed: " + rootMessage(e), e);
                    }
                }

                @Override public Evaluator evaluator() { return trainer.evaluator(); }
            };
        }

        @Override
        public void close() {
            if (table != null) table.release();
            spark.stop();
        }

        private Dataset<Row> read(String name, java.util.function.Supplier<Dataset<Row>> reader) {
            try {
                return reader.get();
            } catch (Exception e) { // AnalysisException: checked in Java, undeclared by Scala
                String m = rootMessage(e);
                if (m.contains("PATH_NOT_FOUND") || m.contains("does not exist")) {
                    throw new CommandFailure(name + ": no such file or directory", e);
                }
                throw new CommandFailure(name + ": " + m, e);
            }
        }

        /**
         * Whether a path without a scheme surely names a file on this machine: a local master
         * with no other default file system configured (HADOOP_CONF_DIR or
         * spark.hadoop.fs.defaultFS could make it HDFS; Spark's reader then reports).
         */
        private boolean defaultFsIsLocal() {
            String fs = sc.getConf().get("spark.hadoop.fs.defaultFS", "file:///");
            return master.strip().startsWith("local") && System.getenv("HADOOP_CONF_DIR") == null
                    && fs.toLowerCase(Locale.ROOT).startsWith("file:");
        }

        /** Whether the first line of a CSV has a cell that is not a number (CsvReader's rule). */
        private boolean hasHeader(String name, String path) {
            List<String> first = read(name, () -> spark.read().text(path)).limit(1).as(Encoders.STRING()).collectAsList();
            if (first.isEmpty()) throw new CommandFailure(name + ": the file is empty");
            for (String cell : first.get(0).split(",", -1)) {
                String c = cell.strip().replace("\"", "");
                if (!c.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) return true;
            }
            return false;
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
