package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent diagnose} on checkpoints written by {@code descent train}. */
class DiagnoseCommandTest {
    @TempDir
    Path dir;

    @Test
    void diagnosesAnRnnCheckpointPrintingEveryDiagnosticAndWritingPlots() throws IOException {
        Path run = dir.resolve("rnn");
        TrainCommandTest.ok(Cli.run("train", "--data", "adding:10", "--hidden", "8", "--batch-size", "16", "--steps", "20",
                "--init", "orthogonal:0.9", "--out", run.toString()));
        Path checkpoint = new RunDirectory(run).checkpoint(20);
        Path out = dir.resolve("diagnosis");
        Cli.Run r = TrainCommandTest.ok(Cli.run("diagnose", "--checkpoint", checkpoint.toString(), "--out", out.toString()));
        String text = r.out();
        assertTrue(text.startsWith("checkpoint: " + checkpoint + " (step 20, seed 0)"), text);
        assertTrue(text.contains("model: rnn (tanh, activation form, init orthogonal:0.9), hidden 8"), text);
        assertTrue(text.contains("test mse ") && text.contains("trivial baseline mse 0.1667"), text);
        assertTrue(text.contains("gradient norms: global ") && text.contains("  rnn ") && text.contains("  readout "), text);
        assertTrue(text.contains("curvature along the gradient: gᵀHg = "), text);
        assertTrue(text.contains("largest Hessian eigenvalues (Lanczos, "), text);
        assertTrue(text.contains("gradient flow through time (sequence 0 of the batch, T = 10)"), text);

        // The printed table: every measured norm within its bound (γ = 1 for tanh), as
        // submultiplicativity guarantees: ‖∂g_T/∂g_t‖ ≤ Π‖diag σ'‖‖W‖ ≤ (γ‖W‖)^(T−t), up to rounding.
        Matcher m = Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)$").matcher(text);
        int rows = 0;
        while (m.find()) {
            double norm = Double.parseDouble(m.group(2)), product = Double.parseDouble(m.group(3)), crude = Double.parseDouble(m.group(4));
            // Printed with 6 significant digits: compare with a relative slack of 1e-5.
            assertTrue(norm <= product * (1 + 1e-5) && product <= crude * (1 + 1e-5), m.group());
            rows++;
        }
        assertEquals(4, rows, "spans 1, 2, 5 and 10 = T: " + text);
        for (String f : new String[] {"index.html", "gradient-flow.png", "hessian-eigenvalues.png", "gradient-norms-by-layer.png",
            "history-loss.png", "history-mse.png"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " in " + out);
        }
        assertTrue(text.contains("plots: " + out), text);

        // Choosing diagnostics, and what does not apply.
        Cli.Run only = TrainCommandTest.ok(Cli.run("diagnose", "--checkpoint", checkpoint.toString(), "--diagnostics", "hessian-trace",
                "--out", dir.resolve("only").toString()));
        assertTrue(only.out().contains("Hessian trace (Hutchinson, 10 probes): ") && !only.out().contains("gradient flow"), only.out());
        Cli.run("diagnose", "--checkpoint", checkpoint.toString(), "--diagnostics", "weight-norm")
                .assertOneLineError(1, "weight-norm needs a weight-normalised model");
        Cli.run("diagnose", "--checkpoint", checkpoint.toString(), "--diagnostics", "flow").assertOneLineError(2, "unknown diagnostic 'flow'");
    }

    @Test
    void diagnosesAWeightNormalisedMlpWithItsDefaultDirectory() throws IOException {
        Path csv = Files.writeString(dir.resolve("xor.csv"), "a,b,y\n"
                + "0,0,0\n0,1,1\n1,0,1\n1,1,0\n0.1,0.9,1\n0.9,0.1,1\n0.9,0.9,0\n0.1,0.1,0\n".repeat(3));
        Path run = dir.resolve("wn");
        TrainCommandTest.ok(Cli.run("train", "--data", "csv:" + csv, "--hidden", "6", "--norm", "weight", "--optimizer", "sgd", "--lr", "0.1",
                "--steps", "10", "--out", run.toString()));
        Cli.Run r = TrainCommandTest.ok(Cli.run("diagnose", "--checkpoint", new RunDirectory(run).checkpoint(10).toString()));
        String text = r.out();
        assertTrue(text.contains("test accuracy "), text);
        assertTrue(text.contains("weight norm (for a plain gradient step of η = 0.1):"), text);
        // SPEC §4.2: the weight-norm gradient is orthogonal to u, so the step's cosine with u is 0
        // up to rounding (float32 parameters: a few units of 1e-7 relative).
        Matcher m = Pattern.compile("max \\|cos\\(Δu, u\\)\\| (\\S+)").matcher(text);
        int layers = 0;
        while (m.find()) {
            assertTrue(Double.parseDouble(m.group(1)) < 1e-4, m.group());
            layers++;
        }
        assertEquals(2, layers, "both Linear layers are weight-normalised: " + text);
        Path out = run.resolve("diagnose-step-10");
        assertTrue(Files.isRegularFile(out.resolve("index.html")) && Files.isRegularFile(out.resolve("weight-norm-layers.0.png")), "default directory");
        assertTrue(text.toLowerCase(Locale.ROOT).contains("ε* = ") || text.contains("no ε*"), text);
    }

    @Test
    void badCheckpointsAreOneLineErrors() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.safetensors"), "not a checkpoint");
        Cli.run("diagnose", "--checkpoint", garbage.toString()).assertOneLineError(1, "garbage.safetensors");
        Cli.run("diagnose", "--checkpoint", dir.resolve("none.safetensors").toString()).assertOneLineError(1, "no such checkpoint file");
    }
}
