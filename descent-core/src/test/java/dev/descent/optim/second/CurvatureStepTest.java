package dev.descent.optim.second;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** SPEC §3.1 (the quadratic model along −g) and §3.2 (the curvature-optimal step and its fallback). */
class CurvatureStepTest {

    /** A symmetric matrix Qᵀ diag(eigenvalues) Q with Q a Householder reflection (orthogonal). */
    static Tensor symmetric(Rng rng, double[] eigenvalues) {
        int n = eigenvalues.length;
        Tensor v = rng.normal(DType.F64, 0, 1, n, 1);
        Tensor q = Tensor.eye(DType.F64, n).sub(v.matmul(v, false, true).mul(2 / v.dot(v)));
        return q.mul(Tensor.of(eigenvalues, 1, n)).matmul(q);
    }

    /** f(x) = ½ (x − c)ᵀ A (x − c) + f0. */
    static Function<VarParams, Var> quadratic(Tensor a, Tensor c, double f0) {
        return vp -> {
            Var d = vp.get("x").sub(Var.constant(c));
            return d.matmul(Var.constant(a).matmul(d), true, false).sum().mul(0.5).add(f0);
        };
    }

    /**
     * §3.1 on quadratics: f(x0 − εg) = f(x0) − ε gᵀg + ½ ε² gᵀHg holds exactly, including for an
     * indefinite A; the only error is rounding in evaluating f (≈1e-16 · the size of the terms),
     * so 1e-10 relative to max(1, |f|) is generous.
     */
    @Test
    void modelIsExactOnQuadratics() {
        Rng rng = new Rng(31);
        double[][] spectra = {{1, 2, 3, 4, 5, 6}, {-2, -0.5, 0.1, 1, 3, 7}};
        for (double[] spectrum : spectra) {
            Tensor a = symmetric(rng, spectrum);
            Tensor c = rng.normal(DType.F64, 0, 1, 6, 1);
            Function<VarParams, Var> f = quadratic(a, c, 1.5);
            CurvatureOracle oracle = Oracles.fromLoss(f);
            Params x0 = Params.of("x", rng.normal(DType.F64, 0, 2, 6, 1));
            QuadraticModel model = QuadraticModel.alongGradient(oracle, x0);
            for (double eps : new double[] {1e-3, 0.05, 0.3, 1, 2.5}) {
                double actual = oracle.loss(x0.axpy(-eps, model.gradient()));
                double predicted = model.predict(eps);
                assertEquals(actual, predicted, 1e-10 * Math.max(1, Math.abs(actual)), "ε = " + eps);
            }
        }
    }

    /**
     * §3.1 on a smooth non-quadratic f(x) = Σ exp(c_i x_i) + ¼ Σ x_i⁴: the model error is the
     * Taylor remainder, ≈ |f'''[g,g,g]| ε³ / 6, so log(error) against log(ε) has slope 3. Fitted
     * over ε ∈ [1e-3, 3e-2], where the error (≥ 1e-9) dwarfs rounding (≈1e-15), the least-squares
     * slope lies in [2.8, 3.2].
     */
    @Test
    void modelErrorShrinksAsEpsilonCubed() {
        Tensor c = Tensor.of(new double[] {0.7, -1.1, 0.4, 1.3}, 4);
        Function<VarParams, Var> f = vp -> {
            Var x = vp.get("x");
            return x.mul(Var.constant(c)).exp().sum().add(x.square().square().sum().mul(0.25));
        };
        CurvatureOracle oracle = Oracles.fromLoss(f);
        Params x0 = Params.of("x", Tensor.of(new double[] {0.3, -0.8, 1.1, 0.5}, 4));
        QuadraticModel model = QuadraticModel.alongGradient(oracle, x0);
        int k = 8;
        double[] logEps = new double[k], logErr = new double[k];
        for (int i = 0; i < k; i++) {
            double eps = 1e-3 * Math.pow(30, i / (double) (k - 1));
            double err = Math.abs(oracle.loss(x0.axpy(-eps, model.gradient())) - model.predict(eps));
            logEps[i] = Math.log(eps);
            logErr[i] = Math.log(err);
        }
        double slope = leastSquaresSlope(logEps, logErr);
        assertTrue(slope >= 2.8 && slope <= 3.2, "fitted slope " + slope);
    }

    static double leastSquaresSlope(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }

