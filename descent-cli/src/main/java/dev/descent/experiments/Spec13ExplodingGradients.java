package dev.descent.experiments;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.diagnostics.GradientFlow;
import dev.descent.diagnostics.GradientFlowReport;
import dev.descent.diagnostics.MatrixSpectra;
import dev.descent.diagnostics.RecurrenceSpec;
import dev.descent.diagnostics.RecurrentActivation;
import dev.descent.optim.ClipStats;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.OptimizerStates;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Update;
import dev.descent.optim.Updates;
import dev.descent.report.Plot;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * SPEC.md §1.3: above the bound of §1.2 (γ‖W‖ &gt; 1) gradients <em>may</em> explode but need
 * not, and clipping by global norm (Pascanu, Mikolov &amp; Bengio 2013) keeps training finite when
 * they do.
 *
 * <p>Both constructed cases use tanh (γ = 1) and the same recurrent weight W = 1.5·S/‖S‖ with S
 * a symmetric Gaussian matrix, so γ‖W‖ = 1.5 and, W being symmetric, ‖W^t‖ = 1.5^t exactly;
 * H = 8 units, 3 inputs, T = 50 steps, float64. The Jacobian products ∂g_t/∂g_0 are measured
 * exactly by forward-mode autodiff ({@link GradientFlow#fromStart}).
 * <ul>
 *   <li><b>Growth.</b> U and b ~ N(0, (10⁻¹²)²) and g_0 = 0: the states stay below ~10⁻³ for 50
 *       steps, so σ'(a_t) = 1 − O(10⁻⁶) and ∂g_t/∂g_0 ≈ W^t. Row: the least-squares slope of
 *       ln‖∂g_t/∂g_0‖ against t is positive (it is ln 1.5 = 0.405 up to the O(state²)
 *       corrections).</li>
 *   <li><b>Saturation.</b> The same W, but U ~ N(0, 5²): |a_t| is typically near 10, tanh is
 *       saturated, σ'(a_t) ≈ 4e^{−2|a|} is tiny, and the product collapses although γ‖W‖ = 1.5.
 *       Rows: ‖∂g_T/∂g_0‖ &lt; 10⁻⁴ at T = 50 (the threshold of §1.2), and a negative
 *       log-slope.</li>
 *   <li><b>Clipping.</b> The growth case in its pre-activation form h_t = W tanh(h_{t−1}) + U x_t + b
 *       (SPEC.md §1.1) with a linear read-out v·h_T and a squared-error loss on a batch of 4
 *       sequences of 40 steps, trained for 30 steps of plain SGD (learning rate 0.01) with and
 *       without {@link Optimizers#clipByGlobalNorm} (threshold 1). The first gradient is
 *       ~10⁷: unclipped, the first step throws the parameters to where state and read-out feed
 *       each other and the loss overflows within a few steps; clipped, every step moves the
 *       parameters by at most 0.01·1. Rows: the number of steps with a non-finite loss, clipped
 *       (must be 0) and unclipped (at least 1: the premise that there is an explosion to tame).
 *       </li>
 * </ul>
 * Each case also states its premise γ‖W‖ &gt; 1 as a row. Plots: the two norms against t with
 * (γ‖W‖)^t, and the loss per step with and without clipping.
 */
public final class Spec13ExplodingGradients implements Experiment {
    static final int HIDDEN = 8, INPUTS = 3, STEPS = 50;
    static final double NORM = 1.5, TINY = 1e-12, SATURATING_SCALE = 5;
    /** The threshold of §1.2 for "vanished". */
    static final double VANISHED = 1e-4;
    static final int TRAIN_STEPS = 30, TRAIN_SEQUENCE = 40, BATCH = 4;
    static final double LEARNING_RATE = 0.01, MAX_NORM = 1;

    @Override
    public String id() {
        return "1.3";
    }

    @Override
    public String claim() {
        return "Above that bound gradients may explode but need not; clipping by global norm keeps training finite";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        Tensor w = symmetricWithNorm(rng, HIDDEN, NORM);
        RecurrentActivation tanh = RecurrentActivation.TANH;
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();

        RecurrenceSpec growth = new RecurrenceSpec(w, rng.normal(DType.F64, 0, TINY, HIDDEN, INPUTS), rng.normal(DType.F64, 0, TINY, HIDDEN),
                tanh, rng.normal(DType.F64, 0, 1, STEPS, INPUTS), Tensor.zeros(DType.F64, HIDDEN));
        GradientFlowReport grows = GradientFlow.fromStart(growth, 0);
        double growthSlope = grows.jacobian().logGrowthRate(1, STEPS).orElse(Double.NaN);
        rows.add(above("growth case", grows));
        rows.add(new Row("growth case: fitted slope of ln‖∂g_t/∂g_0‖ against t", Row.format(growthSlope), "> 0", growthSlope > 0));
        notes.add("growth case: e^slope = " + Row.format(Math.exp(growthSlope)) + " per step (γ‖W‖ = " + Row.format(NORM)
                + "); ‖∂g_T/∂g_0‖ at T = " + STEPS + " is " + Row.format(grows.jacobian().norm(STEPS)));

        RecurrenceSpec saturating = new RecurrenceSpec(w, rng.normal(DType.F64, 0, SATURATING_SCALE, HIDDEN, INPUTS),
                Tensor.zeros(DType.F64, HIDDEN), tanh, rng.normal(DType.F64, 0, 1, STEPS, INPUTS), Tensor.zeros(DType.F64, HIDDEN));
        GradientFlowReport saturates = GradientFlow.fromStart(saturating, 0);
        double saturatingSlope = saturates.jacobian().logGrowthRate(1, STEPS).orElse(Double.NEGATIVE_INFINITY);
        rows.add(above("saturating case", saturates));
        rows.add(Row.lessThan("saturating case: ‖∂g_T/∂g_0‖ at T = " + STEPS, saturates.jacobian().norm(STEPS), VANISHED));
        rows.add(new Row("saturating case: fitted slope of ln‖∂g_t/∂g_0‖ against t", Row.format(saturatingSlope), "< 0",
                saturatingSlope < 0));

        double[] t = new double[STEPS + 1], crude = grows.crudeBound();
        for (int i = 0; i <= STEPS; i++) t[i] = i;
        Plot flows = Plot.builder("Above the bound, γ‖W‖ = " + Row.format(NORM) + ": growth or not")
                .xLabel("t").yLabel("‖∂g_t/∂g_0‖").yScale(Plot.Scale.LOG10)
                .line("growth (small inputs)", t, grows.jacobian().norms())
                .line("saturating inputs", t, saturates.jacobian().norms())
                .bound("(γ‖W‖)^t", t, crude)
                .build();

        // Clipping: the growth case in pre-activation form, trained with and without clipping.
        Params init = Params.of("W", w, "U", rng.normal(DType.F64, 0, TINY, HIDDEN, INPUTS), "b", rng.normal(DType.F64, 0, TINY, HIDDEN),
                "v", rng.normal(DType.F64, 0, 1, 1, HIDDEN));
        Tensor xs = rng.normal(DType.F64, 0, 1, TRAIN_SEQUENCE, BATCH, INPUTS), y = rng.normal(DType.F64, 0, 1, BATCH, 1);
        Function<VarParams, Var> loss = vp -> {
            Var h = Var.constant(Tensor.zeros(DType.F64, BATCH, HIDDEN));
            for (int s = 0; s < TRAIN_SEQUENCE; s++) {
                h = h.tanh().matmul(vp.get("W"), false, true).add(Var.constant(xs.select(0, s)).matmul(vp.get("U"), false, true))
                        .add(vp.get("b"));
            }
            return h.matmul(vp.get("v"), false, true).sub(Var.constant(y)).square().mean();
        };
        Training plain = train(Optimizers.sgd(LEARNING_RATE), loss, init);
        Training clipped = train(Optimizers.chain(Optimizers.clipByGlobalNorm(MAX_NORM), Optimizers.sgd(LEARNING_RATE)), loss, init);
        rows.add(Row.atMost("clipped SGD (max norm " + Row.format(MAX_NORM) + "): steps with a non-finite loss out of " + TRAIN_STEPS,
                clipped.nonFiniteSteps, 0));
        rows.add(Row.atLeast("premise: unclipped SGD explodes: steps with a non-finite loss out of " + TRAIN_STEPS,
                plain.nonFiniteSteps, 1));
        ClipStats clips = OptimizerStates.find(clipped.finalState, ClipStats.class).orElseThrow();
        notes.add("clipping fired in " + clips.clippedSteps() + " of " + clips.steps() + " steps; largest pre-clip gradient norm "
                + Row.format(clips.largestPreClipNorm()) + "; clipped loss " + Row.format(clipped.losses[0]) + " → "
                + Row.format(clipped.losses[TRAIN_STEPS - 1]) + "; unclipped loss first non-finite at step "
                + (plain.firstNonFinite < 0 ? "never" : String.valueOf(plain.firstNonFinite)));

        double[] k = new double[TRAIN_STEPS];
        for (int i = 0; i < TRAIN_STEPS; i++) k[i] = i;
        // The y range follows the clipped run (the unclipped loss leaves the top of the chart on its way to overflow).
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (double l : clipped.losses) {
            if (Double.isFinite(l) && l > 0) {
                lo = Math.min(lo, l);
                hi = Math.max(hi, l);
            }
        }
        Plot.Builder losses = Plot.builder("Exploding case: loss with and without clipping")
                .xLabel("step").yLabel("loss (non-finite: not drawn)").yScale(Plot.Scale.LOG10)
                .lineWithMarkers("SGD", k, plain.losses)
                .lineWithMarkers("SGD, clipped to norm " + Row.format(MAX_NORM), k, clipped.losses);
        if (hi > 0) losses.yRange(lo / 10, hi * 1e6);
        return new Result(rows, List.of(flows, losses.build()), notes);
    }

    private static Row above(String name, GradientFlowReport r) {
        double d = r.regime().gamma() * r.regime().spectralNorm();
        return new Row(name + ": premise γ‖W‖ > 1, outside the guarantee of §1.2", Row.format(d), "> 1", d > 1);
    }

    /** What a training run produced: the loss before each step, the non-finite count and the optimiser's final state. */
    private record Training(double[] losses, int nonFiniteSteps, int firstNonFinite, Object finalState) {}

    /**
     * {@link #TRAIN_STEPS} steps of {@code opt} on {@code loss} from {@code init}. A step whose loss
     * or gradient is not finite counts as non-finite; it is not applied when the optimiser
     * refuses it (clipping throws on a non-finite norm), and is applied as it comes otherwise
     * (plain SGD propagates the NaN, as it would in any training loop).
     */
    private static <S> Training train(GradientTransformation<S> opt, Function<VarParams, Var> loss, Params init) {
        Params p = init;
        S state = opt.init(p);
        double[] losses = new double[TRAIN_STEPS];
        int nonFinite = 0, first = -1;
        for (int k = 0; k < TRAIN_STEPS; k++) {
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(loss, p);
            losses[k] = vg.value().item();
            boolean finite = Double.isFinite(losses[k]) && Double.isFinite(vg.grad().norm());
            if (!finite) {
                nonFinite++;
                if (first < 0) first = k;
            }
            try {
                Update<S> u = opt.update(vg.grad(), state, p);
                p = Updates.apply(p, u.updates());
                state = u.state();
            } catch (ArithmeticException refused) {
                // The optimiser refused a non-finite gradient; the step is already counted.
            }
        }
        return new Training(losses, nonFinite, first, state);
    }

    /** A symmetric Gaussian [n, n] matrix rescaled to spectral norm {@code norm}; symmetric, so ‖W^t‖ = ‖W‖^t. */
    static Tensor symmetricWithNorm(Rng rng, int n, double norm) {
        Tensor a = rng.normal(DType.F64, 0, 1, n, n);
        Tensor s = a.add(a.transpose()).mul(0.5);
        return s.mul(norm / MatrixSpectra.spectralNorm(s));
    }
}
