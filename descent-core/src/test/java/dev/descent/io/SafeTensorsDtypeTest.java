package dev.descent.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.SafeTensors.Dtype;
import dev.descent.io.SafeTensors.IntegerTensor;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every dtype of the format: files built byte by byte here (independently of the writer) read to
 * the exact values, the writer round-trips each type, and the binary16/bfloat16 codecs are exact
 * on decoding and round to nearest, ties to even, on encoding.
 */
class SafeTensorsDtypeTest {
    @TempDir
    Path dir;

    /** A safetensors file with one entry per (name, dtype, shape, raw little-endian bytes). */
    static byte[] handMade(Object[][] entries) throws IOException {
        StringBuilder header = new StringBuilder("{");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Object[] e : entries) {
            byte[] raw = (byte[]) e[3];
            if (header.length() > 1) header.append(',');
            header.append('"').append(e[0]).append("\":{\"dtype\":\"").append(e[1]).append("\",\"shape\":").append(e[2])
                    .append(",\"data_offsets\":[").append(data.size()).append(',').append(data.size() + raw.length).append("]}");
            data.write(raw);
        }
        byte[] h = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data.toByteArray());
        return b.array();
    }

    static byte[] le(int bytesPer, long... values) {
        ByteBuffer b = ByteBuffer.allocate(bytesPer * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (bytesPer) {
                case 8: b.putLong(v); break;
                case 4: b.putInt((int) v); break;
                case 2: b.putShort((short) v); break;
                default: b.put((byte) v);
            }
        }
        return b.array();
    }

    @Test
    void everyDtypeReadsToItsExactValues() throws IOException {
        Path f = dir.resolve("all.safetensors");
        Files.write(f, handMade(new Object[][] {
            {"f64", "F64", "[2]", le(8, Double.doubleToRawLongBits(0.1), Double.doubleToRawLongBits(-0.0))},
            {"f32", "F32", "[1]", le(4, Float.floatToRawIntBits(1f / 3))},
            // binary16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), 2^-14 (smallest normal), -0, +inf, 1 + 2^-10
            {"f16", "F16", "[8]", le(2, 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x0400, 0x8000, 0x7C00, 0x3C01)},
            // bfloat16: 1, -1.5, 2^-133 (smallest subnormal), largest finite (2 - 2^-7)·2^127, -inf
            {"bf16", "BF16", "[5]", le(2, 0x3F80, 0xBFC0, 0x0001, 0x7F7F, 0xFF80)},
            {"i64", "I64", "[3]", le(8, Long.MIN_VALUE, -1, Long.MAX_VALUE)},
            {"i32", "I32", "[2]", le(4, Integer.MIN_VALUE, Integer.MAX_VALUE)},
            {"i16", "I16", "[2]", le(2, Short.MIN_VALUE, Short.MAX_VALUE)},
            {"i8", "I8", "[2]", le(1, -128, 127)},
            {"u32", "U32", "[1]", le(4, 0xFFFF_FFFFL)},
            {"u16", "U16", "[1]", le(2, 0xFFFF)},
            {"u8", "U8", "[2]", le(1, 0, 255)},
            {"bool", "BOOL", "[3]", le(1, 1, 0, 1)},
            {"num_batches_tracked", "I64", "[]", le(8, 7)},
        }));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new double[] {0.1, -0.0}, c.tensors().get("f64").rawF64());
        assertEquals(DType.F64, c.tensors().get("f64").dtype());
        assertEquals(1f / 3, c.tensors().get("f32").rawF32()[0]);
        assertArrayEquals(new float[] {1, -2, 65504, 0x1p-24f, 0x1p-14f, -0f, Float.POSITIVE_INFINITY, 1 + 0x1p-10f},
                c.tensors().get("f16").rawF32());
        assertEquals(DType.F32, c.tensors().get("f16").dtype());
        assertArrayEquals(new float[] {1, -1.5f, 0x1p-133f, (2 - 0x1p-7f) * 0x1p127f, Float.NEGATIVE_INFINITY},
                c.tensors().get("bf16").rawF32());
        assertArrayEquals(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}, c.integers().get("i64").values());
        assertArrayEquals(new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, c.integers().get("i32").values());
        assertArrayEquals(new long[] {Short.MIN_VALUE, Short.MAX_VALUE}, c.integers().get("i16").values());
        assertArrayEquals(new long[] {-128, 127}, c.integers().get("i8").values());
        assertArrayEquals(new long[] {0xFFFF_FFFFL}, c.integers().get("u32").values());
        assertArrayEquals(new long[] {0xFFFF}, c.integers().get("u16").values());
        assertArrayEquals(new long[] {0, 255}, c.integers().get("u8").values());
        assertArrayEquals(new long[] {1, 0, 1}, c.integers().get("bool").values());
        assertEquals(Dtype.BOOL, c.integers().get("bool").dtype());
        assertEquals(Dtype.F16, c.dtypes().get("f16"));
        assertEquals(Dtype.I64, c.dtypes().get("num_batches_tracked"));
        assertEquals(0, c.integers().get("num_batches_tracked").shape().length);

        // Exact conversion of integers to float64, refused (naming tensor and value) beyond 2^53.
        assertEquals(7.0, c.asTensor("num_batches_tracked").item());
        assertArrayEquals(new double[] {0, 255}, c.asTensor("u8").rawF64());
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> c.asTensor("i64"));
        assertTrue(e.getMessage().contains("tensor 'i64'") && e.getMessage().contains(Long.toString(Long.MIN_VALUE)), e.getMessage());
        assertEquals(0x1p53, IntegerTensor.of(Dtype.I64, new long[] {1L << 53}).toTensor().item());
        assertThrows(ArithmeticException.class, () -> IntegerTensor.of(Dtype.I64, new long[] {(1L << 53) + 1}).toTensor());
    }

    @Test
    void boolBytesOtherThanZeroOrOneAreMalformed() throws IOException {
        Path f = dir.resolve("bool.safetensors");
        Files.write(f, handMade(new Object[][] {{"mask", "BOOL", "[2]", le(1, 1, 2)}}));
        MalformedCheckpointException e = assertThrows(MalformedCheckpointException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("tensor 'mask': BOOL element 1 is 2"), e.getMessage());
    }

    @Test
    void newerDtypesAreRefusedByName() throws IOException {
        for (String dt : new String[] {"U64", "F8_E4M3", "F8_E5M2"}) {
            Path f = dir.resolve(dt + ".safetensors");
            Files.write(f, handMade(new Object[][] {{"t", dt, "[1]", le(1, 0)}}));
            MalformedCheckpointException e = assertThrows(MalformedCheckpointException.class, () -> SafeTensors.read(f));
            assertTrue(e.getMessage().contains("unsupported dtype '" + dt + "'"), e.getMessage());
        }
    }

    @Test
    void writerRoundTripsEveryDtype() throws IOException {
        LinkedHashMap<String, Tensor> floats = new LinkedHashMap<>();
        LinkedHashMap<String, IntegerTensor> ints = new LinkedHashMap<>();
        LinkedHashMap<String, Dtype> dtypes = new LinkedHashMap<>();
        // Values exactly representable in the narrow types, so the round trip is exact.
        floats.put("as16", Tensor.of(new double[] {1, -2, 65504, 0x1p-24, -0.0, 0.5 + 0x1p-11}, 6));
        dtypes.put("as16", Dtype.F16);
        floats.put("asbf16", Tensor.of(new float[] {1, -1.5f, 0x1p-133f, 3.0e38f}, 4));
        dtypes.put("asbf16", Dtype.BF16);
        floats.put("as32", Tensor.of(new double[] {0.25, -3}, 2));
        dtypes.put("as32", Dtype.F32);
        floats.put("own", Tensor.of(new double[] {0.1}, 1));
        long[][] extremes = {{Long.MIN_VALUE, Long.MAX_VALUE}, {Integer.MIN_VALUE, Integer.MAX_VALUE}, {Short.MIN_VALUE, Short.MAX_VALUE},
            {-128, 127}, {0, 0xFFFF_FFFFL}, {0, 0xFFFF}, {0, 255}, {0, 1}};
        Dtype[] intTypes = {Dtype.I64, Dtype.I32, Dtype.I16, Dtype.I8, Dtype.U32, Dtype.U16, Dtype.U8, Dtype.BOOL};
        for (int i = 0; i < intTypes.length; i++) ints.put("int_" + intTypes[i], IntegerTensor.of(intTypes[i], extremes[i], 2, 1));
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, new SafeTensors.Contents(floats, ints, dtypes, Map.of("k", "v")));
        SafeTensors.Contents c = SafeTensors.read(f);

        assertEquals(Dtype.F16, c.dtypes().get("as16"));
        assertArrayEquals(floats.get("as16").to(DType.F32).rawF32(), c.tensors().get("as16").rawF32());
        assertEquals(Dtype.BF16, c.dtypes().get("asbf16"));
        float[] bf = c.tensors().get("asbf16").rawF32();
        assertArrayEquals(new float[] {1, -1.5f, 0x1p-133f}, java.util.Arrays.copyOf(bf, 3));
        // 3.0e38 is not a bfloat16: it comes back as the nearest one.
        assertEquals(SafeTensors.fromBfloat16(SafeTensors.toBfloat16(3.0e38f)), bf[3]);
        assertEquals(Dtype.F32, c.dtypes().get("as32"));
        assertEquals(DType.F32, c.tensors().get("as32").dtype());
        assertEquals(Dtype.F64, c.dtypes().get("own"));
        assertEquals(0.1, c.tensors().get("own").rawF64()[0]);
        for (Dtype d : intTypes) {
            assertEquals(ints.get("int_" + d), c.integers().get("int_" + d), d.name());
            assertEquals(d, c.dtypes().get("int_" + d));
        }
        assertEquals("v", c.metadata().get("k"));

        // The bytes on disk are the little-endian integers, as built by hand above.
        SafeTensors.write(f, new SafeTensors.Contents(Map.of(), Map.of("n", IntegerTensor.of(Dtype.I64, new long[] {-2})),
                Map.of(), Map.of()));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(-2L, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong((int) (8 + n)));
        assertTrue(new String(bytes, 8, (int) n, StandardCharsets.UTF_8).contains("\"dtype\":\"I64\""));
    }

    @Test
    void writerRefusesIntegerTypesForFloatTensorsAndOutOfRangeValues() {
        Path f = dir.resolve("x.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f,
                new SafeTensors.Contents(Map.of("w", Tensor.scalar(1)), Map.of(), Map.of("w", Dtype.I64), Map.of())));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IntegerTensor.of(Dtype.U8, new long[] {256}));
        assertTrue(e.getMessage().contains("256") && e.getMessage().contains("U8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IntegerTensor.of(Dtype.BOOL, new long[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> IntegerTensor.of(Dtype.F32, new long[] {1}));
        assertThrows(IllegalArgumentException.class, () -> IntegerTensor.of(Dtype.I32, new long[] {1, 2}, 3));
        assertTrue(!Files.exists(f), "nothing written");
    }

    @Test
    void checkpointWithAnIntegerBufferReadsItAsFloat64() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        Map<String, String> meta = Map.of("descent.format", Checkpoint.FORMAT, "descent.step", "3", "descent.seed", "1",
                "descent.configuration", "{}");
        SafeTensors.write(f, new SafeTensors.Contents(Map.of("param/w", Tensor.scalar(2.5)),
                Map.of("buffer/bn.num_batches_tracked", IntegerTensor.of(Dtype.I64, new long[] {12})), Map.of(), meta));
        Checkpoint c = Checkpoint.read(f);
        assertEquals(12.0, c.buffers().get("bn.num_batches_tracked").item());
        SafeTensors.write(f, new SafeTensors.Contents(Map.of("param/w", Tensor.scalar(2.5)),
                Map.of("buffer/big", IntegerTensor.of(Dtype.I64, new long[] {Long.MAX_VALUE})), Map.of(), meta));
        MalformedCheckpointException e = assertThrows(MalformedCheckpointException.class, () -> Checkpoint.read(f));
        assertTrue(e.getMessage().contains("buffer/big") && e.getMessage().contains(Long.toString(Long.MAX_VALUE)), e.getMessage());
    }

    // ------------------------------------------------------------------ codecs

    /** (−1)^s · 2^(e−15) · (1 + f/1024), or 2^−14 · f/1024 for e = 0: the definition, written independently. */
    static double binary16ByDefinition(int bits) {
        int s = bits >> 15 & 1, e = bits >> 10 & 31, f = bits & 1023;
        double sign = s == 1 ? -1 : 1;
        if (e == 31) return f == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        if (e == 0) return sign * Math.pow(2, -14) * (f / 1024.0);
        return sign * Math.pow(2, e - 15) * (1 + f / 1024.0);
    }

    @Test
    void binary16DecodesEveryPatternExactlyAndReEncodesIt() {
        for (int b = 0; b < 1 << 16; b++) {
            float v = SafeTensors.fromBinary16(b);
            double expected = binary16ByDefinition(b);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(v), "pattern " + b);
                assertEquals(b | 0x200, SafeTensors.toBinary16(v) | 0x200, "NaN keeps sign and payload, pattern " + b);
                continue;
            }
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(v), "pattern " + Integer.toHexString(b));
            assertEquals(b, SafeTensors.toBinary16(v), "round trip of " + Integer.toHexString(b));
            assertEquals(b, SafeTensors.toBinary16((double) v), "round trip of " + Integer.toHexString(b));
        }
    }

    @Test
    void bfloat16DecodesEveryPatternExactlyAndReEncodesIt() {
        for (int b = 0; b < 1 << 16; b++) {
            float v = SafeTensors.fromBfloat16(b);
            // bfloat16 is the top half of a binary32: an independent check through float arithmetic for normals.
            int e = b >> 7 & 0xFF, f = b & 0x7F;
            if (e != 0 && e != 0xFF) {
                double expected = (b >> 15 == 1 ? -1 : 1) * Math.pow(2, e - 127) * (1 + f / 128.0);
                assertEquals(expected, v, 0, "pattern " + Integer.toHexString(b));
            }
            if (Float.isNaN(v)) continue;
            assertEquals(b, SafeTensors.toBfloat16(v), "round trip of " + Integer.toHexString(b));
        }
    }

    /** Encoding picks the nearest value, ties to the even pattern, for values spread over every binade and at exact midpoints. */
    @Test
    void encodingRoundsToNearestTiesToEven() {
        SplittableRandom rng = new SplittableRandom(17);
        for (int trial = 0; trial < 200_000; trial++) {
            boolean bf = trial % 2 == 1;
            double x;
            if (trial % 3 == 0) {
                // an exact midpoint between two adjacent finite positive patterns
                int p = rng.nextInt(bf ? 0x7F7F : 0x7BFF);
                x = (decode(bf, p) + decode(bf, p + 1)) / 2;
            } else {
                x = Math.scalb(1 + rng.nextDouble(), rng.nextInt(bf ? -136 : -27, bf ? 128 : 16));
            }
            if (rng.nextBoolean()) x = -x;
            int got = bf ? SafeTensors.toBfloat16(x) : SafeTensors.toBinary16(x);
            int mag = got & 0x7FFF;
            double v = decode(bf, got);
            if (Double.isInfinite(v)) {
                double max = decode(bf, bf ? 0x7F7F : 0x7BFF), ulp = max - decode(bf, bf ? 0x7F7E : 0x7BFE);
                assertTrue(Math.abs(x) >= max + ulp / 2, "overflow only from the midpoint above the largest finite, x = " + x);
                continue;
            }
            double err = Math.abs(x - v);
            double below = mag > 0 ? Math.abs(x - Math.copySign(decode(bf, mag - 1), x)) : Double.POSITIVE_INFINITY;
            double above = Math.abs(x - Math.copySign(decode(bf, mag + 1), x));
            assertTrue(err <= below && err <= above, "x = " + x + " got pattern " + Integer.toHexString(got));
            if (err == below || err == above) assertEquals(0, mag & 1, "tie to even, x = " + x);
            assertEquals(x < 0 ? 1 : 0, got >>> 15, "sign of " + x);
        }
    }

    private static double decode(boolean bf, int pattern) {
        return bf ? SafeTensors.fromBfloat16(pattern) : SafeTensors.fromBinary16(pattern);
    }

    @Test
    void bfloat16EncodingAgreesWithTheBitTrickOnFloats() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) {
            int bits = rng.nextInt();
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) continue;
            // Round to nearest even on the raw bits (valid for finite values; carries into the exponent give ±∞ correctly).
            int expected = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
            assertEquals(expected, SafeTensors.toBfloat16(f), "float " + f);
        }
    }
}
