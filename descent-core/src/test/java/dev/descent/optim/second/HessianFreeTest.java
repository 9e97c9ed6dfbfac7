package dev.descent.optim.second;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.optim.TestProblems;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Hessian-free optimisation (Martens 2010; Martens &amp; Sutskever 2011). */
class HessianFreeTest {

    /**
     * Levenberg-Marquardt rule, step by step on the non-convex MLP: ρ &lt; ¼ (or a rejected step)
     * → λ·3/2, ρ &gt; ¾ → λ·2/3, otherwise unchanged; accepted steps never increase the loss; and
     * the run trains (loss below 5% of the start within 25 steps).
     */
    @Test
    void dampingFollowsTheReductionRatioAndTheLossDecreases() {
        TestProblems.Problem mlp = TestProblems.mlp(61, 3, 6, 40);
        GaussNewtonOracle oracle = Oracles.fromModel(mlp.model(), mlp.outputLoss());
        HessianFree hf = HessianFree.withDefaults();
        Params x = mlp.start();
        HessianFree.State state = hf.init(x);
        double start = oracle.loss(x);
        int increases = 0, decreases = 0;
        for (int k = 0; k < 25; k++) {
            SecondOrderStep<HessianFree.State, HessianFree.Report> s = hf.step(x, state, oracle);
            HessianFree.Report r = s.report();
            double lambda = r.damping();
            double expected = !r.accepted() || !(r.ratio() >= 0.25) ? lambda * 1.5 : r.ratio() > 0.75 ? lambda * 2 / 3 : lambda;
            assertEquals(expected, r.nextDamping(), 1e-15 * expected, "step " + k + " " + r);
            assertEquals(r.nextDamping(), s.state().damping(), 0);
            if (r.nextDamping() > lambda) increases++;
            if (r.nextDamping() < lambda) decreases++;
            assertTrue(r.lossAfter() <= r.lossBefore(), "step " + k + " " + r);
            assertTrue(r.cgIterations() >= 1);
            x = s.params();
            state = s.state();
        }
        assertTrue(decreases > 0, "λ decreased at least once");
        double end = oracle.loss(x);
        assertTrue(end < 0.05 * start, "loss " + start + " -> " + end + " (λ increases " + increases + ")");
    }

    /**
     * Structural damping adds μλ S to the CG matrix. With CG run to convergence from a cold start
     * on a linear least-squares model (G = XᵀX exactly), the last CG iterate (kept in the state
     * for the warm start) solves (G + λI + μλ S) p = −g, checked against a dense Cholesky solve
     * to 1e-8 relative (CG's stopping residual is 1e-15‖g‖, conditioning ≈ 1e3).
     */
    @Test
    void structuralDampingSolvesTheAugmentedSystem() {
        Rng rng = new Rng(62);
        int n = 6;
        Tensor xs = rng.normal(DType.F64, 0, 1, 20, n);
        Tensor ys = rng.normal(DType.F64, 0, 1, 20, 1);
        Tensor hiddenMap = rng.normal(DType.F64, 0, 1, 4, n);
        Function<VarParams, Var> model = vp -> Var.constant(xs).matmul(vp.get("w"));
        Function<Var, Var> loss = z -> z.sub(Var.constant(ys)).square().sum().mul(0.5);
        GaussNewtonOracle oracle = Oracles.fromModel(model, loss);
        CurvatureProduct s = Oracles.gaussNewtonProduct(vp -> Var.constant(hiddenMap).matmul(vp.get("w")),
                h -> h.square().sum().mul(0.5));
        double lambda = 0.7, mu = 0.3;
        HessianFree hf = HessianFree.withDefaults().withInitialDamping(lambda)
                .withConjugateGradient(0, 100, 1e-12)
                .withStructuralDamping(new HessianFree.StructuralDamping(s, mu));
        Params w = Params.of("w", rng.normal(DType.F64, 0, 1, n, 1));
        SecondOrderStep<HessianFree.State, HessianFree.Report> step = hf.step(w, hf.init(w), oracle);
        assertEquals(HessianFree.CgStop.CONVERGED, step.report().cgStop(), step.report().toString());

        Tensor g = oracle.lossAndGradient(w).gradient().get("w");
        Tensor b = xs.matmul(xs, true, false).add(Tensor.eye(DType.F64, n).mul(lambda))
                .add(hiddenMap.matmul(hiddenMap, true, false).mul(mu * lambda));
        double[] hb = b.toDoubleArray();
        double[] p = Newton.solveDamped(hb, g.toDoubleArray(), n, 0);
        Tensor expected = Tensor.of(p, n, 1);
        Tensor actual = step.state().previousDirection().get("w");
        assertTrue(actual.maxAbsDiff(expected) <= 1e-8 * expected.maxAbs(), actual + " vs " + expected);
    }

