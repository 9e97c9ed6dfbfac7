package dev.descent.experiments;

import dev.descent.autodiff.Autodiff;
import dev.descent.chart.Chart;
import dev.descent.optim.ChainState;
import dev.descent.optim.EmaState;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.MomentumParams;
import dev.descent.optim.MomentumState;
import dev.descent.optim.OptimizerStates;
import dev.descent.optim.Optimizers;
import dev.descent.optim.RunningAverageParams;
import dev.descent.optim.Update;
import dev.descent.optim.Updates;
import dev.descent.tensor.Params;
import java.util.Locale;
import java.util.function.Function;

/**
 * SPEC §2.1: momentum is a running average. SGD with momentum (Polyak 1964; the seed's form),
 * v_t = α v_{t−1} + ε g_t, θ_t = θ_{t−1} − v_t ({@link Optimizers#momentum}), and SGD on an
 * exponential running average, v̄_t = β v̄_{t−1} + (1−β) g_t, θ_t = θ_{t−1} − δ v̄_t
 * ({@link Optimizers#emaSgd} without bias correction), follow the same trajectory when α = β and
 * ε = δ(1−β), because v_t = δ v̄_t at every step.
 *
 * <p>Experiment: {@value #STEPS} full-batch steps of each on the non-convex tanh MLP of
 * {@link Spec2TrainingProblem} in float64, with α = {@value #MOMENTUM_DECAY},
 * ε = {@value #MOMENTUM_LEARNING_RATE} converted by the library
 * ({@link MomentumParams#toRunningAverage()}: β = α, δ = ε/(1−α)); each optimiser evaluates
 * its own gradients at its own parameters. Figures:
 * <ul>
 *   <li>the largest relative gap between the trajectories over all steps,
 *       max_t ‖θ_t^mom − θ_t^avg‖∞ / ‖θ_t^mom‖∞ ≤ 10⁻¹⁰ (SPEC's bound). Why it holds: the two
 *       recursions differ only by rounding (the factor δ(1−β) equals ε to a few ulps, and
 *       δ v̄ rounds differently from v), a few units of 2⁻⁵³ ≈ 1.1e-16 per step; on a
 *       trajectory that converges rather than diverges these do not amplify, so the gap stays
 *       at the level of a few ulps (measured ≤ 1.4e-15 over 30 seeds), five orders below the
 *       bound;</li>
 *   <li>the optimiser states at the end: ‖v − δ v̄‖∞ / ‖v‖∞ ≤ 10⁻¹⁰, the reason the
 *       trajectories agree (v is small at the end of training, so its relative rounding is
 *       larger: measured ≤ 1e-13);</li>
 *   <li>the run trains, final loss / initial loss ≤ ½, so the comparison is over a moving,
 *       non-trivial trajectory rather than two parameter vectors sitting still;</li>
 *   <li>the conversion itself against SPEC's closed form: β = α exactly and
 *       |δ(1−β) − ε| / ε ≤ 4·2⁻⁵³: 1 − β is exact for β ≥ ½ (Sterbenz's lemma), and the division
 *       ε/(1−β) and the product δ(1−β) are each rounded once, so the round trip is off by at most
 *       two ulps. A conversion that is
 *       inverted (δ = ε(1−α)) or off by 10⁻⁸ fails this row at once, whatever the trajectory.</li>
 * </ul>
 * The conversion is a seam: {@link MomentumParams#toRunningAverage()} in production, broken
 * conversions in the tests.
 *
 * <p>Plots: three coordinates of both trajectories over the steps (momentum as lines, the running
 * average as markers on top), and the relative gap per step on a log axis next to the bound.
 */
public final class Spec21MomentumIsRunningAverage implements Experiment {
    static final int STEPS = 1000;
    static final double MOMENTUM_DECAY = 0.9;
    static final double MOMENTUM_LEARNING_RATE = 0.01;
    static final double TRAJECTORY_BOUND = 1e-10;
    static final double STATE_BOUND = 1e-10;
    static final double LOSS_RATIO_BOUND = 0.5;
    private static final String[] SHOWN_NAMES = {"W1[0,0]", "W2[0]", "b2"};
    private static final int SHOWN_COORDINATES = SHOWN_NAMES.length;
    private static final int[] COLORS = {0x0072B2, 0xD55E00, 0x009E73};

    static final double CONVERSION_BOUND = 4 * 0x1p-53;

    private final int steps;
    private final Function<MomentumParams, RunningAverageParams> conversion;

    /** The experiment as {@code descent verify} runs it. */
    public Spec21MomentumIsRunningAverage() {
        this(STEPS, 0);
    }

