package dev.descent.spark;

import static dev.descent.spark.SparkTestSupport.assertBitIdentical;
import static dev.descent.spark.SparkTestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.SequenceModel;
import dev.descent.data.AddingTask;
import dev.descent.data.Batcher;
import dev.descent.data.Dataset;
import dev.descent.io.Checkpoint;
import dev.descent.nn.Activation;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Rnn;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedule;
import dev.descent.optim.Schedules;
import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.Lbfgs;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.train.Baselines;
import dev.descent.train.Evaluator;
import dev.descent.train.Objective;
import dev.descent.train.StepMetrics;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingCheckpoints;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingOptimizer;
import dev.descent.train.TrainingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed trainer against the single-JVM one on the same batches: float64 parameters
 * agree to 1e-12 relative (only the order of additions differs: each step's sums carry rounding
 * of a few ulps, 1e-15 relative, and a dozen steps of a smooth optimiser do not amplify that by
 * a thousand), and two distributed runs with the same partitioning agree bit for bit.
 */
class SparkTrainerTest {
    private static final TrainingObserver SILENT = new TrainingObserver() {};
    private static final double TOLERANCE = 1e-12;
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = SparkTestSupport.context();
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    private static TrainingOptimizer adamClipped(long steps) {
        Schedule lr = Schedules.linearWarmup(3, 0, Schedules.cosineDecay(0.05, (int) steps, 0.1));
        return new TrainingOptimizer.FirstOrder("adam", Optimizers.chain(Optimizers.clipByGlobalNorm(1), Optimizers.adam(lr, 0.9, 0.999, 1e-8)),
                lr, OptionalDouble.of(1));
    }

    private static Evaluator evaluator(Dataset d) {
        return new Evaluator(d, DType.F64, Baselines.of(d, d), Evaluator.DEFAULT_CHUNK);
    }

    /** The single-JVM run, with the losses it reports. */
    private static TrainingState local(ModelSource source, Objective objective, TrainingOptimizer opt, Dataset data, int batch,
                                       long seed, long steps, List<StepMetrics> metrics) {
        Trainer t = new Trainer(source.build(), objective, opt, new Batcher(data, batch, seed), evaluator(data), List.of());
        return t.run(t.initialState(), new TrainingConfig(steps, 1, 0, 0), recorder(metrics));
    }

    private static TrainingState spark(ModelSource source, Objective objective, TrainingOptimizer opt, SparkData data, int batch,
                                       long seed, long steps, List<StepMetrics> metrics) {
        SparkTrainer t = new SparkTrainer(source, objective, opt, data, batch, seed, null);
        return t.run(t.initialState(), new TrainingConfig(steps, 1, 0, 0), recorder(metrics));
    }

    private static TrainingObserver recorder(List<StepMetrics> into) {
        return new TrainingObserver() {
            @Override public void onStep(StepMetrics m) { into.add(m); }
        };
    }

    private static void assertLossesClose(String what, List<StepMetrics> a, List<StepMetrics> b) {
        assertEquals(a.size(), b.size(), what);
        for (int i = 0; i < a.size(); i++) {
            double x = a.get(i).loss(), y = b.get(i).loss();
            assertTrue(Math.abs(x - y) <= TOLERANCE * Math.abs(x), what + " step " + (i + 1) + ": loss " + x + " vs " + y);
        }
    }

