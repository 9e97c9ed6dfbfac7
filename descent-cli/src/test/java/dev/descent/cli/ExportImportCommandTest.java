package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Checkpoint;
import dev.descent.io.SafeTensors;
import dev.descent.io.SafeTensors.Dtype;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent export --to torch} and {@code descent import --from torch} on a trained run, and their errors. */
class ExportImportCommandTest {
    @TempDir
    Path dir;

    Path trainedRun() throws IOException {
        Path csv = Files.writeString(dir.resolve("xor.csv"), "a,b,y\n"
                + "0,0,0\n0,1,1\n1,0,1\n1,1,0\n0.1,0.9,1\n0.9,0.1,1\n0.9,0.9,0\n0.1,0.1,0\n".repeat(3));
        Path run = dir.resolve("bn");
        TrainCommandTest.ok(Cli.run("train", "--data", "csv:" + csv, "--hidden", "6", "--norm", "batch", "--optimizer", "sgd", "--lr", "0.1",
                "--steps", "10", "--out", run.toString()));
        return run;
    }

    @Test
    void exportWritesTheTorchStateDictAndImportReadsItBack() throws IOException {
        Path run = trainedRun();
        Cli.Run r = TrainCommandTest.ok(Cli.run("export", "--to", "torch", run.toString()));
        Path file = run.resolve("torch-step-00000010.safetensors");
        assertTrue(r.out().contains(file.toString()), r.out());
        SafeTensors.Contents sd = SafeTensors.read(file);
        Checkpoint ck = Checkpoint.read(new RunDirectory(run).checkpoint(10));
        assertEquals(Dtype.I64, sd.dtypes().get("layers.1.num_batches_tracked"));
        assertEquals(10L, sd.integers().get("layers.1.num_batches_tracked").values()[0], "one running-statistics update per step");
        assertEquals(0, ck.parameters().get("layers.0.weight").maxAbsDiff(sd.tensors().get("layers.0.weight")));
        assertEquals(0, ck.buffers().get("layers.1.running_var").maxAbsDiff(sd.tensors().get("layers.1.running_var")));
        TrainCommandTest.ok(Cli.run("export", "--to", "torch", "--plain-sequential", "--out", dir.resolve("plain.safetensors").toString(),
                run.toString()));
        assertTrue(SafeTensors.read(dir.resolve("plain.safetensors")).dtypes().containsKey("0.weight"));

        // The state dict, changed, imported into the run: a new checkpoint with those weights and the run's step.
        LinkedHashMap<String, Tensor> changed = new LinkedHashMap<>(sd.tensors());
        changed.put("layers.0.bias", sd.tensors().get("layers.0.bias").add(1));
        Path torchFile = dir.resolve("from-torch.safetensors");
        SafeTensors.write(torchFile, new SafeTensors.Contents(changed, sd.integers(), Map.of(), Map.of()));
        r = TrainCommandTest.ok(Cli.run("import", "--from", "torch", torchFile.toString(), "--into", run.toString()));
        Path imported = run.resolve("imported-step-00000010.safetensors");
        assertTrue(r.out().contains(imported.toString()), r.out());
        Checkpoint back = Checkpoint.read(imported);
        assertEquals(10, back.run().step());
        assertEquals("from-torch.safetensors", back.run().extra().get("import.torch"));
        assertEquals(0, back.parameters().get("layers.0.bias").maxAbsDiff(ck.parameters().get("layers.0.bias").add(1)));
        assertEquals(0, back.parameters().get("layers.3.weight").maxAbsDiff(ck.parameters().get("layers.3.weight")));
        // The imported checkpoint is a checkpoint of the run: training resumes from it.
        TrainCommandTest.ok(Cli.run("train", "--resume", imported.toString(), "--steps", "12", "--out", dir.resolve("resumed").toString()));
    }

