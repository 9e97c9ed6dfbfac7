package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@link Updates#step} promises the result of {@code update} followed by {@link Updates#apply},
 * bit for bit, whichever passes it fuses: checked for every built-in optimiser shape (plain
 * chains, the learning rate as a constant and as a schedule, clipping in front, masked decay and
 * parameter groups that cannot be fused) in both dtypes, over several steps so that the states
 * must agree too; and {@link Updates#stepInPlace}, which writes into donated arrays, gives the same
 * numbers again. Tensors of 1000 and 37 elements exercise the vector loops and their scalar tails.
 */
class StepTest {
    static Map<String, Supplier<GradientTransformation<?>>> optimizers() {
        Map<String, Supplier<GradientTransformation<?>>> m = new LinkedHashMap<>();
        m.put("adam", () -> Optimizers.adam(1e-2));
        m.put("adam(schedule)", () -> Optimizers.adam(Schedules.cosineDecay(1e-2, 10, 0.1), 0.9, 0.99, 1e-8));
        m.put("clip+adam", () -> Optimizers.chain(Optimizers.clipByGlobalNorm(0.5), Optimizers.adam(1e-2)));
        m.put("adamw", () -> Optimizers.adamw(1e-2, 0.9, 0.999, 1e-8, 0.1, n -> !n.endsWith("bias")));
        m.put("sgd", () -> Optimizers.sgd(0.1));
        m.put("sgd(momentum, nesterov, decay)", () -> Optimizers.sgd(0.1, 0.9, true, 1e-3));
        m.put("momentum", () -> Optimizers.momentum(0.9, 0.1));
        m.put("nesterov", () -> Optimizers.nesterov(0.9, 0.1));
        m.put("emaSgd", () -> Optimizers.emaSgd(0.9, 0.5, true));
        m.put("rmsprop(centred, momentum)", () -> Optimizers.rmsprop(1e-2, 0.99, 1e-8, 0.5, true));
        m.put("partition", () -> Optimizers.partition(Map.of("w", Optimizers.adam(1e-2), "b", Optimizers.sgd(0.1)),
                n -> n.endsWith("bias") ? "b" : "w"));
        m.put("scale by adam alone", () -> Optimizers.scaleByAdam(0.9, 0.999, 1e-8));
        m.put("scale then scale", () -> Optimizers.chain(Optimizers.scale(3), Optimizers.scaleByLearningRate(0.1)));
        return m;
    }

    static Object[][] cases() {
        java.util.List<Object[]> out = new java.util.ArrayList<>();
        for (String name : optimizers().keySet()) for (DType d : DType.values()) out.add(new Object[] {name, d});
        return out.toArray(new Object[0][]);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void stepEqualsUpdateThenApplyBitForBit(String name, DType dtype) {
        Rng rng = new Rng(7);
        Params p0 = Params.of("layer.weight", rng.normal(dtype, 0, 1, 25, 40), "layer.bias", rng.normal(dtype, 0, 1, 37));
        GradientTransformation<Object> opt = (GradientTransformation<Object>) optimizers().get(name).get();
        Params original = p0.map(Tensor::copy);
        Params fused = p0, plain = p0, donated = p0.map(Tensor::copy);
        Object fusedState = opt.init(p0), plainState = opt.init(p0), donatedState = opt.init(p0);
        for (int step = 0; step < 4; step++) {
            Params g = p0.map(t -> rng.normal(dtype, 0, 1, t.dims()));
            Params gCopy = g.map(Tensor::copy);
            Step<Object> s = Updates.step(opt, g, fusedState, fused);
            Step<Object> d = Updates.stepInPlace(opt, g, donatedState, donated);
            Update<Object> u = opt.update(g, plainState, plain);
            plain = Updates.apply(plain, u.updates());
            plainState = u.state();
            fused = s.params();
            fusedState = s.state();
            donated = d.params();
            donatedState = d.state();
            assertEquals(0, fused.maxAbsDiff(plain), name + " step " + step);
            assertEquals(0, donated.maxAbsDiff(plain), name + " in place, step " + step);
            assertEquals(0, g.maxAbsDiff(gCopy), "gradients are only read");
            for (String n : fused.names()) assertEquals(dtype, fused.get(n).dtype());
        }
        assertEquals(0, p0.maxAbsDiff(original), "the non-donated starting point is untouched");
    }

    @Test
    void aUserTransformationTakesTheUnfusedPath() {
        GradientTransformation<EmptyState> half = new GradientTransformation<>() {
            @Override public EmptyState init(Params params) { return EmptyState.INSTANCE; }
            @Override public Update<EmptyState> update(Params grads, EmptyState state, Params params) {
                return new Update<>(grads.scale(-0.5), state);
            }
        };
        Params p = Params.of("w", Tensor.of(new double[] {1, 2}, 2)), g = Params.of("w", Tensor.of(new double[] {2, 2}, 2));
        Step<EmptyState> s = Updates.step(half, g, EmptyState.INSTANCE, p);
        assertEquals(0, s.params().get("w").maxAbsDiff(Tensor.of(new double[] {0, 1}, 2)));
    }

    @Test
    void fusedAdamNeedsTheParameters() {
        GradientTransformation<ChainState> adam = Optimizers.adam(1e-3);
        Params p = Params.of("w", Tensor.zeros(DType.F32, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Updates.step(adam, p, adam.init(p), null));
        assertEquals("scale by adam: needs the current parameters, got null", e.getMessage());
    }
}
