package dev.descent.experiments;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.chart.Chart;
import dev.descent.diagnostics.GradientFlow;
import dev.descent.diagnostics.JacobianNorms;
import dev.descent.diagnostics.MatrixSpectra;
import dev.descent.diagnostics.RegimeAssessment;
import dev.descent.nn.Activation;
import dev.descent.nn.Init;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Scope;
import dev.descent.optim.ClipStats;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.OptimizerStates;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Update;
import dev.descent.optim.Updates;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.Function;

/**
 * SPEC.md §1.3: above the bound of §1.2 (γ‖W‖ &gt; 1) gradients <em>may</em> explode but need
 * not, and clipping by global norm (Pascanu, Mikolov &amp; Bengio 2013) keeps training finite when
 * they do.
 *
 * <p>Both constructed cases are {@link Rnn} layers in activation form with tanh (γ = 1) and the
 * same recurrent weight W = 1.5·S/‖S‖, S a symmetric Gaussian matrix, so γ‖W‖ = 1.5 and, W being
 * symmetric, ‖W^t‖ = 1.5^t exactly; H = 8 units, 3 inputs, T = 50 steps, float64. The Jacobian
 * products ∂g_t/∂g_0 are measured exactly by forward-mode autodiff through the layer's step
 * ({@link GradientFlow#jacobianNormsFromStart}).
 * <ul>
 *   <li><b>Growth.</b> U and b ~ N(0, (10⁻¹²)²) and g_0 = 0: the states stay below ~10⁻³ for 50
 *       steps, so σ'(a_t) = 1 − O(10⁻⁶) and ∂g_t/∂g_0 ≈ W^t. Row: the least-squares slope of
 *       ln‖∂g_t/∂g_0‖ against t is positive (it is ln 1.5 = 0.405 up to the O(state²)
 *       corrections).</li>
 *   <li><b>Saturation.</b> The same W, but U ~ N(0, 5²) and b = 0: |a_t| is typically near 10,
 *       tanh is saturated, σ'(a_t) ≈ 4e^{−2|a_t|} is tiny, and the product collapses although
 *       γ‖W‖ = 1.5. Rows: ‖∂g_T/∂g_0‖ &lt; 10⁻⁴ at T = 50 (the threshold of §1.2; measured values
 *       are below 10⁻³⁰), and a negative log-slope.</li>
 *   <li><b>Clipping.</b> The growth case as a model: the layer in its pre-activation form
 *       h_t = W tanh(h_{t−1}) + U x_t + b (SPEC.md §1.1), read out linearly from h_T
 *       ({@link Linear}, no bias) with a squared-error loss on a batch of 4 sequences of 40 steps,
 *       trained for 30 steps of plain SGD ({@link Optimizers#sgd}, learning rate 0.01) with and
 *       without {@link Optimizers#clipByGlobalNorm} (threshold 1) in front. The first gradient has
 *       norm 10⁵–10⁸: unclipped, the first step throws the parameters to where state and read-out
 *       feed each other and the loss overflows within a few steps; clipped, every step moves the
 *       parameters by at most 0.01·1. Rows: the number of steps with a non-finite loss, clipped
 *       (must be 0) and unclipped (at least 1: the premise that there is an explosion to tame).
 *       </li>
 *   <li><b>What clipping computes.</b> Every gradient g the clipped run saw, and five synthetic
 *       gradients of norms 10⁻³ … 10³, are compared with the clipping formula
 *       u = g · min(1, c/(‖g‖ + 10⁻⁶)) evaluated by independent loops (‖g‖ summed in float64).
 *       Rows: max ‖u‖/c − 1 ≤ (n+4)·2⁻⁵³, i.e. clipping enforces the threshold (a threshold that is
 *       wrong by any factor above that fails); max ‖u − formula‖/‖formula‖ ≤ (n+4)·2⁻⁵³, with n
 *       the number of gradient entries: the norm's sum of n squares is exact to n·2⁻⁵³ relative,
 *       the square root, division and product add a few more ulps; and the number of gradients
 *       where clipping fired (u ≠ g) but ‖g‖ + 10⁻⁶ ≤ c, or did not fire though ‖g‖ + 10⁻⁶ &gt; c,
 *       must be 0.</li>
 * </ul>
 * The clipping transformation is a seam ({@link Spec13ExplodingGradients#Spec13ExplodingGradients(DoubleFunction)}):
 * {@link Optimizers#clipByGlobalNorm} in production; the tests pass broken ones (removed, a wrong
 * threshold) and assert that the claim fails.
 * Each case also states its premise γ‖W‖ &gt; 1 as a row. Plots: the two norms against t with
 * (γ‖W‖)^t (the growth case lies on it), and the loss per step with and without clipping.
 */
