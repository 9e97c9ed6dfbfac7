package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The global error policy: usage errors exit 2, failures exit 1, one line, no stack trace. */
class MainTest {
    @Test
    void helpOnEveryCommandAndVersion() {
        for (String cmd : new String[] {"", "verify", "train", "diagnose", "bench"}) {
            Cli.Run r = cmd.isEmpty() ? Cli.run("--help") : Cli.run(cmd, "--help");
            assertEquals(0, r.exitCode(), cmd);
            assertTrue(r.out().startsWith("Usage: descent" + (cmd.isEmpty() ? "" : " " + cmd)), r.out());
            assertEquals("", r.err());
        }
        Cli.Run v = Cli.run("--version");
        assertEquals(0, v.exitCode());
        assertTrue(v.out().startsWith("descent "), v.out());
        assertTrue(v.out().contains("Java "), v.out());
        assertTrue(Cli.run("train", "--help").out().contains("temporal-order:T"), "--help documents the --data syntax");
    }

    /** train's help shows each fixed default of the run specification, filled in by picocli from the spec's constants. */
    @Test
    void trainHelpShowsTheSpecDefaults() {
        String help = Cli.run("train", "--help").out().replaceAll("\\s+", " ");
        assertFalse(help.contains("${"), "an unfilled placeholder in: " + help);
        int shown = 0;
        for (dev.descent.train.TrainingSpec.Option o : dev.descent.train.TrainingSpec.OPTIONS) {
            if (o.defaultText() == null) continue;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<!\\[)--" + o.name() + "=\\S+ (.*?)(?= --|$)").matcher(help);
            assertTrue(m.find(), o.name());
            assertTrue(m.group(1).matches(".*\\(.*default:? " + java.util.regex.Pattern.quote(o.defaultText()) + "\\)\\..*"),
                    "--" + o.name() + ": " + m.group(1));
            shown++;
        }
        assertTrue(shown >= 10, "fixed defaults shown: " + shown);
        assertTrue(help.contains("Minibatch size (>= 1; default " + dev.descent.train.TrainingSpec.DEFAULT_BATCH_SIZE + ")."), help);
    }

    @Test
    void helpTextsFormatWithoutPicocliWarningsAndSummariesAreWholeSentences() {
        // picocli reports a description it cannot format (e.g. a bare '%') on System.err, not on the command's writer.
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        String top;
        try {
            for (String cmd : new String[] {"verify", "train", "diagnose", "bench"}) assertEquals(0, Cli.run(cmd, "--help").exitCode(), cmd);
            top = Cli.run("--help").out();
        } finally {
            System.setErr(saved);
        }
        assertEquals("", captured.toString(java.nio.charset.StandardCharsets.UTF_8));
        String trainLine = top.lines().filter(l -> l.strip().startsWith("train ")).findFirst().orElseThrow();
        assertTrue(trainLine.strip().endsWith("."), "the command list shows a whole first sentence: " + trainLine);
    }

    @Test
    void missingCommandAndUnknownFlagsAreUsageErrors() {
        Cli.run().assertOneLineError(2, "missing command", "verify, train, diagnose, bench");
        Cli.run("--bogus").assertOneLineError(2, "Unknown option: '--bogus'");
        Cli.run("train", "--bogus", "3").assertOneLineError(2, "'--bogus'", "descent train --help");
        Cli.run("frobnicate").assertOneLineError(2, "frobnicate");
    }

    @Test
    void badNumbersNameTheOptionAndTheValue() {
        Cli.run("train", "--lr", "-0.1").assertOneLineError(2, "'--lr'", "'-0.1'", "> 0");
        Cli.run("train", "--lr", "0").assertOneLineError(2, "'--lr'", "'0'");
        Cli.run("train", "--lr", "fast").assertOneLineError(2, "'--lr'", "'fast' is not a finite number");
        Cli.run("train", "--batch-size", "0").assertOneLineError(2, "'--batch-size'", "'0'", ">= 1");
        Cli.run("train", "--hidden", "128,0").assertOneLineError(2, "'--hidden'", "'0'", ">= 1");
        Cli.run("train", "--momentum", "1.5").assertOneLineError(2, "'--momentum'", "'1.5'", "[0, 1)");
        Cli.run("train", "--steps", "-5").assertOneLineError(2, "'--steps'", "'-5'");
        Cli.run("train", "--test-fraction", "1").assertOneLineError(2, "'--test-fraction'", "(0, 1)");
        Cli.run("train", "--model", "cnn").assertOneLineError(2, "'--model'", "'cnn'");
        Cli.run("train", "--norm", "layer").assertOneLineError(2, "'--norm'", "unknown normalisation 'layer'", "weight-mean-only");
        Cli.run("train", "--dtype", "float16").assertOneLineError(2, "'--dtype'", "unknown dtype 'float16'");
        Cli.run("train", "--model", "LSTM", "--norm", "Weight-Mean-Only", "--dtype", "f64")
                .assertOneLineError(2, "--norm applies to --model mlp only");
        Cli.run("train", "--steps", "5", "--epochs", "2").assertOneLineError(2, "--steps or --epochs");
        Cli.run("verify", "--seed", "x").assertOneLineError(2, "'--seed'", "'x'");
        Cli.run("bench", "hvp", "--rounds", "0").assertOneLineError(2, "'--rounds'");
        Cli.run("bench", "rnn_adding").assertOneLineError(2, "unknown workload 'rnn_adding'", "rnn-adding");
    }

    @Test
    void badDataSpecificationsAreUsageErrors() {
        Cli.run("train", "--data", "mnist").assertOneLineError(2, "unknown data source 'mnist'", "csv:FILE");
        Cli.run("train", "--data", "adding:1").assertOneLineError(2, "T must be >= 2, got 1");
        Cli.run("train", "--data", "copy:x").assertOneLineError(2, "'x'", "not an integer");
        Cli.run("train", "--data", "temporal-order").assertOneLineError(2, "needs a sequence length");
        Cli.run("train", "--data", "csv:a.csv,labl=3").assertOneLineError(2, "unknown csv option 'labl=3'");
    }

    @Test
    void placeholdersFailHonestlyAfterValidatingTheirInputs() {
        Cli.run("bench").assertOneLineError(2, "WORKLOAD");
        Cli.run("diagnose").assertOneLineError(2, "Missing required option", "--checkpoint");
        Cli.run("diagnose", "--checkpoint", "/nonexistent/run.safetensors")
                .assertOneLineError(1, "/nonexistent/run.safetensors: no such checkpoint file");
    }

    @Test
    void debugPrintsTheStackTrace() {
        Cli.Run r = Cli.run("train", "--debug", "--data", "csv:/nonexistent/x.csv");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("descent: /nonexistent/x.csv: no such file\n"), r.err());
        assertTrue(r.err().contains("\tat dev.descent.data.CsvReader.read"), r.err());
    }

    @Test
    void runWrapsEverythingIntoAnExitCode() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"train", "--lr=-1"}, new PrintWriter(out), new PrintWriter(err)));
        assertTrue(err.toString().startsWith("descent: Invalid value for option '--lr'"), err.toString());
    }

    @Test
    void internalErrorsAreOneLineWithAHint() {
        assertEquals("internal error: IllegalStateException: broken (rerun with --debug for the stack trace)",
                Errors.describe(new IllegalStateException("broken\nsecond line")));
        assertEquals("x.csv: no such file or directory", Errors.describe(new java.nio.file.NoSuchFileException("x.csv")));
        assertEquals("d: permission denied", Errors.describe(new java.nio.file.AccessDeniedException("d")));
    }
}