    /**
     * A variant for tests: {@code steps} steps, with the running average's step size δ
     * multiplied by (1 + {@code stepSizeError}), i.e. a deliberately wrong conversion
     * ε ≠ δ(1−β) when the error is non-zero (the trajectory row must then fail).
     */
    Spec21MomentumIsRunningAverage(int steps, double stepSizeError) {
        if (steps < 1) throw new IllegalArgumentException("2.1: steps must be >= 1, got " + steps);
        if (!Double.isFinite(stepSizeError) || stepSizeError <= -1) {
            throw new IllegalArgumentException("2.1: step size error must be finite and > -1, got " + stepSizeError);
        }
        this.steps = steps;
        this.conversion = m -> {
            RunningAverageParams c = m.toRunningAverage();
            return new RunningAverageParams(c.decay(), c.stepSize() * (1 + stepSizeError));
        };
    }

    /** A variant for tests: the hyper-parameters converted by {@code conversion} instead of the library's. */
    Spec21MomentumIsRunningAverage(int steps, Function<MomentumParams, RunningAverageParams> conversion) {
        if (steps < 1) throw new IllegalArgumentException("2.1: steps must be >= 1, got " + steps);
        if (conversion == null) throw new IllegalArgumentException("2.1: conversion is null");
        this.steps = steps;
        this.conversion = conversion;
    }

    @Override
    public String id() {
        return "2.1";
    }

    @Override
    public String claim() {
        return "Momentum (α, ε) and a running average (β, δ) give the same trajectory when α = β and ε = δ(1−β)";
    }

    @Override
    public String why() {
        return "Write v_t = δ v̄_t for the running average v̄_t = β v̄_{t−1} + (1−β) g_t. Then v_t = β v_{t−1} "
                + "+ δ(1−β) g_t, which is the momentum recursion v_t = α v_{t−1} + ε g_t with α = β and ε = "
                + "δ(1−β), and θ_t = θ_{t−1} − δ v̄_t = θ_{t−1} − v_t: the two optimisers take the same step at "
                + "every t from v_0 = 0.";
    }

    @Override
    public Result run(Context ctx) {
        Spec2TrainingProblem problem = Spec2TrainingProblem.draw(ctx.rng());
        MomentumParams momentum = new MomentumParams(MOMENTUM_DECAY, MOMENTUM_LEARNING_RATE);
        RunningAverageParams average = conversion.apply(momentum);
        double conversionError = average.decay() != momentum.momentum() ? Double.POSITIVE_INFINITY
                : Math.abs(average.stepSize() * (1 - average.decay()) - momentum.learningRate()) / momentum.learningRate();

        GradientTransformation<MomentumState> withMomentum = Optimizers.momentum(momentum);
        GradientTransformation<ChainState> onAverage = Optimizers.emaSgd(average, false);
        Params thetaMomentum = problem.start(), thetaAverage = problem.start();
        MomentumState stateMomentum = withMomentum.init(thetaMomentum);
        ChainState stateAverage = onAverage.init(thetaAverage);

        double[] stepIndex = new double[steps + 1], gap = new double[steps + 1];
        double[][] coordMomentum = new double[SHOWN_COORDINATES][steps + 1], coordAverage = new double[SHOWN_COORDINATES][steps + 1];
        int[] shown = shownCoordinates(problem.start());
        record(0, thetaMomentum, thetaAverage, shown, stepIndex, gap, coordMomentum, coordAverage);
        double firstLoss = Double.NaN, lastLoss = Double.NaN, worstGap = 0;
        int worstStep = 0;
        for (int t = 1; t <= steps; t++) {
            Autodiff.ValueAndGrad gm = Autodiff.valueAndGrad(problem.loss(), thetaMomentum);
            Params ga = Autodiff.grad(problem.loss(), thetaAverage);
            if (t == 1) firstLoss = gm.value().item();
            lastLoss = gm.value().item();
            Update<MomentumState> um = withMomentum.update(gm.grad(), stateMomentum, thetaMomentum);
            Update<ChainState> ua = onAverage.update(ga, stateAverage, thetaAverage);
            thetaMomentum = Updates.apply(thetaMomentum, um.updates());
            thetaAverage = Updates.apply(thetaAverage, ua.updates());
            stateMomentum = um.state();
            stateAverage = ua.state();
            record(t, thetaMomentum, thetaAverage, shown, stepIndex, gap, coordMomentum, coordAverage);
            if (!(gap[t] <= worstGap)) {
                worstGap = gap[t];
                worstStep = t;
            }
        }
        // NaN-propagating maximum: a diverged run must not pass.
        for (double g : gap) if (Double.isNaN(g)) worstGap = Double.NaN;

        Params velocity = stateMomentum.velocity();
        Params runningAverage = OptimizerStates.find(stateAverage, EmaState.class)
                .orElseThrow(() -> new IllegalStateException("2.1: no running-average state in emaSgd")).average();
        double stateGap = maxAbs(velocity.sub(runningAverage.scale(average.stepSize()))) / maxAbs(velocity);

        Chart trajectories = trajectoryPlot(stepIndex, coordMomentum, coordAverage);
        Chart gapPlot = Chart.builder("Relative gap between the two trajectories, per step")
                .xLabel("step t").yLabel("‖θ_mom − θ_avg‖∞ / ‖θ_mom‖∞").yScale(Chart.Scale.LOG10)
                .line("relative gap", stepIndex, gap)
                .horizontalLine("bound 1e-10", TRAJECTORY_BOUND)
                .build();
        return Result.of(
                        Row.atMost("trajectories agree at every step: max_t ‖θ_mom − θ_avg‖∞ / ‖θ_mom‖∞ over " + steps + " steps",
                                worstGap, TRAJECTORY_BOUND),
                        Row.atMost("states agree at the end: ‖v − δ v̄‖∞ / ‖v‖∞", stateGap, STATE_BOUND),
                        Row.atMost("the run trains: final loss / initial loss", lastLoss / firstLoss, LOSS_RATIO_BOUND),
                        Row.atMost("the conversion: β = α and |δ(1−β) − ε|/ε (closed form, SPEC §2.1)", conversionError,
                                CONVERSION_BOUND))
                .withPlot(trajectories)
                .withPlot(gapPlot)
                .withNote(String.format(Locale.ROOT, "momentum α = %s, ε = %s; converted by the conversion under test to "
                                + "β = %s, δ = %s", MOMENTUM_DECAY, MOMENTUM_LEARNING_RATE, average.decay(), average.stepSize()))
                .withNote(String.format(Locale.ROOT, "tanh MLP %d-%d-1 on %d examples (%d float64 parameters); loss %s → %s; "
                                + "largest gap %s at step %d", Spec2TrainingProblem.INPUTS, Spec2TrainingProblem.HIDDEN,
                        Spec2TrainingProblem.EXAMPLES, problem.start().elementCount(), Row.format(firstLoss), Row.format(lastLoss),
                        Row.format(worstGap), worstStep));
    }

