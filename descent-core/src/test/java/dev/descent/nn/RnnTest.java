package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.GradCheck;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Elman layer: its fused loop against the plain Var-operation step, the two forms of
 * SPEC.md §1.1 against each other, gradients and Hessian-vector products through the fused
 * primitive, and the Jacobian with respect to the initial state.
 */
class RnnTest {
    static final int T = 7, B = 3, H = 5, IN = 2;

    static Rnn rnn(Activation act, Rnn.Form form, long seed, DType dtype) {
        return rnn(act, form, seed, dtype, IN);
    }

    static Rnn rnn(Activation act, Rnn.Form form, long seed, DType dtype, int inputs) {
        Rnn.Config c = Rnn.Config.of(inputs, H).withActivation(act).withForm(form);
        if (act == Activation.RELU || act == Activation.IDENTITY) c = c.withRecurrentInit(Init.orthogonal(0.9));
        return new Rnn(c, new Rng(seed), dtype);
    }

    /** The model's parameters plus the initial state as one tree. */
    static Params withInitialState(Rnn r, Tensor s0) {
        return r.parameters().with("s0", s0);
    }

    /** All states by the reference loop of plain Var steps. */
    static Var referenceStates(Rnn r, VarParams vp, Var x, Var s0) {
        Scope s = Scope.of(vp);
        Var[] states = new Var[x.dim(0)];
        Var prev = s0;
        for (int t = 0; t < states.length; t++) {
            prev = r.step(s, prev, x.select(0, t));
            states[t] = prev;
        }
        return Var.stack(0, states);
    }

    static Function<VarParams, Var> fusedLoss(Rnn r, Tensor x, Tensor weights) {
        return vp -> r.run(vp, Var.constant(x), vp.get("s0")).states().mul(Var.constant(weights)).sum();
    }

    static Function<VarParams, Var> referenceLoss(Rnn r, Tensor x, Tensor weights) {
        return vp -> referenceStates(r, vp, Var.constant(x), vp.get("s0")).mul(Var.constant(weights)).sum();
    }

    static double relErr(Params a, Params b) {
        return a.sub(b).norm() / Math.max(1e-300, b.norm());
    }

    // Tolerances: the fused loop and the reference perform the same float64 operations in a
    // different order (accumulating GEMM vs. matmul-then-add), so values agree to a few ulps per
    // step, ~1e-15 relative over 7 steps; gradients and HVPs are sums of O(T·H) such terms.

