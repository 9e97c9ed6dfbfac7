package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Composition, parameter groups, clipping, schedules and the float32 fused path. */
class TransformationTest {
    private final Rng rng = new Rng(41);

    private Params tree(DType dtype) {
        return Params.of("layer.weight", rng.normal(dtype, 0, 1, 5, 4), "layer.bias", rng.normal(dtype, 0, 1, 4));
    }

    @Test
    void chainAppliesInOrderAndKeepsEachState() {
        Params p = tree(DType.F64), g = tree(DType.F64);
        GradientTransformation<ChainState> opt = Optimizers.chain(Optimizers.scale(2), Optimizers.ema(0.5, false),
                Optimizers.scaleByLearningRate(0.1));
        ChainState s0 = opt.init(p);
        assertEquals(3, s0.states().size());
        Update<ChainState> u = opt.update(g, s0, p);
        // ema of 2g from zero with β = ½ is g; then × −0.1. Exact in binary floating point.
        assertEquals(0, u.updates().maxAbsDiff(g.scale(-0.1)), 1e-16);
        assertEquals(1, ((EmaState) u.state().get(1)).count());
        // States are values: updating from the old state again gives the same result.
        assertEquals(0, opt.update(g, s0, p).updates().maxAbsDiff(u.updates()));
        assertEquals(0, ((EmaState) s0.get(1)).count());
    }

    @Test
    void maskedDecaysOnlySelectedEntriesAndPassesTheRestThrough() {
        Params p = tree(DType.F64), g = tree(DType.F64);
        GradientTransformation<MaskedState> decay = Optimizers.masked(n -> !n.endsWith("bias"), Optimizers.addDecayedWeights(0.5));
        Update<MaskedState> u = decay.update(g, decay.init(p), p);
        assertEquals(0, u.updates().get("layer.weight").maxAbsDiff(g.get("layer.weight").add(p.get("layer.weight").mul(0.5))), 1e-15);
        assertSame(g.get("layer.bias"), u.updates().get("layer.bias"));
        assertEquals(p.names(), u.updates().names());
    }

    @Test
    void adamwWithoutDecayOnBiasesMatchesAdamOnBiases() {
        Params p = tree(DType.F64), g = tree(DType.F64);
        GradientTransformation<ChainState> w = Optimizers.adamw(1e-2, 0.9, 0.999, 1e-8, 0.1, n -> !n.endsWith("bias"));
        GradientTransformation<ChainState> a = Optimizers.adam(1e-2);
        Params uw = w.update(g, w.init(p), p).updates(), ua = a.update(g, a.init(p), p).updates();
        assertEquals(0, uw.get("layer.bias").maxAbsDiff(ua.get("layer.bias")));
        // Decoupled decay on the weights: u_w − u_adam = −η λ θ.
        Tensor diff = uw.get("layer.weight").sub(ua.get("layer.weight"));
        assertTrue(diff.maxAbsDiff(p.get("layer.weight").mul(-1e-3)) <= 1e-16);
    }

    @Test
    void partitionGivesEachGroupItsOwnTransformation() {
        Params p = tree(DType.F64), g = tree(DType.F64);
        GradientTransformation<PartitionState> opt = Optimizers.partition(
                Map.of("train", Optimizers.sgd(0.1), "frozen", Optimizers.setToZero()),
                n -> n.endsWith("bias") ? "frozen" : "train");
        Update<PartitionState> u = opt.update(g, opt.init(p), p);
        assertEquals(p.names(), u.updates().names());
        assertEquals(0, u.updates().get("layer.bias").maxAbs());
        assertEquals(0, u.updates().get("layer.weight").maxAbsDiff(g.get("layer.weight").mul(-0.1)), 1e-16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.partition(Map.of("train", Optimizers.sgd(0.1)), n -> n.endsWith("bias") ? "frozen" : "train").init(p));
        assertTrue(e.getMessage().contains("layer.bias") && e.getMessage().contains("frozen"), e.getMessage());
    }

