package dev.descent.experiments;

import dev.descent.autodiff.Autodiff;
import dev.descent.chart.Chart;
import dev.descent.optim.ChainState;
import dev.descent.optim.EmaState;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.OptimizerStates;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Update;
import dev.descent.optim.Updates;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SPEC §2.2: the running average is an explicit weighted sum,
 * v_t = β^t v_0 + Σ_{i=1..t} β^{t−i}(1−β) g_i.
 *
 * <p>Experiment: SGD on a running average ({@link Optimizers#emaSgd}, β = {@value #DECAY},
 * δ = {@value #STEP_SIZE}, v_0 = 0) trains the tanh MLP of {@link Spec2TrainingProblem} for
 * {@value #STEPS} steps, keeping every gradient g_i and the optimiser's state v_t. Then the
 * weighted sum is evaluated directly, term by term with the weights β^{t−i}(1−β) computed by
 * {@link Math#pow} (not by the recursion), for every t. The same gradients are then fed to
 * {@link Optimizers#ema} started from a random v_0 ≠ 0, which checks the β^t v_0 term too.
 * Figure, for each run: max_t ‖v_t − S_t‖∞ / s ≤ 10⁻¹² (SPEC's bound), with S_t the explicit sum
 * and s the scale of the summands, max(‖v_0‖∞, max_i ‖g_i‖∞), which makes the figure independent
 * of the gradients' units. Why it holds: both sides are convex combinations (weights ≥ 0 summing
 * to at most 1) of the same numbers, each side rounded at most a few times 2⁻⁵³ per term, and
 * the recursion's old errors decay by β each step; so the difference stays at a few multiples of
 * 1.1e-16 · s (even the crude bound t · 2⁻⁵³ · s ≈ 2e-14 at t = {@value #STEPS} is far below
 * 10⁻¹²).
 *
 * <p>Plot: the error per step for both runs, log y, next to the bound.
 *
 * <p>The running average is a seam ({@link EmaFactory}): {@link Optimizers#ema} in production,
 * deliberately broken averages in the tests.
 */
public final class Spec22AverageIsWeightedSum implements Experiment {
    static final int STEPS = 200;
    static final double DECAY = 0.9;
    static final double STEP_SIZE = 0.1;
    static final double BOUND = 1e-12;

    /** Builds the running average under test from (β, debias). */
    @FunctionalInterface
    interface EmaFactory {
        /** The running average with decay β. */
        GradientTransformation<EmaState> create(double decay, boolean debias);
    }

    private final EmaFactory ema;

    /** The experiment as {@code descent verify} runs it, on {@link Optimizers#ema}. */
    public Spec22AverageIsWeightedSum() {
        this(Optimizers::ema);
    }

    /** The experiment on another running average (tests: a deliberately broken one). */
    Spec22AverageIsWeightedSum(EmaFactory ema) {
        if (ema == null) throw new IllegalArgumentException("2.2: ema is null");
        this.ema = ema;
    }

    @Override
    public String id() {
        return "2.2";
    }

    @Override
    public String claim() {
        return "The running average is the explicit weighted sum v_t = β^t v_0 + Σ β^{t−i}(1−β) g_i";
    }

    @Override
    public String why() {
        return "Unrolling v_t = β v_{t−1} + (1−β) g_t gives, by induction on t, v_t = β^t v_0 + Σ_{i=1..t} "
                + "β^{t−i}(1−β) g_i. The experiment evaluates that sum term by term with weights computed directly "
                + "(not by the recursion) and compares it with the optimiser's state.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        Spec2TrainingProblem problem = Spec2TrainingProblem.draw(rng);
        // emaSgd is chain(ema(β), scaleByLearningRate(δ)) (Optimizers#emaSgd); built here from the average under test.
        GradientTransformation<ChainState> optimiser = Optimizers.chain(ema.create(DECAY, false), Optimizers.scaleByLearningRate(STEP_SIZE));
        Params theta = problem.start();
        ChainState state = optimiser.init(theta);
        List<Params> grads = new ArrayList<>();
        List<double[]> trained = new ArrayList<>();
        for (int t = 1; t <= STEPS; t++) {
            Params g = Autodiff.grad(problem.loss(), theta);
            Update<ChainState> u = optimiser.update(g, state, theta);
            theta = Updates.apply(theta, u.updates());
            state = u.state();
            grads.add(g);
            trained.add(OptimizerStates.find(state, EmaState.class)
                    .orElseThrow(() -> new IllegalStateException("2.2: no running-average state in emaSgd")).average().flatten());
        }

        Params v0 = problem.start().map(x -> rng.normal(DType.F64, 0, 1, x.dims()));
        GradientTransformation<EmaState> average = ema.create(DECAY, false);
        EmaState fromV0 = new EmaState(v0, 0);
        List<double[]> replayed = new ArrayList<>();
        for (Params g : grads) {
            fromV0 = average.update(g, fromV0, null).state();
            replayed.add(fromV0.average().flatten());
        }

        int n = (int) problem.start().elementCount();
        double[][] g = new double[STEPS][];
        double gradScale = 0;
        for (int i = 0; i < STEPS; i++) {
            g[i] = grads.get(i).flatten();
            for (double x : g[i]) gradScale = Math.max(gradScale, Math.abs(x));
        }
        double[] zero = new double[n], start = v0.flatten();
        double startScale = 0;
        for (double x : start) startScale = Math.max(startScale, Math.abs(x));
        double[] steps = new double[STEPS], errorTrained = new double[STEPS], errorReplayed = new double[STEPS];
        for (int t = 1; t <= STEPS; t++) {
            steps[t - 1] = t;
            errorTrained[t - 1] = maxAbsDiff(trained.get(t - 1), explicitSum(zero, g, t)) / gradScale;
            errorReplayed[t - 1] = maxAbsDiff(replayed.get(t - 1), explicitSum(start, g, t)) / Math.max(gradScale, startScale);
        }

        Chart plot = Chart.builder("Running average minus the explicit weighted sum, per step")
                .xLabel("step t").yLabel("‖v_t − Σ‖∞ / scale").yScale(Chart.Scale.LOG10)
                .line("emaSgd state, v_0 = 0", steps, errorTrained)
                .line("ema from a random v_0", steps, errorReplayed)
                .horizontalLine("bound 1e-12", BOUND)
                .build();
        return Result.of(
                        Row.atMost("emaSgd state (v_0 = 0) equals Σ β^{t−i}(1−β) g_i: max_t ‖v_t − Σ‖∞ / max‖g‖∞, t ≤ " + STEPS,
                                maxWithNaN(errorTrained), BOUND),
                        Row.atMost("ema from v_0 ≠ 0 equals β^t v_0 + Σ β^{t−i}(1−β) g_i: max_t ‖v_t − sum‖∞ / scale",
                                maxWithNaN(errorReplayed), BOUND))
                .withPlot(plot)
                .withNote(String.format(Locale.ROOT, "β = %s, δ = %s; %d gradients of the %d-parameter tanh MLP kept; "
                        + "largest |g| %s, largest |v_0| %s", DECAY, STEP_SIZE, STEPS, n, Row.format(gradScale), Row.format(startScale)));
    }

    /** β^t v_0 + Σ_{i=1..t} β^{t−i}(1−β) g_i, term by term. */
    static double[] explicitSum(double[] v0, double[][] g, int t) {
        double[] s = new double[v0.length];
        double w0 = Math.pow(DECAY, t);
        for (int k = 0; k < s.length; k++) s[k] = w0 * v0[k];
        for (int i = 1; i <= t; i++) {
            double w = Math.pow(DECAY, t - i) * (1 - DECAY);
            double[] gi = g[i - 1];
            for (int k = 0; k < s.length; k++) s[k] += w * gi[k];
        }
        return s;
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** The maximum, NaN if any value is NaN (so that a broken run cannot pass). */
    static double maxWithNaN(double[] values) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isNaN(v)) return Double.NaN;
            m = Math.max(m, v);
        }
        return m;
    }
}
