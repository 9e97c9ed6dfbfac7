package dev.descent.cli;

import dev.descent.data.AddingTask;
import dev.descent.data.BatchStream;
import dev.descent.data.Dataset;
import dev.descent.data.SequenceTask;
import dev.descent.io.Json;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.train.Evaluator;
import dev.descent.train.StepMetrics;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingDivergedException;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code descent longterm --out DIR}: the long-time-lag benchmark. Runs a grid of
 * task × sequence length T × method × seed, each run under a wall-clock budget of training time,
 * and records for every run the test error over time and the time to solve.
 *
 * <p><b>Solved</b> (adding problem): the MSE on {@code --test-size} (10,000) fresh sequences is
 * below {@code --threshold} (0.01). Every {@code --eval-every} seconds of training the model is
 * evaluated on the first {@code --probe-size} (1,000) of them; when that probe is below the
 * threshold the whole test set confirms it. The time to solve is the training time at that
 * evaluation; evaluation time is not charged to the budget (it is recorded separately). Training
 * runs in chunks of whole steps sized to the evaluation interval, so the last chunk can end past
 * the budget by less than one step (a Hessian-free step can take a minute); a solve found there
 * is recorded as {@code solved-late} and does not count.
 *
 * <p><b>Files</b> in DIR, every one written atomically: {@code results.jsonl}, one JSON object per
 * finished run (settings, outcome, time and step to solve, final test MSE, the learning curve);
 * {@code runs/KEY.jsonl}, the curve of the run in progress, one point per evaluation (for
 * watching a long run); {@code index.html}, the success table and learning curves, rewritten
 * after each run. <b>Resuming</b>: rerunning the same command skips every run already in
 * results.jsonl; a run that was interrupted mid-way starts again from its beginning (its budget
 * is wall-clock, so a resumed half would not be comparable). A finished run whose recorded
 * settings differ from the command's is a usage error, so that a results file never mixes grids.
 */
@Command(name = "longterm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Long-time-lag benchmark: a grid of task x length x method x seed, each run under a wall-clock budget;",
                "writes results.jsonl (one line per run), runs/KEY.jsonl (curve in progress) and index.html to --out.",
                "Rerunning the same command continues an interrupted grid (unfinished runs restart).", ""})
