package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.GradCheck;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every layer and loss through the public gradient checker, in float64, in training and in
 * evaluation mode, with respect to its parameters and its input together.
 *
 * <p>Tolerance 1e-6 (the bar): central differences with h = 1e-5 have truncation error
 * O(h²·f''') ≈ 1e-10 and rounding error O(ε·|f|/h) ≈ 1e-11 relative for the O(1) values used
 * here; a wrong derivative rule gives O(1) errors. The adjoint check ⟨u, Jv⟩ = ⟨Jᵀu, v⟩ holds to
 * rounding, ~1e-14. Relu's kink is crossed by a step of 1e-5 with negligible probability for
 * Gaussian inputs.
 */
class LayerGradCheckTest {
    static final double TOL = 1e-6;

    /** Checks {@code layer} on input x in both modes; BatchNorm buffers are made non-trivial first. */
    static void checkLayer(String name, Supplier<Module> make, int... inputShape) {
        for (boolean training : new boolean[] {true, false}) {
            Module m = make.get();
            Rng rng = new Rng(name.hashCode());
            Tensor x = rng.normal(DType.F64, 0.3, 1, inputShape);
            // A few updating passes give running statistics that differ from their initial values.
            for (int k = 0; k < 3; k++) {
                Tensor batch = rng.normal(DType.F64, 0.5, 2, inputShape);
                m.train().applyUpdatingBuffers(VarParams.constants(m.parameters()), Var.constant(batch));
            }
            if (training) m.train(); else m.eval();
            Params p = m.parameters().with("__input", x);
            GradCheck.Report r = GradCheck.check(vp -> m.apply(vp, vp.get("__input")), p, 3, 1e-5, 42);
            assertTrue(r.passes(TOL), name + (training ? " (train) " : " (eval) ") + r);
        }
    }

    @Test
    void linearAndActivationLayers() {
        Rng rng = new Rng(1);
        checkLayer("linear", () -> new Linear(4, 3, rng, DType.F64), 5, 4);
        checkLayer("linear-no-bias-rank3", () -> new Linear(4, 3, false, Init.glorotNormal(1), rng, DType.F64), 2, 5, 4);
        checkLayer("tanh", Tanh::new, 3, 4);
        checkLayer("sigmoid", Sigmoid::new, 3, 4);
        checkLayer("relu", Relu::new, 3, 4);
        checkLayer("identity", Identity::new, 3, 4);
        checkLayer("mlp", () -> new Sequential(new Linear(4, 6, rng, DType.F64), new Sigmoid(), new Linear(6, 2, rng, DType.F64)), 5, 4);
    }

    @Test
    void normalisationLayers() {
        checkLayer("batchnorm", () -> new BatchNorm(3, DType.F64), 6, 3);
        checkLayer("batchnorm-no-affine-eps0", () -> new BatchNorm(3, 0, 0.2, false, DType.F64), 6, 3);
        checkLayer("batchnorm-time-batch", () -> new BatchNorm(3, DType.F64), 4, 5, 3);
        checkLayer("mean-only-batchnorm", () -> new MeanOnlyBatchNorm(3, DType.F64), 6, 3);
        Rng rng = new Rng(2);
        checkLayer("weightnorm-linear", () -> WeightNorm.wrap(new Linear(4, 3, rng, DType.F64)), 5, 4);
        checkLayer("wn-linear-then-mean-only-bn", () -> new Sequential(WeightNorm.wrap(new Linear(4, 3, rng, DType.F64)),
                new MeanOnlyBatchNorm(3, DType.F64), new Tanh()), 5, 4);
    }

    @Test
    void recurrentLayers() {
        Rng rng = new Rng(3);
        checkLayer("lstm", () -> new Lstm(2, 4, rng, DType.F64), 5, 3, 2);
        checkLayer("rnn-tanh", () -> new Rnn(Rnn.Config.of(2, 4), rng, DType.F64), 5, 3, 2);
        checkLayer("rnn-weightnorm-W", () -> WeightNorm.wrap(new Rnn(Rnn.Config.of(2, 4).withForm(Rnn.Form.PRE_ACTIVATION)
                .withActivation(Activation.SIGMOID), rng, DType.F64), "W"), 5, 3, 2);
    }

    @Test
    void losses() {
        Rng rng = new Rng(4);
        Tensor logits = rng.normal(DType.F64, 0, 2, 5, 4);
        Tensor target = rng.normal(DType.F64, 0, 1, 5, 4);
        Tensor probs = rng.uniform(DType.F64, 0, 1, 5, 4);
        probs = probs.div(probs.sum(1, true));
        Tensor binary = rng.uniform(DType.F64, 0, 1, 5, 4);
        int[] labels = {0, 3, 1, 1, 2};
        Map<String, Function<VarParams, Var>> cases = new LinkedHashMap<>();
        Tensor soft = probs;
        cases.put("mse", vp -> Losses.meanSquaredError(vp.get("z"), vp.get("y")));
        cases.put("softmax-ce-labels", vp -> Losses.softmaxCrossEntropy(vp.get("z"), labels));
        cases.put("softmax-ce-soft", vp -> Losses.softmaxCrossEntropy(vp.get("z"), vp.get("q")));
        cases.put("bce-logits", vp -> Losses.binaryCrossEntropyWithLogits(vp.get("z"), vp.get("p")));
        for (Map.Entry<String, Function<VarParams, Var>> c : cases.entrySet()) {
            Params p = Params.of("z", logits, "y", target, "q", soft, "p", binary);
            GradCheck.Report r = GradCheck.check(c.getValue(), p, 4, 1e-5, 7);
            assertTrue(r.passes(TOL), c.getKey() + " " + r);
        }
    }

    @Test
    void hessianVectorProductsThroughLstmAndBatchNorm() {
        // Forward-over-reverse H v against central differences of gradients, (∇f(p+hv) − ∇f(p−hv))/2h,
        // whose error is O(h²) ≈ 1e-8 relative with h = 1e-4; 1e-5 leaves a wide margin.
        Rng rng = new Rng(5);
        Lstm lstm = new Lstm(2, 3, rng, DType.F64);
        BatchNorm bn = new BatchNorm(3, DType.F64);
        Tensor x = rng.normal(DType.F64, 0, 1, 4, 3, 2);
        Module both = new Sequential(lstm, bn);
        Function<VarParams, Var> f = vp -> both.apply(vp, Var.constant(x)).tanh().square().sum();
        Params p = both.parameters();
        Params buffersBefore = both.buffers();
        Params v = p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
        Params hv = Autodiff.hvp(f, p, v);
        double h = 1e-4;
        Params fd = Autodiff.grad(f, p.axpy(h, v)).sub(Autodiff.grad(f, p.axpy(-h, v))).scale(1 / (2 * h));
        assertTrue(hv.sub(fd).norm() <= 1e-5 * fd.norm(), "hvp " + hv.sub(fd).norm() / fd.norm());
        // HVPs evaluate the function several times and must not touch running statistics.
        assertEquals(0, both.buffers().maxAbsDiff(buffersBefore));
    }
}
