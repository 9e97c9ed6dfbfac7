package dev.descent.optim.second;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.TestProblems;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC §3.3: Newton's method. */
class NewtonTest {

    /** On a quadratic the model is exact, so one undamped Newton step lands on the minimiser. */
    @Test
    void landsOnTheMinimiserOfAQuadraticInOneStep() {
        Rng rng = new Rng(51);
        Tensor a = CurvatureStepTest.symmetric(rng, new double[] {0.3, 1, 2, 5, 9, 20, 40, 100});
        Tensor c = rng.normal(DType.F64, 0, 1, 8, 1);
        CurvatureOracle oracle = Oracles.fromLoss(CurvatureStepTest.quadratic(a, c, 2));
        Params x = Params.of("x", rng.normal(DType.F64, 0, 5, 8, 1));
        Newton newton = Newton.withDefaults();
        SecondOrderStep<Newton.State, Newton.Report> s = newton.step(x, newton.init(x), oracle);
        double gNorm = oracle.lossAndGradient(s.params()).gradient().norm();
        assertTrue(gNorm < 1e-10, "gradient norm after one step " + gNorm);
        assertEquals(1, s.report().stepScale(), 0);
        assertEquals(0, s.report().damping(), 0);
        assertTrue(s.params().get("x").maxAbsDiff(c) < 1e-12, "at the minimiser");
    }

    /**
     * Quadratic convergence on L2-regularised logistic regression (strongly convex with
     * μ ≥ λ). Newton's theorem gives e_{k+1} ≤ (M / 2μ) e_k² where M is the Lipschitz constant of
     * the Hessian: for f = mean log(1 + exp(−y x̃ᵀθ)) + ½λ‖θ‖², M ≤ max|σ''| · max_i ‖x̃_i‖³ with
     * max|σ''| = 1/(6√3), x̃ = (x, 1). The test checks e_{k+1} ≤ C e_k² with that C for every
     * iteration in the local region (e_k &lt; 0.5) whose next error is above rounding (1e-13), that
     * there are at least two such iterations, and that the last contraction e_{k+1}/e_k is tiny.
     */
    @Test
    void convergesQuadraticallyOnLogisticRegression() {
        TestProblems.LogisticData data = TestProblems.logisticData(52, 200, 5, 0.01);
        TestProblems.Problem problem = TestProblems.logistic(data);
        CurvatureOracle oracle = Oracles.fromModel(problem.model(), problem.outputLoss(), problem.l2());
        Newton newton = Newton.withDefaults();
        Params x = problem.start();
        Newton.State state = newton.init(x);
        List<Params> iterates = new ArrayList<>();
        iterates.add(x);
        for (int k = 0; k < 15; k++) {
            SecondOrderStep<Newton.State, Newton.Report> s = newton.step(x, state, oracle);
            x = s.params();
            state = s.state();
            iterates.add(x);
        }
        Params optimum = x;
        assertTrue(oracle.lossAndGradient(optimum).gradient().norm() < 1e-13);

        double maxRowNorm = 0;
        for (int i = 0; i < data.x().dim(0); i++) {
            double s = 1;
            for (int j = 0; j < data.x().dim(1); j++) s += data.x().get(i, j) * data.x().get(i, j);
            maxRowNorm = Math.max(maxRowNorm, Math.sqrt(s));
        }
        double lipschitz = Math.pow(maxRowNorm, 3) / (6 * Math.sqrt(3));
        double c = lipschitz / (2 * data.l2());
        int checked = 0;
        double lastContraction = 1;
        for (int k = 0; k + 1 < iterates.size(); k++) {
            double e = iterates.get(k).sub(optimum).norm(), next = iterates.get(k + 1).sub(optimum).norm();
            if (e < 0.5 && next > 1e-13) {
                assertTrue(next <= c * e * e, "k = " + k + ": e_{k+1} = " + next + " > C e_k² = " + c * e * e);
                checked++;
                lastContraction = next / e;
            }
        }
        assertTrue(checked >= 2, "iterations in the quadratic region: " + checked);
        assertTrue(lastContraction < 1e-3, "superlinear: last e_{k+1}/e_k = " + lastContraction);
    }

    /**
     * On an indefinite problem (the double well at a saddle region) Cholesky of H fails, λ is
     * raised until H + λI is positive definite, the failures are reported, and the step descends.
     */
    @Test
    void dampingIsRaisedWhenTheHessianIsIndefinite() {
        CurvatureOracle oracle = Oracles.fromLoss(vp -> vp.get("x").square().sub(1).square().sum().mul(0.25));
        Newton newton = Newton.withDefaults();
        Params x = Params.of("x", Tensor.of(new double[] {0.1, 1.3}, 2));
        SecondOrderStep<Newton.State, Newton.Report> s = newton.step(x, newton.init(x), oracle);
        assertTrue(s.report().factorisationFailures() > 0, s.report().toString());
        assertTrue(s.report().damping() > 1 - 3 * 0.01, "λ exceeds −λ_min(H) ≈ 0.97: " + s.report().damping());
        assertTrue(s.report().lossAfter() < s.report().lossBefore());
        Params y = x;
        Newton.State st = newton.init(x);
        for (int k = 0; k < 40; k++) {
            SecondOrderStep<Newton.State, Newton.Report> r = newton.step(y, st, oracle);
            y = r.params();
            st = r.state();
        }
        assertTrue(oracle.lossAndGradient(y).gradient().norm() < 1e-12, "converged to a minimum " + y.get("x"));
        assertTrue(oracle.loss(y) < 1e-20);
    }

    @Test
    void refusesModelsTooLargeForADenseHessian() {
        Params big = Params.of("w", Tensor.zeros(DType.F64, 10, 10));
        CurvatureOracle oracle = Oracles.fromLoss(vp -> vp.get("w").square().sum());
        Newton newton = Newton.withDefaults().withMaxParameters(50);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> newton.step(big, newton.init(big), oracle));
        assertTrue(e.getMessage().contains("100") && e.getMessage().contains("50"), e.getMessage());
    }
}
