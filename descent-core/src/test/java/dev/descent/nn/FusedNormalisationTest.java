package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * The fused primitives behind {@link WeightNorm} ({@link NormalizedWeight}) and training-mode
 * {@link BatchNorm} ({@link BatchNormalize}): forward values against the plain compositions they
 * replace, the fused backward pass against the differentiable one (both are used: the first for
 * gradients, the second inside Hessian-vector products), and Hessian-vector products against
 * central differences of gradients. Gradient checks of both layers are in
 * {@link LayerGradCheckTest}.
 */
class FusedNormalisationTest {
    /** BatchNorm's forward pass keeps the composition's operations and order: equal bit for bit. */
    @Test
    void batchNormForwardEqualsTheCompositionExactly() {
        for (DType dt : DType.values()) {
            Rng rng = new Rng(3);
            Tensor x = rng.normal(dt, 0.5, 2, 100, 7), gamma = rng.normal(dt, 1, 0.3, 7), beta = rng.normal(dt, 0, 1, 7);
            BatchNorm bn = new BatchNorm(7, 1e-5, 0.1, true, dt);
            bn.setParameters(Params.of("weight", gamma, "bias", beta));
            Tensor mean = x.mean(0, true);
            Tensor centred = x.sub(mean);
            Tensor expected = centred.div(centred.square().mean(0, true).add(1e-5).sqrt()).mul(gamma).add(beta);
            assertEquals(0, bn.forward(x).maxAbsDiff(expected), dt.toString());
        }
    }

    /**
     * w = g·v/‖v‖: the fused rows take ‖v‖ from a fused-multiply-add dot product instead of
     * squares then a sum, so they agree with the composition to a few ulps: the norm to ~(k+1)·u
     * relative for rows of k = 30 elements, then one division and one product. Bound: 64u.
     */
    @Test
    void weightNormForwardMatchesTheComposition() {
        for (DType dt : DType.values()) {
            Rng rng = new Rng(4);
            Tensor g = rng.normal(dt, 1, 0.5, 6), v = rng.normal(dt, 0, 2, 6, 30);
            Tensor norm = v.square().sum(1, true).sqrt();
            Tensor expected = v.mul(g.reshape(6, 1).div(norm));
            double u = dt == DType.F32 ? Math.ulp(1.0f) / 2 : Math.ulp(1.0) / 2;
            Tensor w = WeightNorm.weight(g, v);
            for (int i = 0; i < w.size(); i++) {
                assertEquals(expected.getFlat(i), w.getFlat(i), 64 * u * Math.abs(expected.getFlat(i)), dt + " element " + i);
            }
        }
    }

    /**
     * A weight-normalised Linear of MLP size (784 → 64, batch 32) in both dtypes: the fused
     * primitive ((x vᵀ)·c + b, gradients from ȳ and u = x vᵀ) against the same layer composed from
     * {@link WeightNorm#weight} and plain operations. Forward: each side is within (k + 2)·u·m of
     * the exact value, m = |x|·|w|ᵀ + |b|, so they differ by at most 2(k + 2)·u·m. Gradients: the
     * same closed forms summed in different orders; bound 2(k + 2)·u relative to the gradient's
     * norm per parameter (k = 784 terms in the longest sums; float32 partial sums are kept in
     * float32, as in the forward pass).
     */
    @Test
    void weightNormLinearMatchesTheCompositionInBothDtypes() {
        for (DType dt : DType.values()) {
            Rng rng = new Rng(9);
            int n = 32, k = 784, m = 64;
            Linear lin = new Linear(k, m, rng, dt);
            WeightNorm<Linear> wn = WeightNorm.wrap(lin);
            wn.setParameters(Params.of("weight_g", rng.normal(dt, 1, 0.3, m), "weight_v", rng.normal(dt, 0, 0.05, m, k),
                    "bias", rng.normal(dt, 0, 0.1, m)));
            Tensor x = rng.uniform(dt, 0, 1, n, k);
            Tensor ybar = rng.normal(dt, 0, 1, n, m);
            Params p = wn.parameters().with("__x", x);
            Function<VarParams, Var> fused = vp -> wn.apply(vp, vp.get("__x")).mul(Var.constant(ybar)).sum();
            Function<VarParams, Var> composed = vp -> {
                Var w = WeightNorm.weight(vp.get("weight_g"), vp.get("weight_v"));
                return vp.get("__x").matmul(w, false, true).add(vp.get("bias")).mul(Var.constant(ybar)).sum();
            };
            double u = dt == DType.F32 ? Math.ulp(1.0f) / 2 : Math.ulp(1.0) / 2;
            Tensor y = wn.forward(x);
            Tensor w = WeightNorm.weight(p.get("weight_g"), p.get("weight_v"));
            Tensor yc = x.matmul(w, false, true).add(p.get("bias"));
            Tensor magnitude = x.abs().matmul(w.abs(), false, true).add(p.get("bias").abs());
            for (int i = 0; i < y.size(); i++) {
                assertEquals(yc.getFlat(i), y.getFlat(i), 2 * (k + 2) * u * magnitude.getFlat(i), dt + " output " + i);
            }
            Params gf = Autodiff.grad(fused, p), gc = Autodiff.grad(composed, p);
            for (String name : gf.names()) {
                double err = gf.get(name).sub(gc.get(name)).norm(), ref = gc.get(name).norm();
                assertTrue(err <= 2 * (k + 2) * u * ref, dt + " " + name + ": relative " + err / ref);
            }
        }
    }

