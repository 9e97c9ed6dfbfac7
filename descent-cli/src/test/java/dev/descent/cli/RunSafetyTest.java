package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Checkpoint;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost: {@code train} never writes into another run or over a user's own files, a resume
 * that fails changes nothing, a resumed run keeps its configuration, and a run killed at any
 * moment (before its first checkpoint, inside a checkpoint write) can be continued.
 */
class RunSafetyTest {
    @TempDir
    Path dir;

    private static final String[] SMALL = {"train", "--data", "adding:4", "--hidden", "6", "--batch-size", "4", "--steps", "6",
        "--checkpoint-every", "2"};

    private Path run(String name, String... extra) {
        Path p = dir.resolve(name);
        TrainCommandTest.ok(Cli.run(TrainCommandTest.with(TrainCommandTest.with(SMALL, extra), "--out", p.toString())));
        return p;
    }

    private Path csv() throws IOException {
        StringBuilder sb = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 40; i++) sb.append(i % 7 * 0.1).append(',').append(i % 5 * 0.2).append(',').append(i % 2).append('\n');
        return Files.writeString(dir.resolve("d.csv"), sb.toString());
    }

    @Test
    void resumingIntoAnotherExistingRunIsRefusedAndLeavesItIntact() throws IOException {
        Path a = run("a"), b = run("b", "--seed", "3");
        Snapshot before = Snapshot.of(a);
        Cli.run("train", "--resume", new RunDirectory(b).checkpoint(4).toString(), "--out", a.toString())
                .assertOneLineError(1, a + ": already holds a run");
        before.assertUnchanged("--resume B's checkpoint --out A");
    }

    @Test
    void aCheckpointOutsideARunNeedsOutAndNeverWritesBesideIt() throws IOException {
        Path a = run("a");
        Path downloads = Files.createDirectories(dir.resolve("downloads"));
        Files.writeString(downloads.resolve("index.html"), "<p>my page</p>");
        Files.write(downloads.resolve("loss.png"), new byte[] {1, 2, 3});
        Path copy = Files.copy(new RunDirectory(a).checkpoint(4), downloads.resolve("step-00000004.safetensors"));
        Snapshot before = Snapshot.of(downloads);
        Cli.run("train", "--resume", copy.toString()).assertOneLineError(1, copy + ": not inside a run directory's checkpoints/ folder",
                "give --out DIR");
        Cli.run("train", "--resume", downloads.toString()).assertOneLineError(1, "not inside a run directory's checkpoints/ folder");
        Cli.run("train", "--resume", copy.toString(), "--out", downloads.toString()).assertOneLineError(1, downloads + ": exists and holds 3 files");
        before.assertUnchanged("resume of a downloaded checkpoint");

        // With --out, it continues as a new run, bit for bit the original's continuation.
        Path c = dir.resolve("c");
        Cli.Run r = TrainCommandTest.ok(Cli.run("train", "--resume", copy.toString(), "--out", c.toString()));
        assertTrue(r.err().contains("continuing in a new run directory from " + copy + " at step 4"), r.err());
        before.assertUnchanged("after the continued run");
        TrainCommandTest.assertBitIdentical("continued elsewhere", params(a, 6), params(c, 6));
    }

    @Test
    void aNewRunIsNeverWrittenIntoADirectoryHoldingOtherFiles() throws IOException {
        Path mine = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(mine.resolve("index.html"), "<p>my album</p>");
        Files.write(mine.resolve("loss.png"), new byte[] {9});
        Snapshot before = Snapshot.of(mine);
        Cli.run(TrainCommandTest.with(SMALL, "--out", mine.toString())).assertOneLineError(1, mine + ": exists and holds 2 files",
                "index.html, loss.png", "choose a new or empty directory");
        before.assertUnchanged("--out on a directory of the user's files");
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        Cli.run(TrainCommandTest.with(SMALL, "--out", file.toString())).assertOneLineError(1, file + ": exists and is not a directory");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        TrainCommandTest.ok(Cli.run(TrainCommandTest.with(SMALL, "--out", empty.toString())));
    }

    @Test
    void aResumedRunKeepsItsConfigurationAndAFailedResumeChangesNothing() throws IOException {
        Path csv = csv();
        Path a = dir.resolve("a");
        TrainCommandTest.ok(Cli.run("train", "--data", "csv:" + csv, "--batch-size", "8", "--hidden", "4", "--epochs", "3",
                "--checkpoint-every", "3", "--out", a.toString()));
        Path cp = new RunDirectory(a).checkpoint(9);
        Snapshot before = Snapshot.of(a);
        Map<String, String> changed = new LinkedHashMap<>();
        changed.put("--batch-size", "7");
        changed.put("--lr", "0.5");
        changed.put("--seed", "5");
        changed.put("--schedule", "cosine");
        changed.put("--checkpoint-every", "2");
        changed.put("--data", "csv:" + csv + ",header");
        for (Map.Entry<String, String> e : changed.entrySet()) {
            Cli.run("train", "--resume", cp.toString(), e.getKey(), e.getValue())
                    .assertOneLineError(1, "a resumed run keeps its configuration, but " + e.getKey() + " ", "differs from " + cp);
            before.assertUnchanged("resume with " + e.getKey() + " " + e.getValue());
        }
        // A checkpoint whose cursor lies beyond the data fails before anything is written.
        Checkpoint c = Checkpoint.read(cp);
        Map<String, String> extra = new LinkedHashMap<>(c.run().extra());
        extra.put("train.cursor.position", "1000000");
        Path bad = new RunDirectory(a).checkpoint(10);
        new Checkpoint(c.parameters(), c.buffers(), c.optimizerState(), new Checkpoint.RunInfo(10, c.run().seed(), c.run().configuration(), extra))
                .write(bad);
        Snapshot withBad = Snapshot.of(a);
        Cli.Run r = Cli.run("train", "--resume", bad.toString(), "--steps", "20");
        r.assertOneLineError(1, bad.toString());
        withBad.assertUnchanged("a resume whose cursor cannot be positioned");
    }

    @Test
    void resumingAFinishedRunSaysSoAndChangesNothing() throws IOException {
        Path a = run("a");
        Snapshot before = Snapshot.of(a);
        Cli.Run r = TrainCommandTest.ok(Cli.run("train", "--resume", a.toString()));
        assertTrue(r.out().contains(a + ": the run already finished at step 6 of 6; nothing to train, no file changed"), r.out());
        assertEquals(1, r.out().lines().count(), r.out());
        before.assertUnchanged("resume of a finished run");
        Cli.run("train", "--resume", a.toString(), "--steps", "3").assertOneLineError(2, "--steps 3 is before the checkpoint's step 6");
        before.assertUnchanged("resume with fewer steps");
    }

    @Test
    void aRunKilledBeforeItsFirstCheckpointRestartsFromItsConfiguration() throws IOException {
        Path a = run("a");
        assertTrue(RunDirectory.checkpointsIn(a.resolve("checkpoints")).containsKey(6L));
        // What a kill right after the start leaves: config.json, perhaps a few metrics lines, no checkpoint.
        Path b = dir.resolve("b");
        Files.createDirectories(b.resolve("checkpoints"));
        Files.copy(a.resolve("config.json"), b.resolve("config.json"));
        Files.writeString(b.resolve("metrics.jsonl"), Files.readAllLines(a.resolve("metrics.jsonl")).get(0) + "\n{\"kind\":\"tr");
        // Re-running it is refused with advice that now works.
        Cli.run(TrainCommandTest.with(SMALL, "--out", b.toString())).assertOneLineError(1, b + ": already holds a run; continue it with --resume " + b);
        Cli.Run r = TrainCommandTest.ok(Cli.run("train", "--resume", b.toString()));
        assertTrue(r.err().contains("resuming from " + b.resolve("config.json") + " at step 0"), r.err());
        TrainCommandTest.assertBitIdentical("restarted from step 0", params(a, 6), params(b, 6));
        assertEquals(TrainCommandTest.records(a, "train"), TrainCommandTest.records(b, "train"), "the metrics read as one run");
    }

    @Test
    void everyRunCheckpointsItsStartAtOnce() throws IOException {
        Path a = dir.resolve("a");
        TrainCommandTest.ok(Cli.run("train", "--data", "adding:4", "--hidden", "6", "--batch-size", "4", "--steps", "2", "--out", a.toString()));
        assertEquals(List.of(0L, 1L, 2L), List.copyOf(RunDirectory.checkpointsIn(a.resolve("checkpoints")).keySet()));
        assertEquals(0, Checkpoint.read(new RunDirectory(a).checkpoint(0)).run().step());
    }

    @Test
    void temporaryFilesOfAKilledWriteAreSweptWhenTheRunIsOpened() throws IOException {
        Path a = run("a");
        Path orphan = Files.write(a.resolve("checkpoints").resolve(".step-00000008.safetensors.3fa9c0d2e1b47a55.tmp"), new byte[4096]);
        Path orphan2 = Files.writeString(a.resolve(".config.json.7f3a.tmp"), "{");
        Path userFile = Files.writeString(a.resolve("notes.tmp"), "mine");
        TrainCommandTest.ok(Cli.run("train", "--resume", a.toString(), "--steps", "8"));
        assertFalse(Files.exists(orphan), "the orphaned checkpoint temporary is removed");
        assertFalse(Files.exists(orphan2), "the orphaned config temporary is removed");
        assertTrue(Files.exists(userFile), "a file not named like a temporary stays");
        assertTrue(Files.isRegularFile(new RunDirectory(a).checkpoint(8)));
    }

    @Test
    void aCheckpointWithNonFiniteValuesIsRefused() throws IOException {
        Path a = run("a");
        Path cp = new RunDirectory(a).checkpoint(4);
        Checkpoint c = Checkpoint.read(cp);
        Map<String, Tensor> ps = new LinkedHashMap<>(c.parameters().asMap());
        String name = ps.keySet().iterator().next();
        float[] v = ps.get(name).toFloatArray();
        v[1] = Float.NaN;
        ps.put(name, Tensor.wrap(v, ps.get(name).dims()));
        new Checkpoint(Params.of(ps), c.buffers(), c.optimizerState(), c.run()).write(cp);
        Snapshot before = Snapshot.of(a);
        Cli.run("train", "--resume", cp.toString(), "--steps", "8").assertOneLineError(1, cp + ": parameter '" + name + "' holds NaN at index 1");
        before.assertUnchanged("a NaN checkpoint");
    }

    @Test
    void divergenceNamesTheLastCheckpointThatExists() throws IOException {
        Path csv = csv();
        Path a = dir.resolve("a");
        Cli.Run r = Cli.run("train", "--data", "csv:" + csv, "--optimizer", "sgd", "--lr", "1e30", "--steps", "50", "--out", a.toString());
        assertEquals(1, r.exitCode(), r.err());
        String last = r.err().lines().reduce((x, y) -> y).orElse("");
        int at = last.indexOf("the last checkpoint is ");
        assertTrue(at > 0, last);
        Path named = Path.of(last.substring(at + "the last checkpoint is ".length(), last.indexOf(" (step ")));
        assertTrue(Files.isRegularFile(named), "the named checkpoint exists: " + named);
    }

    private static Params params(Path run, long step) throws IOException {
        return Checkpoint.read(new RunDirectory(run).checkpoint(step)).parameters();
    }
}
