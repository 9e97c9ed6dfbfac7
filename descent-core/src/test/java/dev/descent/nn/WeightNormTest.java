package dev.descent.nn;

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
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** SPEC.md §4.1 and §4.2, conversion to and from plain layers, and data-dependent initialisation. */
class WeightNormTest {
    static final int N = 64, D = 5, OUT = 3;

    /** A batch [N, D] with correlated features and non-zero means. */
    static Tensor correlatedBatch(Rng rng) {
        Tensor z = rng.normal(DType.F64, 0, 1, N, D);
        Tensor mix = rng.normal(DType.F64, 0, 1, D, D).add(Tensor.eye(DType.F64, D).mul(2));
        return z.matmul(mix).add(rng.normal(DType.F64, 0, 3, D));
    }

    /** X centred and multiplied by L^{−T}, C = (1/n) XcᵀXc = LLᵀ, so that (1/n) XwᵀXw = I. */
    static Tensor whiten(Tensor x) {
        Tensor xc = x.sub(x.mean(0, true));
        double[][] c = new double[D][D];
        for (int i = 0; i < D; i++) for (int j = 0; j < D; j++) {
            double s = 0;
            for (int r = 0; r < N; r++) s += xc.get(r, i) * xc.get(r, j);
            c[i][j] = s / N;
        }
        double[][] l = new double[D][D];
        for (int j = 0; j < D; j++) {
            double s = c[j][j];
            for (int k = 0; k < j; k++) s -= l[j][k] * l[j][k];
            l[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < D; i++) {
                double t = c[i][j];
                for (int k = 0; k < j; k++) t -= l[i][k] * l[j][k];
                l[i][j] = t / l[j][j];
            }
        }
        // Each row x of Xc becomes y with L y = x (forward substitution), i.e. Y = Xc L^{−T}.
        double[] out = new double[N * D];
        for (int r = 0; r < N; r++) {
            for (int i = 0; i < D; i++) {
                double t = xc.get(r, i);
                for (int k = 0; k < i; k++) t -= l[i][k] * out[r * D + k];
                out[r * D + i] = t / l[i][i];
            }
        }
        return Tensor.wrap(out, N, D);
    }

    /** max |WN(x) − BN(V x)| with BN's γ = g, β = b and ε = 0. */
    static double wnBnGap(Tensor x, WeightNorm<Linear> wn) {
        Params p = wn.parameters();
        Linear direction = new Linear(D, OUT, false, Init.zeros(), new Rng(0), DType.F64);
        direction.setParameters(Params.of("weight", p.get("weight_v")));
        BatchNorm bn = new BatchNorm(OUT, 0, 0.1, true, DType.F64);
        bn.setParameters(Params.of("weight", p.get("weight_g"), "bias", p.get("bias")));
        Tensor viaBn = new Sequential(direction, bn).forward(x);
        return viaBn.maxAbsDiff(wn.forward(x));
    }

    static WeightNorm<Linear> randomWn(Rng rng) {
        WeightNorm<Linear> wn = WeightNorm.wrap(new Linear(D, OUT, rng, DType.F64));
        wn.setParameters(Params.of("weight_g", rng.normal(DType.F64, 1, 0.5, OUT),
                "weight_v", rng.normal(DType.F64, 0, 2, OUT, D), "bias", rng.normal(DType.F64, 0, 1, OUT)));
        return wn;
    }

    @Test
    void weightNormEqualsBatchNormOnWhitenedInputs() {
        // SPEC.md §4.1: with whitened x, mean[vᵀx] = 0 and std[vᵀx] = ‖v‖, so BN(vᵀx) = WN(x).
        Rng rng = new Rng(41);
        Tensor x = correlatedBatch(rng);
        Tensor xw = whiten(x);
        Tensor cov = xw.matmul(xw, true, false).div(N);
        assertTrue(cov.maxAbsDiff(Tensor.eye(DType.F64, D)) <= 1e-12, "whitened covariance");
        assertTrue(xw.mean(0, false).maxAbs() <= 1e-14, "whitened mean");
        WeightNorm<Linear> wn = randomWn(rng);
        double whitenedGap = wnBnGap(xw, wn);
        double rawGap = wnBnGap(x, wn);
        assertTrue(whitenedGap <= 1e-9, "gap on whitened data " + whitenedGap);
        assertTrue(rawGap > 1e-2, "gap on raw data " + rawGap);
    }