    @ParameterizedTest
    @EnumSource(Activation.class)
    void fusedLoopMatchesReferenceSteps(Activation act) {
        for (Rnn.Form form : Rnn.Form.values()) {
            Rnn r = rnn(act, form, 11, DType.F64);
            Rng rng = new Rng(5);
            Tensor x = rng.normal(DType.F64, 0, 1, T, B, IN);
            Tensor s0 = rng.normal(DType.F64, 0, 0.5, B, H);
            Tensor weights = rng.normal(DType.F64, 0, 1, T, B, H);
            Params p = withInitialState(r, s0);
            Function<VarParams, Var> fused = fusedLoss(r, x, weights), ref = referenceLoss(r, x, weights);

            Tensor fusedStates = r.run(VarParams.constants(p), Var.constant(x), Var.constant(s0)).states().value();
            Tensor refStates = referenceStates(r, VarParams.constants(p), Var.constant(x), Var.constant(s0)).value();
            assertTrue(fusedStates.maxAbsDiff(refStates) <= 1e-13 * Math.max(1, refStates.maxAbs()), form + " values");

            Autodiff.ValueAndGrad a = Autodiff.valueAndGrad(fused, p), b = Autodiff.valueAndGrad(ref, p);
            assertEquals(b.value().item(), a.value().item(), 1e-12 * Math.max(1, Math.abs(b.value().item())));
            assertTrue(relErr(a.grad(), b.grad()) <= 1e-12, form + " gradient " + relErr(a.grad(), b.grad()));

            Params v = p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
            Params hvFused = Autodiff.hvp(fused, p, v), hvRef = Autodiff.hvp(ref, p, v);
            assertTrue(relErr(hvFused, hvRef) <= 1e-11, form + " hvp " + relErr(hvFused, hvRef));
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void gradientCheckInTrainAndEvalMode(Activation act) {
        for (Rnn.Form form : Rnn.Form.values()) {
            for (boolean training : new boolean[] {true, false}) {
                Rnn r = rnn(act, form, 3, DType.F64);
                if (training) r.train(); else r.eval();
                Rng rng = new Rng(9);
                Tensor x = rng.normal(DType.F64, 0, 1, T, B, IN);
                Tensor s0 = rng.normal(DType.F64, 0, 0.5, B, H);
                GradCheck.Report rep = GradCheck.check(vp -> r.run(vp, Var.constant(x), vp.get("s0")).states(),
                        withInitialState(r, s0), 3, 1e-5, 17);
                // Central differences with h = 1e-5 on O(1) smooth values: O(h²) ≈ 1e-10; 1e-6 is the bar.
                assertTrue(rep.passes(1e-6), act + " " + form + " " + rep);
                GradCheck.Report last = GradCheck.check(vp -> r.run(vp, Var.constant(x), vp.get("s0")).last(),
                        withInitialState(r, s0), 2, 1e-5, 18);
                assertTrue(last.passes(1e-6), act + " " + form + " final state " + last);
            }
        }
    }

    @Test
    void hessianVectorProductThroughTheFinalStateMatchesTheReference() {
        Rnn r = rnn(Activation.TANH, Rnn.Form.ACTIVATION, 13, DType.F64);
        Rng rng = new Rng(7);
        Tensor x = rng.normal(DType.F64, 0, 1, T, B, IN);
        Tensor s0 = rng.normal(DType.F64, 0, 0.5, B, H);
        Params p = withInitialState(r, s0);
        Function<VarParams, Var> fused = vp -> r.run(vp, Var.constant(x), vp.get("s0")).last().sigmoid().sum();
        Function<VarParams, Var> ref = vp -> referenceStates(r, vp, Var.constant(x), vp.get("s0")).select(0, T - 1).sigmoid().sum();
        Params v = p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
        Autodiff.GradAndHvp a = Autodiff.gradAndHvp(fused, p, v), b = Autodiff.gradAndHvp(ref, p, v);
        assertTrue(relErr(a.grad(), b.grad()) <= 1e-12, "gradient " + relErr(a.grad(), b.grad()));
        assertTrue(relErr(a.hvp(), b.hvp()) <= 1e-11, "hvp " + relErr(a.hvp(), b.hvp()));
    }

    /**
     * For both forms, the fused raw backward loop (createGraph = false) against the recorded Var
     * path (createGraph = true) over {@code steps} steps, to {@code tolerance} relative to each
     * gradient's largest entry.
     */
    private static void assertFusedBackwardMatchesRecorded(Activation act, long seed, int steps, int inputs, double tolerance) {
        for (Rnn.Form form : Rnn.Form.values()) {
            Rnn r = rnn(act, form, seed, DType.F64, inputs);
            Rng rng = new Rng(seed + 2);
            Tensor x = rng.normal(DType.F64, 0, 1, steps, B, inputs);
            Tensor weights = rng.normal(DType.F64, 0, 1, steps, B, H);
            VarParams vp = VarParams.of(r.parameters(), null, true);
            Var loss = r.apply(vp, Var.constant(x)).mul(Var.constant(weights)).sum();
            Var seedVar = Var.constant(Tensor.ones(DType.F64));
            Var[] plain = Autodiff.backward(loss, seedVar, vp.vars(), false);
            Var[] recorded = Autodiff.backward(loss, seedVar, vp.vars(), true);
            for (int i = 0; i < plain.length; i++) {
                double scale = Math.max(1, plain[i].value().maxAbs());
                assertTrue(plain[i].value().maxAbsDiff(recorded[i].value()) <= tolerance * scale,
                        form + " T=" + steps + " " + vp.names().get(i));
            }
        }
    }

    @Test
    void fusedAndDifferentiableBackwardPathsAgree() {
        assertFusedBackwardMatchesRecorded(Activation.SIGMOID, 4, T, IN, 1e-13);
    }

    @Test
    void fusedBackwardAgreesAcrossTheWorkerAndCallerShareOfTheWeightGradient() {
        // T = 130 > RnnScan.MAIN_TAIL_STEPS: the pool worker sums W̄ and b̄ over steps [50, 130)
        // in blocks while the recurrence runs, the caller over [0, 50) afterwards. The recorded
        // Var path sums every step in one order; float64 sums of T·B ≈ 400 terms of a few ulps
        // each differ by well under 1e-12 relative.
        assertFusedBackwardMatchesRecorded(Activation.TANH, 8, 130, IN, 1e-12);
    }

    @Test
    void manyInputChannelsTakeTheProjectionPathAndAgreeToo() {
        // in = 20 > Rnn.INPUT_IN_LOOP_MAX: all projections are computed before the loop.
        assertFusedBackwardMatchesRecorded(Activation.SIGMOID, 11, T, Rnn.INPUT_IN_LOOP_MAX + 4, 1e-13);
        assertFusedBackwardMatchesRecorded(Activation.TANH, 12, 60, Rnn.INPUT_IN_LOOP_MAX + 4, 1e-12);
    }

    @Test
    void inputInTheLoopGivesTheStatesOfTheProjectionsBitForBit() {
        // Both compute x_t Uᵀ as the same sum of products, then add b, then accumulate s_{t−1} Wᵀ,
        // so the states are identical; the gradients differ only in the order of the sums over
        // time (Ū = Σ_t δ_tᵀ x_t summed in blocks, against one product P̄ᵀ x): over T·B = 240 terms
        // that is at most ~240u relative, 3e-14 in float64 and 1.4e-5 in float32.
        for (Rnn.Form form : Rnn.Form.values()) {
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                boolean pre = form == Rnn.Form.PRE_ACTIVATION;
                Rng rng = new Rng(21);
                int steps = 60, inputs = 3;
                Params p = Params.of("x", rng.normal(dtype, 0, 1, steps, B, inputs), "u", rng.normal(dtype, 0, 0.5, H, inputs),
                        "w", rng.normal(dtype, 0, 0.4, H, H), "b", rng.normal(dtype, 0, 0.1, H), "s0", rng.normal(dtype, 0, 0.5, B, H));
                Tensor weights = rng.normal(dtype, 0, 1, steps, B, H);
                Function<VarParams, Var> inLoop = vp -> Var.apply(new RnnScan(Activation.TANH, pre, true),
                        vp.get("x"), vp.get("u"), vp.get("w"), vp.get("b"), vp.get("s0")).mul(Var.constant(weights)).sum();
                Function<VarParams, Var> projected = vp -> Var.apply(new RnnScan(Activation.TANH, pre),
                        vp.get("x").reshape(steps * B, inputs).matmul(vp.get("u"), false, true).reshape(steps, B, H),
                        vp.get("w"), vp.get("b"), vp.get("s0")).mul(Var.constant(weights)).sum();
                Tensor a = Var.apply(new RnnScan(Activation.TANH, pre, true), Var.constant(p.get("x")), Var.constant(p.get("u")),
                        Var.constant(p.get("w")), Var.constant(p.get("b")), Var.constant(p.get("s0"))).value();
                Tensor c = Var.apply(new RnnScan(Activation.TANH, pre),
                        Var.constant(p.get("x").reshape(steps * B, inputs).matmul(p.get("u"), false, true).reshape(steps, B, H)),
                        Var.constant(p.get("w")), Var.constant(p.get("b")), Var.constant(p.get("s0"))).value();
                assertEquals(0.0, a.maxAbsDiff(c), form + " " + dtype + " states");
                Params g1 = Autodiff.valueAndGrad(inLoop, p).grad(), g2 = Autodiff.valueAndGrad(projected, p).grad();
                double tol = dtype == DType.F64 ? 1e-13 : 1e-4;
                assertTrue(relErr(g1, g2) <= tol, form + " " + dtype + " gradients " + relErr(g1, g2));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void bothFormsAgreeOverTwoHundredSteps(Activation act) {
        // SPEC.md §1.1: random W, U, b, inputs, T = 200, float64: max_t |σ(h_t) − g_t| ≤ 1e-12.
        int steps = 200, batch = 4, hidden = 16, in = 3;
        Rng rng = new Rng(2024 + act.ordinal());
        Rnn.Config c = Rnn.Config.of(in, hidden).withActivation(act);
        // Relu and identity recurrences are unbounded: keep ‖W‖ = 0.9 so that states stay O(1).
        if (act == Activation.RELU || act == Activation.IDENTITY) c = c.withRecurrentInit(Init.orthogonal(0.9));
        Rnn pre = new Rnn(c.withForm(Rnn.Form.PRE_ACTIVATION), rng.split(), DType.F64);
        Rnn post = new Rnn(c.withForm(Rnn.Form.ACTIVATION), rng.split(), DType.F64);
        post.setParameters(pre.parameters());
        Tensor x = rng.normal(DType.F64, 0, 1, steps, batch, in);
        Tensor h0 = rng.normal(DType.F64, 0, 1, batch, hidden);
        Tensor g0 = act.apply(h0);
        VarParams vp = VarParams.constants(pre.parameters());

        Tensor h = pre.run(vp, Var.constant(x), Var.constant(h0)).states().value();
        Tensor g = post.run(vp, Var.constant(x), Var.constant(g0)).states().value();
        Tensor gReference = referenceStates(post, vp, Var.constant(x), Var.constant(g0)).value();
        Tensor sigmaH = act.apply(h);
        double fusedGap = sigmaH.maxAbsDiff(g), referenceGap = sigmaH.maxAbsDiff(gReference);
        // Both fused forms run the same float64 operations, so their gap is zero; against the
        // reference loop (different summation order) it is a few ulps of O(1) values.
        assertTrue(fusedGap <= 1e-12, act + ": fused forms differ by " + fusedGap);
        assertTrue(referenceGap <= 1e-12, act + ": pre-activation form vs step loop differ by " + referenceGap);
        assertTrue(g.maxAbs() > 0.1 && g.maxAbs() < 10, "states stay O(1): " + g.maxAbs());
    }

    @Test
    void jacobianWithRespectToInitialStateIsTheProductOfStepJacobians() {
        // ∂g_T/∂g_0 = Π_t diag(σ'(a_t)) W (SPEC.md §1.2), here for one sequence (B = 1).
        int steps = 6, hidden = 4;
        Rnn r = new Rnn(Rnn.Config.of(2, hidden).withActivation(Activation.TANH), new Rng(8), DType.F64);
        Rng rng = new Rng(1);
        Tensor x = rng.normal(DType.F64, 0, 1, steps, 1, 2);
        Tensor g0 = rng.normal(DType.F64, 0, 0.3, 1, hidden);
        VarParams vp = VarParams.constants(r.parameters());
        Tensor states = r.run(vp, Var.constant(x), Var.constant(g0)).states().value();
        Tensor w = r.parameters().get("W");
        Tensor jac = Tensor.eye(DType.F64, hidden);
        for (int t = 0; t < steps; t++) {
            Tensor d = Activation.TANH.derivativeFromOutput(states.select(0, t).reshape(hidden, 1));
            jac = w.mul(d).matmul(jac);
        }
        for (int i = 0; i < hidden; i++) {
            Tensor u = Tensor.zeros(DType.F64, 1, hidden).add(Tensor.oneHot(DType.F64, new int[] {i}, hidden));
            Tensor row = Autodiff.vjp(s -> r.run(vp, Var.constant(x), s).last(), g0, u);
            for (int j = 0; j < hidden; j++) assertEquals(jac.get(i, j), row.get(0, j), 1e-14);
        }
    }

    @Test
    void zeroStepsGiveEmptyStatesAndTheInitialState() {
        Rnn r = rnn(Activation.TANH, Rnn.Form.ACTIVATION, 1, DType.F64);
        Tensor s0 = new Rng(2).normal(DType.F64, 0, 1, B, H);
        Params p = withInitialState(r, s0);
        Tensor x = Tensor.zeros(DType.F64, 0, B, IN);
        Rnn.Result res = r.run(VarParams.constants(p), Var.constant(x), Var.constant(s0));
        assertEquals(List.of(0, B, H), List.of(res.states().dim(0), res.states().dim(1), res.states().dim(2)));
        assertEquals(0, res.last().value().maxAbsDiff(s0));
        Params g = Autodiff.grad(vp -> r.run(vp, Var.constant(x), vp.get("s0")).states().sum(), p);
        assertEquals(0, g.norm());
    }

    @Test
    void float32MatchesFloat64() {
        for (Rnn.Form form : Rnn.Form.values()) {
            Rnn r64 = rnn(Activation.TANH, form, 12, DType.F64), r32 = rnn(Activation.TANH, form, 12, DType.F32);
            Tensor x = new Rng(3).normal(DType.F64, 0, 1, T, B, IN);
            Tensor y64 = r64.forward(x), y32 = r32.forward(x.to(DType.F32));
            // float32 rounding (6e-8) amplified over 7 steps of H = 5 sums: 1e-5 is generous.
            assertTrue(y32.to(DType.F64).maxAbsDiff(y64) < 1e-5);
            Params g32 = Autodiff.grad(vp -> r32.apply(vp, Var.constant(x.to(DType.F32))).sum(), r32.parameters());
            Params g64 = Autodiff.grad(vp -> r64.apply(vp, Var.constant(x)).sum(), r64.parameters());
            assertTrue(g32.to(DType.F64).maxAbsDiff(g64) < 1e-4);
        }
    }

    @Test
    void initialStateDefaultsToZeroAndShapesAreValidated() {
        Rnn r = rnn(Activation.TANH, Rnn.Form.ACTIVATION, 1, DType.F64);
        Tensor x = new Rng(3).normal(DType.F64, 0, 1, T, B, IN);
        Tensor zeros = r.run(VarParams.constants(r.parameters()), Var.constant(x), Var.constant(Tensor.zeros(DType.F64, B, H)))
                .states().value();
        assertEquals(0, r.forward(x).maxAbsDiff(zeros));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.forward(Tensor.zeros(DType.F64, T, B, 3)));
        assertTrue(e.getMessage().contains("[7, 3, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.run(VarParams.constants(r.parameters()), Var.constant(x),
                Var.constant(Tensor.zeros(DType.F64, B, H + 1))));
        assertThrows(IllegalArgumentException.class, () -> Rnn.Config.of(0, 3));
        assertThrows(IllegalArgumentException.class, () -> Rnn.Config.of(2, -1));
    }
}
