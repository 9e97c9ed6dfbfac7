package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.data.AddingTask;
import dev.descent.data.BatchStream;
import dev.descent.data.Batcher;
import dev.descent.data.Dataset;
import dev.descent.diagnostics.StepContext;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedule;
import dev.descent.optim.Schedules;
import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.Lbfgs;
import dev.descent.optim.second.Newton;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The training loop: learning, evaluation, listeners, second-order methods and bit-identical resumption. */
class TrainerTest {
    private static final TrainingObserver SILENT = new TrainingObserver() {};

    /** Adam with clipping at 1 and a warm-up into cosine decay: every moving part of a first-order run. */
    private static TrainingOptimizer adamClipped(long steps) {
        Schedule lr = Schedules.linearWarmup(3, 0, Schedules.cosineDecay(0.05, (int) steps, 0.1));
        return new TrainingOptimizer.FirstOrder("adam", Optimizers.chain(Optimizers.clipByGlobalNorm(1), Optimizers.adam(lr, 0.9, 0.999, 1e-8)),
                lr, OptionalDouble.of(1));
    }

    private static Evaluator evaluator(Dataset train, Dataset test, DType dtype) {
        return new Evaluator(test, dtype, Baselines.of(train, test), Evaluator.DEFAULT_CHUNK);
    }

    @Test
    void learnsSeparableBlobsWellAboveTheBaseline() {
        Dataset train = TestModels.blobs(200, 1), test = TestModels.blobs(200, 2);
        Sequential model = TestModels.mlp(2, 16, 2, false, 3, DType.F32);
        Trainer trainer = new Trainer(model, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(100), new Batcher(train, 20, 4),
                evaluator(train, test, DType.F32), List.of());
        List<Evaluation> evals = new ArrayList<>();
        List<StepMetrics> steps = new ArrayList<>();
        TrainingState end = trainer.run(trainer.initialState(), new TrainingConfig(100, 10, 50, 0), new TrainingObserver() {
            @Override public void onStep(StepMetrics m) { steps.add(m); }
            @Override public void onEvaluation(Evaluation e) { evals.add(e); }
        });
        assertEquals(100, end.step());
        assertEquals(10, steps.size(), "a record every 10 steps");
        assertEquals(List.of(50L, 100L), evals.stream().map(Evaluation::step).toList());
        Evaluation last = evals.get(1);
        // The blobs' centres are ±0.75 with standard deviation 0.5: the Bayes classifier (x₀ > 0)
        // errs with probability Φ(−1.5) ≈ 6.7%. Its test accuracy on 200 points has standard
        // deviation √(0.933·0.067/200) ≈ 1.8%, so 0.85 is more than 4 of those below the Bayes
        // rate, while the majority-class baseline is 50%.
        assertEquals(0.5, last.baseline().value(), 1e-12);
        assertTrue(last.metric("accuracy") >= 0.85, last.summary());
        assertTrue(last.beatsBaseline());
        // A constant prediction on balanced labels costs ln 2 ≈ 0.69 nats; the Bayes posterior
        // (log-odds 6·x₀ here) about 0.17. Half of ln 2, averaged over the last three batches of
        // 20 to tame batch noise, separates "learned" from "not learned".
        double lastLosses = (steps.get(7).loss() + steps.get(8).loss() + steps.get(9).loss()) / 3;
        assertTrue(lastLosses < 0.5 * Math.log(2), "training loss " + steps.get(0).loss() + " → " + lastLosses);
        assertTrue(steps.stream().allMatch(m -> m.clipScale() > 0 && m.clipScale() <= 1 && m.gradientNorm() > 0));
        assertEquals(Schedules.linearWarmup(3, 0, Schedules.cosineDecay(0.05, 100, 0.1)).valueAt(9), steps.get(0).learningRate(), 0.0,
                "the rate reported for step 10 is the schedule's at update count t = 9");
        assertBitIdentical("the model holds the final parameters", end.parameters(), model.parameters());
    }

    /** Every optimiser a run can use, built fresh for each trainer. */
    private static Map<String, Supplier<TrainingOptimizer>> optimisers() {
        Schedule constant = Schedules.constant(0.05);
        return Map.of(
                "adam+clip+schedule", () -> adamClipped(12),
                "momentum", () -> new TrainingOptimizer.FirstOrder("momentum", Optimizers.momentum(0.9, 0.05), constant, OptionalDouble.empty()),
                "ema-sgd", () -> new TrainingOptimizer.FirstOrder("ema-sgd", Optimizers.emaSgd(0.9, 0.5, true), Schedules.constant(0.5),
                        OptionalDouble.empty()),
                "rmsprop", () -> new TrainingOptimizer.FirstOrder("rmsprop", Optimizers.rmsprop(0.01, 0.99, 1e-8, 0.5, true),
                        Schedules.constant(0.01), OptionalDouble.empty()),
                "adamw", () -> new TrainingOptimizer.FirstOrder("adamw", Optimizers.adamw(0.01), Schedules.constant(0.01), OptionalDouble.empty()),
                "curvature-step", () -> new TrainingOptimizer.SecondOrder("curvature-step", CurvatureStep.withFallbackStep(0.5)),
                "newton", () -> new TrainingOptimizer.SecondOrder("newton", Newton.withDefaults().withDamping(1e-3, 1e-8)),
                "hessian-free", () -> new TrainingOptimizer.SecondOrder("hessian-free", HessianFree.withDefaults()),
                "lbfgs", () -> new TrainingOptimizer.SecondOrder("lbfgs", Lbfgs.withDefaults().withMemory(3)));
    }