    /** PyTorch's factor min(1, c/(‖g‖ + 1e-6)), applied to the whole tree; the stats count it. */
    @Test
    void clipByGlobalNormScalesLikeTorchAndReportsIt() {
        Params g = Params.of("a", Tensor.of(new double[] {3, 0}, 2), "b", Tensor.of(new double[] {4}, 1)); // ‖g‖ = 5
        GradientTransformation<ClipStats> clip = Optimizers.clipByGlobalNorm(1);
        Update<ClipStats> u = clip.update(g, clip.init(g), g);
        double factor = 1 / (5 + 1e-6);
        assertEquals(3 * factor, u.updates().get("a").getFlat(0), 1e-16);
        assertEquals(4 * factor, u.updates().get("b").getFlat(0), 1e-16);
        assertEquals(5, u.state().lastPreClipNorm(), 0);
        assertTrue(u.state().lastClipped());
        Params small = g.scale(0.1); // ‖g‖ = 0.5 < 1: unchanged
        Update<ClipStats> u2 = clip.update(small, u.state(), small);
        assertSame(small, u2.updates());
        assertFalse(u2.state().lastClipped());
        assertEquals(2, u2.state().steps());
        assertEquals(1, u2.state().clippedSteps());
        assertEquals(0.5, u2.state().clipFraction(), 0);
        assertEquals(factor, u2.state().meanScaleWhenClipped(), 1e-16);
        assertEquals(5, u2.state().largestPreClipNorm(), 0);
        // Within 1e-6 below the threshold PyTorch still scales (by slightly less than 1).
        Params edge = Params.of("a", Tensor.of(new double[] {1 - 5e-7}, 1));
        assertTrue(clip.update(edge, ClipStats.NONE, edge).state().lastClipped());
        Params bad = Params.of("a", Tensor.of(new double[] {Double.NaN}, 1));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> clip.update(bad, ClipStats.NONE, bad));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void clipStatsAreFoundInsideComposedStates() {
        Params p = tree(DType.F64), g = tree(DType.F64).scale(100);
        GradientTransformation<ChainState> opt = Optimizers.chain(Optimizers.clipByGlobalNorm(1), Optimizers.adam(1e-3));
        ChainState s = opt.update(g, opt.init(p), p).state();
        ClipStats stats = OptimizerStates.find(s, ClipStats.class).orElseThrow();
        assertEquals(g.norm(), stats.lastPreClipNorm(), 1e-12 * g.norm());
        assertTrue(stats.lastClipped());
        assertEquals(1, OptimizerStates.findAll(s, AdamState.class).size());
    }

    @Test
    void clipByValueClamps() {
        Params g = Params.of("a", Tensor.of(new double[] {-3, 0.2, 7}, 3));
        Params u = Optimizers.clipByValue(1).update(g, EmptyState.INSTANCE, g).updates();
        assertEquals(0, u.get("a").maxAbsDiff(Tensor.of(new double[] {-1, 0.2, 1}, 3)));
    }

    @Test
    void schedulesHaveTheirDocumentedValues() {
        assertEquals(0.3, Schedules.constant(0.3).valueAt(1000), 0);
        Schedule step = Schedules.stepDecay(1, 10, 0.5);
        assertEquals(1, step.valueAt(9), 0);
        assertEquals(0.5, step.valueAt(10), 0);
        assertEquals(0.25, step.valueAt(25), 0);
        Schedule cos = Schedules.cosineDecay(2, 100, 0.1);
        assertEquals(2, cos.valueAt(0), 1e-15);
        assertEquals(2 * (0.9 * 0.5 + 0.1), cos.valueAt(50), 1e-15);
        assertEquals(0.2, cos.valueAt(100), 1e-15);
        assertEquals(0.2, cos.valueAt(1000), 1e-15);
        Schedule lin = Schedules.linear(1, 0, 4);
        assertEquals(0.25, lin.valueAt(3), 1e-15);
        assertEquals(0, lin.valueAt(9), 0);
        Schedule warm = Schedules.linearWarmup(10, 0, Schedules.cosineDecay(1, 100, 0));
        assertEquals(0, warm.valueAt(0), 0);
        assertEquals(0.5, warm.valueAt(5), 1e-15);
        assertEquals(1, warm.valueAt(10), 1e-15);
        assertEquals(0.5, warm.valueAt(60), 1e-15);
    }

