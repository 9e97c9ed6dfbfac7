package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void aTinyScalingSweepWritesItsJsonLinesPlotsAndPage(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("scaling");
        Cli.Run r = Cli.run("bench", "scaling", "--quick", "--sizes", "4,8", "--peer", "--peer-dir", "/nonexistent/peer", "--out",
                dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("skipping the peer: peer suite not found"), r.err());
        for (String c : new String[] {"mlp-width", "rnn-length", "rnn-hidden", "hvp-params"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("{\"record\": \"result\", \"workload\": \"scaling\"")
                    && l.contains("\"curve\": \"" + c + "\"")), c + ": " + r.out());
            byte[] png = Files.readAllBytes(dir.resolve(c + ".png"));
            assertTrue(png.length > 8 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', c);
        }
        String page = Files.readString(dir.resolve("index.html"));
        assertTrue(page.contains("mlp-width.png") && page.contains("hvp-params.png"), page);
        long jsonl = Files.readAllLines(dir.resolve("results.jsonl")).stream().filter(l -> l.startsWith("{")).count();
        assertEquals(2 + 2 + 2 + 4, jsonl, "one line per point, two per hvp point");
        r.assertNoStackTrace();
    }

    @Test
    void aBadCurveIsAUsageError() {
        Cli.run("bench", "scaling", "--curve", "lstm").assertOneLineError(2, "'--curve'", "unknown curve 'lstm'");
    }

    @Test
    void aQuickHfStepPrintsItsResultLine() {
        Cli.Run r = Cli.run("bench", "hf-step", "--quick", "--hf-steps", "1");
        assertEquals(0, r.exitCode(), r.err());
        String line = r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElse("");
        assertTrue(line.startsWith("{\"record\": \"result\", \"workload\": \"hf-step\", \"impl\": \"descent\""), r.out());
        assertTrue(line.contains("\"T\": 200") && line.contains("\"curvature-batch\": \"20\"") && line.contains("\"repeats\": 1"), line);
        r.assertNoStackTrace();
    }
}
