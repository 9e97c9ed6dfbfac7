package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code descent train} (beyond the flag and data errors of {@link MainTest} and
 * {@link DataErrorsTest}): one line naming the problem, exit 2 for usage errors and 1 for
 * failures, no stack trace, no claim of success, and nothing written.
 */
class TrainErrorsTest {
    @TempDir
    Path dir;

    private Cli.Run train(String... args) {
        String[] all = TrainCommandTest.with(new String[] {"train", "--out", dir.resolve("run").toString()}, args);
        return Cli.run(all);
    }

    private Path csv() throws IOException {
        return Files.writeString(dir.resolve("d.csv"), "a,b,y\n" + "0,0,0\n1,1,1\n0.2,0.1,0\n0.9,0.8,1\n0.1,0.3,0\n0.7,0.9,1\n".repeat(4));
    }

    @Test
    void optionsThatDoNotFitTheModelOrDataAreUsageErrors() throws IOException {
        train("--data", "adding:10", "--model", "mlp").assertOneLineError(2, "--model mlp needs fixed-size samples", "adding task");
        train("--data", "csv:" + csv(), "--model", "rnn").assertOneLineError(2, "--model rnn needs sequence data");
        train("--data", "adding:10", "--epochs", "2").assertOneLineError(2, "--epochs needs a fixed dataset", "give --steps");
        train("--epochs", "2").assertOneLineError(2, "--epochs needs a fixed dataset");
        train("--data", "adding:5", "--hidden", "8,8").assertOneLineError(2, "--model rnn takes one hidden size, got [8, 8]");
        train("--model", "lstm", "--form", "pre").assertOneLineError(2, "--form applies to --model rnn only");
        train("--model", "lstm", "--activation", "relu").assertOneLineError(2, "--activation does not apply to --model lstm");
        train("--init", "xavier").assertOneLineError(2, "--init: unknown initialiser 'xavier'", "orthogonal[:GAIN]");
        train("--init", "orthogonal:x").assertOneLineError(2, "--init: 'x' in 'orthogonal:x' is not a number");
        train("--form", "sideways").assertOneLineError(2, "'--form'", "unknown RNN form 'sideways'");
        train("--data", "csv:" + csv(), "--form", "pre").assertOneLineError(2, "--form applies to --model rnn only");
        assertFalse(Files.exists(dir.resolve("run")), "nothing is written for a usage error");
    }

    @Test
    void optimiserOptionsAreCheckedAgainstTheOptimiser() {
        train("--momentum", "0.9").assertOneLineError(2, "--momentum does not apply to --optimizer adam",
                "(it applies to sgd, momentum, nesterov, rmsprop)");
        train("--optimizer", "lbfgs", "--lr", "0.1").assertOneLineError(2, "--lr does not apply to --optimizer lbfgs");
        train("--optimizer", "newton", "--clip", "1").assertOneLineError(2, "--clip does not apply to --optimizer newton");
        train("--optimizer", "bfgs").assertOneLineError(2, "unknown optimiser 'bfgs'", "lbfgs");
        train("--schedule", "linear").assertOneLineError(2, "unknown schedule 'linear'", "constant, step, cosine, warmup");
        train("--schedule", "cosine", "--decay-every", "5").assertOneLineError(2, "--decay-every and --decay-factor apply to --schedule step only");
        train("--steps", "10", "--warmup-steps", "10").assertOneLineError(2, "--warmup-steps 10 leaves no steps of the 10");
        train("--decay-factor", "1.5").assertOneLineError(2, "'--decay-factor'", "(0, 1]");
        train("--optimizer", "hessian-free", "--damping", "0").assertOneLineError(2, "--damping must be > 0 for hessian-free");
        // The default RNN has 4,353 parameters: exact Newton stops at 4,096.
        train("--optimizer", "newton").assertOneLineError(2, "--optimizer newton: the model has 4353 parameters, more than the 4096",
                "hessian-free");
        train("--diagnostics", "flow").assertOneLineError(2, "unknown diagnostic 'flow'", "gradient-flow");
        train("--diagnostics", "weight-norm").assertOneLineError(2, "--diagnostics weight-norm needs a weight-normalised model");
        train("--diagnostics", "clipping", "--clip", "1", "--optimizer", "sgd", "--data", "adding:4", "--steps", "1", "--schedule", "step",
                "--final-lr-fraction", "0.5").assertOneLineError(2, "--final-lr-fraction applies to --schedule cosine only");
        train("--every", "5").assertOneLineError(2, "--every needs --diagnostics");
        assertFalse(Files.exists(dir.resolve("run")));
    }

    @Test
    void badResumesAreOneLineErrors() throws IOException {
        Cli.run("train", "--resume", dir.resolve("nowhere").toString()).assertOneLineError(1, "nowhere: no such checkpoint file or run directory");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Cli.run("train", "--resume", empty.toString()).assertOneLineError(1, empty + ": no checkpoint");
        Path garbage = Files.write(dir.resolve("x.safetensors"), new byte[] {1, 2, 3});
        Cli.run("train", "--resume", garbage.toString()).assertOneLineError(1, "x.safetensors");
        Cli.run("train", "--resume", garbage.toString(), "--config", garbage.toString()).assertOneLineError(2, "give --config or --resume, not both");

        Path run = dir.resolve("small");
        TrainCommandTest.ok(Cli.run("train", "--data", "adding:4", "--hidden", "12", "--steps", "2", "--batch-size", "4", "--out", run.toString()));
        Path checkpoint = new RunDirectory(run).checkpoint(2);
        // A resumed run keeps its configuration: a changed model, dtype or optimiser is refused
        // before the checkpoint is even restored, naming the option, both values and the checkpoint.
        Cli.run("train", "--resume", run.toString(), "--hidden", "32")
                .assertOneLineError(1, "a resumed run keeps its configuration, but --hidden [32] (the run has [12])", checkpoint.toString());
        Cli.run("train", "--resume", checkpoint.toString(), "--model", "lstm")
                .assertOneLineError(1, "--model \"lstm\" (the run has \"rnn\")");
        Cli.run("train", "--resume", checkpoint.toString(), "--dtype", "float64")
                .assertOneLineError(1, "--dtype \"float64\" (the run has \"float32\")");
        Cli.run("train", "--resume", checkpoint.toString(), "--optimizer", "sgd", "--lr", "0.1")
                .assertOneLineError(1, "--optimizer \"sgd\" (the run has \"adam\")");
        assertEquals(List.of(0L, 1L, 2L), List.copyOf(RunDirectory.checkpointsIn(run.resolve("checkpoints")).keySet()), "no checkpoint was written");
    }

    @Test
    void divergenceStopsTheRunWithOneLineAndKeepsTheCheckpoints() throws IOException {
        Cli.Run r = train("--data", "csv:" + csv(), "--optimizer", "sgd", "--lr", "1e30", "--steps", "50", "--checkpoint-every", "1");
        assertEquals(1, r.exitCode(), r.err());
        r.assertNoStackTrace();
        List<String> lines = r.err().lines().toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("descent: training diverged at step ") && last.contains("the last checkpoint is "), r.err());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("descent: ")).count(), "one error line: " + r.err());
        assertTrue(r.out().isEmpty(), "no result printed: " + r.out());
    }
}
