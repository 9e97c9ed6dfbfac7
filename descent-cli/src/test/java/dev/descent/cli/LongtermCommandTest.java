package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent longterm} at toy sizes (T = 10, 4 hidden units, sub-second budgets): the files
 * it writes, a grid interrupted and resumed, and its usage errors. Outcomes depend on wall-clock
 * budgets, so only structure and bookkeeping are asserted, never a figure.
 */
class LongtermCommandTest {
    @TempDir
    Path dir;

    static final String[] TINY = {"--lengths", "10", "--hidden", "4", "--test-size", "40", "--probe-size", "10", "--budget", "0.4",
        "--eval-every", "0.1"};

    /** Small batches for the methods named in {@code --methods} (a --set for a method outside the grid is refused). */
    static Cli.Run longterm(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("longterm", "--out", out.toString()));
        a.addAll(List.of(TINY));
        List<String> e = List.of(extra);
        String methods = e.contains("--methods") ? e.get(e.indexOf("--methods") + 1) : "";
        for (String m : methods.split(",")) {
            switch (m) {
                case "adam-clip", "sgd-omega", "lstm" -> a.addAll(List.of("--set", m + ".batch=8"));
                case "hf" -> a.addAll(List.of("--set", "hf.batch=8", "--set", "hf.cg-iterations=5"));
                default -> { }
            }
        }
        if (!e.contains("hf.curvature-batch=9") && methods.contains("hf")) a.addAll(List.of("--set", "hf.curvature-batch=4"));
        a.addAll(e);
        return Cli.run(a.toArray(new String[0]));
    }

    static List<Map<String, Object>> results(Path out) throws IOException {
        List<Map<String, Object>> r = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("results.jsonl"))) r.add(Json.parseObject(line, "results"));
        return r;
    }

    @Test
    void everyMethodRunsAndIsRecordedWithCurveAndReport() throws IOException {
        Path out = dir.resolve("grid");
        Cli.Run r = longterm(out, "--methods", "adam-clip,sgd-omega,hf,lstm", "--seeds", "1");
        assertEquals(0, r.exitCode(), r.err());
        List<Map<String, Object>> res = results(out);
        assertEquals(4, res.size());
        for (Map<String, Object> run : res) {
            String key = (String) run.get("key");
            // solved-late: the solve came in the last step's overrun of the budget, which a loaded
            // machine makes likely at sub-second budgets; it is a legitimate outcome, not an error
            assertTrue(List.of("budget", "solved", "solved-late", "diverged").contains(run.get("outcome")), key + ": " + run.get("outcome"));
            assertTrue(((Number) run.get("steps")).longValue() >= 1, key);
            List<?> curve = (List<?>) run.get("curve");
            assertTrue(curve.size() >= 2, key + ": the start and at least one evaluation");
            assertTrue(Files.isRegularFile(out.resolve("runs").resolve(key + ".jsonl")), key);
        }
        String html = Files.readString(out.resolve("index.html"), StandardCharsets.UTF_8);
        for (String m : List.of("adam-clip", "sgd-omega", "hf", "lstm")) assertTrue(html.contains("adding T=10 " + m), m);
        assertTrue(html.contains("<img"), "learning curves embedded");
    }

    /**
     * A grid of two runs interrupted during the second (its line missing from results.jsonl, a
     * partial curve left in runs/): rerunning skips the finished run, leaving its record
     * byte-identical, and runs the interrupted one again from its start.
     */
    @Test
    void interruptedGridResumesWhereItStopped() throws IOException {
        Path out = dir.resolve("grid");
        assertEquals(0, longterm(out, "--methods", "adam-clip", "--seeds", "2").exitCode());
        List<String> lines = Files.readAllLines(out.resolve("results.jsonl"));
        assertEquals(2, lines.size());
        // The interruption: the second run never finished; its partial curve is on disk.
        Files.writeString(out.resolve("results.jsonl"), lines.get(0) + "\n");
        Path partial = out.resolve("runs").resolve("adding-T10-adam-clip-s1.jsonl");
        Files.writeString(partial, "[0.0,0,0.5,null]\n");
        Cli.Run again = longterm(out, "--methods", "adam-clip", "--seeds", "2");
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("1 finished run(s) skipped"), again.out());
        assertFalse(again.out().contains("run adding-T10-adam-clip-s0"), "the finished run is not repeated");
        List<String> after = Files.readAllLines(out.resolve("results.jsonl"));
        assertEquals(2, after.size());
        assertEquals(lines.get(0), after.get(0), "the finished run's record is untouched");
        assertNotEquals(lines.get(1), after.get(1), "the interrupted run was run again (new timestamps)");
        assertTrue(Files.readString(partial).lines().count() >= 2, "the partial curve was replaced by the new run's");
        // Extending the grid with a seed runs only the new one.
        Cli.Run more = longterm(out, "--methods", "adam-clip", "--seeds", "3");
        assertEquals(0, more.exitCode(), more.err());
        assertTrue(more.out().contains("2 finished run(s) skipped"), more.out());
        assertEquals(3, results(out).size());
    }

    @Test
    void badInputIsOneLineExitTwoAndChangesNothing() throws IOException {
        Path out = dir.resolve("grid");
        assertEquals(0, longterm(out, "--methods", "adam-clip", "--seeds", "1").exitCode());
        byte[] before = Files.readAllBytes(out.resolve("results.jsonl"));
        longterm(out, "--methods", "adam-clip", "--seeds", "1", "--budget", "0").assertOneLineError(2, "--budget", "> 0");
        longterm(out, "--methods", "sgd-omega", "--set", "sgd-omega.omega=-1").assertOneLineError(2, "sgd-omega.omega=-1", ">= 0");
        longterm(out, "--methods", "hf", "--set", "hf.mu=-0.5").assertOneLineError(2, "hf.mu=-0.5", ">= 0");
        longterm(out, "--methods", "hf", "--set", "hf.curvature-batch=9").assertOneLineError(2, "hf.curvature-batch=9",
                "must not exceed the batch (8)");
        longterm(out, "--methods", "lstm", "--set", "lstm.omega=1").assertOneLineError(2, "lstm.omega", "Elman recurrence");
        longterm(out, "--methods", "adam-clip", "--set", "adam-clip.omega=1").assertOneLineError(2, "adam-clip.omega");
        longterm(out, "--methods", "nope").assertOneLineError(2, "unknown method 'nope'");
        // Other settings than the recorded run's: refused, the results untouched.
        longterm(out, "--methods", "adam-clip", "--seeds", "1", "--set", "adam-clip.lr=0.5").assertOneLineError(2, "adding-T10-adam-clip-s0",
                "was recorded with settings");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve("results.jsonl"))));
    }
}