public final class Spec13ExplodingGradients implements Experiment {
    static final int HIDDEN = 8, INPUTS = 3, STEPS = 50;
    static final double NORM = 1.5, TINY = 1e-12, SATURATING_SCALE = 5;
    /** The threshold of §1.2 for "vanished". */
    static final double VANISHED = 1e-4;
    static final int TRAIN_STEPS = 30, TRAIN_SEQUENCE = 40, BATCH = 4;
    static final double LEARNING_RATE = 0.01, MAX_NORM = 1;
    /** The 10⁻⁶ that {@link Optimizers#clipByGlobalNorm} adds to the norm (as PyTorch does). */
    static final double CLIP_EPSILON = 1e-6;

    private final DoubleFunction<GradientTransformation<?>> clipping;

    /** The experiment as {@code descent verify} runs it: clipping by {@link Optimizers#clipByGlobalNorm}. */
    public Spec13ExplodingGradients() {
        this(Optimizers::clipByGlobalNorm);
    }

    /** The experiment with another clipping transformation (threshold ↦ transformation); tests pass broken ones. */
    Spec13ExplodingGradients(DoubleFunction<GradientTransformation<?>> clipping) {
        if (clipping == null) throw new IllegalArgumentException("1.3: clipping is null");
        this.clipping = clipping;
    }

    @Override
    public String id() {
        return "1.3";
    }

    @Override
    public String claim() {
        return "Above that bound gradients may explode but need not; clipping by global norm keeps training finite";
    }