    @Test
    void learningRateScheduleIsReadAtTheUpdateCount() {
        Params p = Params.of("x", Tensor.of(new double[] {1}, 1));
        GradientTransformation<CountState> lr = Optimizers.scaleByLearningRate(Schedules.stepDecay(1, 1, 0.5));
        CountState s = lr.init(p);
        double[] expected = {-1, -0.5, -0.25};
        for (double e : expected) {
            Update<CountState> u = lr.update(p, s, p);
            assertEquals(e, u.updates().get("x").getFlat(0), 0);
            s = u.state();
        }
        assertEquals(3, s.count());
        GradientTransformation<CountState> broken = Optimizers.scaleByLearningRate(t -> t == 2 ? -1 : 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> broken.update(p, new CountState(2), p));
        assertTrue(e.getMessage().contains("-1.0") && e.getMessage().contains("step 2"), e.getMessage());
    }

    /**
     * Float32 tensors are updated in float32 arithmetic (as PyTorch updates them), so a float32
     * step differs from the float64 step of the same (float32-representable) inputs only by
     * float32 rounding. First Adam step (m = v = 0), u = float32 unit roundoff 2⁻²⁴: m' = (1−β₁)g
     * rounds the constant and the product (≤ 2u relative, plus the float64 reference's own final
     * rounding, 1/2 u); v' = (1−β₂)g² rounds the constant, g² and the product (≤ 3u + u/2); the
     * update m'/(√v'/√c₂ + ε)/c₁·(−η) accumulates at most 2u (m') + 1.5u + 0.5u (√v') + 2u (/√c₂,
     * with the constant rounded) + u (+ε) + u (÷) + 2u (÷c₁) + 2u (×η) = 12u, plus u/2: bounds
     * of 3u, 4u and 13u relative, with no cancellation anywhere in this first step.
     */
    @Test
    void float32UpdatesAreFloat32RoundingsOfTheFloat64Updates() {
        double u = Math.ulp(1.0f) / 2;
        Params p32 = Params.of("w", rng.normal(DType.F32, 0, 1, 50, 50));
        Params g32 = Params.of("w", rng.normal(DType.F32, 0, 1, 50, 50));
        Params p64 = p32.to(DType.F64), g64 = g32.to(DType.F64);
        GradientTransformation<ChainState> opt = Optimizers.adam(1e-2);
        Update<ChainState> u32 = opt.update(g32, opt.init(p32), p32);
        Update<ChainState> u64 = opt.update(g64, opt.init(p64), p64);
        assertEquals(DType.F32, u32.updates().get("w").dtype());
        AdamState s32 = (AdamState) u32.state().get(0), s64 = (AdamState) u64.state().get(0);
        assertWithinRelative(s64.firstMoment().get("w"), s32.firstMoment().get("w"), 3 * u);
        assertWithinRelative(s64.secondMoment().get("w"), s32.secondMoment().get("w"), 4 * u);
        assertWithinRelative(u64.updates().get("w"), u32.updates().get("w"), 13 * u);
        Params applied = Updates.apply(p32, u32.updates());
        assertEquals(DType.F32, applied.get("w").dtype());
    }