    /**
     * A diagonal preconditioner equal to the diagonal of B makes CG exact in one iteration on a
     * problem whose Gauss-Newton matrix is diagonal with entries spanning six orders of magnitude,
     * where plain CG needs one iteration per distinct eigenvalue.
     */
    @Test
    void exactDiagonalPreconditionerMakesConjugateGradientConvergeAtOnce() {
        double[] scales = {1e-3, 1e-2, 0.1, 1, 10, 100, 1000};
        double[] centre = {1, -1, 2, -2, 3, -3, 0.5};
        double[] start = new double[7];
        TestProblems.Problem parabola = TestProblems.parabola(scales, centre, start);
        GaussNewtonOracle oracle = Oracles.fromModel(parabola.model(), parabola.outputLoss());
        double lambda = 1e-6;
        double[] diag = new double[7];
        for (int i = 0; i < 7; i++) diag[i] = scales[i] + lambda;
        HessianFree plain = HessianFree.withDefaults().withInitialDamping(lambda).withConjugateGradient(0, 50, 1e-12);
        HessianFree preconditioned = plain.withPreconditioner(DiagonalPreconditioner.fixed(Params.of("x", Tensor.of(diag, 7))));
        Params x = parabola.start();
        HessianFree.Report p = plain.step(x, plain.init(x), oracle).report();
        HessianFree.Report q = preconditioned.step(x, preconditioned.init(x), oracle).report();
        assertEquals(1, q.cgIterations(), q.toString());
        assertEquals(HessianFree.CgStop.CONVERGED, q.cgStop());
        assertTrue(p.cgIterations() >= 7, "plain CG iterations " + p.cgIterations());
    }

    /**
     * Martens' preconditioner (Σ squared per-example gradients + λ)^ξ is positive and, on
     * logistic regression, HF with it reaches the optimum (gradient norm &lt; 1e-8) like HF without.
     */
    @Test
    void martensPreconditionerOnLogisticRegression() {
        TestProblems.LogisticData data = TestProblems.logisticData(63, 120, 4, 1e-2);
        TestProblems.Problem problem = TestProblems.logistic(data);
        GaussNewtonOracle oracle = Oracles.fromModel(problem.model(), problem.outputLoss(), problem.l2());
        int examples = data.x().dim(0);
        // Per-example gradients of the mean negative log-likelihood: −y σ(−y z) x̃ / n.
        Function<Params, Params> squares = at -> {
            Tensor z = data.logits(VarParams.constants(at)).value();
            Tensor coef = z.mul(data.labels()).neg().sigmoid().mul(data.labels()).div(examples);
            Tensor c2 = coef.square();
            return Params.of("w", data.x().square().mul(c2).sum(0, false).reshape(data.x().dim(1), 1),
                    "b", c2.sum(0, false).reshape(1));
        };
        HessianFree hf = HessianFree.withDefaults().withPreconditioner(DiagonalPreconditioner.martens(squares, 0.75));
        Params x = problem.start();
        HessianFree.State state = hf.init(x);
        for (int k = 0; k < 30; k++) {
            SecondOrderStep<HessianFree.State, HessianFree.Report> s = hf.step(x, state, oracle);
            x = s.params();
            state = s.state();
        }
        double gNorm = oracle.lossAndGradient(x).gradient().norm();
        assertTrue(gNorm < 1e-8, "gradient norm " + gNorm + ", λ = " + state.damping());
    }

    /**
     * Warm start: started from 0.95 × the previous solution of an unchanged 30-parameter
     * least-squares problem (eigenvalues of G spread over four decades), CG begins near the
     * optimum of the damped model, so Martens' relative-progress test stops it as soon as it may
     * (after k + 1 = 11 iterations), while a cold start needs more iterations to get there.
     */
    @Test
    void warmStartFromThePreviousSolutionSavesIterations() {
        Rng rng = new Rng(64);
        int n = 30;
        double[] spectrum = new double[n];
        for (int i = 0; i < n; i++) spectrum[i] = Math.pow(10, 4.0 * i / (n - 1) - 2);
        Tensor root = CurvatureStepTest.symmetric(rng, sqrt(spectrum));
        Tensor ys = rng.normal(DType.F64, 0, 1, n, 1);
        GaussNewtonOracle oracle = Oracles.fromModel(vp -> Var.constant(root).matmul(vp.get("w")),
                z -> z.sub(Var.constant(ys)).square().sum().mul(0.5));
        double lambda = 1e-3;
        HessianFree cold = HessianFree.withDefaults().withInitialDamping(lambda).withConjugateGradient(0, 500, 5e-4);
        HessianFree warm = cold.withConjugateGradient(0.95, 500, 5e-4);
        Params w = Params.of("w", Tensor.zeros(DType.F64, n, 1));
        HessianFree.Report coldReport = cold.step(w, cold.init(w), oracle).report();
        HessianFree solved = cold.withConjugateGradient(0, 500, 1e-15);
        Params previous = solved.step(w, solved.init(w), oracle).state().previousDirection();
        HessianFree.Report warmReport = warm.step(w, new HessianFree.State(lambda, previous, 1), oracle).report();
        assertEquals(HessianFree.CgStop.RELATIVE_PROGRESS, warmReport.cgStop(), warmReport.toString());
        assertEquals(11, warmReport.cgIterations(), warmReport.toString());
        assertTrue(coldReport.cgIterations() > warmReport.cgIterations(), "cold " + coldReport.cgIterations());
    }

    static double[] sqrt(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = Math.sqrt(a[i]);
        return r;
    }
}