    /**
     * The gradient from the fused backward pass (plain {@link Autodiff#grad}) and from the
     * differentiable one ({@link Autodiff#gradAndHvp}, whose backward pass carries tangents) are the
     * same closed forms evaluated in a different order: agreement to 1e-12 relative in float64.
     */
    @Test
    void fusedAndDifferentiableBackwardPassesAgree() {
        Rng rng = new Rng(5);
        Module net = new Sequential(WeightNorm.wrap(new Linear(5, 4, rng, DType.F64)), new BatchNorm(4, DType.F64), new Tanh(),
                WeightNorm.wrap(new Linear(4, 3, rng, DType.F64)), new BatchNorm(3, 1e-3, 0.1, false, DType.F64));
        Tensor x = rng.normal(DType.F64, 0.2, 1.5, 9, 5);
        Params p = net.parameters().with("__x", x);
        Function<VarParams, Var> f = vp -> net.apply(vp, vp.get("__x")).tanh().square().sum();
        Params plain = Autodiff.grad(f, p);
        Params viaTangents = Autodiff.gradAndHvp(f, p, p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()))).grad();
        assertTrue(plain.sub(viaTangents).norm() <= 1e-12 * plain.norm(), "relative " + plain.sub(viaTangents).norm() / plain.norm());
    }

    /**
     * H v through both primitives, with respect to parameters and input, against central
     * differences of gradients (∇f(p + hv) − ∇f(p − hv))/2h: error O(h²) ≈ 1e-8 relative at
     * h = 1e-4, against a bound of 1e-5.
     */
    @Test
    void hessianVectorProductsThroughWeightNormAndBatchNorm() {
        Rng rng = new Rng(6);
        Module net = new Sequential(WeightNorm.wrap(new Linear(5, 4, rng, DType.F64)), new BatchNorm(4, DType.F64), new Tanh(),
                WeightNorm.wrap(new Linear(4, 2, rng, DType.F64)));
        Tensor x = rng.normal(DType.F64, 0.2, 1.5, 8, 5);
        Params p = net.parameters().with("__x", x);
        Function<VarParams, Var> f = vp -> net.apply(vp, vp.get("__x")).tanh().square().sum();
        Params v = p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
        Params hv = Autodiff.hvp(f, p, v);
        double h = 1e-4;
        Params fd = Autodiff.grad(f, p.axpy(h, v)).sub(Autodiff.grad(f, p.axpy(-h, v))).scale(1 / (2 * h));
        assertTrue(hv.sub(fd).norm() <= 1e-5 * fd.norm(), "hvp " + hv.sub(fd).norm() / fd.norm());
    }
}
