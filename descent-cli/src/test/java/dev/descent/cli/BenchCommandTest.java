package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code descent bench}: option validation as one-line usage errors, and a tiny real run with the peer skipped. */
class BenchCommandTest {
    @Test
    void badOptionsAreUsageErrors() {
        Cli.run("bench", "mlp", "--norm", "layer").assertOneLineError(2, "'--norm'", "unknown norm 'layer'", "none, weight or batch");
        Cli.run("bench", "mlp", "--epochs", "0").assertOneLineError(2, "'--epochs'", "'0'");
        Cli.run("bench", "rnn-adding", "--steps", "-1").assertOneLineError(2, "'--steps'");
        Cli.run("bench", "rnn-adding", "--warmup-steps", "x").assertOneLineError(2, "'--warmup-steps'", "integer >= 0");
        Cli.run("bench", "rnn-adding", "--jit-warmup", "-2").assertOneLineError(2, "'--jit-warmup'", "seconds >= 0");
        Cli.run("bench", "rnn-adding", "--child-jvm-options", "-Xmx64m sneaky").assertOneLineError(2, "'--child-jvm-options'", "'sneaky'");
        Cli.run("bench", "lstm").assertOneLineError(2, "unknown workload 'lstm'");
    }

    @Test
    void theMlpNeedsItsDataset() {
        Cli.run("bench", "mlp", "--data-dir", "/nonexistent/fashion").assertOneLineError(1, "Fashion-MNIST not found at /nonexistent/fashion");
    }

    @Test
    void anRnnAddingRunWithoutAPeerPrintsJsonLinesATableAndASummary() {
        Cli.Run r = Cli.run("bench", "rnn-adding", "--steps", "1", "--warmup-steps", "0", "--jit-warmup", "0", "--rounds", "1", "--peer",
                "--peer-dir", "/nonexistent/peer", "--child-jvm-options", "-Xmx128m -XX:+UseSerialGC");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("skipping the peer: peer suite not found"), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("{\"record\": \"measurement\", \"workload\": \"rnn-adding\"")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("descent  fused-rnn-scan")), r.out());
        String last = r.out().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("{\"summary\": \"rnn-adding\"") && last.contains("\"peer\": false") && last.contains("\"ratios\": {}"), last);
        r.assertNoStackTrace();
    }
}