    /** A crash: the observer throws after the step-8 checkpoint was handed out. */
    private static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void resumingFromACheckpointIsBitIdenticalForEveryFirstOrderOptimiser() {
        checkResumption(false);
    }

    @Test
    void resumingFromACheckpointIsBitIdenticalForEverySecondOrderOptimiser() {
        checkResumption(true);
    }

    private void checkResumption(boolean secondOrder) {
        Dataset data = TestModels.wave(40, 5);
        for (Map.Entry<String, Supplier<TrainingOptimizer>> e : optimisers().entrySet()) {
            if ((e.getValue().get() instanceof TrainingOptimizer.SecondOrder) != secondOrder) continue;
            String name = e.getKey();
            Supplier<Trainer> fresh = () -> new Trainer(TestModels.mlp(2, 6, 1, true, 7, DType.F64), Objective.MEAN_SQUARED_ERROR,
                    e.getValue().get(), new Batcher(data, 16, 8), evaluator(data, data, DType.F64), List.of());
            TrainingConfig config = new TrainingConfig(12, 1, 0, 4);

            Trainer reference = fresh.get();
            TrainingState uninterrupted = reference.run(reference.initialState(), config, SILENT);

            List<TrainingState> checkpoints = new ArrayList<>();
            Trainer crashing = fresh.get();
            assertThrows(Crash.class, () -> crashing.run(crashing.initialState(), config, new TrainingObserver() {
                @Override public void onCheckpoint(TrainingState s) {
                    checkpoints.add(s);
                    if (s.step() == 8) throw new Crash();
                }
            }), name);
            assertEquals(List.of(4L, 8L), checkpoints.stream().map(TrainingState::step).toList(), name);

            for (TrainingState saved : checkpoints) {
                // Through the codec, as a checkpoint file stores it: optimiser state as tensors.
                Trainer resumed = fresh.get();
                Object template = resumed.initialState().optimizerState();
                Object restored = OptimizerStateCodec.decode(template, OptimizerStateCodec.encode(saved.optimizerState()), saved.parameters());
                TrainingState from = new TrainingState(saved.step(), saved.parameters(), saved.buffers(), restored, saved.cursor());
                TrainingState end = resumed.run(from, config, SILENT);
                assertBitIdentical(name + " from step " + saved.step(), uninterrupted.parameters(), end.parameters());
                assertBitIdentical(name + " buffers", uninterrupted.buffers(), end.buffers());
                assertBitIdentical(name + " optimiser state", OptimizerStateCodec.encode(uninterrupted.optimizerState()),
                        OptimizerStateCodec.encode(end.optimizerState()));
                assertEquals(uninterrupted.cursor(), end.cursor(), name);
            }
        }
    }

