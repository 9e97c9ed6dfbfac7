package dev.descent.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, an independent byte-level parse, hostile files and atomic writes. */
class SafeTensorsTest {
    @TempDir
    Path dir;

    /** Tensors with awkward values, both dtypes, scalars and zero-size shapes. */
    static LinkedHashMap<String, Tensor> sample() {
        Rng rng = new Rng(1);
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("layers.0.weight", rng.normal(DType.F32, 0, 1, 4, 3));
        m.put("special64", Tensor.of(new double[] {-0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NEGATIVE_INFINITY,
                Double.longBitsToDouble(0x7ff8000000000123L), 1.0 / 3}, 6));
        m.put("special32", Tensor.of(new float[] {-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.intBitsToFloat(0x7fc00007), 1f / 3}, 2, 3));
        m.put("scalar", Tensor.scalar(42.5));
        m.put("empty", Tensor.zeros(DType.F64, 0));
        m.put("empty2d", Tensor.zeros(DType.F32, 3, 0));
        m.put("unicode ünïcødé 😀", rng.normal(DType.F64, 0, 1, 2, 2, 2));
        return m;
    }

    static void assertBitEqual(Tensor expected, Tensor actual, String name) {
        assertEquals(expected.dtype(), actual.dtype(), name);
        assertEquals(expected.shape(), actual.shape(), name);
        for (int i = 0; i < expected.size(); i++) {
            if (expected.dtype() == DType.F32) {
                assertEquals(Float.floatToRawIntBits(expected.rawF32()[i]), Float.floatToRawIntBits(actual.rawF32()[i]), name + "[" + i + "]");
            } else {
                assertEquals(Double.doubleToRawLongBits(expected.rawF64()[i]), Double.doubleToRawLongBits(actual.rawF64()[i]), name + "[" + i + "]");
            }
        }
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        Path f = dir.resolve("a.safetensors");
        Map<String, String> meta = Map.of("note", "ünïcødé \"quoted\"\n", "empty", "");
        SafeTensors.write(f, sample(), meta);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.copyOf(sample().keySet()), List.copyOf(c.tensors().keySet()));
        sample().forEach((k, v) -> assertBitEqual(v, c.tensors().get(k), k));
        assertEquals(meta, c.metadata());
        // No metadata: the key is simply absent.
        SafeTensors.write(f, Map.of("x", Tensor.scalar(1)), Map.of());
        assertTrue(SafeTensors.read(f).metadata().isEmpty());
        SafeTensors.write(f, Map.of(), Map.of());
        assertTrue(SafeTensors.read(f).tensors().isEmpty());
    }

    @Test
    void writtenFileParsesIndependentlyOfTheReader() throws IOException {
        Path f = dir.resolve("b.safetensors");
        LinkedHashMap<String, Tensor> tensors = sample();
        SafeTensors.write(f, tensors, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        assertEquals(0, (8 + n) % 8, "data section is 8-byte aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        int close = header.lastIndexOf('}');
        assertTrue(header.substring(close + 1).chars().allMatch(ch -> ch == ' '), "only space padding after the JSON");
        Json.Obj root = (Json.Obj) Json.parse(header);
        assertEquals(Map.of("k", new Json.Str("v")), ((Json.Obj) root.get("__metadata__")).members());
        long dataStart = 8 + n, expectedBegin = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Json.Obj entry = (Json.Obj) root.get(e.getKey());
            Tensor t = e.getValue();
            assertEquals(t.dtype() == DType.F32 ? "F32" : "F64", ((Json.Str) entry.get("dtype")).value());
            List<Long> shape = ((Json.Arr) entry.get("shape")).items().stream().map(v -> ((Json.Num) v).longValueExact())
                    .collect(Collectors.toList());
            assertEquals(java.util.Arrays.stream(t.dims()).asLongStream().boxed().collect(Collectors.toList()), shape);
            List<Json.Value> off = ((Json.Arr) entry.get("data_offsets")).items();
            long begin = ((Json.Num) off.get(0)).longValueExact(), end = ((Json.Num) off.get(1)).longValueExact();
            assertEquals(expectedBegin, begin, "contiguous in insertion order");
            assertEquals((long) t.size() * t.dtype().byteSize(), end - begin);
            for (int i = 0; i < t.size(); i++) {
                int at = (int) (dataStart + begin) + i * t.dtype().byteSize();
                if (t.dtype() == DType.F32) assertEquals(Float.floatToRawIntBits(t.rawF32()[i]), bb.getInt(at));
                else assertEquals(Double.doubleToRawLongBits(t.rawF64()[i]), bb.getLong(at));
            }
            expectedBegin = end;
        }
        assertEquals(bytes.length, dataStart + expectedBegin, "the data section ends with the last tensor");
    }

    // ------------------------------------------------------------------ hostile files

    /** Bytes of a file: the given length field, the header text, then {@code dataBytes} zero bytes. */
    static byte[] file(long declaredLength, byte[] header, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        return b.array();
    }

    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, dataBytes);
    }

    /** Writes {@code bytes}, reads them back and returns the message of the expected rejection. */
    String rejection(byte[] bytes) throws IOException {
        Path f = dir.resolve("hostile.safetensors");
        Files.write(f, bytes);
        return rejectionOf(f);
    }

    /** Thread-allocated bytes are measured around the read: a hostile file must not cause a large allocation. */
    static String rejectionOf(Path f) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        MalformedCheckpointException e = assertThrows(MalformedCheckpointException.class, () -> SafeTensors.read(f));
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        // The files here are at most a few hundred bytes (or sparse); 4 MB is far below any tensor they claim.
        assertTrue(allocated < 4 << 20, "read allocated " + allocated + " bytes for " + e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one-line message");
        return e.getMessage();
    }

    static String entry(String dtype, String shape, long begin, long end) {
        return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void hostileFilesAreRejectedWithClearMessages() throws IOException {
        String ok = entry("F32", "[2]", 0, 8);
        Object[][] cases = {
            {new byte[] {1, 2, 3}, "shorter than the 8-byte header length"},
            {file(1000, "{}".getBytes(StandardCharsets.UTF_8), 0), "header length 1000 exceeds the 2 bytes"},
            {file(-1, "{}".getBytes(StandardCharsets.UTF_8), 0), "header length 18446744073709551615 exceeds"},
            {file("{\"a\":" + ok, 8), "header is not valid JSON"},
            {file(2, new byte[] {(byte) 0xc3, (byte) 0x28}, 0), "header is not valid UTF-8"},
            {file("[1,2]", 0), "header must be a JSON object, got an array"},
            {file("{\"a\":" + entry("F8_E4M3", "[2]", 0, 2) + "}", 2), "tensor 'a': unsupported dtype 'F8_E4M3'"},
            {file("{\"a\":" + entry("F32", "[2,3]", 0, 20) + "}", 20), "shape [2,3] of F32 needs 24 bytes but data_offsets [0,20] span 20"},
            {file("{\"a\":" + entry("F64", "[2147483648,2147483648]", 0, 8) + "}", 8), "dimension 2147483648 in shape"},
            {file("{\"a\":" + entry("F64", "[65536,65536]", 0, 8) + "}", 8), "more elements than a tensor can hold"},
            {file("{\"a\":" + entry("F64", "[99999999999999999999]", 0, 8) + "}", 8), "does not fit 64 bits"},
            {file("{\"a\":" + entry("F32", "[-3]", 0, 0) + "}", 0), "negative dimension -3"},
            {file("{\"a\":" + entry("F32", "[2]", 0, 8) + ",\"b\":" + entry("F32", "[2]", 4, 12) + "}", 12), "overlap tensor 'a' which ends at 8"},
            {file("{\"a\":" + entry("F32", "[2]", 0, 8) + ",\"b\":" + entry("F32", "[2]", 12, 20) + "}", 20), "leave bytes [8, 12) of the data section unused"},
            {file("{\"a\":" + entry("F32", "[4]", 0, 16) + "}", 7), "reach beyond the 7-byte data section (file truncated?)"},
            {file("{\"a\":" + ok + "}", 12), "the tensors cover 8 bytes but the data section has 12"},
            {file("{\"a\":" + ok + ",\"a\":" + ok + "}", 8), "duplicate key \"a\""},
            {file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", 8), "tensor 'a': unknown field 'extra'"},
            {file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "tensor 'a': missing field 'shape'"},
            {file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]}}", 8), "8.0 is not an integer"},
            {file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8), "data_offsets must be an array [begin, end]"},
            {file("{\"a\":" + entry("F32", "[0]", 8, 0) + "}", 8), "must satisfy 0 <= begin <= end"},
            {file("{\"a\":3}", 0), "tensor 'a': entry must be an object, got a number"},
            {file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__: value of 'k' must be a string, got a number"},
            {file("{\"__metadata__\":[]}", 0), "__metadata__ must be an object"},
            {file("[".repeat(10_000), 0), "nesting deeper than 64"},
        };
        for (Object[] c : cases) {
            String msg = rejection((byte[]) c[0]);
            assertTrue(msg.startsWith("hostile.safetensors: "), msg);
            assertTrue(msg.contains((String) c[1]), "expected '" + c[1] + "' in: " + msg);
        }
        assertTrue(cases.length >= 10);
    }

    @Test
    void headerLengthAboveTheCapIsRejectedWithoutReadingIt() throws IOException {
        // A sparse 200 MB file whose length field claims a 150 MB header: rejected by the cap,
        // not by parsing 150 MB, and without allocating it.
        Path f = dir.resolve("hostile.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(200_000_000L);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(150_000_000L).array());
        }
        assertTrue(rejectionOf(f).contains("header length 150000000 exceeds the limit of 100000000 bytes"));
    }

    @Test
    void truncatedCopiesOfAValidFileAreRejected() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, sample(), Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(good);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        for (int cut : new int[] {4, 8, 20, (int) (8 + n) - 1, (int) (8 + n) + 3, bytes.length - 1}) {
            String msg = rejection(java.util.Arrays.copyOf(bytes, cut));
            assertTrue(msg.contains("shorter than") || msg.contains("exceeds the") || msg.contains("truncated")
                    || msg.contains("cover"), cut + ": " + msg);
        }
    }

    // ------------------------------------------------------------------ atomicity

    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void aFailedWriteLeavesThePreviousFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.write(f, sample(), Map.of("version", "1"));
        byte[] before = Files.readAllBytes(f);
        // A tensor spanning several 1 MB chunks; the write fails after the header, then mid-data.
        LinkedHashMap<String, Tensor> big = new LinkedHashMap<>();
        big.put("big", new Rng(2).normal(DType.F32, 0, 1, 700_000));
        for (long failAfter : new long[] {8, 1 << 20}) {
            IOException e = assertThrows(IOException.class, () -> SafeTensors.write(f, big, Map.of("version", "2"), written -> {
                if (written > failAfter) throw new IOException("disk full (simulated)");
            }));
            assertEquals("disk full (simulated)", e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(f));
            assertEquals(List.of("ckpt.safetensors"), listing(dir));
        }
        // A successful write replaces the file.
        SafeTensors.write(f, big, Map.of("version", "2"));
        assertEquals("2", SafeTensors.read(f).metadata().get("version"));
        assertEquals(List.of("ckpt.safetensors"), listing(dir));
        assertThrows(IOException.class, () -> SafeTensors.write(dir.resolve("missing/x.safetensors"), big, Map.of()));
    }

    @Test
    void invalidNamesAreRejectedBeforeWriting() {
        Path f = dir.resolve("n.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("", Tensor.scalar(1)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("__metadata__", Tensor.scalar(1)), Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(f, Map.of("bad\ud800", Tensor.scalar(1)), Map.of()));
        assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
        assertTrue(!Files.exists(f));
    }
}
