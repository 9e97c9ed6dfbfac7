package dev.descent.cli;

import dev.descent.diagnostics.DiagnosticRecord;
import dev.descent.io.Checkpoint;
import dev.descent.io.Json;
import dev.descent.train.Evaluation;
import dev.descent.train.StepMetrics;
import dev.descent.train.TrainingCheckpoints;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingDivergedException;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingSpec;
import dev.descent.train.TrainingState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code descent train}: trains a model on real or synthetic data with progress, metrics,
 * evaluation, checkpoints, bit-identical resumption and plots, on the library's
 * {@link Trainer}.
 *
 * <p>The options of the run are those of {@link TrainingSpec#OPTIONS}, added to the command
 * line by {@link #command()}. Where they come from, strongest first: the command line;
 * {@code --config FILE}; on {@code --resume}, the configuration saved in the checkpoint; without
 * {@code --data} anywhere, the embedded default run ({@link TrainingSpec#DEFAULT_RUN}); then the
 * defaults of {@link TrainingSpec}. The sources are {@link TrainingSpec.Layer layers} of given
 * values, combined by {@link TrainingSpec#layered}. The resolved specification is saved as
 * {@code config.json} in the run directory and in every checkpoint, and is itself a valid
 * {@code --config} file.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Train a model on real or synthetic data.",
            "Progress on stderr, metrics, evaluation against the trivial baseline,",
            "checkpoints, --resume, plots.", ""},
        footer = {"", "With no arguments: the embedded default run, the seed's RNN (tanh,",
            "activation form, hidden 64, orthogonal W) on the adding task with T = 30,",
            "Adam (lr 0.003, cosine decay), clipping at 1, 2500 steps of batch 64: a few",
            "seconds on 2 cores. Flags override its parts; with --data (or --config)",
            "naming other data the generic defaults apply instead. On a dataset the",
            "default length is " + TrainingSpec.DEFAULT_EPOCHS + " epochs, or " + TrainingSpec.MIN_DEFAULT_STEPS
                + " steps (whole epochs) if that is more,",
            "so that small CSV files are not undertrained.",
            "", "Data sources (--data):",
            "  fashion-mnist[:DIR]  Fashion-MNIST IDX files (.gz or raw) in DIR; default",
            "                       /usr/share/datasets/fashion-mnist",
            "                       (apt-get install dataset-fashion-mnist)",
            "  csv:FILE[,label=COL][,header|,no-header][,regression]",
            "                       numeric CSV; COL is a header name or 0-based index",
            "                       (default: last); header auto-detected unless given;",
            "                       class labels: integers, or words (sorted, they",
            "                       become classes 0, 1, ...) unless regression",
            "  parquet:PATH[,label=COL][,regression]",
            "                       Parquet read by Spark (with --spark); numeric columns",
            "  adding:T  multiplication:T  temporal-order:T  copy:T",
            "                       synthetic long-term-dependency tasks of length T",
            "",
            "Optimisers: sgd, momentum (the seed's v = αv + εg, θ = θ - v), nesterov,",
            "ema-sgd (v = βv + (1-β)g, θ = θ - δv), adam, adamw, rmsprop; second order:",
            "curvature-step (ε* = gᵀg/gᵀHg), newton (at most 4096 parameters),",
            "hessian-free, lbfgs.",
            "Diagnostics: gradient-norms, update-ratios, non-finite, clipping, curvature,",
            "quadratic-model, hessian-eigenvalues, hessian-trace, gradient-flow (rnn),",
            "weight-norm (--norm weight or weight-mean-only).",
            "",
            "Run directory: config.json, metrics.jsonl (JSON lines), the 3 newest",
            "checkpoints/step-N.safetensors (the first at step 0), PNG plots and",
            "index.html; --out must be a new or empty directory. Continue a run with",
            "--resume DIR (its newest checkpoint, or step 0 if it has none yet) or",
            "--resume FILE: the resumed run ends bit for bit where the uninterrupted one",
            "would have. It keeps its configuration: only --steps may change (to extend",
            "it); --out DIR continues it in a new directory. Resuming a finished run",
            "prints one line, changes nothing and exits 0. A failed command leaves",
            "every file as it was.",
            "", "Baseline: the model's held-out figure is compared with the trivial baseline's",
            "on the same samples (paired); it is reported as beaten only when the",
            "improvement exceeds 2 standard errors of the per-sample differences.",
            "", "With --spark MASTER (local[N] or a cluster's URL) each step's batch is split",
            "over the partitions of a Spark cluster; csv: and parquet: are then read by",
            "Spark's readers. The same numbers as one JVM, up to the order of additions.",
            "", "Example: descent train --data csv:iris.csv,label=species --hidden 16 --lr 0.01"})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Set by {@link #call()} when a small dataset's default length is the minimum steps: the line that says so. */
    private String lengthNote;

    // Options of one invocation, neither read from nor saved to a config file; the run's own
    // options are TrainingSpec's, added by command().
    @Option(names = "--out", paramLabel = "DIR", order = 1000,
            description = "Run directory (default: runs/NAME, or the resumed run's directory).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", order = 1001,
            description = "Run name for the default directory runs/NAME (default: the start time).")
    String name;

    @Option(names = "--resume", paramLabel = "DIR|FILE", order = 1002,
            description = "Continue a run bit for bit from its newest checkpoint (DIR) or a checkpoint FILE.")
    Path resume;

    @Option(names = "--config", paramLabel = "FILE", order = 1003,
            description = "A JSON object of options by long name, e.g. {\"lr\": 0.001, \"hidden\": [128]}; flags override it.")
    Path config;

    @Option(names = "--spark", paramLabel = "MASTER", order = 1004,
            description = "Train data-parallel on Apache Spark: local[N], or the master URL of a cluster (needs the descent-spark module).")
    String sparkMaster;

    @Option(names = "--partitions", paramLabel = "N", order = 1005,
            description = "With --spark: partitions each step's batch is split over (default: Spark's default parallelism).")
    Integer partitions;

    /**
     * The {@code train} command with one option per {@link TrainingSpec.Option}: each parses
     * and validates its value with the spec's own parser (so a bad flag is a usage error at
     * parse time) and keeps the text, which {@link #call()} layers with the other sources.
     * Fixed defaults reach picocli through {@link #SPEC_DEFAULTS}, so the help's
     * {@code ${DEFAULT-VALUE}} shows the spec's constants.
     */
    public static CommandSpec command() {
        CommandSpec s = CommandSpec.forAnnotatedObject(new TrainCommand());
        s.defaultValueProvider(SPEC_DEFAULTS);
        int order = 0;
        for (TrainingSpec.Option o : TrainingSpec.OPTIONS) {
            CommandLine.ITypeConverter<String> check = text -> {
                try {
                    if (o.name().equals("data")) DataSource.parse(text);
                    else o.parser().apply(text);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.TypeConversionException(e.getMessage());
                }
                return text;
            };
            OptionSpec.Builder b = OptionSpec.builder("--" + o.name()).paramLabel(o.label()).description(o.description()).order(order++)
                    .converters(check);
            switch (o.arity()) {
                case LIST -> b.type(List.class).auxiliaryTypes(String.class).splitRegex(",");
                case FLAG -> b.type(String.class).arity("0..1").fallbackValue("true");
                case ONE -> b.type(String.class);
            }
            s.addOption(b.build());
        }
        return s;
    }

    /**
     * picocli's default-value provider for the options of {@link TrainingSpec}: each option's
     * {@link TrainingSpec.Option#defaultText()}, null (no default) for the others and for options
     * whose default depends on the data or on other options. The run's values never come from
     * here: {@link #givenOnCommandLine()} reads only what was typed, and the spec resolves its
     * own defaults, so a default in the help and in a run is the same constant.
     */
    static final CommandLine.IDefaultValueProvider SPEC_DEFAULTS = arg -> {
        if (!(arg instanceof OptionSpec o)) return null;
        TrainingSpec.Option option = TrainingSpec.option(o.longestName().replaceFirst("^--", ""));
        return option == null ? null : option.defaultText();
    };

    /** The options given on the command line, by name, as their text (a list for list options). */
    Map<String, Object> givenOnCommandLine() {
        Map<String, Object> given = new LinkedHashMap<>();
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        if (pr == null) return given;
        for (OptionSpec o : pr.matchedOptions()) {
            String n = o.longestName().replaceFirst("^--", "");
            if (TrainingSpec.option(n) != null) given.put(n, o.getValue());
        }
        return given;
    }

    /**
     * The given options of this invocation: the command line, {@code --config}, a resumed
     * checkpoint's configuration and, without data anywhere, the embedded default run.
     *
     * @param resumed the resumed checkpoint's configuration and its source, or null
     * @throws ParameterException for malformed JSON, an unknown option or a bad value, naming the source
     */
    TrainingSpec.Layered given(Map<String, Object> resumed, String resumedSource) throws IOException {
        List<TrainingSpec.Layer> layers = new ArrayList<>();
        layers.add(new TrainingSpec.Layer("the command line", givenOnCommandLine(), false));
        if (config != null) {
            if (!Files.isRegularFile(config)) throw new NoSuchFileException(config.toString(), null, "no such config file");
            String text = TextFiles.readUtf8(config);
            try {
                layers.add(new TrainingSpec.Layer(config.toString(), Json.parseObject(text, config.toString()), false));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        if (resumed != null) layers.add(new TrainingSpec.Layer(resumedSource, resumed, true));
        // --data is parsed here, not by the layering: a bad one names the layer that gave it.
        for (TrainingSpec.Layer layer : layers) {
            Object value = layer.values().get("data");
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                try {
                    DataSource.parse(value.toString());
                } catch (IllegalArgumentException e) {
                    throw usage(layer.source() + ": Invalid value for option '--data': " + e.getMessage());
                }
                break;
            }
        }
        try {
            TrainingSpec.Layered given = TrainingSpec.layered(layers);
            if (given.spec().data().source() != null) return given;
            Map<String, Object> defaults = new LinkedHashMap<>(TrainingSpec.DEFAULT_RUN);
            if (given.spec().run().epochs() != null) defaults.remove("steps"); // --epochs is reported as not applying to the task, not as a clash
            layers.add(new TrainingSpec.Layer("the embedded default run", defaults, true));
            return TrainingSpec.layered(layers);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (config != null && resume != null) throw usage("give --config or --resume, not both (a resumed run keeps its configuration)");
        if (this.out != null && name != null) throw usage("give --out or --name, not both");
        // Everything is read and validated before the first byte is written: a command that
        // fails leaves every file as it was.
        RunDirectory.Resumption resumption = null;
        Checkpoint checkpoint = null;
        Map<String, Object> resumed = null;
        String resumedSource = null;
        if (resume != null) {
            resumption = RunDirectory.resumption(resume, this.out != null ? this.out : name != null ? Path.of("runs", checkName(name)) : null);
            if (resumption.checkpoint() != null) {
                checkpoint = Checkpoint.read(resumption.checkpoint());
                resumedSource = resumption.checkpoint() + " (configuration)";
                resumed = parseJson(checkpoint.run().configuration(), resumedSource);
            } else {
                resumedSource = resumption.configFile().toString();
                resumed = parseJson(TextFiles.readUtf8(resumption.configFile()), resumedSource);
            }
        }
        TrainingSpec.Layered given = given(resumed, resumedSource);
        DataSource source;
        try {
            source = DataSource.parse(given.spec().data().source());
        } catch (IllegalArgumentException e) {
            throw usage("Invalid value for option '--data': " + e.getMessage());
        }
        if (partitions != null && partitions < 1) throw usage("--partitions must be >= 1, got " + partitions);
        if (partitions != null && sparkMaster == null) throw usage("--partitions applies only with --spark");
        TrainingLoop.Distributed cluster = sparkMaster == null ? null : TrainingLoop.Distributed.find();
        String refused = cluster == null ? null : cluster.refusal(given.spec());
        if (refused != null) throw usage(refused);
        try (TrainingLoop.Session session = cluster == null ? null : cluster.open(sparkMaster, partitions, err)) {
            long seed = given.spec().run().seed();
            double testFraction = given.spec().data().testFraction();
            TrainingData d = session == null ? source.load(seed, testFraction) : session.load(source, seed, testFraction);
            DataChecks.report(d, source instanceof DataSource.CsvSource, err);
            RunSetup run = setUp(given, d, session == null ? RunSetup.facts(d) : session.facts(d));
            refused = session == null ? null : session.refusal(run);
            if (refused != null) throw usage(refused);
            if (resumed != null) ResumeCheck.requireSameConfiguration(resumedSource, resumed, run.spec().toJson());
            if (checkpoint != null) DataChecks.requireSameClasses(resumption.checkpoint(), checkpoint, d);
            lengthNote = null;
            if (session == null && d.train() != null && given.spec().run().steps() == null && given.spec().run().epochs() == null) {
                long perEpoch = (d.train().size() + run.spec().run().batchSize() - 1) / run.spec().run().batchSize();
                if (run.spec().run().steps() > perEpoch * TrainingSpec.DEFAULT_EPOCHS) {
                    lengthNote = "steps: " + run.spec().run().steps() + " (" + run.spec().run().steps() / perEpoch + " epochs of " + perEpoch
                            + " batches): " + TrainingSpec.DEFAULT_EPOCHS + " epochs of this small set would be only "
                            + perEpoch * TrainingSpec.DEFAULT_EPOCHS + " steps; give --steps or --epochs to choose";
                }
            }
            RunDirectory dir = new RunDirectory(resumption != null ? resumption.target() : runDirectory());
            TrainingState restored = null;
            long steps = run.spec().run().steps();
            if (checkpoint != null) {
                String where = resumption.checkpoint().toString();
                try {
                    restored = TrainingCheckpoints.restore(checkpoint, where, run.model(), run.optimizer());
                    if (session == null) d.trainBatches(run.spec().run().batchSize()).seek(restored.cursor());
                } catch (IllegalArgumentException e) {
                    throw new CommandFailure(e.getMessage().startsWith(where) ? e.getMessage() : where + ": " + e.getMessage(), e);
                }
                if (restored.step() > steps) {
                    throw usage("--steps " + steps + " is before the checkpoint's step " + restored.step() + "; a run cannot be shortened");
                }
                // A run killed after its last checkpoint but before its report was written falls
                // through to train 0 steps and write the report.
                if (restored.step() == steps && !resumption.isFork() && Files.exists(dir.root.resolve("index.html"))) {
                    out.println(dir.root + ": the run already finished at step " + restored.step() + " of " + steps
                            + "; nothing to train, no file changed (train further with --resume " + dir.root + " --steps M, M > " + steps + ")");
                    out.flush();
                    return Main.OK;
                }
            }
            TrainingLoop loop = session == null ? TrainingLoop.local(run) : session.loop(run, d);
            TrainingState start = restored != null ? restored : loop.initialState();
            return train(run, loop, d, dir, start, resumption, out, err);
        }
    }

    /**
     * Resolves the given options for data {@code d} and builds the run.
     *
     * @throws ParameterException when the options do not fit each other or the data
     */
    RunSetup setUp(TrainingSpec.Layered given, TrainingData d) {
        return setUp(given, d, RunSetup.facts(d));
    }

    /** As {@link #setUp(TrainingSpec.Layered, TrainingData)} with the data's {@code facts} given. */
    RunSetup setUp(TrainingSpec.Layered given, TrainingData d, TrainingSpec.DataFacts facts) {
        try {
            TrainingSpec resolved = given.spec().resolve(facts, given.yielding());
            return RunSetup.of(resolved.withData(new TrainingSpec.DataSpec(DataSource.parse(resolved.data().source()).spec(),
                    resolved.data().testFraction())), d);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    static TrainingConfig trainingConfig(TrainingSpec s) {
        return new TrainingConfig(s.run().steps(), s.run().logEvery(), s.run().evalEvery(), s.run().checkpointEvery());
    }

    private Path runDirectory() throws IOException {
        Path dir;
        if (out != null) {
            dir = out;
        } else {
            String base = name != null ? checkName(name) : LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
            dir = Path.of("runs", base);
            for (int k = 2; name == null && Files.exists(dir); k++) dir = Path.of("runs", base + "-" + k);
        }
        RunDirectory.checkNewRun(dir);
        return dir;
    }

    private String checkName(String base) {
        if (base.isBlank() || base.contains("/") || base.contains("\\") || base.equals(".") || base.equals("..")) {
            throw usage("--name must be a plain file name, got '" + base + "'");
        }
        return base;
    }

    private int train(RunSetup run, TrainingLoop loop, TrainingData d, RunDirectory dir, TrainingState start, RunDirectory.Resumption resumption,
                      PrintWriter out, PrintWriter err) throws IOException {
        Path checkpointFile = resumption == null ? null : resumption.checkpoint() != null ? resumption.checkpoint() : resumption.configFile();
        // The resumed run's metrics, read (and so validated) before anything is written.
        String metricsText = resumption == null || resumption.source() == null ? null
                : RunDirectory.metricsUpTo(new RunDirectory(resumption.source()).metrics(), start.step());
        dir.open();
        String configJson = Json.writeObject(run.spec().toJson());
        RunDirectory.writeAtomically(dir.config(), Json.writePretty(run.spec().toJson()));
        dir.createCheckpoints();
        long params = run.model().parameters().elementCount();
        err.println("data: " + d.description());
        err.println("model: " + RunSetup.describeModel(run.spec(), params) + "; optimiser: " + RunSetup.describeOptimizer(run.spec()));
        if (lengthNote != null) err.println(lengthNote);
        if (resumption != null) {
            if (metricsText != null) RunDirectory.writeAtomically(dir.metrics(), metricsText);
            err.println((resumption.isFork() ? "continuing in a new run directory from " : "resuming from ") + checkpointFile
                    + " at step " + start.step());
        }
        Map<String, String> metadata = DataChecks.metadata(d);
        // The first checkpoint at once, so that a run killed at any later moment can be resumed.
        if (start.step() == 0) TrainingCheckpoints.write(dir.checkpoint(0), run.model(), start, run.spec().run().seed(), configJson, metadata);
        err.println("run directory: " + dir.root);
        err.flush();
        long t0 = System.nanoTime();
        TrainingState end;
        Evaluation[] lastEval = new Evaluation[1];
        try (MetricsLog log = MetricsLog.open(dir.metrics(), resumption != null)) {
            ProgressBar bar = start.step() < run.spec().run().steps() ? ProgressBar.onStderr(err, run.spec().run().steps()) : null;
            TrainingObserver observer = new TrainingObserver() {
                @Override public void onStep(StepMetrics m) {
                    flushDiagnostics(run, log);
                    write(log, trainRecord(m));
                    if (bar != null) bar.update(m.step(), m.loss());
                }

                @Override public void onEvaluation(Evaluation e) {
                    flushDiagnostics(run, log);
                    write(log, evalRecord(e));
                    lastEval[0] = e;
                }

                @Override public void onCheckpoint(TrainingState s) {
                    try {
                        TrainingCheckpoints.write(dir.checkpoint(s.step()), run.model(), s, run.spec().run().seed(), configJson, metadata);
                        dir.pruneCheckpoints();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            try {
                end = loop.run(start, trainingConfig(run.spec()), observer);
            } catch (TrainingDivergedException e) {
                Map.Entry<Long, Path> last = RunDirectory.checkpointsIn(dir.checkpoints()).lastEntry();
                throw new CommandFailure(e.getMessage() + (last == null ? "; no checkpoint was written"
                        : "; the last checkpoint is " + last.getValue() + " (step " + last.getKey() + ")"), e);
            }
            flushDiagnostics(run, log);
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;
        Evaluation eval = lastEval[0] != null ? lastEval[0] : loop.evaluator().evaluate(run.model(), end.step());
        List<Map<String, Object>> records = MetricsLog.read(dir.metrics());
        List<TrainingReport.Figure> figures = TrainingReport.figures(records, run.spec().optimizer().clip());
        long trained = end.step() - start.step();
        List<String> summary = new ArrayList<>();
        summary.add("data: " + d.description());
        summary.add("model: " + RunSetup.describeModel(run.spec(), params));
        summary.add("optimiser: " + RunSetup.describeOptimizer(run.spec()));
        summary.add(eval.summary() + " at step " + end.step());
        summary.add(String.format(Locale.ROOT, "trained %d steps in %.1f s (%.1f steps/s)%s", trained, seconds, trained / Math.max(seconds, 1e-9),
                checkpointFile != null ? ", resumed at step " + start.step() : ""));
        summary.add("seed " + run.spec().run().seed() + "; configuration: " + Json.writeObject(run.spec().toJson()));
        Path index = TrainingReport.write(dir.root, "Descent training run " + dir.root.getFileName(), summary, figures);
        out.println(eval.summary() + " at step " + end.step());
        out.printf(Locale.ROOT, "trained %d steps in %.1f s (%.1f steps/s)%s%n", trained, seconds, trained / Math.max(seconds, 1e-9),
                checkpointFile != null ? ", resumed at step " + start.step() : "");
        out.println("run directory: " + dir.root + " (config.json, metrics.jsonl, checkpoints/, " + figures.size() + " plots, "
                + index.getFileName() + ")");
        out.flush();
        return Main.OK;
    }

    private void flushDiagnostics(RunSetup run, MetricsLog log) {
        for (DiagnosticRecord r : run.diagnosticRecords()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "diagnostic");
            m.put("step", r.step());
            m.put("diagnostic", r.diagnostic());
            m.put("computeNanos", r.computeNanos());
            m.put("values", r.values());
            write(log, m);
        }
        run.diagnosticRecords().clear();
    }

    private static void write(MetricsLog log, Map<String, ?> record) {
        try {
            log.write(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> trainRecord(StepMetrics m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "train");
        r.put("step", m.step());
        r.put("loss", m.loss());
        r.put("gradientNorm", m.gradientNorm());
        if (!Double.isNaN(m.learningRate())) r.put("learningRate", m.learningRate());
        if (!Double.isNaN(m.clipScale())) r.put("clipScale", m.clipScale());
        if (!m.details().isEmpty()) r.put("details", m.details());
        return r;
    }

    static Map<String, Object> evalRecord(Evaluation e) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "eval");
        r.put("step", e.step());
        r.put("samples", e.samples());
        r.put("metrics", e.metrics());
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("metric", e.baseline().metric());
        b.put("value", e.baseline().value());
        b.put("predictor", e.baseline().predictor());
        b.put("onSamples", e.comparison().baselineOnSamples());
        b.put("improvement", e.comparison().improvement());
        b.put("standardError", e.comparison().standardError());
        b.put("beaten", e.beatsBaseline());
        r.put("baseline", b);
        return r;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private Map<String, Object> parseJson(String text, String source) {
        try {
            return Json.parseObject(text, source);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
    }
}
