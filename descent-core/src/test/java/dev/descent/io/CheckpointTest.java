package dev.descent.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints of a model with buffers, optimiser state and run metadata. */
class CheckpointTest {
    @TempDir
    Path dir;

    static Sequential model(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(3, 4, rng, DType.F32), new BatchNorm(4, DType.F32), new Tanh(), new Linear(4, 2, rng, DType.F32));
    }

    static void assertParamsBitEqual(Params expected, Params actual) {
        assertEquals(expected.names(), actual.names());
        assertParamsBitEqualIgnoringOrder(expected, actual);
    }

    static void assertParamsBitEqualIgnoringOrder(Params expected, Params actual) {
        assertEquals(Set.copyOf(expected.names()), Set.copyOf(actual.names()));
        for (String n : expected.names()) SafeTensorsTest.assertBitEqual(expected.get(n), actual.get(n), n);
    }

    @Test
    void roundTripRestoresTheModelAndEverythingElse() throws IOException {
        Sequential m = model(1);
        Rng rng = new Rng(2);
        for (int k = 0; k < 3; k++) {
            m.applyUpdatingBuffers(VarParams.constants(m.parameters()), Var.constant(rng.normal(DType.F32, 1, 2, 8, 3)));
        }
        LinkedHashMap<String, Tensor> opt = new LinkedHashMap<>();
        opt.put("adam.mu.layers.0.weight", rng.normal(DType.F32, 0, 1, 4, 3));
        opt.put("adam.count", Tensor.scalar(17));
        opt.put("adam.empty", Tensor.zeros(DType.F64, 0, 5));
        Checkpoint.RunInfo run = new Checkpoint.RunInfo(1234, -99, "{\"lr\":0.001,\"model\":\"mlp\"}", Map.of("host", "ci"));
        Checkpoint c = new Checkpoint(m.parameters(), m.buffers(), Params.of(opt), run);
        Path f = dir.resolve("step-1234.safetensors");
        c.write(f);

        Checkpoint back = Checkpoint.read(f);
        assertParamsBitEqual(m.parameters(), back.parameters());
        assertParamsBitEqual(m.buffers(), back.buffers());
        assertParamsBitEqual(Params.of(opt), back.optimizerState());
        assertEquals(run, back.run());

        Sequential fresh = model(77);
        fresh.setParameters(back.parameters());
        fresh.setBuffers(back.buffers());
        m.eval();
        fresh.eval();
        Tensor x = rng.normal(DType.F32, 0, 1, 5, 3);
        assertEquals(0, fresh.forward(x).maxAbsDiff(m.forward(x)));

        SafeTensors.Contents raw = SafeTensors.read(f);
        assertTrue(raw.tensors().containsKey("param/layers.0.weight"));
        assertTrue(raw.tensors().containsKey("buffer/layers.1.running_var"));
        assertTrue(raw.tensors().containsKey("optim/adam.count"));
        assertEquals("1234", raw.metadata().get("descent.step"));
        assertEquals(Checkpoint.FORMAT, raw.metadata().get("descent.format"));
    }

    @Test
    void filesThatAreNotDescentCheckpointsAreRejected() throws IOException {
        Path f = dir.resolve("other.safetensors");
        SafeTensors.write(f, Map.of("param/w", Tensor.scalar(1)), Map.of());
        assertTrue(assertThrows(MalformedCheckpointException.class, () -> Checkpoint.read(f)).getMessage()
                .contains("metadata descent.format is missing"));
        Map<String, String> meta = new LinkedHashMap<>(Map.of("descent.format", Checkpoint.FORMAT, "descent.step", "x1",
                "descent.seed", "0", "descent.configuration", "{}"));
        SafeTensors.write(f, Map.of("param/w", Tensor.scalar(1)), meta);
        assertTrue(assertThrows(MalformedCheckpointException.class, () -> Checkpoint.read(f)).getMessage()
                .contains("descent.step is 'x1', not a decimal integer"));
        meta.put("descent.step", "3");
        SafeTensors.write(f, Map.of("weights/w", Tensor.scalar(1)), meta);
        assertTrue(assertThrows(MalformedCheckpointException.class, () -> Checkpoint.read(f)).getMessage()
                .contains("tensor 'weights/w' has none of the prefixes"));
        meta.put("descent.configuration", "{bad");
        SafeTensors.write(f, Map.of("param/w", Tensor.scalar(1)), meta);
        assertTrue(assertThrows(MalformedCheckpointException.class, () -> Checkpoint.read(f)).getMessage()
                .contains("configuration is not valid JSON"));
    }

    @Test
    void runInfoIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.RunInfo.of(-1, 0, "{}"));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.RunInfo.of(0, 0, "{'a':1}"));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint.RunInfo(0, 0, "{}", Map.of("descent.step", "1")));
        Sequential one = model(1);
        Checkpoint c = new Checkpoint(one.parameters(), one.buffers(), Params.empty(), Checkpoint.RunInfo.of(0, 0, "{}"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Sequential(new Linear(3, 4,
                new Rng(1), DType.F32)).setParameters(c.parameters()));
        assertTrue(e.getMessage().contains("setParameters: names differ"), e.getMessage());
    }
}
