package dev.descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;

class CurvatureTest {
    /** f(x) = ½ xᵀAx + bᵀx with x an [n, 1] column. */
    private static Function<VarParams, Var> quadratic(Tensor a, Tensor b) {
        return vp -> {
            Var x = vp.get("x");
            return x.matmul(Var.constant(a).matmul(x), true, false).sum().mul(0.5).add(x.mul(Var.constant(b)).sum());
        };
    }

    private static Tensor spd(Rng rng, int n, double shift) {
        Tensor m = rng.normal(DType.F64, 0, 1, n, n);
        return m.matmul(m, true, false).add(Tensor.eye(DType.F64, n).mul(shift));
    }

    /**
     * On a quadratic, gᵀHg = gᵀAg and ε* = gᵀg/gᵀAg is the exact line-search minimiser: the
     * directional derivative −gᵀ∇f(x − ε*g) vanishes. Only rounding separates the two sides,
     * so 1e-12 relative to the terms involved.
     */
    @Test
    void onAQuadraticTheOptimalStepIsTheExactLineMinimiser() {
        Rng rng = new Rng(2);
        int n = 7;
        Tensor a = spd(rng, n, 0.5), b = rng.normal(DType.F64, 0, 1, n, 1);
        Params p = Params.of("x", rng.normal(DType.F64, 0, 1, n, 1));
        GradientCurvature c = Curvature.alongGradient(quadratic(a, b), p);
        Tensor g = a.matmul(p.get("x")).add(b);
        double gg = g.dot(g), gag = g.dot(a.matmul(g));
        assertEquals(gg, c.gradientNormSquared(), 1e-12 * gg);
        assertEquals(gag, c.curvature(), 1e-12 * gag);
        assertFalse(c.nonPositiveCurvature());
        double eps = c.optimalStep().orElseThrow();
        Tensor x1 = p.get("x").sub(g.mul(eps));
        double slope = -g.dot(a.matmul(x1).add(b));
        assertEquals(0, slope, 1e-12 * gg);
        assertEquals(gg * gg / (2 * gag), c.predictedDecrease().orElseThrow(), 1e-12 * gg * gg / gag);
    }

    /** On a quadratic the second-order model is exact: agreement ratio 1 for any step (1e-10). */
    @Test
    void onAQuadraticTheModelAgreesExactly() {
        Rng rng = new Rng(4);
        int n = 6;
        Tensor a = spd(rng, n, 0.1), b = rng.normal(DType.F64, 0, 1, n, 1);
        Params p = Params.of("x", rng.normal(DType.F64, 0, 1, n, 1));
        for (int k = 0; k < 5; k++) {
            Params step = Params.of("x", rng.normal(DType.F64, 0, Math.pow(10, -k), n, 1));
            QuadraticModelAgreement q = Curvature.quadraticModel(quadratic(a, b), p, step);
            // The actual change is a difference of two O(|f|) numbers: its rounding is ~1e-16·|f|.
            double tol = 1e-14 * Math.abs(q.lossBefore()) / Math.abs(q.predictedChange()) + 1e-12;
            assertEquals(1.0, q.ratio().orElseThrow(), Math.max(tol, 1e-10), "step scale 1e-" + k);
        }
    }

    /** Negative curvature along g is reported, never turned into a step. */
    @Test
    void nonPositiveCurvatureIsReported() {
        int n = 3;
        Tensor a = Tensor.of(new double[] {-2, 0, 0, 0, 1, 0, 0, 0, 0.5}, n, n);
        Tensor b = Tensor.zeros(DType.F64, n, 1);
        Params p = Params.of("x", Tensor.of(new double[] {1, 0.1, 0.1}, n, 1));
        GradientCurvature c = Curvature.alongGradient(quadratic(a, b), p);
        // g = Ax = (−2, 0.1, 0.05): gᵀAg = −8 + 0.01 + 0.00125 < 0.
        assertEquals(-8 + 0.01 + 0.00125, c.curvature(), 1e-12);
        assertTrue(c.nonPositiveCurvature());
        assertTrue(c.optimalStep().isEmpty());
        assertTrue(c.predictedDecrease().isEmpty());
        assertEquals(null, c.toMap().get("optimalStep"));
        // At a stationary point there is no gradient to step along either.
        GradientCurvature zero = Curvature.alongGradient(quadratic(a, b), Params.of("x", Tensor.zeros(DType.F64, n, 1)));
        assertTrue(zero.nonPositiveCurvature());
        assertEquals(0, zero.rayleighQuotient());
    }

    /**
     * On a smooth non-quadratic (a tanh MLP) the model's error after a gradient step of size ε is
     * the Taylor remainder O(ε³); the fitted log-log slope over ε = 0.2·2^{−k} lies in [2.8, 3.2]
     * (SPEC.md §3.1), and the agreement ratio tends to 1.
     */
    @Test
    void onASmoothLossTheModelErrorShrinksAsEpsilonCubed() {
        SmallModels.Problem pr = SmallModels.mlp(9, 12, 3, 5, 2, DType.F64);
        int count = 6;
        double[] lx = new double[count], ly = new double[count];
        double lastRatio = 0;
        for (int k = 0; k < count; k++) {
            double eps = 0.2 * Math.pow(2, -k);
            QuadraticModelAgreement q = Curvature.gradientStep(pr.loss(), pr.params(), eps);
            lx[k] = Math.log(eps);
            ly[k] = Math.log(Math.abs(q.actualChange() - q.predictedChange()));
            lastRatio = q.ratio().orElseThrow();
        }
        double slope = fitSlope(lx, ly);
        assertTrue(slope >= 2.8 && slope <= 3.2, "log-log slope " + slope);
        assertEquals(1.0, lastRatio, 1e-2);
    }

    /** The version taking the training step's gradient gives the same numbers with one HVP. */
    @Test
    void precomputedGradientGivesTheSameCurvature() {
        SmallModels.Problem pr = SmallModels.mlp(10, 8, 3, 4, 2, DType.F64);
        GradientCurvature a = Curvature.alongGradient(pr.loss(), pr.params());
        GradientCurvature b = Curvature.alongGradient(pr.loss(), pr.params(), Autodiff.grad(pr.loss(), pr.params()));
        assertEquals(a, b);
        assertThrows(IllegalArgumentException.class, () -> Curvature.gradientStep(pr.loss(), pr.params(), -1));
    }

    static double fitSlope(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / x.length;
        }
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }
}
