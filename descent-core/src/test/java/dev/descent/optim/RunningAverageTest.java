package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC §2: momentum is a running average; the average is an explicit sum; bias and its correction. */
class RunningAverageTest {

    /**
     * SPEC §2.1: 1000 steps of momentum (α, ε) and of SGD on a running average with
     * β = α, δ = ε/(1−α) on a non-convex tanh MLP in float64 agree to 1e-10 relative at every
     * step. The two recursions differ only by the scaling v = δ v̄, so each step adds a few
     * rounding errors (≈1e-16); a stable trajectory keeps the accumulated difference far below
     * 1e-10 (measured about 1e-14).
     */
    @Test
    void momentumAndRunningAverageTrajectoriesAgree() {
        TestProblems.Problem mlp = TestProblems.mlp(7, 3, 8, 32);
        MomentumParams momentum = new MomentumParams(0.9, 0.02);
        RunningAverageParams average = momentum.toRunningAverage();
        assertEquals(0.9, average.decay(), 0);
        assertEquals(0.2, average.stepSize(), 1e-15);
        assertEquals(momentum.learningRate(), average.toMomentum().learningRate(), 1e-17);

        GradientTransformation<MomentumState> a = Optimizers.momentum(momentum);
        GradientTransformation<ChainState> b = Optimizers.emaSgd(average, false);
        Params pa = mlp.start(), pb = mlp.start();
        MomentumState sa = a.init(pa);
        ChainState sb = b.init(pb);
        double firstLoss = Autodiff.valueAndGrad(mlp.loss(), pa).value().item();
        double lastLoss = 0, worst = 0;
        for (int step = 1; step <= 1000; step++) {
            Autodiff.ValueAndGrad ga = Autodiff.valueAndGrad(mlp.loss(), pa);
            Params gb = Autodiff.grad(mlp.loss(), pb);
            Update<MomentumState> ua = a.update(ga.grad(), sa, pa);
            Update<ChainState> ub = b.update(gb, sb, pb);
            pa = Updates.apply(pa, ua.updates());
            pb = Updates.apply(pb, ub.updates());
            sa = ua.state();
            sb = ub.state();
            double rel = pa.sub(pb).norm() / pa.norm();
            worst = Math.max(worst, rel);
            assertTrue(rel <= 1e-10, "step " + step + ": relative difference " + rel);
            lastLoss = ga.value().item();
        }
        // The run actually trains (so the comparison is over a moving, non-trivial trajectory).
        assertTrue(lastLoss < 0.5 * firstLoss, "loss " + firstLoss + " -> " + lastLoss);
        // The states are the same velocity up to the factor δ: v = δ v̄.
        EmaState ema = (EmaState) sb.get(0);
        double stateRel = sa.velocity().sub(ema.average().scale(average.stepSize())).norm() / sa.velocity().norm();
        assertTrue(stateRel <= 1e-10, "velocity vs δ·average: " + stateRel + " (worst trajectory " + worst + ")");
    }

    /**
     * SPEC §2.2: after t updates from v_0, the state equals β^t v_0 + Σ β^{t−i}(1−β) g_i. Both
     * sides are sums of t terms of size ≤ max|g| with rounding ≈ t·1e-16, so 1e-12 holds for
     * t = 200 with unit-scale gradients.
     */
    @Test
    void averageEqualsTheExplicitWeightedSum() {
        Rng rng = new Rng(22);
        double beta = 0.95;
        Params v0 = Params.of("w", rng.normal(DType.F64, 0, 1, 4, 3), "b", rng.normal(DType.F64, 0, 1, 3));
        GradientTransformation<EmaState> ema = Optimizers.ema(beta, false);
        EmaState state = new EmaState(v0, 0);
        List<Params> grads = new ArrayList<>();
        for (int t = 1; t <= 200; t++) {
            Params g = v0.map(x -> rng.normal(DType.F64, 0.3, 1, x.dims()));
            grads.add(g);
            state = ema.update(g, state, null).state();
            if (t % 25 == 0 || t <= 3) {
                Params explicit = v0.scale(Math.pow(beta, t));
                for (int i = 1; i <= t; i++) explicit = explicit.axpy(Math.pow(beta, t - i) * (1 - beta), grads.get(i - 1));
                double err = state.average().maxAbsDiff(explicit);
                assertTrue(err <= 1e-12, "t = " + t + ": |v_t − explicit sum| = " + err);
                assertEquals(t, state.count());
            }
        }
    }

    /**
     * SPEC §2.3: 20,000 independent runs (one per element of a tensor) of g ~ N(μ, s²) with
     * μ = 0.7, s = 2, β = 0.9. For t = 1…50 the sample mean of v_t matches (1−β^t)μ and the
     * sample mean of the bias-corrected v̂_t matches μ within 5 standard errors (sample standard
     * deviation / √N), while the uncorrected mean at t = 1 is clearly biased (≈ 0.1 μ). Five, not
     * four: the test makes 100 such checks, and at 4 standard errors a correct implementation
     * fails one of them for about 1 seed in 400 (P(|z| > 4) = 6.3e-5 each); at 5 the chance is
     * below 100 · 5.7e-7 ≈ 6e-5 whatever the seed. A wrong correction is still far outside: with
     * 1 − β^(t+1) in place of 1 − β^t, v̂_1 has mean 0.37 against μ = 0.7, about 45 standard
     * errors away.
     */
    @Test
    void runningAverageIsBiasedAndTheCorrectionRemovesIt() {
        int runs = 20_000;
        double mu = 0.7, s = 2, beta = 0.9;
        Rng rng = new Rng(2024);
        GradientTransformation<EmaState> ema = Optimizers.ema(beta, true);
        Params zero = Params.of("g", Tensor.zeros(DType.F64, runs));
        EmaState state = ema.init(zero);
        for (int t = 1; t <= 50; t++) {
            Params g = Params.of("g", rng.normal(DType.F64, mu, s, runs));
            Update<EmaState> u = ema.update(g, state, zero);
            state = u.state();
            double[] v = state.average().get("g").rawF64();
            double[] vHat = u.updates().get("g").rawF64();
            double expectedBiased = (1 - Math.pow(beta, t)) * mu;
            assertWithinStandardErrors(v, expectedBiased, 5, "mean v_" + t);
            assertWithinStandardErrors(vHat, mu, 5, "mean v̂_" + t);
            if (t == 1) assertTrue(Math.abs(mean(v) - mu) > 10 * standardError(v), "v_1 is biased");
        }
    }

    static double mean(double[] a) {
        double s = 0;
        for (double x : a) s += x;
        return s / a.length;
    }

    static double standardError(double[] a) {
        double m = mean(a), ss = 0;
        for (double x : a) ss += (x - m) * (x - m);
        return Math.sqrt(ss / (a.length - 1)) / Math.sqrt(a.length);
    }

    static void assertWithinStandardErrors(double[] samples, double expected, double k, String what) {
        double m = mean(samples), se = standardError(samples);
        assertTrue(Math.abs(m - expected) <= k * se,
                what + ": " + m + " vs " + expected + " (" + Math.abs(m - expected) / se + " standard errors)");
    }
}
