package dev.descent.io;

import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Files in the safetensors layout (Hugging Face's format, readable from PyTorch):
 * <pre>
 *   [8 bytes]  N, the header length, unsigned little-endian
 *   [N bytes]  a UTF-8 JSON object: {"name": {"dtype": "F32"|"F64", "shape": [..],
 *              "data_offsets": [begin, end]}, …, "__metadata__": {string: string}}
 *   [rest]     the data section: each tensor's values, row-major, little-endian, at
 *              [begin, end) relative to the start of the data section
 * </pre>
 * The writer lays tensors out contiguously in the given order and pads the header with spaces
 * to a multiple of 8 bytes, so the data section is 8-byte aligned (as the reference
 * implementation does).
 *
 * <p><b>Writes are atomic</b> ({@link AtomicFiles}: temporary file, force, rename, force the
 * directory). A reader sees the old file or the new one, never a mixture, and a failed write
 * leaves the old file and no temporary file behind.
 *
 * <p><b>Reads validate everything before allocating tensor data</b>: the header length against
 * the file size and a {@link #MAX_HEADER_BYTES} cap, strict UTF-8 and strict JSON
 * ({@link Json}: duplicate names are rejected), that the header is an object, each entry's
 * fields, dtype, shape (non-negative dimensions below 2^31, element count that fits a tensor,
 * computed without overflow) and offsets (element count × dtype size equals the span), and that
 * the offsets, sorted, tile the data section exactly, with no gap, overlap or byte outside it.
 * Any violation throws {@link MalformedCheckpointException} naming the tensor and the value.
 * Only F32 and F64 tensors are supported.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** The largest header accepted (the reference implementation's limit too). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The reserved header key of the string-to-string metadata map. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int CHUNK = 1 << 20;

    /**
     * A file's tensors (in header order) and metadata.
     *
     * @param tensors the tensors by name, unmodifiable
     * @param metadata the {@code __metadata__} map, unmodifiable (empty when absent)
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** Copies both maps, keeping their order. */
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /** Called before each chunk of bytes is written: the seam tests use to make a write fail midway. */
    @FunctionalInterface
    interface WriteHook {
        void beforeWrite(long bytesWritten) throws IOException;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code tensors} (in iteration order) and {@code metadata} to {@code file}, atomically.
     *
     * @throws IllegalArgumentException for an empty or reserved tensor name, or a name or
     *     metadata string that is not valid Unicode
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, bytes -> { });
    }

    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, WriteHook hook) throws IOException {
        byte[] header = encodeHeader(tensors, metadata);
        AtomicFiles.write(file, ch -> {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length).flip();
            long written = writeChunk(ch, buf, 0, hook);
            written = writeChunk(ch, ByteBuffer.wrap(header), written, hook);
            for (Tensor t : tensors.values()) written = writeData(ch, buf, t, written, hook);
        });
    }

    private static long writeData(FileChannel ch, ByteBuffer buf, Tensor t, long written, WriteHook hook) throws IOException {
        int n = t.size(), per = t.dtype().byteSize(), step = CHUNK / per;
        for (int i = 0; i < n; i += step) {
            int k = Math.min(step, n - i);
            buf.clear();
            if (t.dtype() == DType.F32) buf.asFloatBuffer().put(t.rawF32(), i, k);
            else buf.asDoubleBuffer().put(t.rawF64(), i, k);
            buf.limit(k * per);
            written = writeChunk(ch, buf, written, hook);
        }
        return written;
    }

    private static long writeChunk(FileChannel ch, ByteBuffer buf, long written, WriteHook hook) throws IOException {
        hook.beforeWrite(written);
        long n = buf.remaining();
        while (buf.hasRemaining()) ch.write(buf);
        return written + n;
    }

    /** The padded header bytes for {@code tensors} laid out contiguously in order. */
    static byte[] encodeHeader(Map<String, Tensor> tensors, Map<String, String> metadata) {
        LinkedHashMap<String, Json.Value> root = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            LinkedHashMap<String, Json.Value> meta = new LinkedHashMap<>();
            metadata.forEach((k, v) -> {
                if (k == null || v == null) throw new IllegalArgumentException("safetensors: metadata keys and values must not be null");
                meta.put(k, new Json.Str(v));
            });
            root.put(METADATA_KEY, new Json.Obj(meta));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("safetensors: invalid tensor name '" + name + "'");
            }
            Tensor t = e.getValue();
            long bytes = (long) t.size() * t.dtype().byteSize();
            List<Json.Value> shape = new ArrayList<>();
            for (int d : t.dims()) shape.add(Json.Num.of(d));
            LinkedHashMap<String, Json.Value> entry = new LinkedHashMap<>();
            entry.put("dtype", new Json.Str(dtypeName(t.dtype())));
            entry.put("shape", new Json.Arr(shape));
            entry.put("data_offsets", new Json.Arr(List.of(Json.Num.of(offset), Json.Num.of(offset + bytes))));
            root.put(name, new Json.Obj(entry));
            offset += bytes;
        }
        String json = Json.write(new Json.Obj(root));
        ByteBuffer utf8;
        try {
            utf8 = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(json));
        } catch (CharacterCodingException ex) {
            throw new IllegalArgumentException("safetensors: a tensor name or metadata string is not valid Unicode (unpaired surrogate)");
        }
        int len = utf8.remaining(), padded = (len + 7) & ~7;
        byte[] out = new byte[padded];
        utf8.get(out, 0, len);
        Arrays.fill(out, len, padded, (byte) ' ');
        return out;
    }

    static String dtypeName(DType d) {
        return d == DType.F32 ? "F32" : "F64";
    }

    // ------------------------------------------------------------------ reading

    /** One validated header entry. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    /**
     * Reads and validates {@code file} (see the class comment for what is checked).
     *
     * @throws MalformedCheckpointException if the file violates the format
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, ch, lenBuf, 0);
            long n = lenBuf.flip().getLong();
            if (n < 0 || n > size - 8) {
                throw bad(file, "header length " + Long.toUnsignedString(n) + " exceeds the " + (size - 8)
                        + " bytes that follow the length field");
            }
            if (n > MAX_HEADER_BYTES) throw bad(file, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            readFully(file, ch, headerBuf, 8);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBuf.flip()).toString();
            } catch (CharacterCodingException e) {
                throw bad(file, "header is not valid UTF-8");
            }
            Json.Value root;
            try {
                root = Json.parse(text);
            } catch (IllegalArgumentException e) {
                throw bad(file, "header is not valid JSON: " + e.getMessage());
            }
            if (!(root instanceof Json.Obj)) throw bad(file, "header must be a JSON object, got " + kind(root));
            long dataLength = size - 8 - n;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Json.Value> m : ((Json.Obj) root).members().entrySet()) {
                if (m.getKey().equals(METADATA_KEY)) metadata = parseMetadata(file, m.getValue());
                else entries.add(parseEntry(file, m.getKey(), m.getValue(), dataLength));
            }
            checkTiling(file, entries, dataLength);
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(8, dataLength))).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) tensors.put(e.name(), readTensor(file, ch, buf, e, 8 + n));
            return new Contents(tensors, metadata);
        }
    }

    private static Map<String, String> parseMetadata(Path file, Json.Value v) throws MalformedCheckpointException {
        if (!(v instanceof Json.Obj)) throw bad(file, METADATA_KEY + " must be an object, got " + kind(v));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Json.Value> e : ((Json.Obj) v).members().entrySet()) {
            if (!(e.getValue() instanceof Json.Str)) {
                throw bad(file, METADATA_KEY + ": value of '" + Json.abbreviate(e.getKey()) + "' must be a string, got " + kind(e.getValue()));
            }
            out.put(e.getKey(), ((Json.Str) e.getValue()).value());
        }
        return out;
    }

    private static Entry parseEntry(Path file, String name, Json.Value v, long dataLength) throws MalformedCheckpointException {
        String what = "tensor '" + Json.abbreviate(name) + "'";
        if (name.isEmpty()) throw bad(file, "a tensor has an empty name");
        if (!(v instanceof Json.Obj)) throw bad(file, what + ": entry must be an object, got " + kind(v));
        Map<String, Json.Value> fields = ((Json.Obj) v).members();
        for (String key : fields.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw bad(file, what + ": unknown field '" + Json.abbreviate(key) + "'");
            }
        }
        for (String key : new String[] {"dtype", "shape", "data_offsets"}) {
            if (!fields.containsKey(key)) throw bad(file, what + ": missing field '" + key + "'");
        }
        Json.Value dt = fields.get("dtype");
        if (!(dt instanceof Json.Str)) throw bad(file, what + ": dtype must be a string, got " + kind(dt));
        String dtName = ((Json.Str) dt).value();
        DType dtype;
        if (dtName.equals("F32")) dtype = DType.F32;
        else if (dtName.equals("F64")) dtype = DType.F64;
        else throw bad(file, what + ": unsupported dtype '" + Json.abbreviate(dtName) + "' (expected F32 or F64)");

        Json.Value sh = fields.get("shape");
        if (!(sh instanceof Json.Arr)) throw bad(file, what + ": shape must be an array, got " + kind(sh));
        List<Json.Value> dimsJson = ((Json.Arr) sh).items();
        String shapeText = Json.abbreviate(Json.write(sh));
        int[] shape = new int[dimsJson.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = integer(file, what + ": shape " + shapeText, dimsJson.get(i));
            if (d < 0) throw bad(file, what + ": negative dimension " + d + " in shape " + shapeText);
            if (d > Integer.MAX_VALUE) throw bad(file, what + ": dimension " + d + " in shape " + shapeText + " exceeds 2^31 - 1");
            shape[i] = (int) d;
            elements *= d; // both factors < 2^31 and elements is capped below: no overflow
            if (elements > Integer.MAX_VALUE - 8) {
                throw bad(file, what + ": shape " + shapeText + " has more elements than a tensor can hold (2^31 - 9)");
            }
        }
        Json.Value off = fields.get("data_offsets");
        if (!(off instanceof Json.Arr) || ((Json.Arr) off).items().size() != 2) {
            throw bad(file, what + ": data_offsets must be an array [begin, end], got " + Json.abbreviate(Json.write(off)));
        }
        String offText = Json.abbreviate(Json.write(off));
        long begin = integer(file, what + ": data_offsets " + offText, ((Json.Arr) off).items().get(0));
        long end = integer(file, what + ": data_offsets " + offText, ((Json.Arr) off).items().get(1));
        if (begin < 0 || end < begin) throw bad(file, what + ": data_offsets " + offText + " must satisfy 0 <= begin <= end");
        long bytes = elements * dtype.byteSize();
        if (end - begin != bytes) {
            throw bad(file, what + ": shape " + shapeText + " of " + dtName + " needs " + bytes + " bytes but data_offsets "
                    + offText + " span " + (end - begin));
        }
        if (end > dataLength) {
            throw bad(file, what + ": data_offsets " + offText + " reach beyond the " + dataLength
                    + "-byte data section (file truncated?)");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long integer(Path file, String what, Json.Value v) throws MalformedCheckpointException {
        if (!(v instanceof Json.Num) || !((Json.Num) v).isInteger()) {
            throw bad(file, what + ": " + Json.abbreviate(Json.write(v)) + " is not an integer");
        }
        try {
            return ((Json.Num) v).longValueExact();
        } catch (IllegalArgumentException e) {
            throw bad(file, what + ": " + e.getMessage().replace("json: ", ""));
        }
    }

    /** The sorted offsets must tile [0, dataLength) exactly. */
    private static void checkTiling(Path file, List<Entry> entries, long dataLength) throws MalformedCheckpointException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        String previous = null;
        for (Entry e : sorted) {
            String what = "tensor '" + Json.abbreviate(e.name()) + "'";
            if (e.begin() < covered) {
                throw bad(file, what + ": data_offsets [" + e.begin() + ", " + e.end() + "] overlap tensor '"
                        + Json.abbreviate(previous) + "' which ends at " + covered);
            }
            if (e.begin() > covered) {
                throw bad(file, what + ": data_offsets [" + e.begin() + ", " + e.end() + "] leave bytes [" + covered + ", "
                        + e.begin() + ") of the data section unused");
            }
            covered = e.end();
            previous = e.name();
        }
        if (covered != dataLength) {
            throw bad(file, "the tensors cover " + covered + " bytes but the data section has " + dataLength);
        }
    }

    private static Tensor readTensor(Path file, FileChannel ch, ByteBuffer buf, Entry e, long dataStart) throws IOException {
        int n = Math.toIntExact((e.end() - e.begin()) / e.dtype().byteSize());
        int per = e.dtype().byteSize(), step = buf.capacity() / per;
        float[] f = e.dtype() == DType.F32 ? new float[n] : null;
        double[] d = f == null ? new double[n] : null;
        for (int i = 0; i < n; i += step) {
            int k = Math.min(step, n - i);
            buf.clear().limit(k * per);
            readFully(file, ch, buf, dataStart + e.begin() + (long) i * per);
            buf.flip();
            if (f != null) buf.asFloatBuffer().get(f, i, k); else buf.asDoubleBuffer().get(d, i, k);
        }
        return f != null ? Tensor.wrap(f, e.shape()) : Tensor.wrap(d, e.shape());
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw bad(file, "file ended at byte " + pos + " while reading (was it truncated during the read?)");
            pos += r;
        }
    }

    private static String kind(Json.Value v) {
        if (v instanceof Json.Obj) return "an object";
        if (v instanceof Json.Arr) return "an array";
        if (v instanceof Json.Str) return "a string";
        if (v instanceof Json.Num) return "a number";
        if (v instanceof Json.Bool) return "a boolean";
        return "null";
    }

    private static MalformedCheckpointException bad(Path file, String message) {
        return new MalformedCheckpointException(file.getFileName() + ": " + message);
    }
}
