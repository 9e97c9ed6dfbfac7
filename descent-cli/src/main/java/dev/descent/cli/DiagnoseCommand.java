package dev.descent.cli;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.chart.Chart;
import dev.descent.data.Batch;
import dev.descent.data.BatchStream;
import dev.descent.diagnostics.Curvature;
import dev.descent.diagnostics.GradientCurvature;
import dev.descent.diagnostics.GradientFlow;
import dev.descent.diagnostics.GradientFlowReport;
import dev.descent.diagnostics.HessianEigenpairs;
import dev.descent.diagnostics.HessianSpectrum;
import dev.descent.diagnostics.SpectralDensity;
import dev.descent.diagnostics.TraceEstimate;
import dev.descent.diagnostics.TrainingHealth;
import dev.descent.diagnostics.WeightNormDynamics;
import dev.descent.diagnostics.WeightNormLayerStats;
import dev.descent.io.Checkpoint;
import dev.descent.io.Json;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import dev.descent.train.Evaluation;
import dev.descent.train.TrainingCheckpoints;
import dev.descent.train.TrainingSpec;
import dev.descent.train.TrainingState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code descent diagnose}: loads a checkpoint written by {@code descent train} (the model is
 * rebuilt from the configuration stored in it), evaluates it on held-out data, measures the
 * diagnostics on one training batch (the one the run would have used next) and prints them, and
 * writes their plots, with the run's history plots when its {@code metrics.jsonl} is beside the
 * checkpoint, into a directory with an {@code index.html}, and their numbers into
 * {@code diagnosis.json} there.
 *
 * <p>Diagnostics: {@code gradient-norms} (global and per layer), {@code curvature} (gᵀHg along
 * the gradient, ε* = gᵀg/gᵀHg, next to the run's learning rate), {@code hessian-eigenvalues}
 * (the 3 largest, Lanczos), {@code hessian-trace} (Hutchinson), {@code hessian-density} (the
 * eigenvalue density by stochastic Lanczos quadrature, {@link HessianDensity}), {@code gradient-flow} (RNN:
 * ‖∂g_T/∂g_t‖ next to Π‖diag σ'‖‖W‖ and (γ‖W‖)^(T−t), and the regime test on W) and
 * {@code weight-norm} (‖u‖, g and the effective learning rate η|g|/‖u‖ of weight-normalised
 * layers, for a plain gradient step at the run's learning rate).
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Load a checkpoint and data, print the diagnostics and write their plots.", ""},
        footer = {"", "Diagnostics: gradient-norms, curvature (gᵀHg, ε* = gᵀg/gᵀHg),",
            "hessian-eigenvalues (3 largest), hessian-trace (Hutchinson), hessian-density",
            "(eigenvalue density by stochastic Lanczos quadrature: " + HessianDensity.PROBES + " probes x "
                    + HessianDensity.LANCZOS_STEPS + " steps,",
            "up to " + HessianDensity.PROBES * HessianDensity.LANCZOS_STEPS + " Hessian-vector products), gradient-flow (rnn: against",
            "(γ||W||)^(T-t)), weight-norm (weight-normalised mlp). Default: all that apply",
            "to the model except hessian-trace and hessian-density.",
            "", "Output: the diagnosis on stdout; in the output directory, index.html,",
            "a PNG per plot and diagnosis.json with every number.",
            "", "Examples:", "  descent diagnose --checkpoint runs/x/checkpoints/step-00002500.safetensors",
            "  descent diagnose --checkpoint runs/x --diagnostics hessian-density"})
public final class DiagnoseCommand implements Callable<Integer> {
    /** The diagnostics this command offers. */
    static final List<String> NAMES = List.of("gradient-norms", "curvature", "hessian-eigenvalues", "hessian-trace", "hessian-density",
            "gradient-flow", "weight-norm");
    /** The diagnostics left out by default: the Hessian-vector-product-heavy estimates. */
    static final List<String> ON_REQUEST = List.of("hessian-trace", "hessian-density");

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE|DIR",
            description = "The checkpoint to diagnose, or a run directory (its newest checkpoint).")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "SOURCE", converter = Converters.DataSourceConverter.class,
            description = "Data to evaluate on: " + DataSource.SYNTAX + " (default: the run's own).")
    DataSource data;

    @Option(names = "--diagnostics", split = ",", paramLabel = "LIST", description = "Which diagnostics, comma-separated (default: all that apply except hessian-trace and hessian-density).")
    List<String> diagnostics;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory: plots, index.html, diagnosis.json (default: diagnose-step-N in the run directory).")
    Path out;

    @Option(names = "--seed", converter = Converters.AnyLong.class, paramLabel = "N",
            description = "Seed of the data split and the random probes (default: the run's).")
    Long seed;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        checkpoint = RunDirectory.resolveCheckpoint(checkpoint); // a run directory names its newest checkpoint
        Checkpoint c = Checkpoint.read(checkpoint);
        String source = checkpoint + " (configuration)";
        Map<String, Object> config;
        try {
            config = Json.parseObject(c.run().configuration(), source);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
        if (config.isEmpty()) throw new CommandFailure(checkpoint + ": the checkpoint records no training configuration to rebuild its model from");
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (data != null) overrides.put("data", data.spec());
        if (seed != null) overrides.put("seed", seed);
        TrainingSpec.Layered given;
        try {
            given = TrainingSpec.layered(List.of(new TrainingSpec.Layer("the command line", overrides, false),
                    new TrainingSpec.Layer(source, config, false)));
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
        List<String> wanted = diagnostics == null ? null : diagnostics.stream().map(String::strip).toList();
        if (wanted != null) {
            for (String w : wanted) {
                if (!NAMES.contains(w)) throw new ParameterException(spec.commandLine(), "unknown diagnostic '" + w + "'; expected " + String.join(", ", NAMES));
            }
        }
        if (given.spec().data().source() == null) throw new CommandFailure(checkpoint + ": the configuration names no data; pass --data");
        TrainingData d = DataSource.load(given.spec(), source);
        RunSetup r;
        try {
            r = RunSetup.of(given.spec().resolve(RunSetup.facts(d), given.yielding()), d);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(checkpoint + ": its configuration does not build a model: " + e.getMessage(), e);
        }
        TrainingSpec run = r.spec();
        TrainingState state;
        try {
            state = TrainingCheckpoints.restore(c, checkpoint.toString(), r.model(), r.optimizer());
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
        Module model = r.model();
        boolean isRnn = model instanceof SequenceModel s && s.rnn() != null;
        boolean isWeightNorm = !WeightNormDynamics.prefixes(model.parameters()).isEmpty();
        if (wanted != null && wanted.contains("gradient-flow") && !isRnn) throw new CommandFailure("gradient-flow needs an RNN model; this checkpoint holds " + RunSetup.describeModel(run, model.parameters().elementCount()));
        if (wanted != null && wanted.contains("weight-norm") && !isWeightNorm) throw new CommandFailure("weight-norm needs a weight-normalised model; this checkpoint holds " + RunSetup.describeModel(run, model.parameters().elementCount()));
        List<String> chosen = new ArrayList<>();
        for (String n : NAMES) {
            boolean applies = !(n.equals("gradient-flow") && !isRnn) && !(n.equals("weight-norm") && !isWeightNorm);
            if (wanted == null ? applies && !ON_REQUEST.contains(n) : wanted.contains(n)) chosen.add(n);
        }

        Path outDir = out != null ? out : RunDirectory.runOrParent(checkpoint).resolve(String.format(Locale.ROOT, "diagnose-step-%d", state.step()));
        List<String> lines = new ArrayList<>();
        lines.add("checkpoint: " + checkpoint + " (step " + state.step() + ", seed " + c.run().seed() + ")");
        lines.add("data: " + d.description());
        lines.add("model: " + RunSetup.describeModel(run, model.parameters().elementCount()));
        Evaluation eval = r.trainer().evaluator().evaluate(model, state.step());
        lines.add(eval.summary());

        BatchStream batches = d.trainBatches(run.run().batchSize());
        batches.seek(state.cursor());
        Batch batch = batches.next();
        Tensor x = batch.features().to(run.model().dtype());
        Batch b = new Batch(x, batch.targets() == null ? null : batch.targets().to(run.model().dtype()), batch.labels(), batch.labelShape(), batch.indices());
        Function<VarParams, Var> loss = vp -> r.objective().loss(model.apply(vp, Var.constant(x)), b);
        Params params = state.parameters();
        Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(loss, params);
        Params grad = vg.grad();
        lines.add(String.format(Locale.ROOT, "batch: the next training batch at the checkpoint's cursor (%d samples), loss %.6g", b.size(),
                vg.value().item()));
        List<TrainingReport.Figure> figures = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        long probeSeed = c.run().seed() + state.step();
        double lr = run.optimizer().learningRate() != null ? run.optimizer().learningRate() : Double.NaN;
        for (String n : chosen) {
            switch (n) {
                case "gradient-norms" -> {
                    Map<String, Double> layers = TrainingHealth.normsByLayer(grad);
                    lines.add(String.format(Locale.ROOT, "gradient norms: global %.6g", grad.norm()));
                    values.put(n, Map.of("global", grad.norm(), "layers", layers));
                    double[] idx = new double[layers.size()], v = new double[layers.size()];
                    int i = 0;
                    for (Map.Entry<String, Double> e : layers.entrySet()) {
                        lines.add(String.format(Locale.ROOT, "  %-24s %.6g", e.getKey().isEmpty() ? "(root)" : e.getKey(), e.getValue()));
                        idx[i] = i;
                        v[i++] = e.getValue();
                    }
                    figures.add(new TrainingReport.Figure("gradient-norms-by-layer.png", Chart.builder("Gradient norm per layer (in order "
                            + String.join(", ", layers.keySet()) + ")").xLabel("layer index").yLabel("||g_layer||").yScale(Chart.Scale.LOG10)
                            .lineWithMarkers("||g_layer||", idx, v).build()));
                }
                case "curvature" -> {
                    GradientCurvature gc = Curvature.alongGradient(loss, params, grad);
                    values.put(n, gc.toMap());
                    OptionalDouble opt = gc.optimalStep();
                    lines.add(String.format(Locale.ROOT, "curvature along the gradient: gᵀHg = %.6g, gᵀg = %.6g, gᵀHg/gᵀg = %.6g; %s",
                            gc.curvature(), gc.gradientNormSquared(), gc.rayleighQuotient(),
                            opt.isPresent() ? String.format(Locale.ROOT, "ε* = gᵀg/gᵀHg = %.6g%s", opt.getAsDouble(),
                                    Double.isNaN(lr) ? "" : String.format(Locale.ROOT, " (the run's learning rate: %.6g)", lr))
                                    : "gᵀHg <= 0: the quadratic model predicts unbounded decrease, no ε*"));
                }
                case "hessian-eigenvalues" -> {
                    int k = (int) Math.min(DiagnosticsFactory.EIGENVALUES, params.elementCount());
                    HessianEigenpairs e = HessianSpectrum.topEigenvalues(loss, params, k, probeSeed);
                    double[] ev = e.values();
                    values.put(n, e.toMap());
                    StringBuilder sb = new StringBuilder("largest Hessian eigenvalues (Lanczos, " + e.hessianVectorProducts() + " HVPs"
                            + (e.converged() ? "" : ", not converged") + "):");
                    double[] idx = new double[ev.length];
                    for (int i = 0; i < ev.length; i++) {
                        sb.append(String.format(Locale.ROOT, "%s λ%d = %.6g", i == 0 ? "" : ",", i + 1, ev[i]));
                        idx[i] = i + 1;
                    }
                    if (ev.length > 0 && ev[0] > 0) sb.append(String.format(Locale.ROOT, "; 2/λ1 = %.6g (the largest stable plain-gradient step)", 2 / ev[0]));
                    lines.add(sb.toString());
                    figures.add(new TrainingReport.Figure("hessian-eigenvalues.png", Chart.builder("Largest Hessian eigenvalues at step " + state.step())
                            .xLabel("k").yLabel("λ_k").lineWithMarkers("λ_k", idx, ev).build()));
                }
                case "hessian-trace" -> {
                    TraceEstimate t = HessianSpectrum.trace(loss, params, DiagnosticsFactory.TRACE_PROBES, probeSeed);
                    lines.add(String.format(Locale.ROOT, "Hessian trace (Hutchinson, %d probes): %.6g ± %.2g", t.probes(), t.trace(), t.standardError()));
                    values.put(n, t.toMap());
                }
                case "hessian-density" -> {
                    SpectralDensity density = HessianSpectrum.density(loss, params, HessianDensity.OPTIONS, probeSeed);
                    lines.add(HessianDensity.summary(density, params.elementCount()));
                    values.put(n, HessianDensity.values(density, params.elementCount()));
                    figures.add(HessianDensity.figure(density, "Hessian eigenvalue density (SLQ) at step " + state.step(), "hessian-density.png"));
                }
                case "gradient-flow" -> {
                    Rnn rnn = ((SequenceModel) model).rnn();
                    GradientFlowReport g = GradientFlow.toEnd(DiagnosticsFactory.recurrence(rnn, params, x), 0);
                    double[] norms = g.jacobian().norms(), prod = g.productBound(), crude = g.crudeBound();
                    int steps = norms.length - 1;
                    lines.add(String.format(Locale.ROOT, "gradient flow through time (sequence 0 of the batch, T = %d): ||W|| = %.6g, γ = %.3g, "
                            + "γ||W|| = %.6g: %s", steps, g.regime().spectralNorm(), g.regime().gamma(), g.regime().delta(), g.regime().regime()));
                    lines.add(String.format(Locale.ROOT, "  %6s %14s %16s %14s", "T-t", "||dg_T/dg_t||", "prod bound", "(γ||W||)^(T-t)"));
                    for (int span : spans(steps)) {
                        int t = steps - span;
                        lines.add(String.format(Locale.ROOT, "  %6d %14.6g %16.6g %14.6g", span, norms[t], prod[t], crude[t]));
                    }
                    Map<String, Object> flow = g.toMap();
                    values.put(n, flow);
                    figures.add(TrainingReport.gradientFlowFigure(flow, "Gradient flow through time at step " + state.step(), "gradient-flow.png"));
                }
                case "weight-norm" -> {
                    double eta = Double.isNaN(lr) ? 1 : lr;
                    List<WeightNormLayerStats> stats = WeightNormDynamics.measure(params, grad.scale(-eta), OptionalDouble.of(eta));
                    lines.add("weight norm (for a plain gradient step of η = " + eta + "):");
                    values.put(n, stats.stream().map(WeightNormLayerStats::toMap).toList());
                    for (WeightNormLayerStats s : stats) {
                        lines.add(String.format(Locale.ROOT, "  %-20s units %d, mean ||u|| %.6g, mean |g| %.6g, mean η|g|/||u|| %.6g, max |cos(Δu, u)| %.2g",
                                s.layer(), s.units(), mean(s.directionNorms()), meanAbs(s.gains()), mean(s.effectiveLearningRates()),
                                s.maxAbsUpdateCosine()));
                        double[] idx = new double[s.units()];
                        for (int i = 0; i < idx.length; i++) idx[i] = i;
                        figures.add(new TrainingReport.Figure("weight-norm-" + s.layer().replaceAll("[^A-Za-z0-9._-]", "_") + ".png",
                                Chart.builder("||u|| per unit of " + s.layer() + " at step " + state.step()).xLabel("unit").yLabel("||u||")
                                        .markers("||u||", idx, s.directionNorms()).build()));
                    }
                }
                default -> throw new IllegalStateException("unhandled diagnostic " + n);
            }
        }
        Path metrics = RunDirectory.runOrParent(checkpoint).resolve("metrics.jsonl");
        if (Files.isRegularFile(metrics)) {
            List<Map<String, Object>> records = new ArrayList<>();
            for (Map<String, Object> m : MetricsLog.read(metrics)) {
                if (m.get("step") instanceof Number s && s.longValue() <= state.step()) records.add(m);
            }
            for (TrainingReport.Figure f : TrainingReport.figures(records, run.optimizer().clip())) {
                figures.add(new TrainingReport.Figure("history-" + f.fileName(), f.plot()));
            }
        }
        Path index = TrainingReport.write(outDir, "Descent diagnosis of " + checkpoint.getFileName(), lines, figures);
        Path json = outDir.resolve("diagnosis.json");
        RunDirectory.writeAtomically(json, Json.writePretty(diagnosisJson(checkpoint, state.step(), c.run().seed(), d, run, model, eval,
                b.size(), vg.value().item(), values)));
        for (String l : lines) stdout.println(l);
        stdout.println("plots: " + outDir + " (" + figures.size() + " plots, " + index.getFileName() + "); numbers: " + json);
        stdout.flush();
        return Main.OK;
    }

    /**
     * Everything the diagnosis printed, as numbers: the checkpoint, the held-out evaluation (as in
     * {@code metrics.jsonl}), the batch and each diagnostic's values by name.
     */
    private static Map<String, Object> diagnosisJson(Path checkpoint, long step, long seed, TrainingData d, TrainingSpec run, Module model,
                                                     Evaluation eval, int batchSize, double batchLoss, Map<String, Object> values) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoint", checkpoint.toString());
        m.put("step", step);
        m.put("seed", seed);
        m.put("data", d.description());
        m.put("model", RunSetup.describeModel(run, model.parameters().elementCount()));
        m.put("evaluation", TrainCommand.evalRecord(eval));
        m.put("batch", Map.of("samples", batchSize, "loss", batchLoss));
        m.put("diagnostics", values);
        return m;
    }

    /** The spans T − t printed in the gradient-flow table: 1, 2, 5, 10, 20, 50, … and T. */
    static List<Integer> spans(int steps) {
        List<Integer> s = new ArrayList<>();
        for (int base = 1; base <= steps; base *= 10) {
            for (int m : new int[] {1, 2, 5}) if (base * m < steps) s.add(base * m);
        }
        s.add(steps);
        return s;
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return a.length == 0 ? Double.NaN : s / a.length;
    }

    private static double meanAbs(double[] a) {
        double s = 0;
        for (double v : a) s += Math.abs(v);
        return a.length == 0 ? Double.NaN : s / a.length;
    }
}
