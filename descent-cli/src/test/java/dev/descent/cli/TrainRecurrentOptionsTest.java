package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent train}'s options for long time lags: {@code --flow-regularizer} (Pascanu et
 * al.'s Ω), {@code --structural-damping} and {@code --curvature-batch} of Hessian-free, and
 * {@code --init sparse}; their bad values are one-line usage errors (exit 2) that write nothing.
 */
class TrainRecurrentOptionsTest {
    @TempDir
    Path dir;

    static final String[] TINY = {"train", "--data", "adding:12", "--hidden", "8", "--steps", "3", "--batch-size", "8"};

    static Cli.Run train(String... extra) {
        String[] a = new String[TINY.length + extra.length];
        System.arraycopy(TINY, 0, a, 0, TINY.length);
        System.arraycopy(extra, 0, a, TINY.length, extra.length);
        return Cli.run(a);
    }

    Cli.Run bad(String... extra) {
        String[] a = java.util.Arrays.copyOf(extra, extra.length + 2);
        a[extra.length] = "--out";
        a[extra.length + 1] = dir.resolve("bad").toString();
        return train(a);
    }

    @Test
    void flowRegularizerIsReportedPerStep() throws IOException {
        Path run = dir.resolve("omega");
        TrainCommandTest.ok(train("--optimizer", "sgd", "--clip", "1", "--flow-regularizer", "0.5", "--log-every", "1",
                "--out", run.toString()));
        List<Map<String, Object>> steps = TrainCommandTest.records(run, "train");
        assertEquals(3, steps.size());
        for (Map<String, Object> s : steps) {
            Object details = s.get("details");
            assertTrue(details instanceof Map<?, ?> m && m.get("omega") instanceof Number n && n.doubleValue() >= 0, s.toString());
        }
    }

    @Test
    void hessianFreeWithStructuralDampingAndCurvatureBatchRuns() {
        TrainCommandTest.ok(train("--optimizer", "hessian-free", "--structural-damping", "0.1", "--curvature-batch", "4",
                "--cg-iterations", "5", "--init", "sparse:1.2:4", "--out", dir.resolve("hf").toString()));
    }

    @Test
    void badValuesAreUsageErrors() throws IOException {
        bad("--optimizer", "sgd", "--flow-regularizer", "-1").assertOneLineError(2, "--flow-regularizer", "-1");
        bad("--optimizer", "hessian-free", "--structural-damping", "-0.5").assertOneLineError(2, "--structural-damping", "-0.5");
        bad("--optimizer", "hessian-free", "--curvature-batch", "16").assertOneLineError(2, "--curvature-batch 16 exceeds the batch size 8");
        bad("--model", "lstm", "--flow-regularizer", "1").assertOneLineError(2, "--flow-regularizer needs a model with an Elman recurrence");
        bad("--optimizer", "hessian-free", "--flow-regularizer", "1").assertOneLineError(2, "--flow-regularizer does not apply");
        bad("--optimizer", "adam", "--curvature-batch", "4").assertOneLineError(2, "--curvature-batch does not apply");
        bad("--init", "sparse:0").assertOneLineError(2, "sparse[:RADIUS[:K]]");
        assertTrue(!Files.exists(dir.resolve("bad")), "no run directory was written");
    }
}
