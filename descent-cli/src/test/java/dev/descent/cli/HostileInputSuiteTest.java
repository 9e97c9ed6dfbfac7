package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Checkpoint;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile but realistic user: well over 100 distinct bad inputs across the command line,
 * configuration files, data files (CSV, IDX), checkpoints and run directories. For each: the exit
 * code (2 for a usage error, 1 for a failure), exactly one line on stderr naming the file or
 * option and the bad value, no stack trace, and every file in the workspace (a finished run, the
 * inputs themselves) byte-identical afterwards, with nothing new created.
 */
class HostileInputSuiteTest {
    @TempDir
    static Path ws;
    /** A finished small run every run-directory case starts from. */
    static Path run;
    static Path checkpoint;

    private static final String[] TINY = {"--steps", "2", "--batch-size", "4", "--hidden", "4"};

    @BeforeAll
    static void finishedRun() {
        run = ws.resolve("run");
        TrainCommandTest.ok(Cli.run("train", "--data", "adding:4", "--hidden", "6", "--batch-size", "4", "--steps", "4", "--out", run.toString()));
        checkpoint = new RunDirectory(run).checkpoint(4);
    }

    /** One case: files to create, the arguments, the exit code and what the message must mention. */
    private record Case(String name, int exit, List<String> args, List<String> mentions) {}

