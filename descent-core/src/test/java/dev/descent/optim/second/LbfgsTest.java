package dev.descent.optim.second;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.TestProblems;
import dev.descent.tensor.Params;
import org.junit.jupiter.api.Test;

/** L-BFGS with a strong-Wolfe line search. */
class LbfgsTest {

    /**
     * On Rosenbrock, every accepted step satisfies both strong-Wolfe conditions, written for the
     * step s = θ_{k+1} − θ_k = α d so that they need no access to d:
     * f_{k+1} ≤ f_k + c₁ g_kᵀs and |g_{k+1}ᵀs| ≤ c₂ |g_kᵀs|; and it reaches (1, 1) within 1e-8
     * in at most 60 iterations (Nocedal &amp; Wright report ≈ 35 for BFGS from (−1.2, 1)).
     */
    @Test
    void stepsSatisfyTheStrongWolfeConditionsAndSolveRosenbrock() {
        TestProblems.Problem rosenbrock = TestProblems.rosenbrock();
        GradientOracle oracle = Oracles.fromLoss(rosenbrock.loss());
        Lbfgs lbfgs = Lbfgs.withDefaults();
        Params x = rosenbrock.start();
        Lbfgs.State state = lbfgs.init(x);
        int iterations = 0;
        while (iterations < 60) {
            LossAndGradient before = oracle.lossAndGradient(x);
            if (before.gradient().norm() < 1e-12) break;
            SecondOrderStep<Lbfgs.State, Lbfgs.Report> s = lbfgs.step(x, state, oracle);
            iterations++;
            Lbfgs.Report r = s.report();
            if (r.status() == Lbfgs.SearchStatus.STRONG_WOLFE) {
                Params step = s.params().sub(x);
                LossAndGradient after = oracle.lossAndGradient(s.params());
                double slope = before.gradient().dot(step);
                assertTrue(slope < 0, "descent direction at " + iterations);
                assertTrue(after.loss() <= before.loss() + 1e-4 * slope, "sufficient decrease at " + iterations);
                assertTrue(Math.abs(after.gradient().dot(step)) <= 0.9 * Math.abs(slope) * (1 + 1e-12), "curvature at " + iterations);
            } else {
                assertTrue(r.lossAfter() <= r.lossBefore(), r.toString());
            }
            x = s.params();
            state = s.state();
        }
        double err = Math.hypot(x.get("a").item() - 1, x.get("b").item() - 1);
        assertTrue(err < 1e-8, "after " + iterations + " iterations: distance to (1, 1) = " + err);
    }

    /** The memory never exceeds m and pairs always have positive curvature sᵀy. */
    @Test
    void memoryIsBoundedAndPairsHavePositiveCurvature() {
        TestProblems.Problem mlp = TestProblems.mlp(71, 3, 5, 30);
        GradientOracle oracle = Oracles.fromLoss(mlp.loss());
        Lbfgs lbfgs = Lbfgs.withDefaults().withMemory(4);
        Params x = mlp.start();
        Lbfgs.State state = lbfgs.init(x);
        double start = oracle.loss(x);
        for (int k = 0; k < 40; k++) {
            SecondOrderStep<Lbfgs.State, Lbfgs.Report> s = lbfgs.step(x, state, oracle);
            assertTrue(s.state().steps().size() <= 4);
            for (int i = 0; i < s.state().steps().size(); i++) {
                assertTrue(s.state().steps().get(i).dot(s.state().differences().get(i)) > 0);
            }
            assertTrue(s.report().lossAfter() <= s.report().lossBefore());
            x = s.params();
            state = s.state();
        }
        assertTrue(oracle.loss(x) < 0.05 * start, start + " -> " + oracle.loss(x));
    }
}
