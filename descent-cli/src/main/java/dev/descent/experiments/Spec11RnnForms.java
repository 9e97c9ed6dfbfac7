package dev.descent.experiments;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.Activation;
import dev.descent.nn.Init;
import dev.descent.nn.Rnn;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SPEC.md §1.1, two forms of one RNN (Elman 1990): the pre-activation form
 * h_t = W σ(h_{t−1}) + U x_t + b and the activation form g_t = σ(W g_{t−1} + U x_t + b) describe
 * the same network: with g_0 = σ(h_0), σ(h_t) = g_t for every t (by induction: if
 * g_{t−1} = σ(h_{t−1}) then g_t = σ(W σ(h_{t−1}) + U x_t + b) = σ(h_t)).
 *
 * <p>Set-up, for each of tanh, sigmoid, relu and identity, in float64: two {@link Rnn} layers,
 * one per {@link Rnn.Form}, holding the same random parameters (H = 16, 3 inputs), run over the
 * same random batch of 4 sequences of T = 200 steps (x_t ~ N(0, 1)) from h_0 ~ N(0, 1) and
 * g_0 = σ(h_0). W = (0.9/γ)·Q with Q a random orthogonal matrix ({@link Init#orthogonal}), so
 * γ‖W‖ = 0.9: relu and identity states stay O(1) instead of growing without bound, and a rounding
 * difference between two code paths is damped over the 200 steps rather than amplified; U ~
 * N(0, 1/3), b ~ N(0, 0.1²).
 *
 * <p>Rows per activation, each max over t = 1…200, sequences and units, bound 1e-12:
 * <ul>
 *   <li>|σ(h_t) − g_t| between the layer's two forms, both run by its fused loop. The forms
 *       execute the same float64 operations on the same numbers (σ(h_{t−1}) of one is g_{t−1} of
 *       the other), so this is 0 unless one of them is wrong;</li>
 *   <li>the same with g_t computed step by step by {@link Rnn#step} (plain Var operations: a
 *       different summation order), so the identity is also checked across independent code;
 *       the gap is then a few ulps of the O(1) states, and 1e-12 allows thousands;</li>
 *   <li>each form against an independent scalar reference ({@link #reference}: the activation form
 *       written as naive float64 loops with {@link Math#tanh} etc., sharing no code with the
 *       library): max |g_t(reference) − g_t| and max |g_t(reference) − σ(h_t)|. These catch a bug
 *       that both forms share (the first two rows cannot: two copies of one mistake agree). Why
 *       1e-12 holds: each step adds at most (H + in + 1)·2⁻⁵³ ≈ 2e-15 times the O(1) sum of
 *       |terms| to a_t, σ is γ-Lipschitz and γ‖W‖ = 0.9, so an error carried over is multiplied by
 *       at most 0.9 per step and the accumulated gap stays below 10× one step's rounding
 *       (measured: a few 1e-16).</li>
 * </ul>
 *
 * <p>The layer is run through a {@link LayerRuns} seam: {@link #LIBRARY} in production; the tests
 * pass deliberately broken runs (one form wrong, or a bug in both) and assert that the claim fails.
 */
public final class Spec11RnnForms implements Experiment {
    static final int HIDDEN = 16, INPUTS = 3, BATCH = 4, STEPS = 200;
    /** Allowed |σ(h_t) − g_t|, SPEC.md §1.1. */
    static final double BOUND = 1e-12;
    /** γ‖W‖. */
    static final double CONTRACTION = 0.9;

    /** How the experiment evaluates the layer under test: its fused run, and one plain step. */
    interface LayerRuns {
        /** The states [T, B, H] of {@code layer} (in its form) over x [T, B, in] from {@code initial} [B, H]. */
        Tensor fused(Rnn layer, VarParams params, Tensor x, Tensor initial);

        /** One step of {@code layer} from {@code state}. */
        Var step(Rnn layer, VarParams params, Var state, Var input);
    }

    /** The library's layer, as {@code descent verify} runs it. */
    static final LayerRuns LIBRARY = new LayerRuns() {
        @Override
        public Tensor fused(Rnn layer, VarParams params, Tensor x, Tensor initial) {
            return layer.run(params, Var.constant(x), Var.constant(initial)).states().value();
        }

        @Override
        public Var step(Rnn layer, VarParams params, Var state, Var input) {
            return layer.step(params, state, input);
        }
    };

    private final LayerRuns runs;

    /** The experiment as {@code descent verify} runs it. */
    public Spec11RnnForms() {
        this(LIBRARY);
    }

    /** The experiment on another implementation of the layer (tests: a deliberately broken one). */
    Spec11RnnForms(LayerRuns runs) {
        if (runs == null) throw new IllegalArgumentException("1.1: runs is null");
        this.runs = runs;
    }

    @Override
    public String id() {
        return "1.1";
    }

    @Override
    public String claim() {
        return "Two forms of one RNN: the pre-activation form h_t = W σ(h_{t−1}) + U x_t + b and the activation "
                + "form g_t = σ(W g_{t−1} + U x_t + b) agree, σ(h_t) = g_t";
    }

    @Override
    public String why() {
        return "By induction on t: if g_{t−1} = σ(h_{t−1}), then g_t = σ(W g_{t−1} + U x_t + b) = σ(W "
                + "σ(h_{t−1}) + U x_t + b) = σ(h_t), and g_0 = σ(h_0) starts the induction, whatever W, U, b and "
                + "σ. The experiment checks both forms of the layer, and a step-by-step run, against a naive "
                + "scalar implementation of the activation form, to rounding.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Activation act : Activation.values()) {
            Rng r = rng.split();
            Rnn.Config config = new Rnn.Config(INPUTS, HIDDEN, act, Rnn.Form.PRE_ACTIVATION, Init.orthogonal(CONTRACTION / act.gamma()),
                    Init.normal(1 / Math.sqrt(INPUTS)), Init.normal(0.1));
            Rnn preActivation = new Rnn(config, r, DType.F64);
            Rnn activation = new Rnn(config.withForm(Rnn.Form.ACTIVATION), r, DType.F64);
            activation.setParameters(preActivation.parameters());
            Tensor x = r.normal(DType.F64, 0, 1, STEPS, BATCH, INPUTS);
            Tensor h0 = r.normal(DType.F64, 0, 1, BATCH, HIDDEN);
            String name = act.name().toLowerCase(Locale.ROOT);
            Tensor sigmaH, g, stepwise;
            try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
                VarParams p = VarParams.constants(preActivation.parameters());
                Tensor g0 = act.apply(h0);
                sigmaH = act.apply(runs.fused(preActivation, p, x, h0));
                g = runs.fused(activation, p, x, g0);
                Var state = Var.constant(g0);
                Tensor[] states = new Tensor[STEPS];
                for (int t = 0; t < STEPS; t++) {
                    state = runs.step(activation, p, state, Var.constant(x.select(0, t)));
                    states[t] = state.value();
                }
                stepwise = Tensor.stack(0, states);
            }
            rows.add(Row.atMost(name + ": max |σ(h_t) − g_t|, t ≤ " + STEPS + ", both forms fused", sigmaH.maxAbsDiff(g), BOUND));
            rows.add(Row.atMost(name + ": max |σ(h_t) − g_t|, t ≤ " + STEPS + ", g_t step by step", sigmaH.maxAbsDiff(stepwise), BOUND));
            Tensor ref = reference(act, preActivation.parameters(), x, act.apply(h0));
            rows.add(Row.atMost(name + ": max |g_t(scalar reference) − g_t|, activation form fused", maxAbsDiffNaN(ref, g), BOUND));
            rows.add(Row.atMost(name + ": max |g_t(scalar reference) − σ(h_t)|, pre-activation form fused", maxAbsDiffNaN(ref, sigmaH),
                    BOUND));
            notes.add(name + ": the states reach |g_t| = " + Row.format(g.maxAbs()) + " at most and " + Row.format(meanAbs(g))
                    + " on average (they neither vanish nor blow up, so the comparison is not vacuous)");
        }
        return new Result(rows, List.of(), notes);
    }

    /**
     * The activation form g_t = σ(W g_{t−1} + U x_t + b) as naive float64 loops over units, inputs
     * and sequences, σ from {@link Reference#sigma}: [T, B, H] from g_0 [B, H].
     */
    static Tensor reference(Activation act, Params params, Tensor x, Tensor g0) {
        double[] w = params.get("W").toDoubleArray(), u = params.get("U").toDoubleArray(), b = params.get("b").toDoubleArray();
        int steps = x.dim(0), batch = x.dim(1), in = x.dim(2), h = b.length;
        double[] xs = x.toDoubleArray(), start = g0.toDoubleArray(), out = new double[steps * batch * h];
        for (int s = 0; s < batch; s++) {
            double[] g = new double[h];
            System.arraycopy(start, s * h, g, 0, h);
            for (int t = 0; t < steps; t++) {
                double[] next = new double[h];
                for (int i = 0; i < h; i++) {
                    double a = b[i];
                    for (int j = 0; j < h; j++) a += w[i * h + j] * g[j];
                    for (int k = 0; k < in; k++) a += u[i * in + k] * xs[(t * batch + s) * in + k];
                    next[i] = Reference.sigma(act, a);
                }
                g = next;
                System.arraycopy(g, 0, out, (t * batch + s) * h, h);
            }
        }
        return Tensor.wrap(out, steps, batch, h);
    }

    /** max |a − b|, NaN if any entry is NaN (a diverged run must not pass). */
    static double maxAbsDiffNaN(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs(x[i] - y[i]);
            if (Double.isNaN(d)) return Double.NaN;
            m = Math.max(m, d);
        }
        return m;
    }

    private static double meanAbs(Tensor t) {
        return t.abs().mean().item();
    }
}