    private final List<Case> cases = new ArrayList<>();
    private int counter;

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = ws.resolve("in-" + (counter++) + "-" + name);
        Files.write(p, bytes);
        return p;
    }

    private Path text(String name, String content) throws IOException {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path out() {
        return ws.resolve("out-" + (counter++));
    }

    private void add(String name, int exit, List<String> args, String... mentions) {
        cases.add(new Case(name, exit, args, List.of(mentions)));
    }

    /** A bad flag value: usage error naming the option and the value. */
    private void flag(String option, String value, String... more) {
        List<String> mentions = new ArrayList<>(List.of(option));
        if (!value.isEmpty()) mentions.add(value);
        mentions.addAll(List.of(more));
        flagSaying(option, value, mentions.toArray(new String[0]));
    }

    /** A bad flag value: usage error mentioning exactly {@code mentions}. */
    private void flagSaying(String option, String value, String... mentions) {
        List<String> args = new ArrayList<>(List.of("train", "--data", "adding:4"));
        args.addAll(List.of(TINY));
        args.addAll(List.of(option, value, "--out", out().toString()));
        cases.add(new Case(option + " " + value, 2, args, List.of(mentions)));
    }

    private void csv(String name, String content, String... mentions) throws IOException {
        csvBytes(name, content.getBytes(StandardCharsets.UTF_8), "", mentions);
    }

    private void csvBytes(String name, byte[] content, String options, String... mentions) throws IOException {
        Path f = file(name + ".csv", content);
        List<String> m = new ArrayList<>(List.of(f.toString()));
        m.addAll(List.of(mentions));
        List<String> args = new ArrayList<>(List.of("train", "--data", "csv:" + f + options));
        args.addAll(List.of(TINY));
        args.addAll(List.of("--out", out().toString()));
        cases.add(new Case("csv " + name, 1, args, m));
    }

    private void config(String name, int exit, byte[] content, String... mentions) throws IOException {
        Path f = file(name + ".json", content);
        List<String> m = new ArrayList<>(List.of(f.toString()));
        m.addAll(List.of(mentions));
        cases.add(new Case("config " + name, exit, List.of("train", "--config", f.toString(), "--out", out().toString()), m));
    }

    private void config(String name, int exit, String content, String... mentions) throws IOException {
        config(name, exit, content.getBytes(StandardCharsets.UTF_8), mentions);
    }

    private void resume(String name, int exit, Path what, List<String> more, String... mentions) {
        List<String> args = new ArrayList<>(List.of("train", "--resume", what.toString()));
        args.addAll(more);
        cases.add(new Case("resume " + name, exit, args, List.of(mentions)));
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    private static byte[] idx(int magic, int[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.array();
    }

    /** A Fashion-MNIST directory of 6 train and 4 test images of 28×28, with {@code name} replaced by {@code bad}. */
    private void fashion(String name, String file, byte[] bad, String... mentions) throws IOException {
        Path d = Files.createDirectories(ws.resolve("fm-" + (counter++)));
        Files.write(d.resolve("train-images-idx3-ubyte.gz"), gzip(idx(0x803, new int[] {6, 28, 28}, 6 * 784)));
        Files.write(d.resolve("train-labels-idx1-ubyte.gz"), gzip(idx(0x801, new int[] {6}, 6)));
        Files.write(d.resolve("t10k-images-idx3-ubyte.gz"), gzip(idx(0x803, new int[] {4, 28, 28}, 4 * 784)));
        Files.write(d.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idx(0x801, new int[] {4}, 4)));
        Files.write(d.resolve(file), bad);
        List<String> m = new ArrayList<>(List.of(d.resolve(file).toString()));
        m.addAll(List.of(mentions));
        List<String> args = new ArrayList<>(List.of("train", "--data", "fashion-mnist:" + d));
        args.addAll(List.of(TINY));
        args.addAll(List.of("--out", out().toString()));
        cases.add(new Case("fashion-mnist " + name, 1, args, m));
    }

    /** A copy of the run's checkpoint, changed by {@code edit}, inside a copy of the run (so only the checkpoint is at fault). */
    private Path editedCheckpoint(String name, java.util.function.UnaryOperator<Checkpoint> edit) throws IOException {
        Path d = Files.createDirectories(ws.resolve("edited-" + (counter++)).resolve("checkpoints"));
        Path f = d.resolve("step-00000004.safetensors");
        edit.apply(Checkpoint.read(checkpoint)).write(f);
        Files.copy(run.resolve("config.json"), d.getParent().resolve("config.json"));
        return f;
    }

    private Path rawCheckpoint(String name, byte[] bytes) throws IOException {
        Path d = Files.createDirectories(ws.resolve("raw-" + (counter++)).resolve("checkpoints"));
        return Files.write(d.resolve("step-00000004.safetensors"), bytes);
    }

    private static byte[] safetensors(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private static Checkpoint withParameter(Checkpoint c, float value) {
        Map<String, Tensor> ps = new LinkedHashMap<>(c.parameters().asMap());
        String n = ps.keySet().iterator().next();
        float[] v = ps.get(n).toFloatArray();
        v[0] = value;
        ps.put(n, Tensor.wrap(v, ps.get(n).dims()));
        return new Checkpoint(Params.of(ps), c.buffers(), c.optimizerState(), c.run());
    }

    private static Checkpoint withRun(Checkpoint c, String configuration, Map<String, String> extra) {
        return new Checkpoint(c.parameters(), c.buffers(), c.optimizerState(),
                new Checkpoint.RunInfo(c.run().step(), c.run().seed(), configuration, extra));
    }

    private void buildCases() throws IOException {
        // ---- the command line: values out of range or malformed (usage errors, exit 2)
        flag("--lr", "0", "must be a number > 0");
        flag("--lr", "-1");
        flag("--lr", "abc");
        flag("--lr", "NaN");
        flag("--lr", "Infinity");
        flag("--lr", "1e999");
        flag("--batch-size", "0");
        flag("--batch-size", "-5");
        flag("--batch-size", "2.5");
        flag("--batch-size", "99999999999");
        flag("--steps", "0");
        flag("--steps", "-1");
        flag("--steps", "ten");
        flag("--hidden", "0");
        flag("--hidden", "-3");
        flagSaying("--hidden", "8,x", "--hidden", "'x' is not an integer");
        flag("--momentum", "1.5");
        flag("--decay", "-0.1");
        flag("--beta1", "1");
        flag("--beta2", "2");
        flag("--eps", "0");
        flag("--weight-decay", "-1");
        flag("--clip", "0");
        flag("--test-fraction", "1");
        flag("--test-fraction", "0");
        flagSaying("--optimizer", "bfgs", "unknown optimiser 'bfgs'");
        flagSaying("--schedule", "linear", "unknown schedule 'linear'");
        flag("--model", "cnn");
        flag("--activation", "swish");
        flag("--norm", "layer");
        flag("--form", "sideways");
        flag("--dtype", "float16");
        flag("--init", "xavier");
        flagSaying("--diagnostics", "flow", "unknown diagnostic 'flow'");
        flag("--epochs", "0");
        flag("--every", "0");
        flag("--seed", "x");
        flag("--decay-factor", "0");
        flag("--final-lr-fraction", "2");
        flag("--warmup-steps", "0");
        flag("--cg-iterations", "0");
        flag("--memory", "0");
        flag("--damping", "-1");
        flag("--log-every", "0");
        flag("--eval-every", "0");
        flag("--checkpoint-every", "0");
        flag("--data", "unknown:3", "unknown data source");
        flag("--data", "adding:x", "not an integer");
        flagSaying("--data", "adding:1", "--data", "adding: sequence length T must be >= 2, got 1");
        flagSaying("--data", "copy:-4", "--data", "copy: sequence length T must be >= 1, got -4");
        flag("--data", "csv:", "needs a file");
        flag("--data", "csv:f.csv,weird", "unknown csv option 'weird'");
        add("--name with a slash", 2, List.of("train", "--data", "adding:4", "--name", "a/b"), "--name", "a/b");
        add("--name ..", 2, List.of("train", "--data", "adding:4", "--name", ".."), "--name", "..");
        add("--out and --name", 2, List.of("train", "--data", "adding:4", "--name", "x", "--out", out().toString()), "--out", "--name");
        add("unknown option", 2, List.of("train", "--bogus", "1"), "--bogus");
        add("--steps and --epochs", 2, List.of("train", "--data", "adding:4", "--steps", "3", "--epochs", "2", "--out", out().toString()),
                "--steps", "--epochs");
        // ---- sizes that overflow or cannot fit (failures, exit 1)
        add("adding:2000000000", 2, List.of("train", "--data", "adding:2000000000", "--out", out().toString()), "2000000000", "<= 1000000");
        add("copy with a huge batch", 1, List.of("train", "--data", "copy:30", "--batch-size", "2147483647", "--steps", "1", "--out", out().toString()),
                "--batch-size 2147483647", "smaller --batch-size");
        add("adding with a huge batch", 1, List.of("train", "--data", "adding:1000", "--batch-size", "2000000", "--steps", "1", "--out", out().toString()),
                "2000000", "--batch-size");
        add("an enormous hidden layer", 1, List.of("train", "--data", "adding:4", "--hidden", "2000000000", "--steps", "1", "--out", out().toString()),
                "--hidden");
        add("a model beyond the heap", 1, List.of("train", "--data", "adding:4", "--model", "lstm", "--hidden", "20000", "--steps", "1",
                "--out", out().toString()), "the JVM may use", "reduce --hidden");

        // ---- configuration files
        config("not UTF-8", 1, new byte[] {'{', '"', 'l', 'r', '"', ':', (byte) 0xFF, (byte) 0xFE, '}'}, "not UTF-8", "offset 6");
        config("empty", 2, "", "1:1", "end of input");
        config("an array", 2, "[1, 2]", "expected a JSON object");
        config("truncated", 2, "{\"lr\": 0.1", "expected");
        config("Arabic-Indic exponent", 2, "{\"lr\": 1e\u0663}", "1:8", "malformed number");
        config("Arabic-Indic digit in a string", 2, "{\"lr\": \"1e\u0663\"}", "--lr", "1e\u0663");
        config("unknown key", 2, "{\"bogus\": 1}", "unknown option 'bogus'");
        config("negative lr", 2, "{\"lr\": -1}", "--lr", "-1");
        config("null value", 2, "{\"lr\": null}", "lr", "null");
        config("object value", 2, "{\"hidden\": {}}", "hidden", "an object");
        config("duplicate key", 2, "{\"lr\": 0.1, \"lr\": 0.2}", "lr");
        config("deep nesting", 2, "{\"hidden\": " + "[".repeat(1000) + "]".repeat(1000) + "}", "nesting");
        config("trailing garbage", 2, "{\"lr\": 0.1} x", "after the value");
        config("fractional steps", 2, "{\"steps\": 1.5}", "--steps", "1.5");
        config("numeric data", 2, "{\"data\": 5}", "--data", "5");
        config("boolean lr", 2, "{\"lr\": true}", "--lr", "true");
        config("NaN literal", 2, "{\"lr\": NaN}", "1:8", "'N'");
        config("comment", 2, "{\"lr\": 0.1 // fast\n}", "expected");
        config("single quotes", 2, "{'lr': 0.1}", "expected a string key");
        config("huge number", 2, "{\"batch-size\": 1e400}", "--batch-size");
        config("bad data source", 2, "{\"data\": \"adding:0\"}", "--data", "adding: sequence length T must be >= 2, got 0");
        config("resume inside", 2, "{\"resume\": \"run\"}", "unknown option 'resume'");
        add("missing config", 1, List.of("train", "--config", ws.resolve("nope.json").toString()), "nope.json");
        add("config is a directory", 1, List.of("train", "--config", ws.toString()), ws.toString());

        // ---- CSV files
        csv("non-numeric", "a,b,y\n1,2,0\n1,abc,1\n", ":3:", "'abc' is not a number");
        csv("ragged", "a,b,y\n1,2,0\n3,4\n", ":3:", "2 cells, expected 3");
        csv("beyond float32", "a,b,y\n1,2,0\n1e39,2,1\n", ":3:", "'1e39'", "float32");
        csv("NaN cell", "a,b,y\n1,NaN,0\n1,2,1\n", ":2:", "'NaN'");
        csv("Infinity cell", "a,b,y\n1,2,0\nInfinity,2,1\n", ":3:", "'Infinity'");
        csv("hex cell", "a,b,y\n1,2,0\n0x10,2,1\n", ":3:", "'0x10'");
        csv("empty", "", "no data rows");
        csv("header only", "a,b,y\n", "no data rows");
        csv("one column", "a\n1\n2\n", "need at least one feature column");
        csv("one row", "a,b,y\n1,2,0\n", "only 1 data row");
        csv("negative label", "a,b,y\n1,2,0\n3,4,-1\n", ":3:", "'-1' is not a class label");
        csv("fractional label", "a,b,y\n1,2,0\n3,4,0.5\n", ":3:", "'0.5' is not a class label");
        csv("label too large", "a,b,y\n1,2,0\n3,4,2000000\n", ":3:", "'2000000'");
        csv("long digit run", "a,b,y\n1,2,0\n1," + "9".repeat(100_000) + "x,1\n", ":3:", "(100001 characters) is not a number");
        csv("long quoted cell", "a,b,y\n1,2,0\n\"" + "w".repeat(5100) + "\",2,1\n", ":3:", "(5100 characters)");
        csvBytes("not UTF-8", new byte[] {'a', ',', 'b', '\n', (byte) 0xC3, (byte) 0x28, ',', '1', '\n'}, "", "not UTF-8");
        csvBytes("label column missing", "a,b,y\n1,2,0\n3,4,1\n".getBytes(StandardCharsets.UTF_8), ",label=z", "no column named 'z'");
        csvBytes("label index out of range", "a,b,y\n1,2,0\n3,4,1\n".getBytes(StandardCharsets.UTF_8), ",label=7", "label column 7 out of range");
        csvBytes("regression beyond float32", "a,y\n1,2\n3,-1e39\n".getBytes(StandardCharsets.UTF_8), ",regression", ":3:", "'-1e39'");
        csvBytes("regression text target", "a,y\n1,2\n3,abc\n".getBytes(StandardCharsets.UTF_8), ",regression", ":3:", "'abc'");
        add("csv missing", 1, List.of("train", "--data", "csv:" + ws.resolve("missing.csv"), "--out", out().toString()), "missing.csv");
        add("csv is a directory", 1, List.of("train", "--data", "csv:" + ws, "--out", out().toString()), ws.toString(), "is a directory");

        // ---- IDX files (Fashion-MNIST layout)
        fashion("bad magic", "t10k-images-idx3-ubyte.gz", gzip(idx(0x804, new int[] {4, 28, 28, 1}, 0)), "bad magic number 0x00000804");
        fashion("truncated images", "train-images-idx3-ubyte.gz", gzip(idx(0x803, new int[] {6, 28, 28}, 100)), "truncated", "ends after 100");
        fashion("truncated gzip", "train-labels-idx1-ubyte.gz", java.util.Arrays.copyOf(gzip(idx(0x801, new int[] {6}, 6)), 12), "truncated");
        fashion("corrupt gzip", "t10k-labels-idx1-ubyte.gz", new byte[] {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5}, "gzip");
        fashion("trailing data", "t10k-labels-idx1-ubyte.gz", gzip(java.util.Arrays.copyOf(idx(0x801, new int[] {4}, 4), 20)), "trailing");
        fashion("zero dimension", "t10k-images-idx3-ubyte.gz", gzip(idx(0x803, new int[] {4, 0, 28}, 0)), "dimension 1 is 0");
        fashion("huge declared count", "train-images-idx3-ubyte.gz", gzip(idx(0x803, new int[] {2_700_000, 28, 28}, 1 << 20)),
                "truncated", "2116800000");
        fashion("overflowing dimensions", "train-images-idx3-ubyte.gz", gzip(idx(0x803, new int[] {60000, 60000, 28}, 0)), "declare more than");
        fashion("empty file", "train-labels-idx1-ubyte.gz", new byte[0], "truncated header");
        fashion("label count mismatch", "t10k-labels-idx1-ubyte.gz", gzip(idx(0x801, new int[] {3}, 3)), "3");
        add("fashion-mnist missing directory", 1, List.of("train", "--data", "fashion-mnist:" + ws.resolve("nowhere"), "--out", out().toString()),
                "nowhere");

        // ---- checkpoints
        resume("3 bytes", 1, rawCheckpoint("3", new byte[] {1, 2, 3}), List.of(), "step-00000004.safetensors");
        resume("empty file", 1, rawCheckpoint("0", new byte[0]), List.of(), "step-00000004.safetensors");
        resume("header longer than the file", 1, rawCheckpoint("long", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(1L << 40).array()), List.of(), "step-00000004.safetensors");
        resume("header not JSON", 1, rawCheckpoint("nojson", safetensors("{not json}", 0)), List.of(), "step-00000004.safetensors");
        resume("bad dtype", 1, rawCheckpoint("dtype", safetensors("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)), List.of(),
                "Q7");
        resume("overlapping offsets", 1, rawCheckpoint("overlap", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)), List.of(), "step-00000004.safetensors");
        resume("not a descent checkpoint", 1, rawCheckpoint("plain", safetensors("{\"param/a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                4)), List.of(), "descent.format");
        resume("NaN parameter", 1, editedCheckpoint("nan", c -> withParameter(c, Float.NaN)), List.of(), "holds NaN at index 0");
        resume("infinite parameter", 1, editedCheckpoint("inf", c -> withParameter(c, Float.POSITIVE_INFINITY)), List.of(), "holds Infinity");
        resume("missing cursor", 1, editedCheckpoint("cursor", c -> withRun(c, c.run().configuration(), Map.of())), List.of(),
                "train.cursor.epoch");
        resume("cursor not a count", 1, editedCheckpoint("cursorx", c -> {
            Map<String, String> e = new LinkedHashMap<>(c.run().extra());
            e.put("train.cursor.position", "-4");
            return withRun(c, c.run().configuration(), e);
        }), List.of(), "'-4'");
        resume("configuration with an unknown key", 2, editedCheckpoint("cfg", c -> withRun(c, "{\"bogus\": 1}", c.run().extra())), List.of(),
                "unknown option 'bogus'");
        resume("configuration with a bad value", 2, editedCheckpoint("cfgv", c -> withRun(c, "{\"data\": \"adding:4\", \"lr\": -2}",
                c.run().extra())), List.of(), "--lr", "-2");
        resume("changed model", 1, checkpoint, List.of("--hidden", "8"), "--hidden [8] (the run has [6])");
        resume("changed lr", 1, checkpoint, List.of("--lr", "0.5"), "--lr 0.5");
        resume("changed seed", 1, checkpoint, List.of("--seed", "9"), "--seed 9");
        resume("changed data", 1, checkpoint, List.of("--data", "adding:5"), "--data \"adding:5\"");
        resume("changed batch size", 1, checkpoint, List.of("--batch-size", "5"), "--batch-size 5");
        resume("changed schedule", 1, checkpoint, List.of("--schedule", "cosine"), "--schedule \"cosine\"");
        resume("changed checkpoint cadence", 1, checkpoint, List.of("--checkpoint-every", "3"), "--checkpoint-every 3");
        resume("with --config", 2, checkpoint, List.of("--config", run.resolve("config.json").toString()), "--config", "--resume");
        resume("fewer steps", 2, checkpoint, List.of("--steps", "2"), "--steps 2", "step 4");

        // ---- run directories
        Path userDir = Files.createDirectories(ws.resolve("users-own"));
        Files.writeString(userDir.resolve("index.html"), "<p>mine</p>");
        Files.write(userDir.resolve("loss.png"), new byte[] {1});
        add("--out over the user's files", 1, List.of("train", "--data", "adding:4", "--out", userDir.toString()), userDir.toString(),
                "holds 2 files");
        Path plainFile = text("plain.txt", "x");
        add("--out is a file", 1, List.of("train", "--data", "adding:4", "--out", plainFile.toString()), plainFile.toString(), "not a directory");
        add("--out over another run", 1, List.of("train", "--data", "adding:4", "--out", run.toString()), run.toString(), "already holds a run");
        Path copy = Files.createDirectories(ws.resolve("run-copy").resolve("checkpoints"));
        Files.copy(run.resolve("config.json"), copy.getParent().resolve("config.json"));
        Path copied = Files.copy(checkpoint, copy.resolve("step-00000004.safetensors"));
        resume("into another run", 1, copied, List.of("--out", run.toString(), "--steps", "6"), run.toString(), "already holds a run");
        Path other = Files.createDirectories(ws.resolve("other-run"));
        Files.writeString(other.resolve("config.json"), "{\"data\": \"adding:4\"}");
        resume("into a run without checkpoints", 1, checkpoint, List.of("--out", other.toString()), other.toString(), "already holds a run");
        resume("into the user's files", 1, checkpoint, List.of("--out", userDir.toString()), userDir.toString(), "holds 2 files");
        Path loose = Files.createDirectories(ws.resolve("downloads"));
        Path looseCheckpoint = Files.copy(checkpoint, loose.resolve("step-00000004.safetensors"));
        resume("a loose checkpoint without --out", 1, looseCheckpoint, List.of(), looseCheckpoint.toString(), "give --out DIR");
        resume("nowhere", 1, ws.resolve("nowhere"), List.of(), "nowhere", "no such checkpoint file or run directory");
        Path empty = Files.createDirectories(ws.resolve("empty-dir"));
        resume("an empty directory", 1, empty, List.of(), empty.toString(), "no checkpoint");
        Path badConfigRun = Files.createDirectories(ws.resolve("bad-config-run"));
        Files.writeString(badConfigRun.resolve("config.json"), "{\"lr\": ");
        resume("a run whose config.json is malformed", 1, badConfigRun, List.of(), "config.json:1:8", "end of input");
        Path binConfigRun = Files.createDirectories(ws.resolve("bin-config-run"));
        Files.write(binConfigRun.resolve("config.json"), new byte[] {(byte) 0xFF, 0});
        resume("a run whose config.json is not UTF-8", 1, binConfigRun, List.of(), "config.json", "not UTF-8");
        Path badMetricsRun = Files.createDirectories(ws.resolve("bad-metrics-run").resolve("checkpoints"));
        Files.copy(checkpoint, badMetricsRun.resolve("step-00000004.safetensors"));
        Files.copy(run.resolve("config.json"), badMetricsRun.getParent().resolve("config.json"));
        Files.writeString(badMetricsRun.getParent().resolve("metrics.jsonl"), "{\"step\": 1}\n{oops}\n{\"step\": 2}\n");
        resume("a run whose metrics are malformed", 1, badMetricsRun.getParent(), List.of("--steps", "6"), "metrics.jsonl:2");
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputFailsCleanlyAndChangesNothing() throws IOException {
        buildCases();
        assertTrue(cases.size() >= 100, "at least 100 cases, got " + cases.size());
        Set<String> names = new HashSet<>();
        for (Case c : cases) assertTrue(names.add(c.name() + c.args()), "distinct: " + c.name());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Snapshot before = Snapshot.of(ws);
            Cli.Run r = Cli.run(c.args().toArray(new String[0]));
            try {
                r.assertOneLineError(c.exit(), c.mentions().toArray(new String[0]));
                before.assertUnchanged(c.name());
            } catch (AssertionError e) {
                throw new AssertionError(c.name() + ": " + e.getMessage() + "\nstdout: " + r.out(), e);
            }
        }));
    }
}