    @Override
    public String why() {
        return "The bound of §1.2 only caps the product from above; above it the actual factors σ'(a_t) decide: "
                + "near the linear regime σ' ≈ γ and the product grows like ‖W‖^t, while saturated units have σ' ≈ "
                + "0 and the product collapses. Clipping replaces g by g·c/‖g‖ whenever ‖g‖ exceeds c, so no step "
                + "moves the parameters by more than ηc, however large the gradient.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        Tensor w = symmetricWithNorm(rng, HIDDEN, NORM);
        Init recurrent = (generator, dtype, shape) -> w.to(dtype);
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();

        Rnn growth = new Rnn(new Rnn.Config(INPUTS, HIDDEN, Activation.TANH, Rnn.Form.ACTIVATION, recurrent, Init.normal(TINY),
                Init.normal(TINY)), rng, DType.F64);
        JacobianNorms grows = jacobianNormsFromZero(growth, rng.normal(DType.F64, 0, 1, STEPS, INPUTS));
        double growthSlope = grows.logGrowthRate(1, STEPS).orElse(Double.NaN);
        rows.add(above("growth case", growth));
        rows.add(new Row("growth case: fitted slope of ln‖∂g_t/∂g_0‖ in t", Row.format(growthSlope), "> 0", growthSlope > 0));
        notes.add("growth case: e^slope = " + Row.format(Math.exp(growthSlope)) + " per step (γ‖W‖ = " + Row.format(NORM)
                + "); ‖∂g_T/∂g_0‖ at T = " + STEPS + " is " + Row.format(grows.norm(STEPS)));

        Rnn saturating = new Rnn(new Rnn.Config(INPUTS, HIDDEN, Activation.TANH, Rnn.Form.ACTIVATION, recurrent,
                Init.normal(SATURATING_SCALE), Init.zeros()), rng, DType.F64);
        JacobianNorms saturates = jacobianNormsFromZero(saturating, rng.normal(DType.F64, 0, 1, STEPS, INPUTS));
        // No slope when the product is exactly 0 from the second step on (every σ' rounded to 0): that is vanishing too.
        double saturatingSlope = saturates.logGrowthRate(1, STEPS).orElse(Double.NEGATIVE_INFINITY);
        rows.add(above("saturating case", saturating));
        rows.add(Row.lessThan("saturating case: ‖∂g_T/∂g_0‖ at T = " + STEPS, saturates.norm(STEPS), VANISHED));
        rows.add(new Row("saturating case: fitted slope of ln‖∂g_t/∂g_0‖ in t", Row.format(saturatingSlope), "< 0",
                saturatingSlope < 0));

        double[] t = new double[STEPS + 1], crude = new double[STEPS + 1];
        for (int i = 0; i <= STEPS; i++) {
            t[i] = i;
            crude[i] = Math.pow(Activation.TANH.gamma() * MatrixSpectra.spectralNorm(w), i);
        }
        Chart flows = Chart.builder("Above the bound, γ‖W‖ = " + Row.format(NORM) + ": growth or not")
                .xLabel("t").yLabel("‖∂g_t/∂g_0‖").yScale(Chart.Scale.LOG10)
                .markers("growth (small inputs, every 5th t): lies on the bound", every(t, 5), every(grows.norms(), 5))
                .line("saturating inputs", t, saturates.norms())
                .bound("(γ‖W‖)^t", t, crude)
                .build();

        // Clipping: the growth case in pre-activation form with a linear read-out, trained with and without clipping.
        LastStateRegression model = new LastStateRegression(
                new Rnn(new Rnn.Config(INPUTS, HIDDEN, Activation.TANH, Rnn.Form.PRE_ACTIVATION, recurrent, Init.normal(TINY),
                        Init.normal(TINY)), rng, DType.F64),
                new Linear(HIDDEN, 1, false, Init.normal(1), rng, DType.F64));
        Tensor xs = rng.normal(DType.F64, 0, 1, TRAIN_SEQUENCE, BATCH, INPUTS), y = rng.normal(DType.F64, 0, 1, BATCH, 1);
        Function<VarParams, Var> loss = vp -> Losses.meanSquaredError(model.apply(vp, Var.constant(xs)), Var.constant(y));
        Params init = model.parameters();
        Training plain = train(null, Optimizers.sgd(LEARNING_RATE), loss, init);
        GradientTransformation<?> clip = clipping.apply(MAX_NORM);
        Training clipped = train(clip, Optimizers.sgd(LEARNING_RATE), loss, init);
        rows.add(new Row("clipped SGD: steps with a non-finite loss (of " + TRAIN_STEPS + ")", String.valueOf(clipped.nonFiniteSteps),
                "≤ 0", clipped.nonFiniteSteps <= 0));
        rows.add(new Row("premise, unclipped SGD: steps with a non-finite loss", String.valueOf(plain.nonFiniteSteps), "≥ 1",
                plain.nonFiniteSteps >= 1));
        // What clipping computed, against the formula: the run's gradients and five synthetic ones.
        List<Params[]> pairs = new ArrayList<>(clipped.clipPairs);
        Params shape = init;
        for (double e : new double[] {-3, -1, 0, 1, 3}) {
            Params g = shape.map(v -> rng.normal(DType.F64, 0, 1, v.dims()));
            g = g.scale(Math.pow(10, e) / g.norm());
            pairs.add(new Params[] {g, applyOnce(clip, g)});
        }
        int entries = (int) init.elementCount();
        double roundoff = (entries + 4) * DType.F64.unitRoundoff();
        double worstNorm = 0, worstFormula = 0;
        int wrongFiring = 0, fired = 0;
        for (Params[] pair : pairs) {
            double[] g = pair[0].flatten(), u = pair[1].flatten();
            double norm = 0;
            for (double v : g) norm += v * v;
            norm = Math.sqrt(norm);
            double factor = Math.min(1, MAX_NORM / (norm + CLIP_EPSILON));
            double diff = 0, expectedNorm = 0, outNorm = 0;
            boolean changed = false;
            for (int i = 0; i < g.length; i++) {
                double expected = g[i] * factor;
                diff += (u[i] - expected) * (u[i] - expected);
                expectedNorm += expected * expected;
                outNorm += u[i] * u[i];
                changed |= u[i] != g[i];
            }
            worstNorm = nanMax(worstNorm, Math.sqrt(outNorm) / MAX_NORM);
            worstFormula = nanMax(worstFormula, Math.sqrt(diff / expectedNorm));
            if (changed != (norm + CLIP_EPSILON > MAX_NORM)) wrongFiring++;
            if (changed) fired++;
        }
        rows.add(new Row("clipping enforces ‖u‖ ≤ c = " + Row.format(MAX_NORM) + ": max ‖u‖/c − 1 over " + pairs.size()
                + " gradients", Row.format(worstNorm - 1), "≤ (n+4)·2⁻⁵³ = " + Row.format(roundoff), worstNorm - 1 <= roundoff));
        rows.add(Row.atMost("clipped u = g·min(1, c/(‖g‖ + 1e-6)) (independent loops): max ‖u − formula‖/‖formula‖", worstFormula,
                roundoff));
        rows.add(new Row("gradients where clipping fired iff ‖g‖ + 1e-6 > c: mismatches (" + fired + " fired)",
                String.valueOf(wrongFiring), "≤ 0", wrongFiring <= 0));
        String clipNote = clipped.finalClipState instanceof ClipStats clips
                ? "clipping fired in " + clips.clippedSteps() + " of " + clips.steps() + " steps; largest pre-clip gradient norm "
                        + Row.format(clips.largestPreClipNorm())
                : "the clipping under test keeps no ClipStats";
        notes.add(clipNote + "; clipped loss " + Row.format(clipped.losses[0]) + " → "
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
        Chart.Builder losses = Chart.builder("Exploding case: loss with and without clipping")
                .xLabel("step").yLabel("loss (non-finite: not drawn)").yScale(Chart.Scale.LOG10)
                .lineWithMarkers("SGD", k, plain.losses)
                .lineWithMarkers("SGD, clipped", k, clipped.losses);
        if (hi > 0) losses.yRange(lo / 10, hi * 1e6);
        return new Result(rows, List.of(flows, losses.build()), notes);
    }

    /** Every {@code k}-th value, from the first: sparse markers leave a curve beneath them visible. */
    private static double[] every(double[] v, int k) {
        double[] out = new double[(v.length + k - 1) / k];
        for (int i = 0; i < out.length; i++) out[i] = v[i * k];
        return out;
    }

    /** The Jacobian-product norms of {@code rnn}'s step along one sequence from g_0 = 0. */
    private static JacobianNorms jacobianNormsFromZero(Rnn rnn, Tensor inputs) {
        VarParams params = VarParams.constants(rnn.parameters());
        return GradientFlow.jacobianNormsFromStart((state, x) -> rnn.step(params, state, x),
                Tensor.zeros(DType.F64, rnn.config().hiddenSize()), inputs);
    }

    private static Row above(String name, Rnn rnn) {
        RegimeAssessment r = GradientFlow.regime(rnn.parameters().get("W"), rnn.activation().gamma());
        double d = r.gamma() * r.spectralNorm();
        return new Row(name + ": premise γ‖W‖ above the bound", Row.format(d), "> 1", d > 1);
    }

    /**
     * What a training run produced: the loss before each step, the non-finite count, the clipping's
     * final state ({@code null} without clipping) and each (gradient, clipped gradient) pair.
     */
    private record Training(double[] losses, int nonFiniteSteps, int firstNonFinite, Object finalClipState, List<Params[]> clipPairs) {}

    private static double nanMax(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
    }

    /** {@code t} applied once to {@code g} from its initial state. */
    private static <S> Params applyOnce(GradientTransformation<S> t, Params g) {
        return t.update(g, t.init(g), g).updates();
    }

    @SuppressWarnings("unchecked")
    private static <S> Update<S> update(GradientTransformation<S> t, Params g, Object state, Params p) {
        return t.update(g, (S) state, p);
    }

    /**
     * {@link #TRAIN_STEPS} steps of {@code opt} on {@code loss} from {@code init}. A step whose loss
     * or gradient is not finite counts as non-finite; it is not applied when the optimiser
     * refuses it (clipping throws on a non-finite norm), and is applied as it comes otherwise
     * (plain SGD propagates the NaN, as it would in any training loop).
     */
    private static Training train(GradientTransformation<?> clip, GradientTransformation<?> opt, Function<VarParams, Var> loss,
                                  Params init) {
        Params p = init;
        Object state = opt.init(p), clipState = clip == null ? null : clip.init(p);
        List<Params[]> pairs = new ArrayList<>();
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
                Params g = vg.grad();
                if (clip != null) {
                    Update<?> c = update(clip, g, clipState, p);
                    clipState = c.state();
                    pairs.add(new Params[] {g, c.updates()});
                    g = c.updates();
                }
                Update<?> u = update(opt, g, state, p);
                p = Updates.apply(p, u.updates());
                state = u.state();
            } catch (ArithmeticException refused) {
                // The optimiser refused a non-finite gradient; the step is already counted.
            }
        }
        return new Training(losses, nonFinite, first, clipState, pairs);
    }

    /** An Elman RNN read out linearly from its last state: ŷ = v·h_T. Parameters {@code rnn.*} and {@code head.weight}. */
    static final class LastStateRegression extends Module {
        private final Rnn rnn;
        private final Linear head;

        LastStateRegression(Rnn rnn, Linear head) {
            this.rnn = addChild("rnn", rnn);
            this.head = addChild("head", head);
        }

        /** x [T, B, in] ↦ ŷ [B, out]. */
        @Override
        public Var apply(Scope scope, Var x) {
            return head.apply(scope.child("head"), rnn.run(scope.child("rnn"), x, null).last());
        }
    }

    /** A symmetric Gaussian [n, n] matrix rescaled to spectral norm {@code norm}; symmetric, so ‖W^t‖ = ‖W‖^t. */
    static Tensor symmetricWithNorm(Rng rng, int n, double norm) {
        Tensor a = rng.normal(DType.F64, 0, 1, n, n);
        Tensor s = a.add(a.transpose()).mul(0.5);
        return s.mul(norm / MatrixSpectra.spectralNorm(s));
    }
}