public final class LongtermCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory of the grid's files (created if absent).")
    Path out;

    @Option(names = "--task", paramLabel = "TASK", defaultValue = "adding", description = "The task (default ${DEFAULT-VALUE}; only adding for now).")
    String task;

    @Option(names = "--lengths", paramLabel = "T,...", split = ",", defaultValue = "200,400,1000",
            description = "Sequence lengths (default ${DEFAULT-VALUE}).")
    List<Integer> lengths;

    @Option(names = "--methods", paramLabel = "M,...", split = ",", defaultValue = "adam-clip,sgd-omega,hf,lstm",
            description = "Methods: adam-clip, sgd-omega, hf, lstm (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--seeds", paramLabel = "N", converter = Converters.PositiveInt.class, defaultValue = "5",
            description = "Seeds 0..N-1 per length and method (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--seeds-for", paramLabel = "T=N,...", split = ",",
            description = "Seeds per length where it differs from --seeds, e.g. 400=3,1000=2.")
    List<String> seedsFor = new ArrayList<>();

    @Option(names = "--budget", paramLabel = "S|T=S,...", split = ",", defaultValue = "200=300,400=1200,1000=3600",
            description = "Training seconds per run: one number for every length, or per length (default ${DEFAULT-VALUE}).")
    List<String> budget;

    @Option(names = "--hidden", paramLabel = "H", converter = Converters.PositiveInt.class, defaultValue = "100",
            description = "Hidden units (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--threshold", paramLabel = "MSE", converter = Converters.PositiveDouble.class, defaultValue = "0.01",
            description = "Solved when the test MSE is below this (default ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--test-size", paramLabel = "N", converter = Converters.PositiveInt.class, defaultValue = "10000",
            description = "Fresh test sequences that confirm a solve and give the final MSE (default ${DEFAULT-VALUE}).")
    int testSize;

    @Option(names = "--probe-size", paramLabel = "N", converter = Converters.PositiveInt.class, defaultValue = "1000",
            description = "Test sequences of the periodic evaluation (the first N of the test set; default ${DEFAULT-VALUE}).")
    int probeSize;

    @Option(names = "--eval-every", paramLabel = "S", converter = Converters.PositiveDouble.class,
            description = "Seconds of training between evaluations (default: the budget / 100, at least 1).")
    Double evalEvery;

    @Option(names = "--set", paramLabel = "METHOD.KEY=VALUE",
            description = "Override a method's setting, e.g. --set adam-clip.lr=0.002 (see the method table in the docs).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--report-only", description = "Only rewrite index.html from results.jsonl.")
    boolean reportOnly;

    /** One run of the grid. */
    record RunKey(String task, int length, String method, int seed) {
        String id() {
            return task + "-T" + length + "-" + method + "-s" + seed;
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (!task.equals("adding")) throw usage("--task: unknown task '" + task + "'; expected adding");
        for (int t : lengths) if (t < 2) throw usage("--lengths: a length must be >= 2, got " + t);
        Map<Integer, Double> budgets = budgets();
        Map<Integer, Integer> seedCounts = seedCounts();
        if (probeSize > testSize) throw usage("--probe-size " + probeSize + " exceeds --test-size " + testSize);
        Map<String, LongtermMethod> byName = new LinkedHashMap<>();
        Map<String, Map<String, String>> overrides = overrides();
        try {
            for (String m : methods) {
                if (!LongtermMethod.NAMES.contains(m)) {
                    throw usage("--methods: unknown method '" + m + "'; expected one of " + String.join(", ", LongtermMethod.NAMES));
                }
                byName.put(m, LongtermMethod.of(m, overrides.getOrDefault(m, Map.of())));
            }
            for (String m : overrides.keySet()) {
                if (!byName.containsKey(m)) throw usage("--set " + m + ".*: method " + m + " is not in --methods");
            }
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Path results = out.resolve("results.jsonl");
        Map<String, Map<String, Object>> done = readResults(results);
        // A finished run with other settings: refuse before any file changes.
        List<RunKey> grid = new ArrayList<>();
        for (int t : lengths) {
            for (int s = 0; s < seedCounts.getOrDefault(t, seeds); s++) {
                for (String m : methods) grid.add(new RunKey(task, t, m, s));
            }
        }
        for (RunKey k : grid) {
            Map<String, Object> r = done.get(k.id());
            if (r == null) continue;
            String want = Json.writeObject(settings(k, byName.get(k.method()), budgets.get(k.length())));
            String have = Json.writeObject(r.get("settings"));
            if (!want.equals(have)) {
                throw usage(results + ": run " + k.id() + " was recorded with settings " + have + ", not " + want
                        + "; use another --out or the same settings");
            }
        }
        Files.createDirectories(out.resolve("runs"));
        if (reportOnly) {
            LongtermReport.write(out, new ArrayList<>(done.values()), threshold);
            stdout.println("wrote " + out.resolve("index.html"));
            return Main.OK;
        }
        int skipped = 0;
        for (RunKey k : grid) {
            if (done.containsKey(k.id())) {
                skipped++;
                continue;
            }
            stdout.println("run " + k.id() + " (budget " + fmt(budgets.get(k.length())) + " s)");
            stdout.flush();
            Map<String, Object> r = run(k, byName.get(k.method()), budgets.get(k.length()), stdout);
            done.put(k.id(), r);
            StringBuilder sb = new StringBuilder();
            for (Map<String, Object> line : done.values()) sb.append(Json.writeObject(line)).append('\n');
            RunDirectory.writeAtomically(results, sb.toString());
            LongtermReport.write(out, new ArrayList<>(done.values()), threshold);
            stdout.println("  " + r.get("outcome") + (Boolean.TRUE.equals(r.get("solved"))
                    ? " at " + fmt(((Number) r.get("time_to_solve_s")).doubleValue()) + " s, step " + r.get("step_to_solve") : "")
                    + ", test mse " + fmt(((Number) r.getOrDefault("final_test_mse", Double.NaN)).doubleValue()));
            stdout.flush();
        }
        if (skipped > 0) stdout.println(skipped + " finished run(s) skipped (already in " + results + ")");
        LongtermReport.write(out, new ArrayList<>(done.values()), threshold);
        stdout.println("wrote " + out.resolve("index.html"));
        return Main.OK;
    }

    private Map<Integer, Double> budgets() {
        Map<Integer, Double> b = new TreeMap<>();
        for (String item : budget) {
            String s = item.strip();
            int eq = s.indexOf('=');
            try {
                if (eq < 0) {
                    double v = Double.parseDouble(s);
                    checkBudget(v, s);
                    for (int t : lengths) b.put(t, v);
                } else {
                    int t = Integer.parseInt(s.substring(0, eq).strip());
                    double v = Double.parseDouble(s.substring(eq + 1).strip());
                    checkBudget(v, s);
                    b.put(t, v);
                }
            } catch (NumberFormatException e) {
                throw usage("--budget: '" + s + "' is not SECONDS or T=SECONDS");
            }
        }
        for (int t : lengths) if (!b.containsKey(t)) throw usage("--budget: no budget for length " + t + " (give T=SECONDS or one number)");
        return b;
    }

    private void checkBudget(double v, String s) {
        if (!(v > 0) || Double.isInfinite(v)) throw usage("--budget: a budget must be a number of seconds > 0, got '" + s + "'");
    }

    private Map<Integer, Integer> seedCounts() {
        Map<Integer, Integer> m = new TreeMap<>();
        for (String item : seedsFor) {
            String[] kv = item.strip().split("=");
            try {
                if (kv.length != 2) throw new NumberFormatException();
                int t = Integer.parseInt(kv[0].strip()), n = Integer.parseInt(kv[1].strip());
                if (n < 1) throw new NumberFormatException();
                m.put(t, n);
            } catch (NumberFormatException e) {
                throw usage("--seeds-for: '" + item + "' is not T=N with N >= 1");
            }
        }
        return m;
    }

    private Map<String, Map<String, String>> overrides() {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        for (String s : sets) {
            int dot = s.indexOf('.'), eq = s.indexOf('=');
            if (dot <= 0 || eq < dot + 2 || eq == s.length() - 1) throw usage("--set: '" + s + "' is not METHOD.KEY=VALUE");
            m.computeIfAbsent(s.substring(0, dot), k -> new LinkedHashMap<>()).put(s.substring(dot + 1, eq), s.substring(eq + 1));
        }
        return m;
    }

    private static Map<String, Map<String, Object>> readResults(Path file) throws IOException {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) return m;
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank()) continue;
            Map<String, Object> r = Json.parseObject(line, file + ":" + n);
            if (!(r.get("key") instanceof String k)) throw new IllegalArgumentException(file + ":" + n + ": no \"key\"");
            m.put(k, r);
        }
        return m;
    }

    /** Everything that determines a run's outcome, recorded with it and compared on resume. */
    private Map<String, Object> settings(RunKey k, LongtermMethod m, double budgetSeconds) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", m.gated() ? "lstm" : "rnn-tanh-activation-form");
        s.put("hidden", hidden);
        s.put("method", new LinkedHashMap<>(m.settings()));
        s.put("budget_s", budgetSeconds);
        s.put("threshold", threshold);
        s.put("test_size", testSize);
        s.put("probe_size", probeSize);
        s.put("dtype", "float32");
        return s;
    }

    /** Seed of the test set of length T: the same sequences for every method and seed. */
    static long testSeed(int length) {
        return 0x7E57L * 1_000_003L + length;
    }

    private Map<String, Object> run(RunKey k, LongtermMethod m, double budgetSeconds, PrintWriter stdout) throws IOException {
        SequenceTask taskDef = new AddingTask(k.length());
        DType dtype = DType.F32;
        SequenceModel model = m.model(taskDef.inputSize(), hidden, k.seed(), dtype);
        Dataset test = taskDef.generate(testSize, new Rng(testSeed(k.length())));
        Evaluator probe = new Evaluator(test.head(probeSize), dtype, taskDef.trivialBaseline(), Evaluator.DEFAULT_CHUNK);
        Evaluator full = new Evaluator(test, dtype, taskDef.trivialBaseline(), Evaluator.DEFAULT_CHUNK);
        // The trainer's own end-of-chunk evaluation is on one sequence (negligible); the probe is timed apart.
        Evaluator none = new Evaluator(test.head(1), dtype, taskDef.trivialBaseline(), 1);
        BatchStream batches = taskDef.stream(m.batch(), 1_000_000L + k.seed());
        Trainer trainer = new Trainer(model, dev.descent.train.Objective.MEAN_SQUARED_ERROR, m.optimizer(), batches, none, List.of());
        if (m.omega() > 0) trainer = trainer.withFlowRegularizer(m.omega());
        if (m.curvatureBatch() > 0) trainer = trainer.withCurvatureBatch(m.curvatureBatch(), true);

        double interval = evalEvery != null ? evalEvery : Math.max(1, budgetSeconds / 100);
        Path curveFile = out.resolve("runs").resolve(k.id() + ".jsonl");
        List<List<Object>> curve = new ArrayList<>();
        StringBuilder curveText = new StringBuilder();
        double trainSeconds = 0, evalSeconds = 0;
        long chunk = 1;
        TrainingState state = trainer.initialState();
        double[] lastLoss = {Double.NaN};
        TrainingObserver observer = new TrainingObserver() {
            @Override public void onStep(StepMetrics metrics) {
                lastLoss[0] = metrics.loss();
            }
        };
        String outcome = "budget";
        boolean solved = false;
        double solveTime = Double.NaN, finalMse = Double.NaN;
        long solveStep = -1;
        String failure = null;
        Instant started = Instant.now();
        long e0 = System.nanoTime();
        double probeMse = probe.evaluate(model, 0).metric("mse");
        evalSeconds += (System.nanoTime() - e0) / 1e9;
        addPoint(curve, curveText, curveFile, 0, 0, probeMse, Double.NaN);
        while (trainSeconds < budgetSeconds) {
            long t0 = System.nanoTime();
            try {
                state = trainer.run(state, new TrainingConfig(state.step() + chunk, Long.MAX_VALUE / 4, 0, 0), observer);
            } catch (TrainingDivergedException | ArithmeticException e) { // a non-finite loss, or a non-finite gradient met by clipping
                trainSeconds += (System.nanoTime() - t0) / 1e9;
                outcome = "diverged";
                failure = e.getMessage();
                break;
            }
            double took = (System.nanoTime() - t0) / 1e9;
            trainSeconds += took;
            // Chunks of about one evaluation interval, never past the budget by more than one step's time.
            double perStep = took / chunk;
            double left = Math.min(interval, budgetSeconds - trainSeconds);
            chunk = Math.max(1, (long) Math.floor(left / Math.max(perStep, 1e-6)));
            e0 = System.nanoTime();
            probeMse = probe.evaluate(model, state.step()).metric("mse");
            double confirm = Double.NaN;
            if (probeMse < threshold) confirm = full.evaluate(model, state.step()).metric("mse");
            evalSeconds += (System.nanoTime() - e0) / 1e9;
            addPoint(curve, curveText, curveFile, trainSeconds, state.step(), probeMse, lastLoss[0]);
            if (confirm < threshold) {
                // A chunk cannot stop inside a step, so the last one may end past the budget (by under
                // one step's time): a solve there is recorded as late, not as a success.
                solved = trainSeconds <= budgetSeconds;
                outcome = solved ? "solved" : "solved-late";
                solveTime = trainSeconds;
                solveStep = state.step();
                finalMse = confirm;
                break;
            }
        }
        if (!solved && !"solved-late".equals(outcome)) {
            e0 = System.nanoTime();
            finalMse = "diverged".equals(outcome) ? Double.NaN : full.evaluate(model, state.step()).metric("mse");
            evalSeconds += (System.nanoTime() - e0) / 1e9;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("key", k.id());
        r.put("task", k.task());
        r.put("length", k.length());
        r.put("method", k.method());
        r.put("seed", k.seed());
        r.put("settings", settings(k, m, budgetSeconds));
        r.put("outcome", outcome);
        r.put("solved", solved);
        r.put("time_to_solve_s", solveStep >= 0 ? solveTime : null);
        r.put("step_to_solve", solveStep >= 0 ? solveStep : null);
        r.put("final_test_mse", finalMse);
        r.put("train_seconds", trainSeconds);
        r.put("eval_seconds", evalSeconds);
        r.put("steps", state.step());
        if (failure != null) r.put("failure", failure);
        r.put("started", started.toString());
        r.put("finished", Instant.now().toString());
        r.put("cpus", Runtime.getRuntime().availableProcessors());
        r.put("java", System.getProperty("java.version"));
        r.put("curve_columns", List.of("train_seconds", "step", "probe_mse", "train_loss"));
        r.put("curve", curve);
        return r;
    }

    private static void addPoint(List<List<Object>> curve, StringBuilder text, Path file, double seconds, long step, double probe,
                                 double loss) throws IOException {
        List<Object> p = new ArrayList<>(List.of(seconds, step, probe, Double.isNaN(loss) ? 0.0 : loss));
        if (Double.isNaN(loss)) p.set(3, null);
        curve.add(p);
        text.append(Json.writeObject(p)).append('\n');
        RunDirectory.writeAtomically(file, text.toString());
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