    @Test
    void gradientWithRespectToDirectionIsTheProjection() {
        // SPEC.md §4.2: ∇_v L = (g/‖v‖)(I − v vᵀ/‖v‖²) ∇_w L per unit, hence vᵀ∇_v L = 0.
        Rng rng = new Rng(42);
        WeightNorm<Linear> wn = randomWn(rng);
        Tensor x = rng.normal(DType.F64, 0, 1, 16, D), y = rng.normal(DType.F64, 0, 1, 16, OUT);
        Params gWn = Autodiff.grad(vp -> Losses.meanSquaredError(wn.apply(vp, Var.constant(x)).tanh(), Var.constant(y)),
                wn.parameters());
        Linear plain = new Linear(D, OUT, rng, DType.F64);
        plain.setParameters(Params.of("weight", wn.weight(), "bias", wn.parameters().get("bias")));
        Tensor gw = Autodiff.grad(vp -> Losses.meanSquaredError(plain.apply(vp, Var.constant(x)).tanh(), Var.constant(y)),
                plain.parameters()).get("weight");
        Tensor v = wn.parameters().get("weight_v"), g = wn.parameters().get("weight_g"), gv = gWn.get("weight_v");
        for (int j = 0; j < OUT; j++) {
            Tensor vj = v.select(0, j), gwj = gw.select(0, j), gvj = gv.select(0, j);
            double norm = vj.norm();
            Tensor formula = gwj.sub(vj.mul(vj.dot(gwj) / (norm * norm))).mul(g.get(j) / norm);
            // Both sides are O(0.1) sums of a few float64 products: 1e-12 absolute is ~1e4 ulps.
            assertTrue(gvj.maxAbsDiff(formula) <= 1e-12, "unit " + j + ": " + gvj.maxAbsDiff(formula));
            assertTrue(Math.abs(vj.dot(gvj)) <= 1e-12 * norm * gvj.norm(), "unit " + j + " not orthogonal: " + vj.dot(gvj));
        }
    }

    @Test
    void wrappingKeepsTheFunctionAndConvertingBackKeepsItUpToRounding() {
        Rng rng = new Rng(43);
        Linear original = new Linear(D, OUT, rng, DType.F64);
        Tensor x = rng.normal(DType.F64, 0, 1, 7, D);
        Tensor before = original.forward(x);
        Tensor w = original.parameters().get("weight");
        WeightNorm<Linear> wn = WeightNorm.wrap(original);
        assertEquals(List.of("weight_g", "weight_v", "bias"), wn.parameters().names());
        assertTrue(wn.parameters().get("weight_g").maxAbsDiff(w.square().sum(1, false).sqrt()) == 0);
        // g·v/‖v‖ with g = ‖w‖, v = w reproduces w up to a few ulps.
        assertTrue(wn.forward(x).maxAbsDiff(before) <= 1e-15 * Math.max(1, before.maxAbs()) * D);
        wn.setParameters(randomWn(rng).parameters());
        Tensor wnOut = wn.forward(x);
        Linear back = wn.toPlain();
        // The wrapped layer computes (x vᵀ)·c + b, the plain one x (c v)ᵀ + b with w = c v rounded:
        // each is within (D + 2)·u·(Σ_i |x_i w_ji| + |b_j|) of the exact value (a D-term dot
        // product, one product, one sum; u the unit roundoff), so they differ by at most twice that.
        Tensor plainOut = back.forward(x);
        Tensor w2 = back.parameters().get("weight"), b2 = back.parameters().get("bias");
        Tensor magnitude = x.abs().matmul(w2.abs(), false, true).add(b2.abs());
        double u = Math.ulp(1.0) / 2;
        for (int i = 0; i < plainOut.size(); i++) {
            assertEquals(plainOut.getFlat(i), wnOut.getFlat(i), 2 * (D + 2) * u * magnitude.getFlat(i), "element " + i);
        }
        assertThrows(IllegalStateException.class, () -> wn.forward(x));
        new Sequential(back);
    }

