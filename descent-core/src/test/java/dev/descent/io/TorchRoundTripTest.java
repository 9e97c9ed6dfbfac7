package dev.descent.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Rnn;
import dev.descent.nn.Sequential;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java side of {@code scripts/torch_checkpoint_roundtrip.py}: a checkpoint written here is
 * loaded by PyTorch, compared bit for bit there, written back by PyTorch and compared bit for bit
 * here; PyTorch's {@code nn.RNN} loaded from the checkpoint reproduces Descent's Elman layer.
 * Skipped, with a message, where Debian's {@code /usr/bin/python3} cannot import torch.
 */
class TorchRoundTripTest {
    static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    static Path script;

    @BeforeAll
    static void requireTorch() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), "skipped: " + PYTHON + " is not installed");
        Result r = run(List.of(PYTHON, "-c", "import torch"), 120);
        Assumptions.assumeTrue(r.code == 0, "skipped: " + PYTHON + " -c \"import torch\" failed (apt-get install python3-torch): "
                + r.output.strip());
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.exists(here.resolve("scripts/torch_checkpoint_roundtrip.py"))) here = here.getParent();
        Assumptions.assumeTrue(here != null, "skipped: scripts/torch_checkpoint_roundtrip.py not found above the working directory");
        script = here.resolve("scripts/torch_checkpoint_roundtrip.py");
    }

    record Result(int code, String output) {}

    static Result run(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out after " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void checkpointRoundTripsThroughPyTorchBitForBit() throws Exception {
        Rng rng = new Rng(3);
        Rnn rnn = new Rnn(Rnn.Config.of(2, 5), rng, DType.F64);
        Sequential model = new Sequential(rnn, new Linear(5, 3, rng, DType.F64), new BatchNorm(3, DType.F64));
        Tensor x = rng.normal(DType.F64, 0, 1, 9, 4, 2);
        model.applyUpdatingBuffers(VarParams.constants(model.parameters()), Var.constant(x));
        LinkedHashMap<String, Tensor> opt = new LinkedHashMap<>();
        opt.put("adam.mu.layers.1.weight", rng.normal(DType.F32, 0, 1, 3, 5));
        opt.put("adam.count", Tensor.scalar(DType.F64, 12));
        opt.put("adam.empty", Tensor.zeros(DType.F32, 2, 0));
        Checkpoint c = new Checkpoint(model.parameters(), model.buffers(), Params.of(opt),
                new Checkpoint.RunInfo(12, 3, "{\"hidden\":5}", Map.of("note", "ünïcødé")));
        Path in = dir.resolve("descent.safetensors"), out = dir.resolve("torch.safetensors");
        Path input = dir.resolve("input.safetensors"), result = dir.resolve("states.safetensors");
        c.write(in);
        SafeTensors.write(input, Map.of("x", x), Map.of());

        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(), in.toString(), out.toString(),
                "--rnn-check", "layers.0", input.toString(), result.toString()));
        Result r = run(cmd, 300);
        assertEquals(0, r.code, r.output);
        assertTrue(r.output.startsWith("ok: 12 tensors"), r.output);

        Checkpoint back = Checkpoint.read(out);
        CheckpointTest.assertParamsBitEqualIgnoringOrder(c.parameters(), back.parameters());
        CheckpointTest.assertParamsBitEqualIgnoringOrder(c.buffers(), back.buffers());
        CheckpointTest.assertParamsBitEqualIgnoringOrder(c.optimizerState(), back.optimizerState());
        assertEquals(c.run().step(), back.run().step());
        assertEquals(c.run().configuration(), back.run().configuration());
        assertEquals("ünïcødé", back.run().extra().get("note"));
        assertTrue(back.run().extra().containsKey("torch.version"));

        // PyTorch's nn.RNN with weight_hh_l0 = W, weight_ih_l0 = U, bias_ih_l0 = b, bias_hh_l0 = 0
        // computes the same states; float64 GEMMs in a different summation order over 9 steps of
        // 5-term sums differ by a few ulps.
        Tensor torchStates = SafeTensors.read(result).tensors().get("states");
        Tensor ours = rnn.forward(x);
        assertTrue(ours.maxAbsDiff(torchStates) <= 1e-13, "max difference " + ours.maxAbsDiff(torchStates));
    }
}
