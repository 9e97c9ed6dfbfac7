package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.diagnostics.GradientFlow;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The vanishing-gradient regulariser Ω (Pascanu et al. 2013) computed inside the fused backward
 * pass of the recurrence: its value against a direct evaluation from the one-step Jacobians of
 * {@link GradientFlow#stepJacobians} and errors e_t from an unrolled reverse pass, and its
 * gradient against central differences of Ω(W) with e and the states frozen (the paper's
 * "immediate" derivative), for both forms and every activation, on both input paths.
 */
class FlowRegularizerTest {
    static final int T = 12, B = 3, H = 5;

    /** A small RNN whose W is big enough that Ω is far from 0 and small enough that nothing saturates. */
    static Rnn rnn(Activation act, Rnn.Form form, int inputs) {
        Rnn.Config c = Rnn.Config.of(inputs, H).withActivation(act).withForm(form).withRecurrentInit(Init.scaledNormal(1.1))
                .withInputInit(Init.normal(0.5)).withBiasInit(Init.normal(0.1));
        return new Rnn(c, new Rng(17), DType.F64);
    }

    /** E = (1/B)[Σ R ⊙ states + ½‖last state‖²]: errors reach every step, and differ between sequences. */
    static Var loss(Var states, Tensor weights) {
        Var last = states.select(0, states.dim(0) - 1);
        return states.mul(Var.constant(weights)).sum().add(last.square().sum().mul(0.5)).mul(1.0 / states.dim(1));
    }

    record Fused(Params gradient, double omega) {}

    static Fused fused(Rnn r, Tensor x, Tensor weights, Double omegaWeight) {
        Function<VarParams, Var> f = vp -> loss(r.run(vp, Var.constant(x), null).states(), weights);
        if (omegaWeight == null) return new Fused(Autodiff.valueAndGrad(f, r.parameters()).grad(), Double.NaN);
        try (FlowRegularizer omega = FlowRegularizer.open(omegaWeight)) {
            Params g = Autodiff.valueAndGrad(f, r.parameters()).grad();
            assertEquals(1, omega.recurrences());
            return new Fused(g, omega.value());
        }
    }

    /** States x_1..x_T [T, B, H] and errors e_t = ∂E/∂x_t (total derivative) by an unrolled loop of plain steps. */
    static Tensor[] statesAndErrors(Rnn r, Tensor x, Tensor weights) {
        VarParams vp = VarParams.constants(r.parameters());
        List<Var> states = new ArrayList<>();
        // A differentiable initial state, so that the unrolled loop is recorded.
        Var prev = Var.parameter(Tensor.zeros(DType.F64, B, H));
        for (int t = 0; t < T; t++) {
            prev = r.step(vp, prev, Var.constant(x.select(0, t)));
            states.add(prev);
        }
        Var e = loss(Var.stack(0, states.toArray(new Var[0])), weights);
        Var[] errors = Autodiff.backward(e, Var.constant(Tensor.scalar(DType.F64, 1)), states, false);
        Tensor[] s = new Tensor[T], er = new Tensor[T];
        for (int t = 0; t < T; t++) {
            s[t] = states.get(t).value();
            er[t] = errors[t].value();
        }
        return new Tensor[] {Tensor.stack(0, s), Tensor.stack(0, er)};
    }

    static double norm(double[] v) {
        double s = 0;
        for (double a : v) s += a * a;
        return Math.sqrt(s);
    }

    static double[] row(Tensor t, int step, int b) {
        double[] v = new double[H];
        for (int j = 0; j < H; j++) v[j] = t.get(step, b, j);
        return v;
    }

    /** Ω = (1/B) Σ_b Σ_t (‖e_t J_t‖/‖e_t‖ − 1)² with J_t from GradientFlow's forward-mode Jacobians. */
    static double omegaFromJacobians(Rnn r, Tensor x, Tensor errors) {
        VarParams vp = VarParams.constants(r.parameters());
        double omega = 0;
        for (int b = 0; b < B; b++) {
            Tensor xb = x.select(1, b);
            List<Tensor> jacobians = GradientFlow.stepJacobians((s, in) -> r.step(vp, s, in), Tensor.zeros(DType.F64, H), xb);
            assertEquals(T, jacobians.size());
            for (int t = 0; t < T; t++) {
                double[] e = row(errors, t, b), u = new double[H];
                Tensor j = jacobians.get(t);
                for (int c = 0; c < H; c++) for (int i = 0; i < H; i++) u[c] += e[i] * j.get(i, c);
                double ratio = norm(u) / norm(e);
                omega += (ratio - 1) * (ratio - 1);
            }
        }
        return omega / B;
    }

    /** Ω(W') with the errors and σ' of the current states frozen (the function whose W-gradient the paper uses). */
    static double frozenOmega(Rnn r, double[][] w, Tensor states, Tensor errors) {
        Activation act = r.activation();
        boolean pre = r.config().form() == Rnn.Form.PRE_ACTIVATION;
        double omega = 0;
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                double[] e = row(errors, t, b), u = new double[H];
                if (pre) {
                    // u = (e W') ⊙ σ'(h_{t−1}), h_0 = 0.
                    for (int c = 0; c < H; c++) {
                        double s = 0;
                        for (int i = 0; i < H; i++) s += e[i] * w[i][c];
                        double h = t == 0 ? 0 : states.get(t - 1, b, c);
                        u[c] = s * act.derivative(h);
                    }
                } else {
                    // u = (e ⊙ σ'(a_t)) W', σ' from the output g_t.
                    double[] d = new double[H];
                    for (int i = 0; i < H; i++) {
                        d[i] = e[i] * act.derivativeFromOutput(Tensor.scalar(DType.F64, states.get(t, b, i))).item();
                    }
                    for (int c = 0; c < H; c++) for (int i = 0; i < H; i++) u[c] += d[i] * w[i][c];
                }
                double ratio = norm(u) / norm(e);
                omega += (ratio - 1) * (ratio - 1);
            }
        }
        return omega / B;
    }

    static void check(Activation act, Rnn.Form form, int inputs) {
        Rnn r = rnn(act, form, inputs);
        Rng rng = new Rng(23);
        Tensor x = rng.normal(DType.F64, 0, 1, T, B, inputs);
        Tensor weights = rng.normal(DType.F64, 0, 1, T, B, H);
        double lambda = 0.7;
        Fused plain = fused(r, x, weights, null), reg = fused(r, x, weights, lambda);
        Tensor[] se = statesAndErrors(r, x, weights);

        // Ω agrees with the direct computation from GradientFlow's Jacobians (same float64 sums, reordered).
        double direct = omegaFromJacobians(r, x, se[1]);
        assertTrue(direct > 1e-3, "a test where Ω is not ~0: " + direct);
        assertEquals(direct, reg.omega(), 1e-11 * Math.max(1, direct), act + " " + form);

        // Only W's gradient changes, and by λ ∂Ω/∂W.
        for (String name : reg.gradient().asMap().keySet()) {
            if (name.equals("W")) continue;
            assertArrayEquals(plain.gradient().get(name).toDoubleArray(), reg.gradient().get(name).toDoubleArray(), 0, name);
        }
        Tensor w = r.parameters().get("W");
        double[][] wm = new double[H][H];
        for (int i = 0; i < H; i++) for (int j = 0; j < H; j++) wm[i][j] = w.get(i, j);
        assertEquals(direct, frozenOmega(r, wm, se[0], se[1]), 1e-11 * Math.max(1, direct));
        // Central differences: truncation O(h²·Ω''') ~ 1e-12 and rounding O(ε·Ω/h) ~ 1e-10 with h = 1e-6.
        double h = 1e-6;
        double maxErr = 0, maxGrad = 0;
        for (int i = 0; i < H; i++) {
            for (int j = 0; j < H; j++) {
                double keep = wm[i][j];
                wm[i][j] = keep + h;
                double up = frozenOmega(r, wm, se[0], se[1]);
                wm[i][j] = keep - h;
                double down = frozenOmega(r, wm, se[0], se[1]);
                wm[i][j] = keep;
                double numeric = (up - down) / (2 * h);
                double analytic = (reg.gradient().get("W").get(i, j) - plain.gradient().get("W").get(i, j)) / lambda;
                maxErr = Math.max(maxErr, Math.abs(numeric - analytic));
                maxGrad = Math.max(maxGrad, Math.abs(numeric));
            }
        }
        assertTrue(maxGrad > 1e-3, "a non-trivial gradient: " + maxGrad);
        assertTrue(maxErr <= 1e-7 * Math.max(1, maxGrad), act + " " + form + ": max |FD − analytic| = " + maxErr + " of " + maxGrad);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationFormMatchesJacobiansAndFiniteDifferences(Activation act) {
        check(act, Rnn.Form.ACTIVATION, 2);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void preActivationFormMatchesJacobiansAndFiniteDifferences(Activation act) {
        check(act, Rnn.Form.PRE_ACTIVATION, 2);
    }

    /** The path with the input projections computed before the loop (more than 16 input channels). */
    @ParameterizedTest
    @ValueSource(strings = {"ACTIVATION", "PRE_ACTIVATION"})
    void projectionPathToo(String form) {
        check(Activation.TANH, Rnn.Form.valueOf(form), Rnn.INPUT_IN_LOOP_MAX + 3);
    }

    @Test
    void weightZeroMeasuresWithoutChangingTheGradient() {
        Rnn r = rnn(Activation.TANH, Rnn.Form.ACTIVATION, 2);
        Rng rng = new Rng(3);
        Tensor x = rng.normal(DType.F64, 0, 1, T, B, 2), weights = rng.normal(DType.F64, 0, 1, T, B, H);
        Fused plain = fused(r, x, weights, null), zero = fused(r, x, weights, 0.0);
        assertTrue(zero.omega() > 0);
        assertArrayEquals(plain.gradient().get("W").toDoubleArray(), zero.gradient().get("W").toDoubleArray(), 0);
    }

    @Test
    void rejectsANegativeWeightAndDifferentiatedBackwardPasses() {
        assertThrows(IllegalArgumentException.class, () -> FlowRegularizer.open(-0.1));
        assertThrows(IllegalArgumentException.class, () -> FlowRegularizer.open(Double.NaN));
        Rnn r = rnn(Activation.TANH, Rnn.Form.ACTIVATION, 2);
        Rng rng = new Rng(4);
        Tensor x = rng.normal(DType.F64, 0, 1, T, B, 2), weights = rng.normal(DType.F64, 0, 1, T, B, H);
        Function<VarParams, Var> f = vp -> loss(r.run(vp, Var.constant(x), null).states(), weights);
        try (FlowRegularizer omega = FlowRegularizer.open(1)) {
            assertThrows(IllegalStateException.class, () -> Autodiff.hvp(f, r.parameters(), r.parameters()));
        }
        // Closed: the HVP works again.
        Autodiff.hvp(f, r.parameters(), r.parameters());
    }

    /**
     * Ω and its gradient do not depend on the scale of the errors (r = ‖eJ‖/‖e‖): in float32, a
     * loss scaled by 1e-20, whose errors' squares would underflow a float32 dot product, gives the
     * same Ω and the same λ ∂Ω/∂W as the unscaled loss, to float32 rounding accumulated over
     * T·H terms (1e-3 relative).
     */
    @Test
    void tinyErrorsInFloat32GiveTheSameOmega() {
        Rnn.Config c = Rnn.Config.of(2, H).withRecurrentInit(Init.scaledNormal(1.1));
        Rnn r = new Rnn(c, new Rng(17), DType.F32);
        Rng rng = new Rng(8);
        Tensor x = rng.normal(DType.F32, 0, 1, T, B, 2), weights = rng.normal(DType.F32, 0, 1, T, B, H);
        double[] omega = new double[2];
        Tensor[] dw = new Tensor[2];
        double[] scales = {1, 1e-20};
        for (int k = 0; k < 2; k++) {
            double scale = scales[k];
            Function<VarParams, Var> f = vp -> loss(r.run(vp, Var.constant(x), null).states(), weights).mul(scale);
            Params plain = Autodiff.valueAndGrad(f, r.parameters()).grad();
            try (FlowRegularizer flow = FlowRegularizer.open(0.5)) {
                Params reg = Autodiff.valueAndGrad(f, r.parameters()).grad();
                omega[k] = flow.value();
                dw[k] = reg.get("W").sub(plain.get("W"));
            }
        }
        assertTrue(omega[0] > 1e-3 && Double.isFinite(omega[1]), omega[0] + " " + omega[1]);
        assertEquals(omega[0], omega[1], 1e-3 * omega[0]);
        assertTrue(dw[1].maxAbsDiff(dw[0]) <= 1e-3 * dw[0].maxAbs(), dw[0] + " vs " + dw[1]);
    }
}