    static void assertBitIdentical(String what, Params expected, Params actual) {
        assertEquals(expected.names(), actual.names(), what);
        for (String n : expected.names()) {
            Tensor a = expected.get(n), b = actual.get(n);
            assertEquals(a.shape(), b.shape(), what + " " + n);
            assertEquals(a.dtype(), b.dtype(), what + " " + n);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(Double.doubleToRawLongBits(a.getFlat(i)), Double.doubleToRawLongBits(b.getFlat(i)),
                        what + " " + n + "[" + i + "]: " + a.getFlat(i) + " vs " + b.getFlat(i));
            }
        }
    }

    @Test
    void resumingASyntheticTaskStreamIsBitIdenticalInFloat32() {
        AddingTask task = new AddingTask(6);
        Dataset test = task.generate(50, new Rng(1));
        Supplier<Trainer> fresh = () -> new Trainer(new TestModels.RnnRegressor(2, 8, 1, 2, DType.F32), Objective.MEAN_SQUARED_ERROR,
                adamClipped(10), task.stream(8, 3), new Evaluator(test, DType.F32, task.trivialBaseline(), 16), List.of());
        TrainingConfig config = new TrainingConfig(10, 5, 5, 5);
        Trainer a = fresh.get();
        TrainingState end = a.run(a.initialState(), config, SILENT);
        List<TrainingState> saved = new ArrayList<>();
        Trainer b = fresh.get();
        b.run(b.initialState(), new TrainingConfig(10, 5, 0, 5), new TrainingObserver() {
            @Override public void onCheckpoint(TrainingState s) { saved.add(s); }
        });
        Trainer c = fresh.get();
        TrainingState resumed = c.run(saved.get(0), config, SILENT);
        assertBitIdentical("adding task resumed at step 5", end.parameters(), resumed.parameters());
        assertEquals(DType.F32, resumed.parameters().get("rnn.W").dtype());
    }

    @Test
    void secondOrderMethodsDescendOnAFullBatch() {
        Dataset data = TestModels.wave(48, 11);
        for (Map.Entry<String, Supplier<TrainingOptimizer>> e : optimisers().entrySet()) {
            if (!(e.getValue().get() instanceof TrainingOptimizer.SecondOrder)) continue;
            Sequential model = TestModels.mlp(2, 6, 1, false, 13, DType.F64);
            Trainer t = new Trainer(model, Objective.MEAN_SQUARED_ERROR, e.getValue().get(), new Batcher(data, 48, 1, false, false),
                    evaluator(data, data, DType.F64), List.of());
            List<StepMetrics> steps = new ArrayList<>();
            t.run(t.initialState(), new TrainingConfig(15, 1, 0, 0), new TrainingObserver() {
                @Override public void onStep(StepMetrics m) { steps.add(m); }
            });
            // Full batch, so every method's loss is deterministic; each enforces sufficient decrease
            // (Armijo or Wolfe) or rejects the step, so the loss can never rise, and 15 steps of any
            // of them on this smooth 25-parameter problem at least halve it.
            for (int i = 1; i < steps.size(); i++) {
                assertTrue(steps.get(i).loss() <= steps.get(i - 1).loss() + 1e-15, e.getKey() + " step " + (i + 1));
            }
            assertTrue(steps.get(14).loss() < 0.5 * steps.get(0).loss(), e.getKey() + ": " + steps.get(0).loss() + " → " + steps.get(14).loss());
            assertTrue(Double.isNaN(steps.get(0).learningRate()));
            assertTrue(!steps.get(0).details().isEmpty(), e.getKey() + " reports its step: " + steps.get(0).details());
        }
    }

    @Test
    void listenersSeeEveryStepWithItsLossFunctionRateAndClipping() {
        Dataset data = TestModels.blobs(40, 3);
        List<StepContext> seen = new ArrayList<>();
        TestModels.BufferPassCounter counter = new TestModels.BufferPassCounter();
        Sequential model = new Sequential(counter, TestModels.mlp(2, 4, 2, true, 1, DType.F64));
        Trainer t = new Trainer(model, Objective.SOFTMAX_CROSS_ENTROPY, adamClipped(6), new Batcher(data, 10, 2),
                evaluator(data, data, DType.F64), List.of(seen::add));
        t.run(t.initialState(), new TrainingConfig(6, 3, 0, 0), SILENT);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seen.stream().map(StepContext::step).toList());
        assertEquals(6, counter.passes, "buffers updated exactly once per step");
        for (StepContext c : seen) {
            assertTrue(c.lossFunction().isPresent() && c.clip().isPresent());
            double recomputed = c.lossFunction().get().apply(dev.descent.autodiff.VarParams.constants(c.paramsBefore())).value().item();
            assertEquals(c.loss(), recomputed, 1e-12, "the loss function is the step's loss");
            assertBitIdentical("after = before + updates", c.paramsAfter(), dev.descent.optim.Updates.apply(c.paramsBefore(), c.updates()));
        }
        assertEquals(6, counter.passes, "never by the listeners' loss function");
        assertTrue(seen.get(0).learningRate().isEmpty(), "η(0) = 0 during warm-up is not a learning rate to report");
        assertTrue(seen.get(1).learningRate().isPresent());
    }

    @Test
    void aNonFiniteLossStopsTheRunNamingTheStep() {
        Dataset data = TestModels.wave(20, 1);
        Trainer t = new Trainer(TestModels.mlp(2, 4, 1, false, 1, DType.F64), Objective.MEAN_SQUARED_ERROR,
                new TrainingOptimizer.FirstOrder("sgd", Optimizers.sgd(1e200), Schedules.constant(1e200), OptionalDouble.empty()),
                new Batcher(data, 10, 1), evaluator(data, data, DType.F64), List.of());
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> t.run(t.initialState(), new TrainingConfig(20, 1, 0, 0), SILENT));
        assertTrue(e.getMessage().startsWith("training diverged at step " + e.step() + ": the loss is "), e.getMessage());
        assertTrue(e.step() >= 2 && e.step() <= 20, "step " + e.step());
    }

    @Test
    void aStateAtTheEndIsReturnedUnchanged() {
        Dataset data = TestModels.wave(20, 1);
        Trainer t = new Trainer(TestModels.mlp(2, 4, 1, false, 1, DType.F64), Objective.MEAN_SQUARED_ERROR, adamClipped(5),
                new Batcher(data, 10, 1), evaluator(data, data, DType.F64), List.of());
        TrainingState end = t.run(t.initialState(), new TrainingConfig(5, 1, 0, 0), SILENT);
        assertEquals(5, end.step());
        assertEquals(end, t.run(end, new TrainingConfig(5, 1, 0, 0), SILENT));
    }
}
