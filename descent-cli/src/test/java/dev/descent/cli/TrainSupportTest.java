package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Json;
import dev.descent.train.TrainingSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The pieces train is wired from: config files, metrics lines, the progress bar. */
class TrainSupportTest {
    @TempDir
    Path dir;

    /** The given options of {@code train ARGS}: command line over {@code --config} over the embedded default run. */
    private TrainingSpec.Layered parsed(String... args) throws IOException {
        CommandLine cl = new CommandLine(TrainCommand.command());
        cl.parseArgs(args);
        return ((TrainCommand) cl.getCommandSpec().userObject()).given(null, null);
    }

    @Test
    void configFileSetsOptionsThroughTheSameParsersAndFlagsWin() throws IOException {
        Path cfg = Files.writeString(dir.resolve("run.json"),
                "{\"data\": \"copy:20\", \"lr\": 0.003, \"hidden\": [64, 32], \"model\": \"LSTM\", \"batch-size\": 16}");
        TrainingSpec t = parsed("--config", cfg.toString(), "--lr", "0.1").spec();
        assertEquals(0.1, t.optimizer().learningRate(), 0.0);
        assertEquals(List.of(64, 32), t.model().hidden());
        assertEquals(TrainingSpec.ModelKind.LSTM, t.model().kind());
        assertEquals(16, t.run().batchSize());
        assertEquals("copy:20", t.data().source());
        Map<String, Object> effective = t.toJson();
        assertEquals("copy:20", effective.get("data"));
        assertEquals(List.of(64, 32), effective.get("hidden"));
        assertEquals(0.1, effective.get("lr"));
        assertTrue(!effective.containsKey("config") && !effective.containsKey("debug"));

        // The options given are themselves a config file that reproduces them.
        Path saved = Files.writeString(dir.resolve("saved.json"), Json.writePretty(effective));
        assertEquals(t, parsed("--config", saved.toString()).spec());
        assertEquals(t, TrainingSpec.fromJson(Json.parseObject(Files.readString(saved), "saved.json"), "saved.json"));
    }

    @Test
    void withoutDataTheEmbeddedDefaultRunFillsInAndYieldsWhereItDoesNotApply() throws IOException {
        TrainingSpec.Layered g = parsed("--model", "lstm", "--steps", "3");
        assertEquals(TrainingSpec.DEFAULT_RUN_DATA, g.spec().data().source());
        assertEquals(3L, g.spec().run().steps(), "a flag overrides its part of the default run");
        assertTrue(g.yielding().contains("form") && !g.yielding().contains("steps"), g.yielding().toString());
        TrainingSpec r = g.spec().resolve(new TrainingSpec.DataFacts("the adding task", true, "adding", 0), g.yielding());
        assertEquals(null, r.model().form(), "the default run's RNN form yields to --model lstm");
        assertEquals(null, r.model().activation());
        assertEquals(r, r.resolve(new TrainingSpec.DataFacts("the adding task", true, "adding", 0), java.util.Set.of()),
                "a resolved spec resolves to itself");
    }

    @Test
    void aSmallCsvTrainsForTheMinimumStepsByDefaultAndSaysSo() throws IOException {
        StringBuilder sb = new StringBuilder("x,label\n");
        for (int i = 0; i < 300; i++) sb.append(i % 2 == 0 ? "-1" : "1").append('.').append(i % 7).append(',').append(i % 2).append('\n');
        Path csv = Files.writeString(dir.resolve("small.csv"), sb.toString()), run = dir.resolve("small");
        Cli.Run r = TrainCommandTest.ok(Cli.run("train", "--data", "csv:" + csv, "--hidden", "4", "--out", run.toString()));
        // 240 training rows in batches of 64: 4 per epoch, so 5 epochs would be 20 steps.
        long steps = (Long) Json.parseObject(Files.readString(run.resolve("config.json")), "config.json").get("steps");
        assertEquals(TrainingSpec.defaultDatasetSteps(4), steps);
        assertTrue(steps >= TrainingSpec.MIN_DEFAULT_STEPS, "steps " + steps);
        assertTrue(r.err().contains("epochs of this small set would be only 20 steps"), r.err());
    }