    @Test
    void errorsAreOneLineAndWriteNothing() throws IOException {
        Path run = trainedRun();
        Cli.run("export", "--to", "onnx", run.toString()).assertOneLineError(2, "unknown format 'onnx'");
        Cli.run("export", "--to", "torch", dir.resolve("nowhere").toString()).assertOneLineError(1, "nowhere");

        SafeTensors.Contents sd = TorchExport.of(run);
        LinkedHashMap<String, Tensor> missing = new LinkedHashMap<>(sd.tensors());
        missing.remove("layers.0.bias");
        Path bad = dir.resolve("bad.safetensors");
        SafeTensors.write(bad, new SafeTensors.Contents(missing, sd.integers(), Map.of(), Map.of()));
        Cli.run("import", "--from", "torch", bad.toString(), "--into", run.toString()).assertOneLineError(1, "bad.safetensors",
                "missing [layers.0.bias]");
        assertFalse(Files.exists(run.resolve("imported-step-00000010.safetensors")), "nothing written");

        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, sd);
        Path target = Files.writeString(dir.resolve("taken.safetensors"), "keep me");
        Cli.run("import", "--from", "torch", good.toString(), "--into", run.toString(), "--out", target.toString())
                .assertOneLineError(1, "exists");
        assertEquals("keep me", Files.readString(target));
        Cli.run("import", "--from", "torch", dir.resolve("absent.safetensors").toString(), "--into", run.toString())
                .assertOneLineError(1, "absent.safetensors");
    }

    /**
     * With torch present: the export of a trained rnn and lstm run loads into the PyTorch twin the
     * export command documents (rnn/lstm + readout), which computes Descent's outputs to 1e-6 in
     * float32 (a few float32 ulps of sums over 10 steps of 8 units).
     */
    @Test
    void exportedSequenceRunsRunInPytorch() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(python), "skipped: /usr/bin/python3 is not installed");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import torch").redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.waitFor() == 0, "skipped: /usr/bin/python3 cannot import torch");
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.exists(here.resolve("scripts/torch_state_dict_interop.py"))) here = here.getParent();
        org.junit.jupiter.api.Assumptions.assumeTrue(here != null, "skipped: scripts/torch_state_dict_interop.py not found");
        StringBuilder cases = new StringBuilder("[");
        java.util.List<Object[]> checks = new java.util.ArrayList<>();
        for (String kind : new String[] {"rnn", "lstm"}) {
            Path run = dir.resolve(kind);
            TrainCommandTest.ok(Cli.run("train", "--data", "adding:10", "--model", kind, "--hidden", "8", "--batch-size", "16", "--steps", "5",
                    "--out", run.toString()));
            TrainCommandTest.ok(Cli.run("export", "--to", "torch", "--out", dir.resolve(kind + ".pt.safetensors").toString(), run.toString()));
            RunModel m = RunModel.load(run);
            Tensor x = new dev.descent.tensor.Rng(3).normal(m.model().parameters().get("readout.weight").dtype(), 0, 1, 10, 4, 2);
            SafeTensors.write(dir.resolve(kind + ".x.safetensors"), Map.of("x", x), Map.of());
            if (cases.length() > 1) cases.append(',');
            cases.append(String.format("{\"arch\":\"seq_%s\",\"sizes\":[2,8,1],\"state\":\"%s\",\"input\":\"%s\",\"output\":\"%s\"}", kind,
                    dir.resolve(kind + ".pt.safetensors"), dir.resolve(kind + ".x.safetensors"), dir.resolve(kind + ".y.safetensors")));
            checks.add(new Object[] {kind, m.model().eval().forward(x)});
        }
        Path spec = Files.writeString(dir.resolve("cases.json"), cases.append(']').toString());
        Process p = new ProcessBuilder(python.toString(), here.resolve("scripts/torch_state_dict_interop.py").toString(), "descent-to-torch",
                spec.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        for (Object[] c : checks) {
            Tensor torchY = SafeTensors.read(dir.resolve(c[0] + ".y.safetensors")).tensors().get("y");
            double diff = ((Tensor) c[1]).maxAbsDiff(torchY);
            assertTrue(diff <= 1e-6, c[0] + ": max |Descent − PyTorch| = " + diff);
        }
    }

    /** The state dict the export command writes for {@code run}. */
    static final class TorchExport {
        static SafeTensors.Contents of(Path run) throws IOException {
            Path f = run.resolve("export-for-test.safetensors");
            TrainCommandTest.ok(Cli.run("export", "--to", "torch", "--out", f.toString(), run.toString()));
            return SafeTensors.read(f);
        }
    }
}
