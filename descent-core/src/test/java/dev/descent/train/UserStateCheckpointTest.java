package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.data.Batcher;
import dev.descent.data.Dataset;
import dev.descent.io.Checkpoint;
import dev.descent.nn.Sequential;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedules;
import dev.descent.optim.Update;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transformation written outside the library checkpoints and resumes bit for bit: its state is a
 * plain record (with a nested record, a tree, a tensor, counts and scalars) that the codec walks
 * without knowing its type.
 */
class UserStateCheckpointTest {
    /** Nested statistics: a scalar and an int count. */
    record Peaks(double largestNorm, int growths) {}

    /** The user's state: every kind of leaf the codec knows, and a nested record. */
    record PeakState(long count, Params peak, Tensor lastNorm, Peaks peaks) {}

    /**
     * Scales each gradient entry by the largest magnitude it has had so far, |g| / max_t |g_t|
     * (a sign-like, per-coordinate normalisation), keeping the running maxima as state.
     */
    record ScaleByPeak(double floor) implements GradientTransformation<PeakState> {
        @Override
        public PeakState init(Params params) {
            return new PeakState(0, params.map(t -> Tensor.zerosLike(t).add(floor)), Tensor.scalar(DType.F64, 0), new Peaks(0, 0));
        }

        @Override
        public Update<PeakState> update(Params grads, PeakState state, Params params) {
            Params peak = state.peak().zip(grads, (p, g) -> p.maximum(g.abs()));
            double norm = grads.norm();
            Peaks peaks = norm > state.peaks().largestNorm()
                    ? new Peaks(norm, state.peaks().growths() + 1) : state.peaks();
            return new Update<>(grads.zip(peak, Tensor::div),
                    new PeakState(state.count() + 1, peak, Tensor.scalar(DType.F64, norm), peaks));
        }
    }

    private static final TrainingObserver SILENT = new TrainingObserver() {};

    private static Evaluator evaluator(Dataset data) {
        return new Evaluator(data, DType.F32, Baselines.of(data, data), Evaluator.DEFAULT_CHUNK);
    }

    private static TrainingOptimizer optimizer() {
        return new TrainingOptimizer.FirstOrder("peak", Optimizers.chain(new ScaleByPeak(1e-3), Optimizers.scaleByLearningRate(0.02)),
                Schedules.constant(0.02), OptionalDouble.empty());
    }

    @Test
    void aUserTransformationResumesBitForBitFromACheckpointFile(@TempDir Path dir) throws Exception {
        Dataset data = TestModels.wave(40, 5);
        Supplier<Sequential> model = () -> TestModels.mlp(2, 6, 1, false, 7, DType.F32);
        TrainingConfig config = new TrainingConfig(12, 1, 0, 4);

        Sequential referenceModel = model.get();
        Trainer reference = new Trainer(referenceModel, Objective.MEAN_SQUARED_ERROR, optimizer(), new Batcher(data, 16, 8),
                evaluator(data), List.of());
        TrainingState uninterrupted = reference.run(reference.initialState(), config, SILENT);

        List<Path> files = new ArrayList<>();
        Sequential writingModel = model.get();
        Trainer writing = new Trainer(writingModel, Objective.MEAN_SQUARED_ERROR, optimizer(), new Batcher(data, 16, 8), evaluator(data), List.of());
        writing.run(writing.initialState(), config, new TrainingObserver() {
            @Override public void onCheckpoint(TrainingState s) {
                if (s.step() == config.steps()) return;
                try {
                    Path f = dir.resolve("step-" + s.step() + ".safetensors");
                    TrainingCheckpoints.write(f, writingModel, s, 7, "{}");
                    files.add(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        assertEquals(2, files.size());

        for (Path f : files) {
            Checkpoint read = Checkpoint.read(f);
            assertTrue(read.optimizerState().get("0.peaks.growths").item() >= 1, "the nested record is stored");
            Sequential resumedModel = model.get();
            TrainingOptimizer opt = optimizer();
            TrainingState from = TrainingCheckpoints.restore(read, f.toString(), resumedModel, opt);
            Trainer resumed = new Trainer(resumedModel, Objective.MEAN_SQUARED_ERROR, opt, new Batcher(data, 16, 8), evaluator(data), List.of());
            TrainingState end = resumed.run(from, config, SILENT);
            TrainerTest.assertBitIdentical(f.getFileName() + " parameters", uninterrupted.parameters(), end.parameters());
            TrainerTest.assertBitIdentical(f.getFileName() + " optimiser state", OptimizerStateCodec.encode(uninterrupted.optimizerState()),
                    OptimizerStateCodec.encode(end.optimizerState()));
        }
        assertEquals(List.of("0.count", "0.peak/layers.0.weight", "0.peak/layers.0.bias",
                "0.peak/layers.2.weight", "0.peak/layers.2.bias", "0.lastNorm",
                "0.peaks.largestNorm", "0.peaks.growths"), OptimizerStateCodec.encode(uninterrupted.optimizerState()).names());
        assertEquals(12.0, OptimizerStateCodec.encode(uninterrupted.optimizerState()).get("0.count").item(), 0.0);
    }

    /** A record component the codec cannot store is named. */
    record Unstorable(String label) {}

    @Test
    void anUnstorableComponentIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerStateCodec.encode(new PeakState(1, Params.empty(), Tensor.scalar(DType.F64, 0), null)));
        assertEquals("optimiser state: cannot store a null in a checkpoint (a state is a record, an enum constant or a StateTree)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OptimizerStateCodec.encode(new Unstorable("x")));
        assertEquals("optimiser state: cannot store a java.lang.String in a checkpoint (a state is a record, an enum constant or a StateTree)",
                e.getMessage());
    }
}
