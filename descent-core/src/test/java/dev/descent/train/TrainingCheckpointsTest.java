package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.data.Batcher;
import dev.descent.data.Cursor;
import dev.descent.data.Dataset;
import dev.descent.io.Checkpoint;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedules;
import dev.descent.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training states through checkpoint files: everything needed to resume, and mismatches named. */
class TrainingCheckpointsTest {
    @TempDir
    Path dir;

    private static TrainingOptimizer adam() {
        return new TrainingOptimizer.FirstOrder("adam", Optimizers.chain(Optimizers.clipByGlobalNorm(0.5), Optimizers.adam(0.02)),
                Schedules.constant(0.02), OptionalDouble.of(0.5));
    }

    private static Trainer trainer(Sequential model, Dataset data) {
        return new Trainer(model, Objective.MEAN_SQUARED_ERROR, adam(), new Batcher(data, 7, 3),
                new Evaluator(data, DType.F32, Baselines.of(data, data), 64), List.of());
    }

    @Test
    void aRunResumedFromItsCheckpointFileContinuesBitForBit() throws IOException {
        Dataset data = TestModels.wave(30, 2);
        Supplier<Sequential> model = () -> TestModels.mlp(2, 5, 1, true, 9, DType.F32);
        TrainingConfig config = new TrainingConfig(14, 1, 0, 5);

        Trainer reference = trainer(model.get(), data);
        TrainingState uninterrupted = reference.run(reference.initialState(), config, new TrainingObserver() {});

        Sequential first = model.get();
        Trainer a = trainer(first, data);
        Path file = dir.resolve("step-5.safetensors");
        a.run(a.initialState(), new TrainingConfig(14, 1, 0, 5), new TrainingObserver() {
            @Override public void onCheckpoint(TrainingState s) {
                if (s.step() != 5) return;
                try {
                    TrainingCheckpoints.write(file, first, s, 42, "{\"model\": \"mlp\"}");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });

        Checkpoint c = Checkpoint.read(file);
        assertEquals(5, c.run().step());
        assertEquals(42, c.run().seed());
        assertEquals("{\"model\": \"mlp\"}", c.run().configuration());
        // 30 samples in batches of 7: five steps are one epoch (5 batches, the last of 2) and none of the next.
        assertEquals("1", c.run().extra().get(TrainingCheckpoints.CURSOR_EPOCH));
        assertEquals("0", c.run().extra().get(TrainingCheckpoints.CURSOR_POSITION));
        assertTrue(c.buffers().contains("layers.1.running_mean") && c.optimizerState().contains("1.0.firstMoment/layers.0.weight"),
                c.buffers() + " " + c.optimizerState());

        Sequential fresh = model.get();
        Trainer b = trainer(fresh, data);
        TrainingState from = TrainingCheckpoints.restore(c, file.toString(), fresh, adam());
        assertEquals(new Cursor(1, 0), from.cursor());
        TrainingState end = b.run(from, config, new TrainingObserver() {});
        TrainerTest.assertBitIdentical("resumed from the file", uninterrupted.parameters(), end.parameters());
        TrainerTest.assertBitIdentical("buffers", uninterrupted.buffers(), end.buffers());
    }

    @Test
    void aCheckpointOfAnotherModelOrOptimiserIsRejectedByName() throws IOException {
        Dataset data = TestModels.wave(10, 2);
        Sequential small = TestModels.mlp(2, 5, 1, false, 1, DType.F32);
        Trainer t = trainer(small, data);
        Path file = dir.resolve("small.safetensors");
        TrainingCheckpoints.write(file, small, t.initialState(), 1, "{}");
        Checkpoint c = Checkpoint.read(file);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCheckpoints.restore(c, "small.safetensors", TestModels.mlp(2, 8, 1, false, 1, DType.F32), adam()));
        assertEquals("small.safetensors does not fit the model: parameter 'layers.0.weight' is float32[5, 2] in the checkpoint"
                + " but float32[8, 2] in the model", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCheckpoints.restore(c, "small.safetensors", TestModels.mlp(2, 5, 1, true, 1, DType.F32), adam()));
        assertTrue(e.getMessage().contains("'layers.3.weight'") || e.getMessage().contains("no parameter 'layers.1.weight'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCheckpoints.restore(c, "small.safetensors", TestModels.mlp(2, 5, 1, false, 1, DType.F64), adam()));
        assertTrue(e.getMessage().contains("float32[5, 2] in the checkpoint but float64[5, 2] in the model"), e.getMessage());
        TrainingOptimizer momentum = new TrainingOptimizer.FirstOrder("momentum", Optimizers.momentum(0.9, 0.1), Schedules.constant(0.1),
                OptionalDouble.empty());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCheckpoints.restore(c, "small.safetensors", TestModels.mlp(2, 5, 1, false, 1, DType.F32), momentum));
        assertTrue(e.getMessage().startsWith("small.safetensors does not fit the momentum optimiser: optimiser state: the checkpoint has no entry"),
                e.getMessage());
    }
}