    /**
     * Flat indices of the coordinates drawn ({@link #SHOWN_NAMES}): the first weight of each layer
     * and the output bias.
     */
    private static int[] shownCoordinates(Params start) {
        int w2 = Spec2TrainingProblem.INPUTS * Spec2TrainingProblem.HIDDEN + Spec2TrainingProblem.HIDDEN;
        return new int[] {0, w2, (int) start.elementCount() - 1};
    }

    private static void record(int t, Params a, Params b, int[] shown, double[] stepIndex, double[] gap, double[][] ca, double[][] cb) {
        double[] fa = a.flatten(), fb = b.flatten();
        double diff = 0, scale = 0;
        for (int i = 0; i < fa.length; i++) {
            diff = Math.max(diff, Math.abs(fa[i] - fb[i]));
            scale = Math.max(scale, Math.abs(fa[i]));
        }
        stepIndex[t] = t;
        gap[t] = diff / scale;
        for (int k = 0; k < shown.length; k++) {
            ca[k][t] = fa[shown[k]];
            cb[k][t] = fb[shown[k]];
        }
    }

    private static double maxAbs(Params p) {
        double m = 0;
        for (double v : p.flatten()) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static Chart trajectoryPlot(double[] steps, double[][] momentum, double[][] average) {
        Chart.Builder b = Chart.builder("Momentum vs running average: parameter trajectories")
                .xLabel("step t").yLabel("parameter value");
        // About 40 markers for the running average, so that the momentum line shows underneath.
        int every = Math.max(1, (steps.length - 1) / 40);
        int count = (steps.length - 1) / every + 1;
        for (int k = 0; k < SHOWN_NAMES.length; k++) {
            double[] xs = new double[count], ys = new double[count];
            for (int j = 0; j < count; j++) {
                xs[j] = steps[j * every];
                ys[j] = average[k][j * every];
            }
            b.series(new Chart.Series("momentum " + SHOWN_NAMES[k], steps, momentum[k], Chart.Style.LINE, COLORS[k]));
            b.series(new Chart.Series("average " + SHOWN_NAMES[k], xs, ys, Chart.Style.MARKERS, COLORS[k]));
        }
        return b.build();
    }
}