    @Test
    void namesInsideContainersAndFreezingReachTheWrappedLayer() {
        Rng rng = new Rng(44);
        Sequential s = new Sequential(WeightNorm.wrap(new Linear(D, OUT, rng, DType.F64)), new Relu());
        assertEquals(List.of("layers.0.weight_g", "layers.0.weight_v", "layers.0.bias"), s.parameters().names());
        s.freeze("layers.0.bias");
        Tensor x = rng.normal(DType.F64, 0, 1, 4, D);
        Params g = Autodiff.grad(vp -> s.apply(vp, Var.constant(x)).sum(), s.trainable());
        assertEquals(List.of("layers.0.weight_g", "layers.0.weight_v"), g.names());
        Rnn rnn = new Rnn(Rnn.Config.of(2, 4), rng, DType.F64);
        WeightNorm<Rnn> wnRnn = WeightNorm.wrap(rnn, "W");
        assertEquals(List.of("W_g", "W_v", "U", "b"), wnRnn.parameters().names());
        Tensor seq = rng.normal(DType.F64, 0, 1, 3, 2, 2);
        assertTrue(wnRnn.forward(seq).maxAbsDiff(rnn.forward(seq)) <= 1e-14);
        assertThrows(IllegalArgumentException.class, () -> WeightNorm.wrap(new Linear(2, 2, rng, DType.F64), "bias"));
        assertThrows(IllegalArgumentException.class, () -> WeightNorm.wrap(new Linear(2, 2, rng, DType.F64), "nope"));
        assertThrows(IllegalStateException.class, () -> wnRnn.initFromData(seq));
    }

    @Test
    void dataDependentInitialisationStandardisesThePreActivations() {
        Rng rng = new Rng(45);
        WeightNorm<Linear> wn = WeightNorm.wrap(new Linear(D, OUT, rng, DType.F64));
        Tensor batch = correlatedBatch(rng);
        wn.initFromData(batch);
        Tensor y = wn.forward(batch);
        Tensor mean = y.mean(0, false), var = y.sub(mean).square().mean(0, false);
        // (t − μ)/σ evaluated as (g/σ)·(v/‖v‖)ᵀx − μ/σ: a few ulps of O(1) values.
        assertTrue(mean.maxAbs() <= 1e-12, "mean " + mean);
        assertTrue(var.sub(1).maxAbs() <= 1e-12, "variance " + var);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wn.initFromData(Tensor.ones(DType.F64, 4, D)));
        assertTrue(e.getMessage().contains("standard deviation 0.0"), e.getMessage());
        Linear noBias = new Linear(D, OUT, false, Init.pytorchDefault(), rng, DType.F64);
        assertThrows(IllegalStateException.class, () -> WeightNorm.wrap(noBias).initFromData(batch));
    }

    @Test
    void hessianVectorProductThroughWeightNormMatchesFiniteDifferences() {
        Rng rng = new Rng(46);
        WeightNorm<Linear> wn = randomWn(rng);
        Tensor x = rng.normal(DType.F64, 0, 1, 8, D);
        Function<VarParams, Var> f = vp -> wn.apply(vp, Var.constant(x)).sigmoid().square().sum();
        Params p = wn.parameters(), v = p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
        Params hv = Autodiff.hvp(f, p, v);
        double h = 1e-4;
        Params fd = Autodiff.grad(f, p.axpy(h, v)).sub(Autodiff.grad(f, p.axpy(-h, v))).scale(1 / (2 * h));
        // Central differences of gradients: O(h²) ≈ 1e-8 relative.
        assertTrue(hv.sub(fd).norm() <= 1e-6 * fd.norm(), "relative error " + hv.sub(fd).norm() / fd.norm());
    }
}