    @Test
    void badConfigFilesAreOneLineErrors() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"lr\": -1}");
        Cli.run("train", "--config", bad.toString()).assertOneLineError(2, bad + ": Invalid value for option '--lr'", "'-1'");
        Path unknown = Files.writeString(dir.resolve("unknown.json"), "{\"lrr\": 1}");
        Cli.run("train", "--config", unknown.toString()).assertOneLineError(2, "unknown option 'lrr'", "known: data, test-fraction");
        Path malformed = Files.writeString(dir.resolve("malformed.json"), "{\"lr\": 1,\n}");
        Cli.run("train", "--config", malformed.toString()).assertOneLineError(2, malformed + ":2:1: expected a string key");
        Path nested = Files.writeString(dir.resolve("nested.json"), "{\"lr\": {\"v\": 1}}");
        Cli.run("train", "--config", nested.toString()).assertOneLineError(2, "option 'lr' needs a number");
        Cli.run("train", "--config", dir.resolve("none.json").toString()).assertOneLineError(1, "none.json: no such config file");
        Path data = Files.writeString(dir.resolve("data.json"), "{\"data\": \"adding:0\"}");
        Cli.run("train", "--config", data.toString()).assertOneLineError(2, "T must be >= 2, got 0");
    }

    @Test
    void metricsAreJsonLinesAndACutOffLastLineIsIgnored() throws IOException {
        Path f = dir.resolve("run/metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(f, false)) {
            log.write(Map.of("step", 1, "loss", 0.5));
            log.write(Map.of("step", 2, "loss", 0.25));
        }
        try (MetricsLog log = MetricsLog.open(f, true)) {
            log.write(Map.of("step", 3, "loss", Double.NaN));
        }
        Files.writeString(f, Files.readString(f) + "{\"step\": 4, \"lo");
        List<Map<String, Object>> r = MetricsLog.read(f);
        assertEquals(3, r.size());
        assertEquals(0.25, r.get(1).get("loss"));
        assertEquals(null, r.get(2).get("loss"));
        Files.writeString(f, "{\"step\": 1}\nnot json\n{\"step\": 3}\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> MetricsLog.read(f));
        assertTrue(e.getMessage().startsWith(f + ":2:1:"), e.getMessage());
    }

    @Test
    void theEtaIgnoresTheSlowFirstStepAndWaitsForTimedSteps() {
        AtomicLong now = new AtomicLong();
        StringWriter sw = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), 1000, true, now::get);
        now.addAndGet(30_000_000_000L); // the first step: 30 s of start-up
        bar.update(1, 1.0);
        for (int step = 2; step <= 200; step++) {
            now.addAndGet(10_000_000L); // then 100 steps/s
            bar.update(step, 1.0);
        }
        String[] frames = sw.toString().split("\r");
        assertTrue(frames[1].contains("? steps/s  ETA ?"), "no estimate from one step: " + frames[1]);
        String last = frames[frames.length - 1];
        // 200 steps of 1000 done at 100 steps/s: 8 s left, not the minutes the first step would suggest.
        assertTrue(last.contains("100.0 steps/s  ETA 0:08"), last);
    }

    @Test
    void progressBarShowsStepLossRateAndEta() {
        assertEquals("step 250/1000 [#####...............]  25%  loss 0.1631  50.0 steps/s  ETA 0:15",
                ProgressBar.render(250, 1000, 0.16309, 50, 15));
        assertEquals("1:01:01", ProgressBar.duration(3661));
        assertEquals("?", ProgressBar.duration(Double.NaN));
        AtomicLong now = new AtomicLong();
        StringWriter sw = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), 100, false, now::get);
        for (int step = 1; step <= 100; step++) {
            now.addAndGet(1_000_000_000L); // one step per second: a log line every 10 s, plus the last step
            bar.update(step, 1.0 / step);
        }
        List<String> lines = sw.toString().lines().toList();
        assertEquals(11, lines.size(), sw.toString());
        assertTrue(lines.get(10).startsWith("step 100/100 [####################] 100%  loss 0.01000  1.0 steps/s  ETA 0:00"),
                lines.get(10));
    }
}
