package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Checkpoint;
import dev.descent.io.Json;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import dev.descent.train.TrainingSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent train} end to end, through the command line. */
class TrainCommandTest {
    @TempDir
    Path dir;

    /**
     * Two classes in the plane, centres (±2, 0), standard deviation 0.5, 100 rows each, with a
     * header: the Bayes classifier (x₀ &gt; 0) errs with probability Φ(−4) ≈ 3·10⁻⁵.
     */
    private Path blobsCsv() throws IOException {
        Rng rng = new Rng(7);
        StringBuilder sb = new StringBuilder("x0,x1,label\n");
        for (int i = 0; i < 200; i++) {
            int label = i % 2;
            sb.append(String.format(Locale.ROOT, "%.5f,%.5f,%d%n", (label == 0 ? -2 : 2) + 0.5 * rng.nextGaussian(), 0.5 * rng.nextGaussian(),
                    label));
        }
        return Files.writeString(dir.resolve("blobs.csv"), sb.toString());
    }

    static Cli.Run ok(Cli.Run r) {
        assertEquals(0, r.exitCode(), "exit code; stderr: " + r.err() + "\nstdout: " + r.out());
        r.assertNoStackTrace();
        return r;
    }

    static List<Map<String, Object>> records(Path run, String kind) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> m : MetricsLog.read(run.resolve("metrics.jsonl"))) if (kind.equals(m.get("kind"))) out.add(m);
        return out;
    }

    @SuppressWarnings("unchecked")
    static double lastEval(Path run, String metric) throws IOException {
        List<Map<String, Object>> evals = records(run, "eval");
        return ((Number) ((Map<String, Object>) evals.get(evals.size() - 1).get("metrics")).get(metric)).doubleValue();
    }

    @Test
    void trainsAnMlpOnACsvToAStatedAccuracyAndWritesTheRunDirectory() throws IOException {
        Path csv = blobsCsv(), run = dir.resolve("run");
        Cli.Run r = ok(Cli.run("train", "--data", "csv:" + csv, "--hidden", "8", "--steps", "60", "--lr", "0.01", "--batch-size", "16",
                "--out", run.toString()));
        // 40 held-out rows (20%): the Bayes error rate 3·10⁻⁵ makes even one mistake unlikely for a
        // model that found the boundary; 95% allows two. The majority-class baseline is 50% ± noise.
        double accuracy = lastEval(run, "accuracy");
        assertTrue(accuracy >= 0.95, "accuracy " + accuracy + "; " + r.out());
        assertTrue(r.out().startsWith("test accuracy "), r.out());
        assertTrue(r.out().contains(": beaten, > 2 s.e.)"), r.out());
        assertTrue(r.out().contains("trained 60 steps in "), r.out());
        for (String f : new String[] {"config.json", "metrics.jsonl", "index.html", "loss.png", "accuracy.png", "gradient-norm.png",
            "learning-rate.png", "checkpoints/step-00000060.safetensors"}) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " in " + run);
        }
        String html = Files.readString(run.resolve("index.html"));
        assertTrue(html.contains("data:image/png;base64,") && html.contains("test accuracy"), "the page embeds the plots and the result");
        // The saved configuration has every default resolved and is itself a --config file.
        Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")), "config.json");
        assertEquals("mlp", config.get("model"));
        assertEquals("adam", config.get("optimizer"));
        assertEquals(List.of(8L), config.get("hidden"));
        assertEquals(60L, config.get("steps"));
        assertFalse(config.containsKey("out"));
        Checkpoint c = Checkpoint.read(run.resolve("checkpoints/step-00000060.safetensors"));
        assertEquals(Json.parseObject(c.run().configuration(), "checkpoint"), config, "the checkpoint carries the same configuration");
        assertEquals(60, c.run().step());
        assertTrue(c.optimizerState().contains("0.firstMoment/layers.0.weight"), c.optimizerState().toString());
        // Checkpoints every 60/5 = 12 steps by default; the 3 newest are kept.
        assertEquals(List.of(36L, 48L, 60L), new ArrayList<>(RunDirectory.checkpointsIn(run.resolve("checkpoints")).keySet()));

        // Starting another run in the same directory would mix two runs: refused.
        Cli.run("train", "--data", "csv:" + csv, "--steps", "5", "--out", run.toString())
                .assertOneLineError(1, run + ": already holds a run", "--resume");
    }

    @Test
    void learnsTheAddingTaskWellBelowTheTrivialBaseline() throws IOException {
        Path run = dir.resolve("adding");
        Cli.Run r = ok(Cli.run("train", "--data", "adding:6", "--hidden", "32", "--batch-size", "32", "--steps", "400", "--lr", "0.01",
                "--out", run.toString()));
        double mse = lastEval(run, "mse");
        // Ignoring the inputs, the best constant (1) has MSE Var(X₁ + X₂) = 2/12 = 1/6, the baseline;
        // a model that recovers only one of the two marked values has at best Var(X₂) = 1/12. Below
        // 1/12 the model must combine both, i.e. it has learned the task, at least halving the baseline.
        assertTrue(mse < 1.0 / 12, "test mse " + mse + " (baseline 1/6); " + r.out());
        assertTrue(r.out().contains("trivial baseline mse 0.1667: always predict 1, "), r.out());
        assertTrue(r.out().contains(": beaten, > 2 s.e.)"), r.out());
        // The record holds the paired comparison the verdict came from.
        List<Map<String, Object>> evals = records(run, "eval");
        @SuppressWarnings("unchecked")
        Map<String, Object> b = (Map<String, Object>) evals.get(evals.size() - 1).get("baseline");
        double improvement = ((Number) b.get("improvement")).doubleValue(), se = ((Number) b.get("standardError")).doubleValue();
        assertEquals(((Number) b.get("onSamples")).doubleValue() - mse, improvement, 1e-9);
        assertTrue(improvement > 2 * se && Boolean.TRUE.equals(b.get("beaten")), b.toString());
        assertTrue(Files.isRegularFile(run.resolve("mse.png")));
        assertFalse(Files.exists(run.resolve("clipping.png")), "no clipping plot without --clip");
    }

    private static Params finalParameters(Path run, long step) throws IOException {
        return Checkpoint.read(new RunDirectory(run).checkpoint(step)).parameters();
    }

    static void assertBitIdentical(String what, Params a, Params b) {
        assertEquals(a.names(), b.names(), what);
        for (String n : a.names()) {
            Tensor x = a.get(n), y = b.get(n);
            assertEquals(x.shape(), y.shape(), what + " " + n);
            for (int i = 0; i < x.size(); i++) {
                assertEquals(Double.doubleToRawLongBits(x.getFlat(i)), Double.doubleToRawLongBits(y.getFlat(i)), what + " " + n + "[" + i + "]");
            }
        }
    }

    /**
     * {@code descent ARGS} in a new JVM, as a user runs it: every process warms its JIT up anew, so
     * this also shows that the kernels compute the same bits in every JIT tier.
     */
    static Cli.Run runInNewJvm(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx512m"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "out", ".txt"), err = Files.createTempFile(workDir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("descent " + String.join(" ", args) + " did not finish in 300 s");
        }
        StringBuilder e = new StringBuilder();
        for (String l : Files.readAllLines(err)) if (!l.startsWith("WARNING: Using incubator modules")) e.append(l).append('\n');
        return new Cli.Run(p.exitValue(), Files.readString(out), e.toString());
    }

    @Test
    void anInterruptedRunResumedInANewProcessEndsBitIdenticalToAnUninterruptedOne() throws Exception {
        // The seed's RNN with clipping and a cosine schedule on a synthetic task: every piece of
        // state (parameters, Adam moments and count, clipping statistics, schedule count, batch
        // cursor) matters for the continuation. Each run is its own process, as for a user.
        String[] common = {"train", "--data", "adding:8", "--hidden", "12", "--batch-size", "16", "--steps", "24", "--checkpoint-every", "6",
            "--clip", "0.5", "--schedule", "cosine", "--lr", "0.01", "--eval-every", "12"};
        Path a = dir.resolve("a"), b = dir.resolve("b");
        ok(runInNewJvm(dir, with(common, "--out", a.toString())));
        ok(runInNewJvm(dir, with(common, "--out", b.toString())));
        assertEquals(Files.readString(a.resolve("config.json")), Files.readString(b.resolve("config.json")));

        // A crash after step 23: the checkpoints of steps 18 and 24 never made it to disk, the
        // metrics file holds records up to step 24 (written as they happened).
        Files.delete(new RunDirectory(b).checkpoint(24));
        Files.delete(new RunDirectory(b).checkpoint(18));
        Cli.Run resumed = ok(runInNewJvm(dir, "train", "--resume", b.toString()));
        assertTrue(resumed.err().contains("resuming from " + new RunDirectory(b).checkpoint(12) + " at step 12"), resumed.err());
        assertTrue(resumed.out().contains("trained 12 steps in ") && resumed.out().contains("resumed at step 12"), resumed.out());

        assertBitIdentical("parameters after step 24", finalParameters(a, 24), finalParameters(b, 24));
        Checkpoint ca = Checkpoint.read(new RunDirectory(a).checkpoint(24)), cb = Checkpoint.read(new RunDirectory(b).checkpoint(24));
        assertBitIdentical("optimiser state after step 24", ca.optimizerState(), cb.optimizerState());
        assertEquals(ca.run().extra(), cb.run().extra(), "same cursor");
        // The metrics read as one uninterrupted run: the same training records, none twice.
        assertEquals(records(a, "train"), records(b, "train"));
        assertEquals(records(a, "eval"), records(b, "eval"));

        // Before the crash, run b was a second process with the same configuration: the same numbers.
        assertBitIdentical("the same configuration in another process", finalParameters(a, 12), finalParameters(b, 12));
    }

    @Test
    void aFinishedRunIsExtendedWithSteps() throws IOException {
        Path a = dir.resolve("a");
        ok(Cli.run("train", "--data", "adding:4", "--hidden", "4", "--batch-size", "4", "--steps", "6", "--out", a.toString()));
        Cli.Run extended = ok(Cli.run("train", "--resume", a.toString(), "--steps", "9"));
        assertTrue(extended.out().contains("trained 3 steps") && extended.out().contains("resumed at step 6"), extended.out());
        assertEquals(9, Checkpoint.read(new RunDirectory(a).checkpoint(9)).run().step());
        assertEquals(9L, Json.parseObject(Files.readString(a.resolve("config.json")), "c").get("steps"), "the new step count is recorded");
        assertEquals(9, records(a, "train").size(), "one record per step, none repeated");
    }

    @Test
    void everyOptimiserTrains() throws IOException {
        Path csv = blobsCsv();
        String[][] runs = {
            {"sgd", "--momentum", "0.5", "--weight-decay", "0.001", "--schedule", "step"},
            {"momentum", "--momentum", "0.9", "--lr", "0.02", "--schedule", "warmup"},
            {"nesterov", "--lr", "0.02", "--schedule", "cosine", "--warmup-steps", "2"},
            {"ema-sgd", "--decay", "0.9", "--debias", "--lr", "0.2"},
            {"adam", "--clip", "1", "--beta2", "0.99"},
            {"adamw", "--weight-decay", "0.05"},
            {"rmsprop", "--decay", "0.9", "--eps", "1e-6"},
            {"curvature-step", "--lr", "0.5"},
            {"newton", "--damping", "0.01"},
            {"hessian-free", "--cg-iterations", "20"},
            {"lbfgs", "--memory", "5"}};
        for (String[] o : runs) {
            Path run = dir.resolve(o[0]);
            List<String> args = new ArrayList<>(List.of("train", "--data", "csv:" + csv, "--hidden", "4", "--steps", "8", "--batch-size", "40",
                    "--out", run.toString(), "--optimizer"));
            args.addAll(List.of(o));
            ok(Cli.run(args.toArray(new String[0])));
            List<Map<String, Object>> steps = records(run, "train");
            assertEquals(8, steps.size(), o[0]);
            assertEquals(o[0], Json.parseObject(Files.readString(run.resolve("config.json")), "c").get("optimizer"));
            boolean secondOrder = !TrainingSpec.FIRST_ORDER.contains(o[0]);
            assertEquals(secondOrder, steps.get(0).containsKey("details"), o[0] + " reports its step details: " + steps.get(0));
        }
    }

    @Test
    void everyModelTrains() throws IOException {
        Path csv = blobsCsv();
        String[][] runs = {
            {"lstm-copy", "--data", "copy:3", "--model", "lstm", "--hidden", "8"},
            {"rnn-pre-sigmoid", "--data", "temporal-order:10", "--form", "pre", "--activation", "sigmoid", "--init", "identity:0.5",
                "--hidden", "8", "--dtype", "float64"},
            {"rnn-relu", "--data", "multiplication:5", "--activation", "relu", "--init", "scaled-normal:0.9", "--hidden", "8"},
            {"mlp-batch", "--data", "csv:" + csv, "--norm", "batch", "--hidden", "8,4", "--activation", "tanh"},
            {"mlp-weight-mean-only", "--data", "csv:" + csv, "--norm", "weight-mean-only", "--hidden", "8"}};
        for (String[] o : runs) {
            Path run = dir.resolve(o[0]);
            List<String> args = new ArrayList<>(List.of("train", "--steps", "3", "--batch-size", "8", "--out", run.toString()));
            args.addAll(List.of(o).subList(1, o.length));
            Cli.Run r = ok(Cli.run(args.toArray(new String[0])));
            assertTrue(r.out().startsWith("test "), o[0] + ": " + r.out());
            assertEquals(3, records(run, "train").size(), o[0]);
        }
        // The copy task is scored per step: cross-entropy against its own baseline.
        assertTrue(Files.readString(dir.resolve("lstm-copy/metrics.jsonl")).contains("\"metric\":\"cross-entropy\""));
        assertTrue(Checkpoint.read(new RunDirectory(dir.resolve("mlp-batch")).checkpoint(3)).buffers().contains("layers.1.running_mean"));
    }

    @Test
    void diagnosticsAreComputedOnScheduleAndPlotted() throws IOException {
        Path run = dir.resolve("diag");
        ok(Cli.run("train", "--data", "adding:6", "--hidden", "8", "--batch-size", "16", "--steps", "12", "--clip", "1",
                "--diagnostics", "gradient-flow,curvature,gradient-norms,update-ratios,clipping,hessian-eigenvalues", "--every", "6",
                "--out", run.toString()));
        List<Map<String, Object>> diags = records(run, "diagnostic");
        List<String> names = diags.stream().map(m -> m.get("step") + ":" + m.get("diagnostic")).toList();
        assertEquals(List.of("6:gradientFlow", "6:curvature", "6:gradientNorms", "6:updateRatios", "6:clipping", "6:hessianEigenvalues",
                "12:gradientFlow", "12:curvature", "12:gradientNorms", "12:updateRatios", "12:clipping", "12:hessianEigenvalues"), names);
        for (String f : new String[] {"diagnostic-gradient-flow.png", "diagnostic-curvature.png", "diagnostic-gradient-norms.png",
            "diagnostic-update-ratios.png", "diagnostic-hessian-eigenvalues.png", "clipping.png"}) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        Path wn = dir.resolve("wn");
        ok(Cli.run("train", "--data", "csv:" + blobsCsv(), "--hidden", "4", "--norm", "weight-mean-only", "--optimizer", "sgd", "--steps", "4",
                "--diagnostics", "weight-norm", "--every", "2", "--out", wn.toString()));
        assertEquals(2, records(wn, "diagnostic").size());
        assertTrue(Files.isRegularFile(wn.resolve("diagnostic-weight-norm.png")) && Files.isRegularFile(wn.resolve("diagnostic-effective-learning-rate.png")));
    }

    @Test
    void theEmbeddedDefaultIsTheSeedsRnnOnTheAddingTask() throws IOException {
        Path run = dir.resolve("default");
        Cli.Run r = ok(Cli.run("train", "--steps", "3", "--out", run.toString()));
        assertTrue(r.err().startsWith("data: adding task, T = 30; trivial baseline mse 0.1667"), r.err());
        assertTrue(r.err().contains("model: rnn (tanh, activation form, init orthogonal), hidden 64"), r.err());
        assertTrue(r.err().contains("optimiser: adam, lr 0.003 (cosine), clip 1.0; 3 steps of batch 64"), r.err());
        Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")), "c");
        assertEquals("adding:30", config.get("data"));
        assertEquals(3L, config.get("steps"), "a flag overrides its part of the embedded default");
    }

    static String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
