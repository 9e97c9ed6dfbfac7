package dev.descent.fuzz;

import dev.descent.data.CsvReader;
import dev.descent.data.IdxReader;
import dev.descent.io.Checkpoint;
import dev.descent.io.Json;
import dev.descent.io.SafeTensors;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * A mutation fuzzer for every reader of untrusted files: safetensors, checkpoints, IDX (raw and
 * gzip), CSV and JSON. Each input is a valid seed file changed by one to four random mutations
 * (bit flips, special bytes, insertions, deletions, duplicated ranges, truncation, and
 * "stretches" that repeat a range or insert a long run of digits, brackets or quotes, the inputs
 * that expose super-linear parsing). A reader passes an input if it returns, or throws an
 * {@link IOException} or {@link IllegalArgumentException} with a one-line message; anything else
 * (an index, size or state error, an {@link Error}) fails, as does an input that takes longer
 * than {@link #inputLimitMillis}: with inputs of at most about 200 KB, a linear reader finishes
 * in milliseconds, so the limit catches hangs and quadratic behaviour, not slowness.
 *
 * <p>Run standalone: {@code java -cp ... dev.descent.fuzz.ReaderFuzz INPUTS [SEED]} (inputs
 * spread over the readers; prints the figures).
 */
public final class ReaderFuzz {
    /** The readers fuzzed. */
    public enum Reader { SAFETENSORS, CHECKPOINT, IDX, IDX_GZIP, CSV, JSON }

    final Path dir;
    final long inputLimitMillis;
    private final Random random;
    private final Map<Reader, List<byte[]>> seeds = new LinkedHashMap<>();
    volatile long startedAt;
    volatile byte[] current;

    /** A fuzzer writing its files to {@code dir}, drawing from {@code seed}. */
    public ReaderFuzz(Path dir, long seed, long inputLimitMillis) throws IOException {
        this.dir = dir;
        this.random = new Random(seed);
        this.inputLimitMillis = inputLimitMillis;
        buildSeeds();
    }

    /** A reader's failure on one input. */
    public static final class Finding extends RuntimeException {
        /** The input. */
        public final transient byte[] input;

        Finding(String message, byte[] input, Throwable cause) {
            super(message, cause);
            this.input = input;
        }
    }

    private void buildSeeds() throws IOException {
        Path st = dir.resolve("seed.safetensors");
        Map<String, Tensor> ts = new LinkedHashMap<>();
        ts.put("w", Tensor.wrap(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3));
        ts.put("b", Tensor.wrap(new double[] {0.25, -1}, 2));
        SafeTensors.write(st, ts, Map.of("note", "seed"));
        seeds.put(Reader.SAFETENSORS, List.of(Files.readAllBytes(st)));
        Map<String, Tensor> ps = new LinkedHashMap<>();
        ps.put("layer.weight", Tensor.wrap(new float[] {0.5f, -0.5f, 1, 2}, 2, 2));
        Params p = Params.of(ps);
        Checkpoint c = new Checkpoint(p, Params.of(new LinkedHashMap<>()), p, new Checkpoint.RunInfo(12, 3, "{\"lr\": 0.1, \"hidden\": [4]}",
                Map.of("train.cursor.epoch", "0", "train.cursor.position", "12")));
        Path cp = dir.resolve("seed-checkpoint.safetensors");
        c.write(cp);
        seeds.put(Reader.CHECKPOINT, List.of(Files.readAllBytes(cp)));
        byte[] images = idx(0x803, new int[] {3, 4, 4}, 48), labels = idx(0x801, new int[] {5}, 5);
        seeds.put(Reader.IDX, List.of(images, labels));
        seeds.put(Reader.IDX_GZIP, List.of(gzip(images), gzip(labels)));
        seeds.put(Reader.CSV, List.of(
                "a,b,label\n1.5,2,0\n-3e-1,4,2\n.5,\"6\",1\n".getBytes(StandardCharsets.UTF_8),
                "5.1,3.5,setosa\n4.9,3.0,versicolor\n6.2,2.9,virginica\n".getBytes(StandardCharsets.UTF_8),
                "x;y\r\n1;2\r\n3;4\r\n".getBytes(StandardCharsets.UTF_8)));
        seeds.put(Reader.JSON, List.of(
                "{\"data\": \"adding:30\", \"lr\": 0.003, \"hidden\": [64, 32], \"clip\": 1e0, \"debias\": true, \"x\": null}"
                        .getBytes(StandardCharsets.UTF_8),
                "[{\"a\": \"\\u00e9\\n\"}, -0.5e-3, [], {}]".getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] idx(int magic, int[] dims, int n) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + n);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        for (int i = 0; i < n; i++) b.put((byte) (i * 37));
        return b.array();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    /** A mutated input for {@code reader}. */
    byte[] input(Reader reader) {
        List<byte[]> s = seeds.get(reader);
        byte[] b = s.get(random.nextInt(s.size()));
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) b = mutate(b, random.nextInt(7));
        // One input in 32 is stretched to tens of KB: enough of them to expose super-linear
        // parsing, few enough that the budget goes mostly to small, varied inputs.
        if (random.nextInt(32) == 0) b = mutate(b, 7 + random.nextInt(2));
        return b;
    }

    private static final byte[][] RUNS = {"9".getBytes(), "[".getBytes(), "\"".getBytes(), "{\"a\":".getBytes(), "1e".getBytes(),
        ",".getBytes(), "\\u".getBytes(), " ".getBytes(), new byte[] {(byte) 0xFF}, new byte[] {0}};

    private byte[] mutate(byte[] b, int kind) {
        int len = b.length;
        int at = len == 0 ? 0 : random.nextInt(len);
        switch (kind) {
            case 0: // flip a bit
                if (len == 0) return b;
                b = b.clone();
                b[at] ^= (byte) (1 << random.nextInt(8));
                return b;
            case 1: { // a special byte
                if (len == 0) return b;
                b = b.clone();
                int[] special = {0, 0xFF, 0x7F, 0x80, '0', '9', '-', '.', 'e', '"', ',', '\n', '{', '[', 0xC3};
                b[at] = (byte) special[random.nextInt(special.length)];
                return b;
            }
            case 2: { // insert random bytes
                byte[] ins = new byte[1 + random.nextInt(8)];
                random.nextBytes(ins);
                return splice(b, at, 0, ins);
            }
            case 3: // delete a range
                return splice(b, at, Math.min(len - at, 1 + random.nextInt(16)), new byte[0]);
            case 4: { // duplicate a range
                int k = Math.min(len - at, 1 + random.nextInt(64));
                byte[] part = java.util.Arrays.copyOfRange(b, at, at + k);
                return splice(b, at, 0, part);
            }
            case 5: // truncate
                return java.util.Arrays.copyOf(b, at);
            case 6: { // overwrite a little-endian 8-byte or big-endian 4-byte count with a large value
                if (len < 8) return b;
                b = b.clone();
                int p = random.nextInt(Math.min(len - 7, 64));
                long v = random.nextBoolean() ? (1L << random.nextInt(63)) : random.nextLong();
                for (int i = 0; i < (random.nextBoolean() ? 8 : 4); i++) b[p + i] = (byte) (v >>> (8 * i));
                return b;
            }
            case 7: { // stretch: repeat a short range many times (up to ~100 KB)
                int k = Math.min(len - at, 1 + random.nextInt(8));
                if (k <= 0) return b;
                int times = 1 + random.nextInt(Math.max(1, 100_000 / k));
                byte[] part = new byte[k * times];
                for (int i = 0; i < times; i++) System.arraycopy(b, at, part, i * k, k);
                return splice(b, at, 0, part);
            }
            default: { // a long run of one token: digits, brackets, quotes
                byte[] unit = RUNS[random.nextInt(RUNS.length)];
                int times = 1 + random.nextInt(random.nextBoolean() ? 100 : 60_000);
                byte[] part = new byte[unit.length * times];
                for (int i = 0; i < times; i++) System.arraycopy(unit, 0, part, i * unit.length, unit.length);
                return splice(b, at, 0, part);
            }
        }
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** Runs {@code reader} on {@code input}; returns normally if the outcome is acceptable. */
    void check(Reader reader, byte[] input) {
        current = input;
        startedAt = System.nanoTime();
        try {
            switch (reader) {
                case JSON -> Json.parse(new String(input, StandardCharsets.UTF_8));
                default -> {
                    Path f = dir.resolve("input-" + reader.name().toLowerCase(Locale.ROOT));
                    Files.write(f, input);
                    switch (reader) {
                        case SAFETENSORS -> SafeTensors.read(f);
                        case CHECKPOINT -> Checkpoint.read(f);
                        case IDX -> IdxReader.read(f, input.length > 3 && input[3] == 1 ? IdxReader.LABELS_MAGIC : IdxReader.IMAGES_MAGIC);
                        case IDX_GZIP -> {
                            // The rank is inside the compressed stream: try both; one fails at the magic number.
                            try {
                                IdxReader.read(f, IdxReader.LABELS_MAGIC);
                            } catch (IOException e) {
                                checkMessage(reader, input, e);
                            }
                            IdxReader.read(f, IdxReader.IMAGES_MAGIC);
                        }
                        case CSV -> CsvReader.read(f, CsvReader.Options.defaults());
                        default -> throw new IllegalStateException();
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            checkMessage(reader, input, e);
        } catch (RuntimeException | Error e) {
            throw new Finding(reader + ": " + e, input, e);
        } finally {
            startedAt = 0;
        }
    }

    private static void checkMessage(Reader reader, byte[] input, Exception e) {
        String m = e.getMessage();
        if (m == null || m.isBlank() || m.contains("\n") || m.contains("(null)")) {
            throw new Finding(reader + ": a message that is not one informative line: " + m, input, e);
        }
    }

    /** Figures of a run. */
    public record Result(long inputs, long seconds, Map<Reader, Long> perReader, long slowestMillis) {}

    /**
     * Runs {@code inputs} inputs, round-robin over the readers, in a worker thread watched for
     * inputs that run past the limit.
     *
     * @throws Finding on the first failure (with the input)
     */
    public Result run(long inputs) throws InterruptedException {
        Map<Reader, Long> counts = new LinkedHashMap<>();
        for (Reader r : Reader.values()) counts.put(r, 0L);
        Throwable[] failure = new Throwable[1];
        long[] slowest = {0};
        Thread worker = new Thread(() -> {
            try {
                Reader[] all = Reader.values();
                for (long i = 0; i < inputs; i++) {
                    Reader r = all[(int) (i % all.length)];
                    byte[] in = input(r);
                    long t0 = System.nanoTime();
                    check(r, in);
                    slowest[0] = Math.max(slowest[0], (System.nanoTime() - t0) / 1_000_000);
                    counts.merge(r, 1L, Long::sum);
                }
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "reader-fuzz");
        worker.setDaemon(true);
        long t0 = System.nanoTime();
        worker.start();
        while (worker.isAlive()) {
            worker.join(100);
            long s = startedAt;
            if (s != 0 && (System.nanoTime() - s) / 1_000_000 > inputLimitMillis) {
                byte[] in = current;
                throw new Finding("an input ran past " + inputLimitMillis + " ms (super-linear or a hang); " + in.length + " bytes, starting "
                        + new String(java.util.Arrays.copyOf(in, Math.min(80, in.length)), StandardCharsets.ISO_8859_1), in, null);
            }
        }
        if (failure[0] instanceof Finding f) throw f;
        if (failure[0] != null) throw new RuntimeException(failure[0]);
        return new Result(inputs, (System.nanoTime() - t0) / 1_000_000_000, counts, slowest[0]);
    }

    /** {@code ReaderFuzz INPUTS [SEED [LIMIT_MS]]}: prints the figures; exits 1 with the input saved on a finding. */
    public static void main(String[] args) throws Exception {
        long inputs = Long.parseLong(args[0]);
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        long limit = args.length > 2 ? Long.parseLong(args[2]) : 5000;
        Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir")),
                "reader-fuzz");
        ReaderFuzz f = new ReaderFuzz(dir, seed, limit);
        // In chunks, so progress shows.
        long done = 0, chunk = 100_000, t0 = System.nanoTime(), slowest = 0;
        try {
            while (done < inputs) {
                long n = Math.min(chunk, inputs - done);
                Result r = f.run(n);
                done += n;
                slowest = Math.max(slowest, r.slowestMillis());
                System.out.printf(Locale.ROOT, "%,d inputs, %.0f s, slowest input %d ms%n", done, (System.nanoTime() - t0) * 1e-9, slowest);
            }
        } catch (Finding e) {
            Path saved = Path.of("reader-fuzz-finding.bin");
            Files.write(saved, e.input);
            System.out.println("FINDING after " + done + " inputs: " + e.getMessage() + " (input saved to " + saved.toAbsolutePath() + ")");
            if (e.getCause() != null) e.getCause().printStackTrace(System.out);
            System.exit(1);
        }
        System.out.printf(Locale.ROOT, "done: %,d inputs (seed %d) over %s in %.0f s, no finding; slowest input %d ms (limit %d ms)%n", done, seed,
                java.util.Arrays.toString(Reader.values()), (System.nanoTime() - t0) * 1e-9, slowest, limit);
        System.exit(0);
    }
}
