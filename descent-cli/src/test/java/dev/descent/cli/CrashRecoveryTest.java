package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills training at random points, 21 times, and shows that each run, continued the way a user
 * would (with {@code --resume DIR} if the directory holds a run, else by running the same command
 * again), ends bit-identical to an uninterrupted run: parameters, optimiser state, batch cursor
 * and the training records of {@code metrics.jsonl}. A third of the kills come before the first
 * checkpoint (as soon as {@code config.json} exists), a third inside a checkpoint write (when a
 * temporary checkpoint file appears), a third by SIGKILL from outside after a random delay.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    static final int TRIALS = 21;
    static final String[] RUN = {"train", "--data", "adding:6", "--hidden", "96", "--batch-size", "8", "--steps", "24",
        "--checkpoint-every", "3", "--eval-every", "12", "--clip", "1", "--schedule", "cosine"};

    @Test
    void runsKilledAnywhereContinueToTheUninterruptedResult() throws Exception {
        Path reference = dir.resolve("reference");
        TrainCommandTest.ok(Cli.run(TrainCommandTest.with(RUN, "--out", reference.toString())));
        Checkpoint expected = Checkpoint.read(new RunDirectory(reference).checkpoint(24));
        Random random = new Random(20261207);
        int killed = 0, tmpLeft = 0, beforeFirstCheckpoint = 0;
        List<String> log = new ArrayList<>();
        for (int t = 0; t < TRIALS; t++) {
            Path out = dir.resolve("trial-" + t);
            String[] cli = TrainCommandTest.with(RUN, "--out", out.toString());
            List<String> harness = new ArrayList<>();
            long killAfterMs = -1;
            switch (t % 3) {
                case 0 -> harness.addAll(List.of("config", out.toString()));
                case 1 -> harness.addAll(List.of("tmp", out.toString(), Integer.toString(random.nextInt(9))));
                default -> {
                    harness.add("none");
                    killAfterMs = 200 + random.nextInt(2500);
                }
            }
            int code = runHarness(harness, cli, killAfterMs);
            boolean wasKilled = code == 137 || code == 9 + 128;
            if (wasKilled) killed++;
            if (wasKilled && RunDirectory.checkpointsIn(out.resolve("checkpoints")).isEmpty()) beforeFirstCheckpoint++;
            if (hasTemporary(out.resolve("checkpoints"))) tmpLeft++;
            log.add("trial " + t + ": exit " + code + ", checkpoints " + RunDirectory.checkpointsIn(out.resolve("checkpoints")).keySet());

            // Continue as a user would.
            Cli.Run r = Files.exists(out.resolve("config.json")) ? Cli.run("train", "--resume", out.toString()) : Cli.run(cli);
            assertEquals(0, r.exitCode(), "trial " + t + " continues: " + r.err() + "\n" + String.join("\n", log));
            r.assertNoStackTrace();
            assertTrue(!hasTemporary(out.resolve("checkpoints")) && !hasTemporary(out), "trial " + t + ": temporaries swept");
            Checkpoint got = Checkpoint.read(new RunDirectory(out).checkpoint(24));
            TrainCommandTest.assertBitIdentical("trial " + t + " parameters", expected.parameters(), got.parameters());
            TrainCommandTest.assertBitIdentical("trial " + t + " optimiser state", expected.optimizerState(), got.optimizerState());
            assertEquals(expected.run().extra(), got.run().extra(), "trial " + t + ": the same cursor");
            assertEquals(TrainCommandTest.records(reference, "train"), TrainCommandTest.records(out, "train"), "trial " + t + ": metrics");
            assertTrue(Files.isRegularFile(out.resolve("index.html")), "trial " + t + ": the report exists");
        }
        // The kills by the harness itself are certain: every "config" trial is killed before any checkpoint.
        assertTrue(killed >= TRIALS / 3, "at least the " + TRIALS / 3 + " config-trial kills happened: " + killed + "\n" + String.join("\n", log));
        assertTrue(beforeFirstCheckpoint >= TRIALS / 3, "kills before the first checkpoint: " + beforeFirstCheckpoint);
        System.out.println("CrashRecoveryTest: " + killed + " of " + TRIALS + " runs killed, " + beforeFirstCheckpoint
                + " before the first checkpoint, " + tmpLeft + " left a temporary checkpoint file");
    }

    private static boolean hasTemporary(Path d) throws IOException {
        if (!Files.isDirectory(d)) return false;
        try (var s = Files.list(d)) {
            return s.anyMatch(dev.descent.io.AtomicFiles::isTemporary);
        }
    }

    private int runHarness(List<String> harness, String[] cli, long killAfterMs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), CrashHarness.class.getName()));
        cmd.addAll(harness);
        cmd.add("--");
        cmd.addAll(List.of(cli));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (killAfterMs >= 0 && !p.waitFor(killAfterMs, TimeUnit.MILLISECONDS)) p.destroyForcibly(); // SIGKILL on Unix
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the training process did not finish in 120 s");
        }
        return p.exitValue();
    }
}