    @Test
    void firstOrderMatchesTheSingleJvmRunAndRepeatsBitForBit() {
        Dataset data = SparkTestSupport.blobs(300, 1);
        ModelSource source = () -> SparkTestSupport.mlp(4, 8, 3, 11);
        // 300 rows in batches of 64: the fifth batch is the epoch's partial one (44 rows), the sixth starts epoch 1.
        List<StepMetrics> ref = new ArrayList<>(), a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>();
        TrainingState single = local(source, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(12), data, 64, 5, 12, ref);
        SparkData three = SparkData.of(sc, data, 3);
        TrainingState p3 = spark(source, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(12), three, 64, 5, 12, a);
        TrainingState p3again = spark(source, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(12), three, 64, 5, 12, b);
        TrainingState p2 = spark(source, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(12), SparkData.of(sc, data, 2), 64, 5, 12, c);
        assertBitIdentical("two runs on 3 partitions", p3.parameters(), p3again.parameters());
        assertEquals(a.stream().map(StepMetrics::loss).toList(), b.stream().map(StepMetrics::loss).toList());
        assertClose("3 partitions vs one JVM", single.parameters(), p3.parameters(), TOLERANCE);
        assertClose("2 partitions vs one JVM", single.parameters(), p2.parameters(), TOLERANCE);
        assertLossesClose("3 partitions", ref, a);
        assertEquals(single.cursor(), p3.cursor(), "the batch cursor advances as the single-JVM Batcher's");
        // The run learned something, so the comparison is not between two untrained models.
        assertTrue(ref.get(11).loss() < 0.8 * ref.get(0).loss(), ref.get(0).loss() + " -> " + ref.get(11).loss());
        // Clipping statistics come from the same state as on one JVM.
        assertEquals(ref.get(3).clipScale(), a.get(3).clipScale(), 1e-12);
    }

    @Test
    void aTreeReductionIsDeterministicAndMatchesTheSingleJvmRun() {
        Dataset data = SparkTestSupport.blobs(240, 4);
        ModelSource source = () -> SparkTestSupport.mlp(4, 8, 3, 13);
        SparkData six = SparkData.of(sc, data, 6);
        List<StepMetrics> ref = new ArrayList<>();
        TrainingState single = local(source, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(6), data, 60, 2, 6, ref);
        TrainingState[] tree = new TrainingState[2];
        for (int i = 0; i < 2; i++) {
            SparkTrainer t = new SparkTrainer(source, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(6), six, 60, 2, null).withTreeReduction(2);
            tree[i] = t.run(t.initialState(), new TrainingConfig(6, 1, 0, 0), SILENT);
        }
        assertBitIdentical("two tree-reduced runs (6 partitions, fan-in 2)", tree[0].parameters(), tree[1].parameters());
        assertClose("tree-reduced vs one JVM", single.parameters(), tree[0].parameters(), TOLERANCE);
    }