    private static void assertWithinRelative(Tensor expected, Tensor actual, double relative) {
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getFlat(i);
            assertEquals(e, actual.getFlat(i), relative * Math.abs(e), "element " + i);
        }
    }

    @Test
    void mismatchedDtypesAndNamesFailClearly() {
        Params p = tree(DType.F64);
        GradientTransformation<ChainState> opt = Optimizers.adam(1e-3);
        ChainState s = opt.init(p);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.update(p.to(DType.F32), s, p));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
        Params other = Params.of("x", Tensor.zeros(DType.F64, 2));
        e = assertThrows(IllegalArgumentException.class, () -> opt.update(other, s, p));
        assertTrue(e.getMessage().contains("names differ"), e.getMessage());
    }

    /** Seed-form Nesterov equals PyTorch-form Nesterov SGD (v = η b) and momentum equals sgd(μ). */
    @Test
    void seedAndTorchParameterisationsAgree() {
        Params p = tree(DType.F64);
        GradientTransformation<MomentumState> seedNesterov = Optimizers.nesterov(0.9, 0.05);
        GradientTransformation<ChainState> torchNesterov = Optimizers.sgd(0.05, 0.9, true, 0);
        GradientTransformation<MomentumState> seedMomentum = Optimizers.momentum(0.9, 0.05);
        GradientTransformation<ChainState> torchMomentum = Optimizers.sgd(0.05, 0.9, false, 0);
        MomentumState a = seedNesterov.init(p), c = seedMomentum.init(p);
        ChainState b = torchNesterov.init(p), d = torchMomentum.init(p);
        for (int t = 0; t < 20; t++) {
            Params g = tree(DType.F64);
            Update<MomentumState> ua = seedNesterov.update(g, a, p), uc = seedMomentum.update(g, c, p);
            Update<ChainState> ub = torchNesterov.update(g, b, p), ud = torchMomentum.update(g, d, p);
            assertTrue(ua.updates().maxAbsDiff(ub.updates()) <= 1e-14, "nesterov step " + t);
            assertTrue(uc.updates().maxAbsDiff(ud.updates()) <= 1e-14, "momentum step " + t);
            a = ua.state();
            b = ub.state();
            c = uc.state();
            d = ud.state();
        }
    }

    /** Runs {@code opt} for {@code steps} updates on fixed random gradients and returns the last parameters. */
    private static Params trajectory(GradientTransformation<?> opt, Params p0, int steps, long seed) {
        return trajectoryOf(opt, p0, steps, new Rng(seed));
    }

    private static <S> Params trajectoryOf(GradientTransformation<S> opt, Params p0, int steps, Rng r) {
        Params p = p0;
        S s = opt.init(p);
        for (int i = 0; i < steps; i++) {
            Params g = Params.of("layer.weight", r.normal(DType.F32, 0, 1, 5, 4), "layer.bias", r.normal(DType.F32, 0, 1, 4));
            Update<S> u = opt.update(g, s, p);
            p = Updates.apply(p, u.updates());
            s = u.state();
        }
        return p;
    }

    @Test
    void namedOptimisersTakeAScheduleAndAConstantOneIsTheConstantRateBitForBit() {
        Params p = tree(DType.F32);
        Schedule c = Schedules.constant(0.05);
        assertEquals(0, trajectory(Optimizers.momentum(0.9, c), p, 6, 3).maxAbsDiff(trajectory(Optimizers.momentum(0.9, 0.05), p, 6, 3)));
        assertEquals(0, trajectory(Optimizers.nesterov(0.9, c), p, 6, 3).maxAbsDiff(trajectory(Optimizers.nesterov(0.9, 0.05), p, 6, 3)));
        assertEquals(0, trajectory(Optimizers.adam(c, 0.9, 0.999, 1e-8, 0), p, 6, 3)
                .maxAbsDiff(trajectory(Optimizers.adam(0.05, 0.9, 0.999, 1e-8), p, 6, 3)));
        assertEquals(0, trajectory(Optimizers.adam(c, 0.9, 0.999, 1e-8, 0.1), p, 6, 3)
                .maxAbsDiff(trajectory(Optimizers.adam(0.05, 0.9, 0.999, 1e-8, 0.1), p, 6, 3)));
        assertEquals(0, trajectory(Optimizers.rmsprop(c, 0.99, 1e-8, 0.5, false, 0), p, 6, 3)
                .maxAbsDiff(trajectory(Optimizers.rmsprop(0.05, 0.99, 1e-8, 0.5, false), p, 6, 3)));
        assertEquals(0, trajectory(Optimizers.emaSgd(0.9, c, true), p, 6, 3).maxAbsDiff(trajectory(Optimizers.emaSgd(0.9, 0.05, true), p, 6, 3)));
        assertEquals(0, trajectory(Optimizers.sgd(c, 0.5, true, 0.1), p, 6, 3)
                .maxAbsDiff(trajectory(Optimizers.sgd(0.05, 0.5, true, 0.1), p, 6, 3)));
        // A varying schedule: the seed's momentum with ε(t) folded into the gradient is v = αv + ε(t)g.
        Schedule halving = t -> 0.05 / (1L << t);
        Params g = tree(DType.F64), q = tree(DType.F64);
        GradientTransformation<?> m = Optimizers.momentum(0.5, halving);
        Params expected = q, v = g.scale(0);
        for (int t = 0; t < 4; t++) {
            v = v.scale(0.5).add(g.scale(0.05 / (1L << t)));
            expected = expected.sub(v);
        }
        Params actual = trajectoryConstantGradient(m, q, g, 4);
        assertTrue(actual.maxAbsDiff(expected) < 1e-15, "max diff " + actual.maxAbsDiff(expected));
    }

    private static <S> Params trajectoryConstantGradient(GradientTransformation<S> opt, Params p, Params g, int steps) {
        S s = opt.init(p);
        for (int i = 0; i < steps; i++) {
            Update<S> u = opt.update(g, s, p);
            p = Updates.apply(p, u.updates());
            s = u.state();
        }
        return p;
    }
}
