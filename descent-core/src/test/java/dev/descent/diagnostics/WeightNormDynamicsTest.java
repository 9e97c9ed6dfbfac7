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
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class WeightNormDynamicsTest {
    /** w = g·u/‖u‖ row by row: u [out, in], g [out]. */
    private static Var weightNormalised(Var u, Var g) {
        return u.div(u.square().sum(1, true).sqrt()).mul(g.reshape(u.dim(0), 1));
    }

    /**
     * A 4→16→1 tanh regression on a fixed teacher, in two parameterisations computing the same
     * function at initialisation: weight-normalised (u rows of norm 0.1, g = 1) and plain
     * (w = g·u/‖u‖). Loss ½·mean squared error.
     */
    private static final class Regression {
        final Tensor x, y;
        final Params wnInit, plainInit;

        Regression(long seed) {
            int batch = 64, in = 4, hidden = 16;
            Rng rng = new Rng(seed);
            x = rng.normal(DType.F64, 0, 1, batch, in);
            y = x.matmul(rng.normal(DType.F64, 0, 1, in, 8)).tanh().matmul(rng.normal(DType.F64, 0, 1, 8, 1)).mul(0.5);
            Tensor u1 = unitRows(rng.normal(DType.F64, 0, 1, hidden, in)), u2 = unitRows(rng.normal(DType.F64, 0, 1, 1, hidden));
            Tensor b1 = Tensor.zeros(DType.F64, hidden), b2 = Tensor.zeros(DType.F64, 1);
            wnInit = Params.of("hidden.weight_v", u1.mul(0.1), "hidden.weight_g", Tensor.ones(DType.F64, hidden), "hidden.bias", b1,
                    "out.weight_v", u2.mul(0.1), "out.weight_g", Tensor.ones(DType.F64, 1), "out.bias", b2);
            plainInit = Params.of("hidden.weight", u1, "hidden.bias", b1, "out.weight", u2, "out.bias", b2);
        }

        static Tensor unitRows(Tensor t) {
            return t.div(t.square().sum(1, true).sqrt());
        }

        Var loss(Var w1, Var b1, Var w2, Var b2) {
            Var h = Var.constant(x).matmul(w1, false, true).add(b1).tanh();
            return h.matmul(w2, false, true).add(b2).sub(Var.constant(y)).square().mean().mul(0.5);
        }

        Function<VarParams, Var> wnLoss() {
            return vp -> loss(weightNormalised(vp.get("hidden.weight_v"), vp.get("hidden.weight_g")), vp.get("hidden.bias"),
                    weightNormalised(vp.get("out.weight_v"), vp.get("out.weight_g")), vp.get("out.bias"));
        }

        Function<VarParams, Var> plainLoss() {
            return vp -> loss(vp.get("hidden.weight"), vp.get("hidden.bias"), vp.get("out.weight"), vp.get("out.bias"));
        }
    }

    private static double finalLoss(Function<VarParams, Var> loss, Params p, double lr, int steps) {
        for (int k = 0; k < steps; k++) p = p.axpy(-lr, Autodiff.grad(loss, p));
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            return loss.apply(VarParams.constants(p)).value().item();
        }
    }

    /**
     * SPEC.md §4.3: under plain gradient descent Δu ⟂ u, so ‖u_{t+1}‖² = ‖u_t‖² + ‖Δu_t‖² each
     * step and ‖u‖ never decreases. In float64 the only error is rounding: ⟨u, Δu⟩ is zero up to
     * ~1e-16·‖u‖‖Δu‖ and the squared norms carry ~1e-16 relative error, so 1e-10 relative is
     * a wide margin; non-decrease is asserted up to the rounding of a norm, 1e-14 relative.
     */
    @Test
    void underGradientDescentTheNormGrowsByPythagoras() {
        Regression r = new Regression(3);
        Function<VarParams, Var> loss = r.wnLoss();
        Params p = r.wnInit;
        double lr = 0.3, worstResidual = 0, worstCosine = 0;
        for (int step = 0; step < 100; step++) {
            Params update = Autodiff.grad(loss, p).scale(-lr);
            List<WeightNormLayerStats> stats = WeightNormDynamics.measure(p, update, OptionalDouble.of(lr));
            assertEquals(2, stats.size());
            Params next = p.add(update);
            for (WeightNormLayerStats s : stats) {
                worstResidual = Math.max(worstResidual, s.maxAbsRelativePythagoreanResidual());
                worstCosine = Math.max(worstCosine, s.maxAbsUpdateCosine());
                Tensor uNext = next.get(s.layer() + ".weight_v");
                double[] before = s.directionNorms(), eff = s.effectiveLearningRates(), gains = s.gains();
                for (int i = 0; i < s.units(); i++) {
                    double after = uNext.select(0, i).norm();
                    assertTrue(after >= before[i] * (1 - 1e-14), s.layer() + " row " + i + " shrank at step " + step);
                    assertEquals(lr * Math.abs(gains[i]) / before[i], eff[i], 1e-15 * eff[i]);
                }
            }
            p = next;
        }
        assertTrue(worstResidual <= 1e-10, "worst relative Pythagorean residual " + worstResidual);
        assertTrue(worstCosine <= 1e-10, "worst |cos(Δu, u)| " + worstCosine);
        // The growth is real, not just allowed: the hidden rows started at norm 0.1.
        assertTrue(p.get("hidden.weight_v").select(0, 0).norm() > 0.1 * (1 + 1e-3));
    }

    /** With a non-orthogonal update (here plain SGD plus a pull towards u) the check exposes it. */
    @Test
    void nonOrthogonalUpdatesShowUpInCosineAndResidual() {
        Params p = Params.of("fc.weight_v", Tensor.of(new double[] {3, 4}, 1, 2), "fc.weight_g", Tensor.of(new double[] {2}, 1));
        Params update = Params.of("fc.weight_v", Tensor.of(new double[] {0.3, 0.4}, 1, 2), "fc.weight_g", Tensor.zeros(DType.F64, 1));
        WeightNormLayerStats s = WeightNormDynamics.measure(p, update, OptionalDouble.empty()).get(0);
        assertEquals("fc", s.layer());
        assertEquals(5, s.directionNorms()[0], 1e-15);
        assertEquals(1, s.updateCosines()[0], 1e-15);
        // ‖(3.3, 4.4)‖² − (25 + 0.25) = 30.25 − 25.25 = 5 = 2⟨u, Δu⟩.
        assertEquals(5, s.pythagoreanResiduals()[0], 1e-12);
        assertThrows(IllegalStateException.class, s::effectiveLearningRates);
        assertTrue(WeightNormDynamics.prefixes(Params.of("weight_v", Tensor.zeros(DType.F64, 2, 2))).isEmpty());
    }

    /**
     * SPEC.md §4.3: learning-rate sweep 1e-3 … 1 (7 rates, 3 orders of magnitude), 200 full-batch
     * steps from the same initial function. Spread = max/min of the final losses over the sweep.
     * The WN model's spread is smaller than the plain model's, both over the whole sweep (the
     * plain model diverges at lr = 1) and over the part where the plain model is stable
     * (lr ≤ 0.3).
     */
    @Test
    void weightNormIsRobustToTheLearningRate() {
        Regression r = new Regression(1);
        double[] rates = {1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1};
        double[] wn = new double[rates.length], plain = new double[rates.length];
        for (int i = 0; i < rates.length; i++) {
            wn[i] = finalLoss(r.wnLoss(), r.wnInit, rates[i], 200);
            plain[i] = finalLoss(r.plainLoss(), r.plainInit, rates[i], 200);
        }
        for (double l : wn) assertTrue(Double.isFinite(l), "WN final loss " + l);
        double wnSpread = spread(wn, rates.length), plainSpread = spread(plain, rates.length);
        double wnStableSpread = spread(wn, rates.length - 1), plainStableSpread = spread(plain, rates.length - 1);
        assertTrue(wnSpread < plainSpread, "WN spread " + wnSpread + " vs plain " + plainSpread);
        assertTrue(wnStableSpread < plainStableSpread, "lr <= 0.3: WN spread " + wnStableSpread + " vs plain " + plainStableSpread);
    }

    /** max/min of the first {@code count} losses; a non-finite loss makes the spread infinite. */
    private static double spread(double[] losses, int count) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (int i = 0; i < count; i++) {
            if (!Double.isFinite(losses[i])) return Double.POSITIVE_INFINITY;
            lo = Math.min(lo, losses[i]);
            hi = Math.max(hi, losses[i]);
        }
        return hi / lo;
    }
}
