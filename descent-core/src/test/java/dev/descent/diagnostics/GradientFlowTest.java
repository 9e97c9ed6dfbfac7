package dev.descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GradientFlowTest {
    static Stream<RecurrentActivation> saturating() {
        return Stream.of(RecurrentActivation.SIGMOID, RecurrentActivation.TANH);
    }

    /**
     * SPEC.md §1.2: with ‖W‖ = δ/γ (δ = 0.9) the measured ‖∂g_T/∂g_0‖, T = 1…100, never exceeds
     * δ^T. The measured norm is exact up to rounding: T steps of float64 products and an SVD
     * perturb it by a few hundred ulps relative at most, far inside the 1e-12 slack.
     */
    @ParameterizedTest
    @MethodSource("saturating")
    void jacobianProductsStayBelowDeltaToTheT(RecurrentActivation act) {
        Rng rng = new Rng(12);
        int h = 16, in = 4, steps = 100;
        double delta = 0.9;
        Tensor w = TestMatrices.withSpectralNorm(rng, h, delta / act.gamma());
        RecurrenceSpec spec = new RecurrenceSpec(w, rng.normal(DType.F64, 0, 1, h, in), rng.normal(DType.F64, 0, 0.5, h),
                act, rng.normal(DType.F64, 0, 1, steps, in), rng.uniform(DType.F64, -0.5, 0.5, h));
        GradientFlowReport r = GradientFlow.fromStart(spec, 0);
        double[] norms = r.jacobian().norms(), product = r.productBound(), crude = r.crudeBound();
        assertEquals(steps + 1, norms.length);
        assertEquals(1.0, norms[0]);
        for (int t = 1; t <= steps; t++) {
            double bound = Math.pow(delta, t);
            assertTrue(norms[t] <= bound * (1 + 1e-12), act + ": T=" + t + ": " + norms[t] + " > δ^T=" + bound);
            assertTrue(norms[t] <= product[t] * (1 + 1e-12), act + ": T=" + t + " exceeds the trajectory bound");
            assertTrue(product[t] <= crude[t] * (1 + 1e-12), act + ": T=" + t + " product bound exceeds (γ‖W‖)^T");
            assertEquals(bound, crude[t], 1e-12 * bound, "crude bound is (γ‖W‖)^T = δ^T");
        }
        assertTrue(norms[steps] < 1e-4, act + ": norm at T=100 is " + norms[steps]);
        assertEquals(FlowRegime.VANISHING_GUARANTEED, r.regime().regime());
        assertEquals(delta, r.regime().delta(), 1e-10, "δ = γ√λ1 recovered from the power iteration");
        assertTrue(r.maxRatioToProductBound() <= 1 + 1e-12);
    }

    /**
     * The reverse-mode ‖∂g_T/∂g_t‖ (one batched VJP pass) and the forward-mode ‖∂g_t/∂g_0‖ (one
     * batched JVP pass) measure the same matrix at t = 0 and T respectively; and both equal the
     * norm of the explicitly multiplied product Π diag(σ'(a_s)) W. Different operation orders,
     * so agreement is to rounding: 1e-12 relative.
     */
    @Test
    void reverseAndForwardModeAgreeWithTheExplicitProduct() {
        Rng rng = new Rng(3);
        int h = 5, in = 3, steps = 7;
        Tensor w = rng.normal(DType.F64, 0, 0.6, h, h), u = rng.normal(DType.F64, 0, 1, h, in), b = rng.normal(DType.F64, 0, 1, h);
        Tensor xs = rng.normal(DType.F64, 0, 1, steps, in), g0 = rng.uniform(DType.F64, -1, 1, h);
        RecurrenceSpec spec = new RecurrenceSpec(w, u, b, RecurrentActivation.TANH, xs, g0);
        double[] toEnd = GradientFlow.toEnd(spec, 0).jacobian().norms();
        double[] fromStart = GradientFlow.fromStart(spec, 0).jacobian().norms();
        // Explicit product, accumulated as J_{t,0} = diag(σ'(a_t)) W J_{t−1,0}.
        Tensor g = g0.reshape(h, 1), jac = Tensor.eye(DType.F64, h);
        Tensor[] fromStartJac = new Tensor[steps + 1];
        fromStartJac[0] = jac;
        for (int t = 1; t <= steps; t++) {
            Tensor a = w.matmul(g).add(u.matmul(xs.select(0, t - 1).reshape(in, 1))).add(b.reshape(h, 1));
            Tensor d = a.tanh().square().neg().add(1);
            jac = d.mul(w).matmul(jac);
            fromStartJac[t] = jac;
            g = a.tanh();
        }
        for (int t = 0; t <= steps; t++) {
            double expected = MatrixSpectra.spectralNorm(fromStartJac[t]);
            assertEquals(expected, fromStart[t], 1e-12 * expected, "forward mode at t=" + t);
        }
        assertEquals(fromStart[steps], toEnd[0], 1e-12 * toEnd[0], "‖∂g_T/∂g_0‖ both ways");
        assertEquals(1.0, toEnd[steps], 1e-15);
    }

    /** A batch reports the chosen sample's Jacobian: identical to running that sequence alone. */
    @Test
    void batchUsesTheChosenSample() {
        Rng rng = new Rng(8);
        int h = 6, in = 2, steps = 9, batch = 4, sample = 2;
        Tensor w = rng.normal(DType.F64, 0, 0.5, h, h), u = rng.normal(DType.F64, 0, 1, h, in), b = rng.normal(DType.F64, 0, 1, h);
        Tensor xs = rng.normal(DType.F64, 0, 1, steps, batch, in), g0 = rng.uniform(DType.F64, -1, 1, batch, h);
        RecurrenceSpec batched = new RecurrenceSpec(w, u, b, RecurrentActivation.SIGMOID, xs, g0);
        RecurrenceSpec single = new RecurrenceSpec(w, u, b, RecurrentActivation.SIGMOID,
                xs.select(1, sample), g0.select(0, sample));
        GradientFlowReport rb = GradientFlow.toEnd(batched, sample), rs = GradientFlow.toEnd(single, 0);
        assertEquals(sample, rb.jacobian().sample());
        double[] nb = rb.jacobian().norms(), ns = rs.jacobian().norms();
        for (int t = 0; t <= steps; t++) assertEquals(ns[t], nb[t], 1e-14 * ns[t]);
        double[] pb = rb.productBound(), ps = rs.productBound();
        for (int t = 0; t <= steps; t++) assertEquals(ps[t], pb[t], 1e-14 * ps[t]);
    }

    /**
     * SPEC.md §1.3, exploding: tanh near its linear regime (state ~1e-12, so σ' = 1 − O(1e-20)
     * over 40 steps), W = 1.5·Q with Q orthogonal. Then ∂g_t/∂g_0 ≈ W^t, whose norm is 1.5^t
     * exactly; the fitted log-slope is ln 1.5 up to the O(state²) corrections.
     */
    @Test
    void aboveTheBoundNearTheLinearRegimeTheNormGrowsExponentially() {
        Rng rng = new Rng(21);
        int h = 8, in = 3, steps = 40;
        RecurrenceSpec spec = new RecurrenceSpec(TestMatrices.orthogonal(rng, h).mul(1.5),
                rng.normal(DType.F64, 0, 1e-12, h, in), rng.normal(DType.F64, 0, 1e-12, h), RecurrentActivation.TANH,
                rng.normal(DType.F64, 0, 1, steps, in), Tensor.zeros(DType.F64, h));
        GradientFlowReport r = GradientFlow.fromStart(spec, 0);
        assertEquals(FlowRegime.POSSIBLE_EXPLOSION, r.regime().regime());
        assertEquals(1.5, r.regime().delta(), 1e-9);
        double slope = r.jacobian().logGrowthRate(1, steps).orElseThrow();
        assertTrue(slope > 0.99 * Math.log(1.5) && slope <= Math.log(1.5) + 1e-12, "log-slope " + slope);
        assertTrue(r.jacobian().norm(steps) > 1e6, "norm at T=40: " + r.jacobian().norm(steps));
    }

    /**
     * SPEC.md §1.3, still vanishing above the bound: the same W (γ‖W‖ = 1.5) with saturating
     * inputs, |U x_t| ~ 20, so σ'(a) ≲ 4e-17·e^{…}: the product collapses despite ‖W‖ > 1/γ.
     */
    @Test
    void aboveTheBoundSaturationStillVanishes() {
        Rng rng = new Rng(21);
        int h = 8, in = 3, steps = 50;
        RecurrenceSpec spec = new RecurrenceSpec(TestMatrices.orthogonal(rng, h).mul(1.5),
                rng.normal(DType.F64, 0, 20, h, in), Tensor.zeros(DType.F64, h), RecurrentActivation.TANH,
                rng.normal(DType.F64, 0, 1, steps, in), Tensor.zeros(DType.F64, h));
        GradientFlowReport r = GradientFlow.fromStart(spec, 0);
        assertEquals(FlowRegime.POSSIBLE_EXPLOSION, r.regime().regime());
        assertTrue(r.jacobian().norm(steps) < 1e-10, "norm at T=50: " + r.jacobian().norm(steps));
        assertTrue(r.jacobian().logGrowthRate(1, steps).orElse(0) < 0);
        assertTrue(r.maxRatioToProductBound() <= 1 + 1e-12);
    }

    /**
     * SPEC.md §1.3, clipping. The exploding recurrence in its pre-activation form
     * {@code h_t = W tanh(h_{t−1}) + U x_t + b} (SPEC.md §1.1; same W = 1.5·Q, state ~1e-12),
     * read out linearly from h_T with squared error, trained by plain SGD (lr 0.01) for 30
     * steps. Its Jacobian products, measured through the generic {@link RecurrentStep} seam,
     * grow like 1.5^t, so the first gradient is ~1e7: unclipped, the parameters are thrown to
     * where the readout and the state feed each other and the loss overflows to ∞/NaN within a
     * few steps. Clipped by global norm to 1 (a few lines here), every step moves the parameters
     * by at most lr·1, and the loss stays finite at every step.
     */
    @Test
    void clippingByGlobalNormKeepsTheExplodingCaseFinite() {
        Rng rng = new Rng(5);
        int h = 8, in = 3, steps = 40, batch = 4;
        Params init = Params.of("rnn.w", TestMatrices.orthogonal(rng, h).mul(1.5),
                "rnn.u", rng.normal(DType.F64, 0, 1e-12, h, in), "rnn.b", rng.normal(DType.F64, 0, 1e-12, h),
                "head.v", rng.normal(DType.F64, 0, 1, 1, h));
        Tensor xs = rng.normal(DType.F64, 0, 1, steps, batch, in), y = rng.normal(DType.F64, 0, 1, batch, 1);
        Function<Params, RecurrentStep> stepOf = p -> {
            Var w = Var.constant(p.get("rnn.w")), u = Var.constant(p.get("rnn.u")), b = Var.constant(p.get("rnn.b"));
            return (state, x) -> state.tanh().matmul(w, false, true).add(x.matmul(u, false, true)).add(b);
        };
        JacobianNorms flow = GradientFlow.jacobianNormsFromStart(stepOf.apply(init), Tensor.zeros(DType.F64, h), xs.select(1, 0));
        assertEquals(Math.log(1.5), flow.logGrowthRate(1, steps).orElseThrow(), 0.01 * Math.log(1.5), "exploding flow");

        Function<VarParams, Var> loss = vp -> {
            Var w = vp.get("rnn.w"), u = vp.get("rnn.u"), b = vp.get("rnn.b");
            Var state = Var.constant(Tensor.zeros(DType.F64, batch, h));
            for (int t = 0; t < steps; t++) {
                state = state.tanh().matmul(w, false, true).add(Var.constant(xs.select(0, t)).matmul(u, false, true)).add(b);
            }
            return state.matmul(vp.get("head.v"), false, true).sub(Var.constant(y)).square().mean();
        };
        double lr = 0.01, maxNorm = 1;
        int iterations = 30;

        Params p = init;
        boolean diverged = false;
        for (int k = 0; k < iterations && !diverged; k++) {
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(loss, p);
            diverged = !Double.isFinite(vg.value().item());
            p = p.axpy(-lr, vg.grad());
        }
        assertTrue(diverged, "unclipped SGD should overflow the loss to inf/NaN within " + iterations + " steps");

        ClippingStatistics clipping = new ClippingStatistics();
        p = init;
        double initialLoss = Double.NaN, bestLoss = Double.POSITIVE_INFINITY;
        for (int k = 0; k < iterations; k++) {
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(loss, p);
            double l = vg.value().item();
            assertTrue(Double.isFinite(l), "clipped loss at step " + k + " is " + l);
            if (k == 0) initialLoss = l;
            bestLoss = Math.min(bestLoss, l);
            double norm = vg.grad().norm();
            ClipInfo clip = new ClipInfo(norm, maxNorm);
            clipping.record(clip);
            Params next = p.axpy(-lr * clip.scale(), vg.grad());
            assertTrue(next.sub(p).norm() <= lr * maxNorm * (1 + 1e-12));
            p = next;
        }
        assertTrue(Double.isFinite(loss.apply(VarParams.constants(p)).value().item()));
        assertTrue(bestLoss < initialLoss, "clipped training should still make progress: best " + bestLoss + " vs initial " + initialLoss);
        ClippingStatistics.Summary s = clipping.summary();
        assertEquals(iterations, s.steps());
        assertTrue(s.clippedSteps() >= 1 && s.maxPreClipNorm() > 1e6, s.toString());
    }

    /** The loss's sensitivity to inputs decays with distance from the loss when gradients vanish. */
    @Test
    void inputSensitivityMatchesAutodiffAndDecaysWhenVanishing() {
        Rng rng = new Rng(4);
        int h = 6, in = 3, steps = 30, batch = 3;
        Tensor w = TestMatrices.withSpectralNorm(rng, h, 0.5);
        Tensor u = rng.normal(DType.F64, 0, 1, h, in), b = rng.normal(DType.F64, 0, 1, h);
        Tensor xs = rng.normal(DType.F64, 0, 1, steps, batch, in);
        RecurrenceSpec spec = new RecurrenceSpec(w, u, b, RecurrentActivation.TANH, xs, Tensor.zeros(DType.F64, h));
        Function<Var, Var> lastStateLoss = states -> states.select(0, steps - 1).square().sum();
        InputSensitivity s = GradientFlow.inputSensitivity(spec, lastStateLoss);
        assertEquals(steps, s.steps());
        // Reference for sample 1 at t = steps: ∂L/∂x_T = Uᵀ diag(σ'(a_T)) 2 g_T, via plain autodiff on x_T alone.
        double[][] per = s.perSample();
        for (int b2 = 0; b2 < batch; b2++) {
            double m = 0;
            for (int t = 0; t < steps; t++) m = Math.max(m, per[t][b2]);
            assertTrue(per[0][b2] < 1e-6 * m, "x_1 of sample " + b2 + " should barely matter: " + per[0][b2] + " vs " + m);
        }
        double mean = 0;
        for (int b2 = 0; b2 < batch; b2++) mean += per[steps - 1][b2] / batch;
        assertEquals(mean, s.batchMean()[steps - 1], 1e-15 * mean);
        // Cross-check one entry against a direct gradient with respect to that input.
        int t0 = steps - 3, sample = 1;
        Tensor grad = Autodiff.grad(x -> {
            Var g = Var.constant(Tensor.zeros(DType.F64, batch, h));
            Var last = null;
            for (int t = 0; t < steps; t++) {
                Var xt = t == t0 ? x : Var.constant(xs.select(0, t));
                g = g.matmul(Var.constant(w), false, true).add(xt.matmul(Var.constant(u), false, true)).add(Var.constant(b)).tanh();
                last = g;
            }
            return last.square().sum();
        }, xs.select(0, t0));
        double expected = grad.select(0, sample).norm();
        assertEquals(expected, per[t0][sample], 1e-12 * expected);
    }

    @Test
    void validatesShapesAndSample() {
        Rng rng = new Rng(1);
        Tensor w = rng.normal(DType.F64, 0, 1, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RecurrenceSpec(w,
                rng.normal(DType.F64, 0, 1, 4, 2), rng.normal(DType.F64, 0, 1, 3), RecurrentActivation.TANH,
                rng.normal(DType.F64, 0, 1, 5, 2), Tensor.zeros(DType.F64, 3)));
        assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("[3, 3]"), e.getMessage());
        RecurrenceSpec ok = new RecurrenceSpec(w, rng.normal(DType.F64, 0, 1, 3, 2), rng.normal(DType.F64, 0, 1, 3),
                RecurrentActivation.TANH, rng.normal(DType.F64, 0, 1, 5, 2), Tensor.zeros(DType.F64, 3));
        assertThrows(IllegalArgumentException.class, () -> GradientFlow.toEnd(ok, 1));
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            assertThrows(IllegalStateException.class, () -> GradientFlow.toEnd(ok, 0));
        }
    }
}