    private static Supplier<TrainingOptimizer> secondOrder(String name) {
        return switch (name) {
            // CG capped below where it converges: its CONVERGED test, ‖r‖ ≤ 1e-15 ‖g‖, sits at rounding
            // level, so a run that reaches it may stop one iteration earlier or later than another
            // whose sums were added in a different order (seen: 10 vs 11 iterations at step 3 and
            // 7e-4 apart after 4 steps), a discrete flip that no reduction order can rule out.
            case "hessian-free" -> () -> new TrainingOptimizer.SecondOrder(name, HessianFree.withDefaults()
                    .withConjugateGradient(HessianFree.DEFAULT_CG_DECAY, 8, HessianFree.DEFAULT_PROGRESS_TOLERANCE));
            case "lbfgs" -> () -> new TrainingOptimizer.SecondOrder(name, Lbfgs.withDefaults().withMemory(3));
            case "curvature-step" -> () -> new TrainingOptimizer.SecondOrder(name, CurvatureStep.withFallbackStep(0.5));
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void secondOrderMethodsMatchTheSingleJvmRun() {
        Dataset data = SparkTestSupport.wave(120, 3);
        ModelSource source = () -> SparkTestSupport.mlp(2, 6, 1, 7);
        SparkData parts = SparkData.of(sc, data, 3);
        for (String name : List.of("hessian-free", "lbfgs", "curvature-step")) {
            List<StepMetrics> ref = new ArrayList<>(), dist = new ArrayList<>(), again = new ArrayList<>();
            TrainingState single = local(source, Objective.MEAN_SQUARED_ERROR, secondOrder(name).get(), data, 60, 8, 4, ref);
            TrainingState p3 = spark(source, Objective.MEAN_SQUARED_ERROR, secondOrder(name).get(), parts, 60, 8, 4, dist);
            TrainingState p3again = spark(source, Objective.MEAN_SQUARED_ERROR, secondOrder(name).get(), parts, 60, 8, 4, again);
            assertClose(name + ": 3 partitions vs one JVM", single.parameters(), p3.parameters(), TOLERANCE);
            assertBitIdentical(name + ": two runs on 3 partitions", p3.parameters(), p3again.parameters());
            assertLossesClose(name, ref, dist);
            assertEquals(ref.get(3).details().keySet(), dist.get(3).details().keySet(), name + ": the same step report");
            assertTrue(ref.get(3).loss() < ref.get(0).loss(), name + " learned: " + ref.get(0).loss() + " -> " + ref.get(3).loss());
        }
    }

    @Test
    void hessianFreeOnTheAddingTaskMatchesTheSingleJvmRun() {
        AddingTask task = new AddingTask(8);
        ModelSource source = () -> SequenceModel.rnn(Rnn.Config.of(2, 6).withActivation(Activation.TANH), 1, false, new Rng(4), DType.F64);
        // Damping λ₀ = 10 (default 1): CG multiplies the rounding of its products by up to κ(G + λI),
        // which for this RNN at λ = 1 reached 5e-12 after 3 steps; at 10 the comparison measures
        // the distribution, not CG's conditioning.
        Supplier<TrainingOptimizer> hf = () -> new TrainingOptimizer.SecondOrder("hessian-free", HessianFree.withDefaults()
                .withInitialDamping(10).withConjugateGradient(HessianFree.DEFAULT_CG_DECAY, 8, HessianFree.DEFAULT_PROGRESS_TOLERANCE));
        List<StepMetrics> ref = new ArrayList<>(), dist = new ArrayList<>();
        Trainer t = new Trainer(source.build(), Objective.MEAN_SQUARED_ERROR, hf.get(), task.stream(50, 9),
                evaluator(task.generate(20, new Rng(1))), List.of());
        TrainingState single = t.run(t.initialState(), new TrainingConfig(3, 1, 0, 0), recorder(ref));
        SparkTrainer st = new SparkTrainer(source, Objective.MEAN_SQUARED_ERROR, hf.get(),
                SparkData.synthetic(sc, task, 2), 50, 9, null);
        TrainingState dist2 = st.run(st.initialState(), new TrainingConfig(3, 1, 0, 0), recorder(dist));
        assertClose("HF adding task, 2 partitions vs one JVM", single.parameters(), dist2.parameters(), TOLERANCE);
        assertLossesClose("HF adding task", ref, dist);
        assertEquals(single.cursor(), dist2.cursor());
        // One job per loss, gradient and product: CG alone takes at least one product per step.
        long cg = ref.stream().mapToLong(m -> ((Number) m.details().get("cgIterations")).longValue()).sum();
        assertTrue(st.jobs() >= cg + 3, st.jobs() + " jobs for " + cg + " CG iterations");
    }

    @Test
    void everyDistributedProductIsTheSingleJvmProduct() {
        AddingTask task = new AddingTask(8);
        ModelSource source = () -> SequenceModel.rnn(Rnn.Config.of(2, 6).withActivation(Activation.TANH), 1, false, new Rng(4), DType.F64);
        dev.descent.nn.Module model = source.build();
        Params at = model.trainable(), v = at.scale(-0.7);
        dev.descent.data.Batch b32 = task.stream(60, 3).next(); // float32 data, as the trainer converts it
        dev.descent.data.Batch batch = new dev.descent.data.Batch(b32.features().to(DType.F64), b32.targets().to(DType.F64), null, null,
                b32.indices());
        dev.descent.autodiff.Var x = dev.descent.autodiff.Var.constant(batch.features());
        dev.descent.optim.second.ModelOracle local = dev.descent.optim.second.Oracles.fromModel(vp -> model.apply(vp, x),
                out -> Objective.MEAN_SQUARED_ERROR.loss(out, batch));
        SparkData.StepBatch step = SparkData.synthetic(sc, task, 3).batches(60, 3).next();
        DistributedOracle dist = new DistributedOracle(sc, step, "products", source, Objective.MEAN_SQUARED_ERROR, at);
        try {
            // One evaluation: the sums differ only in the order of additions, a few ulps of each
            // partial sum; 1e-13 of the norm leaves room for cancellation among 60 examples.
            double l = local.loss(at);
            assertEquals(l, dist.loss(at), 1e-14 * l);
            assertTrue(rel(local.lossAndGradient(at).gradient(), dist.lossAndGradient(at).gradient()) <= 1e-13);
            assertTrue(rel(local.hessianVectorProduct(at, v), dist.hessianVectorProduct(at, v)) <= 1e-13);
            assertTrue(rel(local.gaussNewtonVectorProduct(at, v), dist.gaussNewtonVectorProduct(at, v)) <= 1e-13);
            assertEquals(4, dist.jobs(), "one job per product (the remembered gradient costs none)");
        } finally {
            dist.release();
            step.release();
        }
    }

    private static double rel(Params a, Params b) {
        double r = a.sub(b).norm() / a.norm();
        assertTrue(r >= 0 && a.norm() > 0, "compared a zero or non-finite vector");
        return r;
    }

    /** How often {@link Flaky} failed a task. */
    static final AtomicInteger INJECTED = new AtomicInteger();
    /** 1: the next forward pass in an attempt 0 of partition 1 throws (once). */
    static final AtomicInteger ARMED = new AtomicInteger();

    /** A model whose forward pass in partition 1's first attempt throws once while armed. */
    static final class Flaky extends dev.descent.nn.Module {
        private final dev.descent.nn.Module inner;

        Flaky(dev.descent.nn.Module inner) {
            this.inner = addChild("inner", inner);
        }

        @Override
        public dev.descent.autodiff.Var apply(dev.descent.nn.Scope scope, dev.descent.autodiff.Var x) {
            TaskContext tc = TaskContext.get();
            if (tc != null && tc.partitionId() == 1 && tc.attemptNumber() == 0 && ARMED.compareAndSet(1, 0)) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected failure of partition 1, attempt 0");
            }
            return inner.apply(scope.child("inner"), x);
        }
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheResultIsUnchanged() {
        Dataset data = SparkTestSupport.blobs(200, 2);
        ModelSource source = () -> new Flaky(SparkTestSupport.mlp(4, 8, 3, 12));
        SparkData parts = SparkData.of(sc, data, 2);
        TrainingState clean = spark(source, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(6), parts, 50, 3, 6, new ArrayList<>());
        assertEquals(0, INJECTED.get());
        ARMED.set(1);
        TrainingState retried = spark(source, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(6), parts, 50, 3, 6, new ArrayList<>());
        assertEquals(1, INJECTED.get(), "the failure was injected once");
        assertBitIdentical("with a retried task", clean.parameters(), retried.parameters());
    }

    @Test
    void resumingASparkRunFromACheckpointFileIsBitIdentical(@TempDir Path dir) throws Exception {
        Dataset data = SparkTestSupport.wave(150, 4);
        ModelSource source = () -> SparkTestSupport.mlp(2, 6, 1, 5);
        SparkData parts = SparkData.of(sc, data, 2);
        TrainingConfig config = new TrainingConfig(8, 1, 0, 4);
        for (Supplier<TrainingOptimizer> opt : List.<Supplier<TrainingOptimizer>>of(() -> adamClipped(8), secondOrder("lbfgs"))) {
            SparkTrainer whole = new SparkTrainer(source, Objective.MEAN_SQUARED_ERROR, opt.get(), parts, 32, 6, null);
            TrainingState uninterrupted = whole.run(whole.initialState(), config, SILENT);
            Path file = dir.resolve(opt.get().name() + ".ckpt");
            SparkTrainer first = new SparkTrainer(source, Objective.MEAN_SQUARED_ERROR, opt.get(), parts, 32, 6, null);
            first.run(first.initialState(), new TrainingConfig(4, 1, 0, 0), new TrainingObserver() {
                @Override public void onCheckpoint(TrainingState s) {
                    try {
                        TrainingCheckpoints.write(file, first.model(), s, 6, "{}");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            SparkTrainer second = new SparkTrainer(source, Objective.MEAN_SQUARED_ERROR, opt.get(), parts, 32, 6, null);
            TrainingState from = TrainingCheckpoints.restore(Checkpoint.read(file), file.toString(), second.model(), opt.get());
            assertEquals(4, from.step());
            TrainingState resumed = second.run(from, config, SILENT);
            assertBitIdentical(opt.get().name() + ": resumed at step 4", uninterrupted.parameters(), resumed.parameters());
        }
    }

    @Test
    void aPartitionWithNoRowsContributesNothing() {
        Dataset data = SparkTestSupport.wave(90, 6);
        ModelSource source = () -> SparkTestSupport.mlp(2, 5, 1, 8);
        List<Example> rows = new ArrayList<>();
        double[] x = data.features().toDoubleArray(), y = data.targets().toDoubleArray();
        for (int i = 0; i < data.size(); i++) rows.add(Example.regression(new double[] {x[2 * i], x[2 * i + 1]}, new double[] {y[i]}));
        // Four slices of the 90 rows; the third loses its rows, so the RDD has an empty partition
        // and the global order is the data's with rows 45..66 removed.
        JavaRDD<Example> rdd = sc.parallelize(rows, 4).mapPartitionsWithIndex((p, it) -> p == 2 ? List.<Example>of().iterator() : it, true);
        SparkData parts = SparkData.fromExamples(rdd, new int[] {2}, 0, DType.F64);
        assertEquals(4, parts.partitions());
        int kept = parts.size();
        int[] idx = new int[kept];
        for (int i = 0, k = 0; i < data.size(); i++) if (i < 45 || i >= 67) idx[k++] = i;
        Dataset same = data.subset(idx);
        List<StepMetrics> ref = new ArrayList<>(), dist = new ArrayList<>();
        TrainingState single = local(source, Objective.MEAN_SQUARED_ERROR, adamClipped(5), same, 20, 2, 5, ref);
        TrainingState d = spark(source, Objective.MEAN_SQUARED_ERROR, adamClipped(5), parts, 20, 2, 5, dist);
        assertEquals(68, kept);
        assertClose("with an empty partition", single.parameters(), d.parameters(), TOLERANCE);
    }

    @Test
    void rejectsModelsWithBuffersAndResultsOverTheDriverLimit() {
        SparkData parts = SparkData.of(sc, SparkTestSupport.wave(20, 1), 2);
        ModelSource withNorm = () -> new Sequential(new Linear(2, 4, new Rng(1), DType.F64), new BatchNorm(4, DType.F64),
                new Linear(4, 1, new Rng(2), DType.F64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(withNorm,
                Objective.MEAN_SQUARED_ERROR, adamClipped(2), parts, 10, 1, null));
        assertTrue(e.getMessage().contains("buffers"), e.getMessage());
        // 10^6 parameters on 200 partitions: 1.6 GB of float64 results against a 1 GiB limit.
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> SparkTrainer.checkResultSize(1_000_000, 200, 1L << 30));
        assertTrue(big.getMessage().contains("spark.driver.maxResultSize"), big.getMessage());
        SparkTrainer.checkResultSize(1_000_000, 100, 1L << 30); // 800 MB: fits
        SparkTrainer.checkResultSize(1_000_000, 1000, 0); // 0: unlimited
        assertThrows(IllegalArgumentException.class, () -> SparkTrainer.checkResultSize(1L << 31, 1, 0));
    }
}
