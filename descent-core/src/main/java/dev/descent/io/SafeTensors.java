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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files in the safetensors layout (Hugging Face's format, readable from PyTorch):
 * <pre>
 *   [8 bytes]  N, the header length, unsigned little-endian
 *   [N bytes]  a UTF-8 JSON object: {"name": {"dtype": "F32", "shape": [..],
 *              "data_offsets": [begin, end]}, …, "__metadata__": {string: string}}
 *   [rest]     the data section: each tensor's values, row-major, little-endian, at
 *              [begin, end) relative to the start of the data section
 * </pre>
 * The writer lays tensors out contiguously in the given order and pads the header with spaces
 * to a multiple of 8 bytes, so the data section is 8-byte aligned (as the reference
 * implementation does).
 *
 * <p><b>Writes are atomic</b>: the bytes go to a temporary file in the target's directory, which
 * is forced to disk ({@link FileChannel#force}) and renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}; the directory is then forced too where the platform
 * allows it. A reader sees the old file or the new one, never a mixture, and a failed write
 * leaves the old file and no temporary file behind.
 *
 * <p><b>Reads validate everything before allocating tensor data</b>: the header length against
 * the file size and a {@link #MAX_HEADER_BYTES} cap, strict UTF-8 and strict JSON
 * ({@link Json}: duplicate names are rejected), that the header is an object, each entry's
 * fields, dtype, shape (non-negative dimensions below 2^31, element count that fits a tensor,
 * computed without overflow) and offsets (element count × dtype size equals the span), and that
 * the offsets, sorted, tile the data section exactly, with no gap, overlap or byte outside it.
 * Any violation throws {@link MalformedCheckpointException} naming the tensor and the value.
 *
 * <p><b>Element types</b> ({@link Dtype}): every dtype of the format's core set is read, none
 * with a loss of precision. F64 and F32 become tensors of that dtype; F16 and BF16 are decoded
 * bit for bit into F32 tensors (every binary16 and bfloat16 value is a float32 value);
 * the integer types I64, I32, I16, I8, U32, U16, U8 and BOOL become {@link IntegerTensor}s
 * holding the exact values, which {@link IntegerTensor#toTensor()} converts to float64 only
 * where that is exact (|v| ≤ 2^53). {@link Contents#dtypes()} records what each tensor was in
 * the file. The writer writes F64, F32, F16 and BF16 (from float tensors, rounding to nearest,
 * ties to even, when narrowing) and every integer type (from {@link IntegerTensor}s). Newer
 * additions to the format (U64, F8_E4M3, F8_E5M2) are refused with a message.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** The largest header accepted (the reference implementation's limit too). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The reserved header key of the string-to-string metadata map. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int CHUNK = 1 << 20;

    /** The element types of the format that this class reads and writes (name = the header's spelling). */
    public enum Dtype {
        /** IEEE-754 binary64. */
        F64(8, true),
        /** IEEE-754 binary32. */
        F32(4, true),
        /** IEEE-754 binary16 (1 sign, 5 exponent, 10 fraction bits). */
        F16(2, true),
        /** bfloat16: the top half of a binary32 (1 sign, 8 exponent, 7 fraction bits). */
        BF16(2, true),
        /** Signed 64-bit integer. */
        I64(8, false),
        /** Signed 32-bit integer. */
        I32(4, false),
        /** Signed 16-bit integer. */
        I16(2, false),
        /** Signed 8-bit integer. */
        I8(1, false),
        /** Unsigned 32-bit integer. */
        U32(4, false),
        /** Unsigned 16-bit integer. */
        U16(2, false),
        /** Unsigned 8-bit integer. */
        U8(1, false),
        /** A boolean in one byte, 0 or 1. */
        BOOL(1, false);

        private final int bytes;
        private final boolean floating;

        Dtype(int bytes, boolean floating) {
            this.bytes = bytes;
            this.floating = floating;
        }

        /** Bytes per element in the file. */
        public int byteSize() {
            return bytes;
        }

        /** Whether values are floating point (read into a {@link Tensor}) rather than integers or booleans. */
        public boolean isFloating() {
            return floating;
        }

        /** The smallest value an element can hold (integer types only). */
        public long minValue() {
            switch (this) {
                case I64: return Long.MIN_VALUE;
                case I32: return Integer.MIN_VALUE;
                case I16: return Short.MIN_VALUE;
                case I8: return Byte.MIN_VALUE;
                case U32: case U16: case U8: case BOOL: return 0;
                default: throw new IllegalStateException(this + " is not an integer type");
            }
        }

        /** The largest value an element can hold (integer types only). */
        public long maxValue() {
            switch (this) {
                case I64: return Long.MAX_VALUE;
                case I32: return Integer.MAX_VALUE;
                case I16: return Short.MAX_VALUE;
                case I8: return Byte.MAX_VALUE;
                case U32: return 0xFFFF_FFFFL;
                case U16: return 0xFFFF;
                case U8: return 0xFF;
                case BOOL: return 1;
                default: throw new IllegalStateException(this + " is not an integer type");
            }
        }

        /** The file dtype that stores a {@link DType} without conversion. */
        public static Dtype of(DType d) {
            return d == DType.F32 ? F32 : F64;
        }

        static Dtype parse(String name) {
            for (Dtype d : values()) if (d.name().equals(name)) return d;
            return null;
        }
    }

    /**
     * An integer or boolean tensor with its exact values (Descent's {@link Tensor} is floating
     * point only). Values are held as {@code long}s: every I64, I32, I16, I8, U32, U16, U8 and
     * BOOL value fits one exactly.
     *
     * @param dtype the element type (not a floating one)
     * @param shape the dimensions
     * @param values the values, row-major, each within the dtype's range
     */
    public record IntegerTensor(Dtype dtype, int[] shape, long[] values) {
        /** Validates the dtype, that the shape's element count matches, and every value's range; copies the arrays. */
        public IntegerTensor {
            if (dtype == null || dtype.isFloating()) throw new IllegalArgumentException("safetensors: integer tensor needs an integer dtype, got " + dtype);
            shape = shape.clone();
            values = values.clone();
            long n = 1;
            for (int d : shape) {
                if (d < 0) throw new IllegalArgumentException("safetensors: negative dimension in shape " + Arrays.toString(shape));
                n *= d;
            }
            if (n != values.length) {
                throw new IllegalArgumentException("safetensors: shape " + Arrays.toString(shape) + " has " + n + " elements, got "
                        + values.length + " values");
            }
            for (int i = 0; i < values.length; i++) {
                if (values[i] < dtype.minValue() || values[i] > dtype.maxValue()) {
                    throw new IllegalArgumentException("safetensors: value " + values[i] + " at index " + i + " is outside the range of "
                            + dtype + " [" + dtype.minValue() + ", " + dtype.maxValue() + "]");
                }
            }
        }

        /** A tensor of {@code dtype} with the given values and shape (a scalar when no dimension is given). */
        public static IntegerTensor of(Dtype dtype, long[] values, int... shape) {
            return new IntegerTensor(dtype, shape, values);
        }

        /** The dimensions (a copy). */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** The values (a copy). */
        @Override
        public long[] values() {
            return values.clone();
        }

        /**
         * The values as a float64 tensor, which holds every integer of magnitude up to 2^53
         * exactly.
         *
         * @throws ArithmeticException naming the index and the value if one lies beyond ±2^53
         */
        public Tensor toTensor() {
            double[] d = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                long v = values[i];
                if (v > EXACT_IN_DOUBLE || v < -EXACT_IN_DOUBLE) {
                    throw new ArithmeticException(dtype + " value " + v + " at index " + i
                            + " has no exact float64 representation (|v| > 2^53)");
                }
                d[i] = v;
            }
            return Tensor.wrap(d, shape.clone());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IntegerTensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && Arrays.equals(t.values, values);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return dtype + Arrays.toString(shape);
        }
    }

    private static final long EXACT_IN_DOUBLE = 1L << 53;

    /**
     * A file's tensors (in header order) and metadata.
     *
     * @param tensors the floating-point tensors by name (F64, F32, and F16/BF16 decoded into F32), unmodifiable
     * @param integers the integer and boolean tensors by name, unmodifiable
     * @param dtypes every tensor's element type in the file, in header order (for writing: the
     *     float tensors' target types, F64, F32, F16 or BF16; a tensor without an entry gets its
     *     own type), unmodifiable
     * @param metadata the {@code __metadata__} map, unmodifiable (empty when absent)
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, IntegerTensor> integers, Map<String, Dtype> dtypes,
                           Map<String, String> metadata) {
        /**
         * Copies the maps, keeping their order; checks that no name is both a tensor and an
         * integer tensor and that {@code dtypes} names only tensors present. {@code dtypes} is
         * completed with each remaining tensor's own type (floats, then integers), so that its
         * key set is every tensor's name.
         */
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            integers = Collections.unmodifiableMap(new LinkedHashMap<>(integers));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            for (String name : integers.keySet()) {
                if (tensors.containsKey(name)) throw new IllegalArgumentException("safetensors: '" + name + "' is both a float and an integer tensor");
            }
            LinkedHashMap<String, Dtype> all = new LinkedHashMap<>();
            for (Map.Entry<String, Dtype> e : dtypes.entrySet()) {
                if (!tensors.containsKey(e.getKey()) && !integers.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("safetensors: dtypes names '" + e.getKey() + "', which is not a tensor here");
                }
                all.put(e.getKey(), e.getValue());
            }
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) all.putIfAbsent(e.getKey(), Dtype.of(e.getValue().dtype()));
            for (Map.Entry<String, IntegerTensor> e : integers.entrySet()) all.putIfAbsent(e.getKey(), e.getValue().dtype());
            dtypes = Collections.unmodifiableMap(all);
        }

        /** Floating-point tensors only, each stored in its own dtype. */
        public Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
            this(tensors, Map.of(), Map.of(), metadata);
        }

        /**
         * Tensor {@code name} as a floating-point tensor: a float tensor as read, an integer one
         * converted exactly to float64 ({@link IntegerTensor#toTensor()}).
         *
         * @throws IllegalArgumentException if there is no such tensor
         * @throws ArithmeticException if an integer value has no exact float64 representation
         */
        public Tensor asTensor(String name) {
            Tensor t = tensors.get(name);
            if (t != null) return t;
            IntegerTensor i = integers.get(name);
            if (i == null) throw new IllegalArgumentException("safetensors: no tensor '" + name + "'");
            try {
                return i.toTensor();
            } catch (ArithmeticException e) {
                throw new ArithmeticException("tensor '" + name + "': " + e.getMessage());
            }
        }
    }

    /** Called before each chunk of bytes is written: the seam tests use to make a write fail midway. */
    @FunctionalInterface
    interface WriteHook {
        void beforeWrite(long bytesWritten) throws IOException;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code tensors} (in iteration order) and {@code metadata} to {@code file}, atomically,
     * each tensor in its own dtype (F32 or F64).
     *
     * @throws IllegalArgumentException for an empty or reserved tensor name, or a name or
     *     metadata string that is not valid Unicode
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, new Contents(tensors, metadata));
    }

    /**
     * Writes {@code contents} to {@code file}, atomically: the float tensors (in iteration order)
     * in the dtype {@link Contents#dtypes()} gives them (F64, F32, F16 or BF16; narrowing rounds to
     * nearest, ties to even, and overflows to ±∞ as IEEE-754 does), then the integer tensors in
     * their own dtypes.
     *
     * @throws IllegalArgumentException for an empty or reserved tensor name, a name or metadata
     *     string that is not valid Unicode, or an integer dtype asked of a float tensor
     */
    public static void write(Path file, Contents contents) throws IOException {
        write(file, contents, bytes -> { });
    }

    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, WriteHook hook) throws IOException {
        write(file, new Contents(tensors, metadata), hook);
    }

    /** One tensor to write: a float tensor (with its file dtype) or an integer tensor. */
    private record Item(String name, Dtype dtype, int[] shape, Tensor floats, IntegerTensor ints) {
        long count() {
            return floats != null ? floats.size() : ints.values.length;
        }
    }

    private static List<Item> items(Contents c) {
        List<Item> out = new ArrayList<>();
        c.tensors().forEach((name, t) -> {
            Dtype d = c.dtypes().getOrDefault(name, Dtype.of(t.dtype()));
            if (!d.isFloating()) {
                throw new IllegalArgumentException("safetensors: tensor '" + name + "' is floating point and cannot be written as " + d
                        + " (use an IntegerTensor)");
            }
            out.add(new Item(name, d, t.dims(), t, null));
        });
        c.integers().forEach((name, t) -> {
            Dtype d = c.dtypes().get(name);
            if (d != null && d != t.dtype()) {
                throw new IllegalArgumentException("safetensors: integer tensor '" + name + "' is " + t.dtype() + " but dtypes says " + d);
            }
            out.add(new Item(name, t.dtype(), t.shape, null, t));
        });
        return out;
    }

    static void write(Path file, Contents contents, WriteHook hook) throws IOException {
        List<Item> items = items(contents);
        byte[] header = encodeHeader(items, contents.metadata());
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                buf.putLong(header.length).flip();
                long written = writeChunk(ch, buf, 0, hook);
                written = writeChunk(ch, ByteBuffer.wrap(header), written, hook);
                for (Item item : items) written = writeData(ch, buf, item, written, hook);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
    }

    private static long writeData(FileChannel ch, ByteBuffer buf, Item item, long written, WriteHook hook) throws IOException {
        int n = Math.toIntExact(item.count()), per = item.dtype().byteSize(), step = CHUNK / per;
        Tensor t = item.floats();
        for (int i = 0; i < n; i += step) {
            int k = Math.min(step, n - i);
            buf.clear();
            if (t != null && item.dtype() == Dtype.of(t.dtype())) {
                if (t.dtype() == DType.F32) buf.asFloatBuffer().put(t.rawF32(), i, k);
                else buf.asDoubleBuffer().put(t.rawF64(), i, k);
                buf.position(k * per);
            } else if (t != null) {
                encodeFloats(buf, t, item.dtype(), i, k);
            } else {
                encodeIntegers(buf, item.ints().values, item.dtype(), i, k);
            }
            buf.flip();
            written = writeChunk(ch, buf, written, hook);
        }
        return written;
    }

    /** Elements [i, i + k) of a float tensor in another float dtype (both directions are exact or round to nearest even). */
    private static void encodeFloats(ByteBuffer buf, Tensor t, Dtype to, int i, int k) {
        float[] f = t.dtype() == DType.F32 ? t.rawF32() : null;
        double[] d = f == null ? t.rawF64() : null;
        for (int j = i; j < i + k; j++) {
            double v = f != null ? f[j] : d[j];
            switch (to) {
                case F64: buf.putDouble(v); break;
                case F32: buf.putFloat((float) v); break;
                case F16: buf.putShort((short) toBinary16(v)); break;
                case BF16: buf.putShort((short) toBfloat16(v)); break;
                default: throw new IllegalStateException(to.name());
            }
        }
    }

    private static void encodeIntegers(ByteBuffer buf, long[] values, Dtype to, int i, int k) {
        for (int j = i; j < i + k; j++) {
            long v = values[j];
            switch (to.byteSize()) {
                case 8: buf.putLong(v); break;
                case 4: buf.putInt((int) v); break;
                case 2: buf.putShort((short) v); break;
                default: buf.put((byte) v); break;
            }
        }
    }

    // ------------------------------------------------------------------ half-precision codecs

    /** The binary16 value with bit pattern {@code bits} (low 16 bits), exactly, as a float. */
    public static float fromBinary16(int bits) {
        int b = bits & 0xFFFF;
        if ((b & 0x7C00) == 0x7C00 && (b & 0x3FF) != 0) {
            return Float.intBitsToFloat(((b & 0x8000) << 16) | 0x7F80_0000 | ((b & 0x3FF) << 13)); // NaN, payload kept bit for bit
        }
        return (float) decodeSmallFloat(b, 5, 10);
    }

    /** The bfloat16 value with bit pattern {@code bits} (low 16 bits), exactly, as a float. */
    public static float fromBfloat16(int bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The binary16 bit pattern nearest to {@code v} (ties to even; ±∞ beyond the range; NaN stays NaN, sign kept). */
    public static int toBinary16(double v) {
        return encodeSmallFloat(v, 5, 10);
    }

    /** The bfloat16 bit pattern nearest to {@code v} (ties to even; ±∞ beyond the range; NaN stays NaN, sign kept). */
    public static int toBfloat16(double v) {
        return encodeSmallFloat(v, 8, 7);
    }

    /** Decodes a binary floating-point pattern with {@code e} exponent and {@code m} fraction bits. */
    private static double decodeSmallFloat(int bits, int e, int m) {
        int bias = (1 << (e - 1)) - 1, maxExp = (1 << e) - 1;
        int sign = bits >>> (e + m), exp = (bits >>> m) & maxExp, frac = bits & ((1 << m) - 1);
        double magnitude;
        if (exp == maxExp) {
            magnitude = frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            magnitude = Math.scalb((double) frac, 1 - bias - m);        // subnormal: frac · 2^(emin − m)
        } else {
            magnitude = Math.scalb((double) ((1 << m) | frac), exp - bias - m);
        }
        return sign == 0 ? magnitude : -magnitude;
    }

    /**
     * Rounds {@code v} to the nearest value of the binary format with {@code e} exponent and
     * {@code m} fraction bits, ties to even, directly from the double (no double rounding through
     * float32). Scaling by powers of two is exact, so {@link Math#rint} (ties to even) does the
     * one rounding.
     */
    private static int encodeSmallFloat(double v, int e, int m) {
        int bias = (1 << (e - 1)) - 1, maxExp = (1 << e) - 1, emin = 1 - bias;
        int sign = (Double.doubleToRawLongBits(v) < 0 ? 1 : 0) << (e + m);
        if (Double.isNaN(v)) {
            long payload = (Double.doubleToRawLongBits(v) >>> (52 - m)) & ((1 << m) - 1);
            return sign | (maxExp << m) | (int) payload | (1 << (m - 1)); // quiet NaN, top payload bits kept
        }
        double a = Math.abs(v);
        int inf = sign | (maxExp << m);
        if (a == Double.POSITIVE_INFINITY) return inf;
        if (a < Math.scalb(1.0, emin)) {
            // Subnormal range: a multiple of the quantum 2^(emin − m); 2^m itself is the smallest normal's pattern.
            return sign | (int) Math.rint(Math.scalb(a, m - emin));
        }
        int exp = Math.getExponent(a);
        long significand = (long) Math.rint(Math.scalb(a, m - exp)); // in [2^m, 2^(m+1)]
        if (significand == 1L << (m + 1)) {
            significand >>= 1;
            exp++;
        }
        if (exp > bias) return inf;
        return sign | ((exp + bias) << m) | (int) (significand - (1L << m));
    }

    private static long writeChunk(FileChannel ch, ByteBuffer buf, long written, WriteHook hook) throws IOException {
        hook.beforeWrite(written);
        long n = buf.remaining();
        while (buf.hasRemaining()) ch.write(buf);
        return written + n;
    }

    // NOTE: forcing a directory makes the rename itself durable on Linux; other platforms (Windows)
    // cannot open a directory as a channel, and there the rename is as durable as the OS makes it.
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not possible on this platform; the file's own data was already forced.
        }
    }

    /** The padded header bytes for {@code items} laid out contiguously in order. */
    private static byte[] encodeHeader(List<Item> items, Map<String, String> metadata) {
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
        for (Item item : items) {
            String name = item.name();
            if (name == null || name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("safetensors: invalid tensor name '" + name + "'");
            }
            long bytes = item.count() * item.dtype().byteSize();
            List<Json.Value> shape = new ArrayList<>();
            for (int d : item.shape()) shape.add(Json.Num.of(d));
            LinkedHashMap<String, Json.Value> entry = new LinkedHashMap<>();
            entry.put("dtype", new Json.Str(item.dtype().name()));
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

    // ------------------------------------------------------------------ reading

    /** One validated header entry. */
    private record Entry(String name, Dtype dtype, int[] shape, long begin, long end) {}

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
            LinkedHashMap<String, IntegerTensor> integers = new LinkedHashMap<>();
            LinkedHashMap<String, Dtype> dtypes = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(8, dataLength))).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                dtypes.put(e.name(), e.dtype());
                if (e.dtype().isFloating()) tensors.put(e.name(), readTensor(file, ch, buf, e, 8 + n));
                else integers.put(e.name(), readIntegers(file, ch, buf, e, 8 + n));
            }
            return new Contents(tensors, integers, dtypes, metadata);
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
        Dtype dtype = Dtype.parse(dtName);
        if (dtype == null) {
            throw bad(file, what + ": unsupported dtype '" + Json.abbreviate(dtName) + "' (expected one of "
                    + Arrays.toString(Dtype.values()).replace("[", "").replace("]", "") + ")");
        }

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

    /** Reads a floating entry: F32 and F64 as they are, F16 and BF16 decoded exactly into F32. */
    private static Tensor readTensor(Path file, FileChannel ch, ByteBuffer buf, Entry e, long dataStart) throws IOException {
        int per = e.dtype().byteSize(), n = Math.toIntExact((e.end() - e.begin()) / per), step = buf.capacity() / per;
        float[] f = e.dtype() != Dtype.F64 ? new float[n] : null;
        double[] d = f == null ? new double[n] : null;
        for (int i = 0; i < n; i += step) {
            int k = Math.min(step, n - i);
            buf.clear().limit(k * per);
            readFully(file, ch, buf, dataStart + e.begin() + (long) i * per);
            buf.flip();
            switch (e.dtype()) {
                case F64: buf.asDoubleBuffer().get(d, i, k); break;
                case F32: buf.asFloatBuffer().get(f, i, k); break;
                case F16: for (int j = i; j < i + k; j++) f[j] = fromBinary16(buf.getShort()); break;
                case BF16: for (int j = i; j < i + k; j++) f[j] = fromBfloat16(buf.getShort()); break;
                default: throw new IllegalStateException(e.dtype().name());
            }
        }
        return f != null ? Tensor.wrap(f, e.shape()) : Tensor.wrap(d, e.shape());
    }

    /** Reads an integer or boolean entry exactly (a BOOL byte other than 0 or 1 is malformed). */
    private static IntegerTensor readIntegers(Path file, FileChannel ch, ByteBuffer buf, Entry e, long dataStart) throws IOException {
        int per = e.dtype().byteSize(), n = Math.toIntExact((e.end() - e.begin()) / per), step = buf.capacity() / per;
        long[] v = new long[n];
        for (int i = 0; i < n; i += step) {
            int k = Math.min(step, n - i);
            buf.clear().limit(k * per);
            readFully(file, ch, buf, dataStart + e.begin() + (long) i * per);
            buf.flip();
            for (int j = i; j < i + k; j++) {
                switch (e.dtype()) {
                    case I64: v[j] = buf.getLong(); break;
                    case I32: v[j] = buf.getInt(); break;
                    case U32: v[j] = Integer.toUnsignedLong(buf.getInt()); break;
                    case I16: v[j] = buf.getShort(); break;
                    case U16: v[j] = Short.toUnsignedInt(buf.getShort()); break;
                    case I8: v[j] = buf.get(); break;
                    case U8: v[j] = Byte.toUnsignedInt(buf.get()); break;
                    case BOOL:
                        v[j] = Byte.toUnsignedInt(buf.get());
                        if (v[j] > 1) throw bad(file, "tensor '" + Json.abbreviate(e.name()) + "': BOOL element " + j + " is " + v[j] + ", not 0 or 1");
                        break;
                    default: throw new IllegalStateException(e.dtype().name());
                }
            }
        }
        return new IntegerTensor(e.dtype(), e.shape(), v);
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
