package dev.descent.cli;

import dev.descent.bench.Measure;
import dev.descent.data.AddingTask;
import dev.descent.data.BatchStream;
import dev.descent.data.Dataset;
import dev.descent.data.SequenceTask;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.train.Evaluator;
import dev.descent.train.Objective;
import dev.descent.train.StepMetrics;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingState;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code descent bench hf-step} (issue 18 part 4): the time of one Hessian-free step of the long-lag
 * work, measured as {@code descent longterm} takes it: the plain tanh RNN (activation form,
 * hidden 100, sparse initialisation) on the adding problem at T = 200, the {@code hf} method's
 * settings ({@link LongtermMethod}: gradient on the batch, Gauss-Newton products with structural
 * damping on the curvature batch, truncated CG), driven through {@link Trainer} one step at a
 * time. There is no peer: PyTorch has no Hessian-free optimiser.
 */
final class HfStepBench {
    private HfStepBench() {}

    /** Sequence length of the measured step. */
    static final int LENGTH = 200;
    /** Hidden size, {@code descent longterm}'s default. */
    static final int HIDDEN = 100;

    /** The settings of a run: the {@code hf} defaults, or with {@code quick} a small batch and few CG iterations. */
    static LongtermMethod method(boolean quick) {
        return LongtermMethod.of("hf", quick ? Map.of("batch", "100", "curvature-batch", "20", "cg-iterations", "10") : Map.of());
    }

    /**
     * Runs {@code warmup} untimed and {@code steps} timed HF steps from seed {@code seed}, prints one
     * JSON result line and a one-line table, and returns the step times in seconds.
     */
    static double[] run(LongtermMethod m, int warmup, int steps, long seed, PrintStream out, PrintStream err) {
        SequenceTask task = new AddingTask(LENGTH);
        DType dtype = DType.F32;
        SequenceModel model = m.model(task.inputSize(), HIDDEN, seed, dtype);
        Dataset one = task.generate(1, new Rng(seed + 2));
        Evaluator none = new Evaluator(one, dtype, task.trivialBaseline(), 1);
        BatchStream batches = task.stream(m.batch(), 1_000_000L + seed);
        Trainer trainer = new Trainer(model, Objective.MEAN_SQUARED_ERROR, m.optimizer(), batches, none, List.of());
        if (m.curvatureBatch() > 0) trainer = trainer.withCurvatureBatch(m.curvatureBatch(), true);
        TrainingState state = trainer.initialState();
        StepMetrics[] last = new StepMetrics[1];
        TrainingObserver observer = new TrainingObserver() {
            @Override
            public void onStep(StepMetrics metrics) {
                last[0] = metrics;
            }
        };
        double[] times = new double[steps], losses = new double[steps];
        for (int i = -warmup; i < steps; i++) {
            long t0 = System.nanoTime();
            state = trainer.run(state, new TrainingConfig(state.step() + 1, Long.MAX_VALUE / 4, 0, 0), observer);
            double dt = (System.nanoTime() - t0) * 1e-9;
            err.println(String.format(Locale.ROOT, "descent bench hf-step: step %d%s %.3f s, loss %.5f", state.step(),
                    i < 0 ? " (untimed)" : "", dt, last[0] == null ? Double.NaN : last[0].loss()));
            if (i < 0) continue;
            times[i] = dt;
            losses[i] = last[0] == null ? Double.NaN : last[0].loss();
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("T", LENGTH);
        params.put("hidden", HIDDEN);
        params.put("model", "rnn-tanh-activation-form");
        params.putAll(m.settings());
        params.put("warmup_steps", warmup);
        params.put("timed_steps", steps);
        params.put("dtype", "float32");
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("losses", losses);
        if (last[0] != null) extra.put("last_step_details", new LinkedHashMap<>(last[0].details()));
        Measure.Result r = new Measure.Result("hf-step", "descent", params, times, m.batch() / median(times), "sequences/s", extra);
        out.println(r.toJson());
        out.println(String.format(Locale.ROOT, "hf-step T=%d H=%d batch=%d curvature-batch=%d cg<=%s: median %.4f s, min %.4f s",
                LENGTH, HIDDEN, m.batch(), m.curvatureBatch(), m.settings().get("cg-iterations"), r.medianS(), r.minS()));
        return times;
    }

    private static double median(double[] v) {
        double[] t = v.clone();
        Arrays.sort(t);
        int n = t.length;
        return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    }
}
