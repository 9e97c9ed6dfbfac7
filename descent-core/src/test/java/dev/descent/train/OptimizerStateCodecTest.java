package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedules;
import dev.descent.optim.Update;
import dev.descent.optim.Updates;
import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.Lbfgs;
import dev.descent.optim.second.Newton;
import dev.descent.optim.second.Oracles;
import dev.descent.optim.second.SecondOrderOptimizer;
import dev.descent.optim.second.SecondOrderStep;
import dev.descent.optim.second.ModelOracle;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Map.Entry;
import org.junit.jupiter.api.Test;

/** Optimiser states to tensors and back: exact round trips, and mismatches named. */
class OptimizerStateCodecTest {
    private static final Params START = Params.of("w", Tensor.of(new float[] {0.5f, -1f, 2f}, 3), "b", Tensor.of(new float[] {0.1f}, 1));

    /** The gradient of a fixed quadratic-plus-quartic loss, so successive states differ. */
    private static Params gradient(Params p) {
        return Autodiff.grad(vp -> vp.get("w").square().square().sum().add(vp.get("b").sub(1).square().sum()), p);
    }

    private static Map<String, GradientTransformation<?>> firstOrder() {
        Map<String, GradientTransformation<?>> m = new LinkedHashMap<>();
        m.put("adam+clip", Optimizers.chain(Optimizers.clipByGlobalNorm(0.5), Optimizers.adam(0.1)));
        m.put("adamw (masked)", Optimizers.adamw(0.1, 0.9, 0.99, 1e-8, 0.01, n -> !n.equals("b")));
        m.put("sgd momentum + decay", Optimizers.sgd(0.1, 0.9, true, 1e-3));
        m.put("momentum", Optimizers.momentum(0.9, 0.1));
        m.put("nesterov", Optimizers.nesterov(0.9, 0.1));
        m.put("ema-sgd debiased", Optimizers.emaSgd(0.9, 0.1, true));
        m.put("rmsprop centred + momentum", Optimizers.rmsprop(0.01, 0.9, 1e-8, 0.5, true));
        m.put("schedule", Optimizers.chain(Optimizers.scaleByLearningRate(Schedules.stepDecay(0.1, 2, 0.5))));
        m.put("partition", Optimizers.partition(Map.of("w", Optimizers.adam(0.1), "b", Optimizers.sgd(0.1)), n -> n));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Object run(GradientTransformation<?> t, int steps) {
        GradientTransformation<Object> g = (GradientTransformation<Object>) t;
        Params p = START;
        Object s = g.init(p);
        for (int i = 0; i < steps; i++) {
            Update<Object> u = g.update(gradient(p), s, p);
            p = Updates.apply(p, u.updates());
            s = u.state();
        }
        return s;
    }

    @Test
    void everyFirstOrderStateRoundTripsExactly() {
        for (Entry<String, GradientTransformation<?>> e : firstOrder().entrySet()) {
            Object state = run(e.getValue(), 3);
            Params stored = OptimizerStateCodec.encode(state);
            Object back = OptimizerStateCodec.decode(e.getValue().init(START), stored, START);
            // Records compare by value and Params... by identity, so compare through the encoding.
            TrainerTest.assertBitIdentical(e.getKey(), stored, OptimizerStateCodec.encode(back));
            assertEquals(state.getClass(), back.getClass(), e.getKey());
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void everySecondOrderStateRoundTripsExactly() {
        Rng rng = new Rng(3);
        Tensor x = rng.normal(DType.F64, 0, 1, 8, 3), y = rng.normal(DType.F64, 0, 1, 8, 1);
        ModelOracle oracle = Oracles.fromModel(vp -> dev.descent.autodiff.Var.constant(x).matmul(vp.get("w"), false, true).add(vp.get("b")),
                z -> z.sub(dev.descent.autodiff.Var.constant(y)).square().mean());
        Params p0 = Params.of("w", rng.normal(DType.F64, 0, 1, 1, 3), "b", Tensor.zeros(DType.F64, 1));
        Map<String, SecondOrderOptimizer<? super ModelOracle, ?, ?>> methods = Map.of("curvature-step", CurvatureStep.withFallbackStep(1),
                "newton", Newton.withDefaults(), "hessian-free", HessianFree.withDefaults(), "lbfgs", Lbfgs.withDefaults().withMemory(2));
        for (Entry<String, SecondOrderOptimizer<? super ModelOracle, ?, ?>> e : methods.entrySet()) {
            SecondOrderOptimizer<ModelOracle, Object, ?> m = (SecondOrderOptimizer<ModelOracle, Object, ?>) e.getValue();
            Params p = p0;
            Object s = m.init(p);
            for (int i = 0; i < 4; i++) {
                SecondOrderStep<Object, ?> st = m.step(p, s, oracle);
                p = st.params();
                s = st.state();
            }
            Params stored = OptimizerStateCodec.encode(s);
            Object back = OptimizerStateCodec.decode(m.init(p0), stored, p0);
            TrainerTest.assertBitIdentical(e.getKey(), stored, OptimizerStateCodec.encode(back));
            if (s instanceof Lbfgs.State l) assertEquals(2, l.steps().size(), "L-BFGS memory is full after 4 steps");
        }
    }

    @Test
    void namesAreReadablePaths() {
        Params stored = OptimizerStateCodec.encode(run(Optimizers.chain(Optimizers.clipByGlobalNorm(0.5), Optimizers.adam(0.1)), 1));
        assertEquals(java.util.List.of("0.steps", "0.clippedSteps", "0.lastPreClipNorm", "0.lastScale", "0.largestPreClipNorm",
                "0.sumOfScalesWhenClipped", "1.0.count", "1.0.firstMoment/w", "1.0.firstMoment/b", "1.0.secondMoment/w",
                "1.0.secondMoment/b"), stored.names());
        assertEquals(DType.F32, stored.get("1.0.firstMoment/w").dtype(), "trees keep their dtype");
        assertEquals(1.0, stored.get("1.0.count").item(), 0.0);
    }

    @Test
    void mismatchesAreNamed() {
        Params adam = OptimizerStateCodec.encode(run(Optimizers.adam(0.1), 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerStateCodec.decode(Optimizers.momentum(0.9, 0.1).init(START), adam, START));
        assertTrue(e.getMessage().contains("no entry 'velocity/w'") && e.getMessage().contains("different optimiser"), e.getMessage());

        Params momentum = OptimizerStateCodec.encode(run(Optimizers.sgd(0.1, 0.9, false, 0), 2));
        e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerStateCodec.decode(Optimizers.sgd(0.1, 0.9, false, 0).init(START), momentum.with("0.extra", Tensor.scalar(1)), START));
        assertTrue(e.getMessage().contains("unexpected entry '0.extra'"), e.getMessage());

        Params bigger = Params.of("w", Tensor.zeros(DType.F32, 4), "b", Tensor.zeros(DType.F32, 1));
        e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerStateCodec.decode(Optimizers.adam(0.1).init(bigger), adam, bigger));
        assertEquals("optimiser state: entry '0.firstMoment/w' is float32[3] in the checkpoint but the model needs float32[4]", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> OptimizerStateCodec.encode("not a state"));
        assertTrue(e.getMessage().contains("cannot store a java.lang.String"), e.getMessage());
    }
}
