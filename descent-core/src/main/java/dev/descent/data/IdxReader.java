package dev.descent.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes, the format of MNIST and Fashion-MNIST (LeCun, Cortes &amp;
 * Burges, "The MNIST database of handwritten digits", 1998; Xiao, Rasul &amp; Vollgraf,
 * "Fashion-MNIST", arXiv:1708.07747, 2017).
 *
 * <p>Layout: a big-endian 32-bit magic number {@code 0x0000TTNN} (two zero bytes, the element type
 * {@code TT} = 0x08 for unsigned bytes, the number of dimensions {@code NN}), then {@code NN}
 * big-endian 32-bit dimension sizes, then the elements in row-major order. Labels are
 * {@code 0x00000801} (one dimension), images {@code 0x00000803} (count, rows,
 * columns). Files may be gzip-compressed; compression is recognised by its magic bytes, not the
 * file name.
 *
 * <p>Every check happens before the data is trusted: the magic number, each dimension (positive),
 * the element count (must fit a Java array), truncation (fewer bytes than declared) and trailing
 * bytes after the declared elements. Memory grows only as bytes actually arrive, so a corrupt
 * header that declares gigabytes costs nothing. Failures are {@link DataFormatException}s naming
 * the file and the bad value.
 */
public final class IdxReader {
    /** Magic number of a one-dimensional unsigned-byte IDX file (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Magic number of a three-dimensional unsigned-byte IDX file (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Largest element count accepted (the largest safe Java array). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private IdxReader() {}

    /**
     * The content of an IDX file: its dimensions and its unsigned-byte elements in row-major
     * order. The array is owned by the caller.
     */
    public record IdxArray(Path file, int[] dims, byte[] data) {
        /** Element {@code i} as an unsigned value in [0, 255]. */
        public int unsigned(int i) {
            return data[i] & 0xFF;
        }
    }

    /** A labels file: each label as an int in [0, 255]. */
    public static int[] readLabels(Path file) throws IOException {
        IdxArray a = read(file, LABELS_MAGIC);
        int[] labels = new int[a.data.length];
        for (int i = 0; i < labels.length; i++) labels[i] = a.unsigned(i);
        return labels;
    }

    /** An images file: dims are [count, rows, columns]. */
    public static IdxArray readImages(Path file) throws IOException {
        return read(file, IMAGES_MAGIC);
    }

    /**
     * Reads {@code file}, requiring magic number {@code expectedMagic} (an unsigned-byte IDX
     * magic, {@code 0x000008NN}).
     */
    public static IdxArray read(Path file, int expectedMagic) throws IOException {
        if ((expectedMagic & 0xFFFFFF00) != 0x00000800 || (expectedMagic & 0xFF) == 0) {
            throw new IllegalArgumentException("IdxReader.read: expected magic must be 0x000008NN with NN >= 1, got "
                    + hex(expectedMagic));
        }
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file");
        if (Files.isDirectory(file)) throw new DataFormatException(file, "is a directory, not an IDX file");
        long fileBytes = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream in = decompressIfGzip(file, raw)) {
            // How much to allocate before any data arrived: all of it for a raw file (it cannot
            // deliver more than its size, and the count was checked against it below), for gzip
            // a few times the compressed size (real image sets compress about 2:1), so that a
            // header declaring gigabytes costs nothing until the bytes actually arrive.
            long initial = in == raw ? fileBytes : Math.max(1 << 16, 4 * fileBytes);
            return parse(file, in, expectedMagic, initial);
        } catch (ZipException e) {
            throw new DataFormatException(file, "corrupt gzip data" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        } catch (EOFException e) {
            // GZIPInputStream reports a cut-off compressed stream as EOFException.
            throw new DataFormatException(file, "truncated gzip stream: the file ends before the compressed data does"
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
    }

    private static InputStream decompressIfGzip(Path file, InputStream raw) throws IOException {
        raw.mark(2);
        int b0 = raw.read(), b1 = raw.read();
        raw.reset();
        if (b0 == 0x1F && b1 == 0x8B) return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        return raw;
    }

    private static IdxArray parse(Path file, InputStream in, int expectedMagic, long initial) throws IOException {
        int magic = readHeaderInt(file, in, "magic number");
        if (magic != expectedMagic) {
            throw new DataFormatException(file, "bad magic number " + hex(magic) + ", expected " + hex(expectedMagic)
                    + " (" + describe(expectedMagic) + ")");
        }
        int rank = expectedMagic & 0xFF;
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = readHeaderInt(file, in, "dimension " + i);
            if (dims[i] <= 0) {
                throw new DataFormatException(file, "dimension " + i + " is " + Integer.toUnsignedString(dims[i])
                        + " (must be positive)");
            }
            count *= dims[i];
            if (count > MAX_ELEMENTS) {
                throw new DataFormatException(file, "dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + " declare more than " + MAX_ELEMENTS + " elements");
            }
        }
        byte[] data = readExactly(file, in, (int) count, dims, initial);
        long extra = 0;
        byte[] probe = new byte[8192];
        for (int r; (r = in.read(probe)) > 0; ) extra += r;
        if (extra > 0) {
            throw new DataFormatException(file, extra + " bytes of trailing data after the " + count
                    + " elements declared by dimensions " + Arrays.toString(dims));
        }
        return new IdxArray(file, dims, data);
    }

    /**
     * Reads exactly n bytes into a buffer that starts at {@code initial} bytes (at most n) and
     * doubles, up to n, only when full: memory follows the data that actually
     * arrives, so a header that lies about its count fails with "truncated" having allocated at
     * most twice what the stream delivered.
     */
    private static byte[] readExactly(Path file, InputStream in, int n, int[] dims, long initial) throws IOException {
        byte[] buf = new byte[(int) Math.max(0, Math.min(n, initial))];
        int have = 0;
        while (have < n) {
            if (have == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(n, Math.max(1 << 16, 2L * buf.length)));
            int r = in.read(buf, have, buf.length - have);
            if (r < 0) {
                throw new DataFormatException(file, "truncated: dimensions " + Arrays.toString(dims) + " declare " + n
                        + " bytes of data but the file ends after " + have);
            }
            have += r;
        }
        return buf;
    }

    private static int readHeaderInt(Path file, InputStream in, String what) throws IOException {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int b = in.read();
            if (b < 0) throw new DataFormatException(file, "truncated header: file ends inside the " + what);
            v = (v << 8) | b;
        }
        return v;
    }

    private static String describe(int magic) {
        if (magic == LABELS_MAGIC) return "IDX unsigned-byte labels";
        if (magic == IMAGES_MAGIC) return "IDX unsigned-byte images";
        return "IDX unsigned bytes, " + (magic & 0xFF) + " dimensions";
    }

    static String hex(int v) {
        return String.format("0x%08X", v);
    }
}