    /**
     * §3.2: on quadratics ε* = gᵀg / gᵀHg is the exact line-search minimiser. Checked two
     * independent ways: the directional derivative −gᵀ∇f(x0 − ε* g) vanishes (to 1e-12 · gᵀg, the
     * rounding of a gradient), and the parabola through f(x0 − εg) at ε = 0, 1, 2 (function values
     * only) has its vertex at ε* (to 1e-7 relative: the vertex formula divides differences of
     * O(1) values, losing about half the digits in the worst case here).
     */
    @Test
    void optimalStepIsTheExactLineSearchMinimiserOnQuadratics() {
        Rng rng = new Rng(32);
        for (int trial = 0; trial < 5; trial++) {
            double[] spectrum = new double[5];
            for (int i = 0; i < 5; i++) spectrum[i] = 0.5 + 10 * rng.nextDouble();
            Tensor a = symmetric(rng, spectrum);
            Tensor c = rng.normal(DType.F64, 0, 1, 5, 1);
            CurvatureOracle oracle = Oracles.fromLoss(quadratic(a, c, 0));
            Params x0 = Params.of("x", rng.normal(DType.F64, 0, 1, 5, 1));
            QuadraticModel model = QuadraticModel.alongGradient(oracle, x0);
            double eps = model.optimalStep();
            Params g = model.gradient();
            double derivative = -g.dot(oracle.lossAndGradient(x0.axpy(-eps, g)).gradient());
            assertEquals(0, derivative, 1e-12 * model.gradientNormSquared(), "trial " + trial);
            double p0 = oracle.loss(x0), p1 = oracle.loss(x0.axpy(-1, g)), p2 = oracle.loss(x0.axpy(-2, g));
            double vertex = 1 - (p2 - p0) / (2 * (p2 - 2 * p1 + p0));
            assertEquals(vertex, eps, 1e-7 * eps, "trial " + trial);
        }
    }

    /**
     * §3.2: steepest descent with ε* on a quadratic with condition number κ reduces f − f* by at
     * least ((κ−1)/(κ+1))² per step (Kantorovich; Nocedal &amp; Wright Thm 3.3). f* = 0 here. The
     * ratio is checked while f is above 1e-20 (rounding then dominates), with 1e-9 slack for the
     * rounding in each ratio.
     */
    @Test
    void steepestDescentWithOptimalStepConvergesAtTheKantorovichRate() {
        Rng rng = new Rng(33);
        double kappa = 10;
        double[] spectrum = {1, 2.5, 4, 7, kappa};
        Tensor a = symmetric(rng, spectrum);
        Tensor c = rng.normal(DType.F64, 0, 1, 5, 1);
        CurvatureOracle oracle = Oracles.fromLoss(quadratic(a, c, 0));
        double bound = Math.pow((kappa - 1) / (kappa + 1), 2);
        CurvatureStep method = CurvatureStep.withFallbackStep(1);
        Params x = Params.of("x", rng.normal(DType.F64, 0, 3, 5, 1));
        CurvatureStep.State state = method.init(x);
        double f = oracle.loss(x);
        int checked = 0;
        for (int k = 0; k < 200 && f > 1e-20; k++) {
            SecondOrderStep<CurvatureStep.State, CurvatureStep.Report> s = method.step(x, state, oracle);
            assertEquals(CurvatureStep.Path.CURVATURE, s.report().path());
            double next = s.report().lossAfter();
            assertTrue(next / f <= bound + 1e-9, "step " + k + ": ratio " + next / f + " > " + bound);
            x = s.params();
            state = s.state();
            f = next;
            checked++;
        }
        assertTrue(checked >= 20 && f <= 1e-20, "converged after " + checked + " steps, f = " + f);
        assertEquals(0, state.fallbacks());
    }

    /**
     * §3.2 on a non-convex problem: the double well f(x) = ¼ Σ (x_i² − 1)² near the origin has
     * H = diag(3x² − 1) negative definite, so gᵀHg &lt; 0: the fallback fires, is reported on the
     * step and counted in the state, and the loss still decreases at every step.
     */
    @Test
    void fallbackFiresOnNegativeCurvatureIsCountedAndStillDescends() {
        Function<VarParams, Var> doubleWell = vp -> vp.get("x").square().sub(1).square().sum().mul(0.25);
        CurvatureOracle oracle = Oracles.fromLoss(doubleWell);
        CurvatureStep method = CurvatureStep.withFallbackStep(1);
        Params x = Params.of("x", Tensor.of(new double[] {0.1, -0.2, 0.15}, 3));
        CurvatureStep.State state = method.init(x);
        double start = oracle.loss(x);
        int fallbacks = 0;
        for (int k = 0; k < 30; k++) {
            SecondOrderStep<CurvatureStep.State, CurvatureStep.Report> s = method.step(x, state, oracle);
            CurvatureStep.Report r = s.report();
            if (r.path() == CurvatureStep.Path.STATIONARY) break;
            if (r.curvature() <= 0) {
                assertEquals(CurvatureStep.Path.FALLBACK, r.path(), "step " + k);
                fallbacks++;
            }
            assertTrue(r.lossAfter() < r.lossBefore(), "step " + k + " " + r);
            x = s.params();
            state = s.state();
        }
        assertTrue(fallbacks >= 1, "the fallback fired");
        assertEquals(fallbacks, state.fallbacks());
        assertTrue(oracle.loss(x) < 1e-6 * start, "reached a minimum: " + oracle.loss(x));
    }

    @Test
    void optimalStepWithoutPositiveCurvatureIsAnError() {
        QuadraticModel m = new QuadraticModel(1, Params.empty(), 1, -2);
        IllegalStateException e = assertThrows(IllegalStateException.class, m::optimalStep);
        assertTrue(e.getMessage().contains("-2.0"), e.getMessage());
    }
}
