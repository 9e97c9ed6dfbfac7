package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void rawAndGzipFilesReadTheSameElements() throws IOException {
        byte[] raw = IdxFiles.images(3, 2, 4);
        Path a = IdxFiles.write(dir.resolve("a-idx3-ubyte"), raw);
        Path b = IdxFiles.write(dir.resolve("b.idx"), IdxFiles.gzip(raw)); // detected by content, not name
        IdxReader.IdxArray ra = IdxReader.readImages(a), rb = IdxReader.readImages(b);
        assertArrayEquals(new int[] {3, 2, 4}, ra.dims());
        assertArrayEquals(ra.data(), rb.data());
        assertEquals((7 * 2 + 3 * 5) % 256, ra.unsigned(2 * 8 + 5));
    }

    @Test
    void labelsAreUnsigned() throws IOException {
        byte[] l = {0, 9, (byte) 200};
        Path f = IdxFiles.write(dir.resolve("l"), IdxFiles.idx(IdxReader.LABELS_MAGIC, new int[] {3}, l));
        assertArrayEquals(new int[] {0, 9, 200}, IdxReader.readLabels(f));
    }

    @Test
    void wrongMagicNamesFileAndValue() throws IOException {
        Path f = IdxFiles.write(dir.resolve("x.gz"), IdxFiles.gzip(IdxFiles.labels(4)));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(f));
        assertOneLine(e);
        assertTrue(e.getMessage().startsWith(f.toString() + ": bad magic number 0x00000801, expected 0x00000803"), e.getMessage());
    }

    @Test
    void truncatedBodyIsReportedWithTheByteCounts() throws IOException {
        byte[] full = IdxFiles.images(2, 3, 3);
        Path f = IdxFiles.write(dir.resolve("t"), Arrays.copyOf(full, full.length - 5));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(f));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("declare 18 bytes")
                && e.getMessage().contains("after 13"), e.getMessage());
    }

    @Test
    void truncatedHeaderAndTruncatedGzipAreReported() throws IOException {
        Path h = IdxFiles.write(dir.resolve("h"), Arrays.copyOf(IdxFiles.images(2, 3, 3), 9));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readImages(h)).getMessage()
                .contains("truncated header: file ends inside the dimension 1"));
        byte[] gz = IdxFiles.gzip(IdxFiles.images(50, 10, 10));
        Path g = IdxFiles.write(dir.resolve("g.gz"), Arrays.copyOf(gz, gz.length / 2));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(g));
        assertOneLine(e);
        assertTrue(e.getMessage().startsWith(g + ": truncated"), e.getMessage());
    }

    @Test
    void trailingBytesAndZeroDimensionsAreRejected() throws IOException {
        byte[] full = IdxFiles.images(2, 3, 3);
        Path f = IdxFiles.write(dir.resolve("tr"), Arrays.copyOf(full, full.length + 4));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readImages(f)).getMessage()
                .contains("4 bytes of trailing data"));
        Path z = IdxFiles.write(dir.resolve("z"), IdxFiles.idx(IdxReader.IMAGES_MAGIC, new int[] {2, 0, 3}, new byte[0]));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readImages(z)).getMessage()
                .contains("dimension 1 is 0"));
    }

    /** A header declaring ~2 GB must fail on the missing data, not by allocating 2 GB first. */
    @Test
    void hugeDeclaredSizeFailsAsTruncationWithoutAllocating() throws IOException {
        Path f = IdxFiles.write(dir.resolve("huge.gz"),
                IdxFiles.gzip(IdxFiles.idx(IdxReader.IMAGES_MAGIC, new int[] {2_000_000, 28, 38}, new byte[100])));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("ends after 100"), e.getMessage());
        Path g = IdxFiles.write(dir.resolve("overflow"),
                IdxFiles.idx(IdxReader.IMAGES_MAGIC, new int[] {60000, 60000, 28}, new byte[0]));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readImages(g)).getMessage()
                .contains("declare more than"));
    }

    /**
     * The bomb: a gzip file of a few MB of zeros whose header declares 2.1 G pixels. The
     * reader may allocate only in step with what it decompressed (a small first buffer, then
     * doublings), not the declared size: the bytes this thread allocated stay far below the 2.1 GB
     * the header asks for, and the error is the truncation.
     */
    @Test
    void aGzipBombDeclaringGigabytesAllocatesOnlyWhatItDecompresses() throws IOException {
        int delivered = 8 << 20; // 8 MB of zeros, about 8 KB compressed
        Path f = IdxFiles.write(dir.resolve("bomb.gz"),
                IdxFiles.gzip(IdxFiles.idx(IdxReader.IMAGES_MAGIC, new int[] {2_700_000, 28, 28}, new byte[delivered])));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(f));
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("but the file ends after " + delivered), e.getMessage());
        // Buffers doubling from 64 KB to 16 MB (the last doubling once 8 MB arrived) plus stream buffers:
        // under 64 MB, against 2,116,800,000 bytes declared.
        assertTrue(allocated < 64L << 20, "allocated " + allocated + " bytes for " + delivered + " delivered");
    }

    @Test
    void aTruncatedGzipStreamSaysSoWithoutNull() throws IOException {
        byte[] gz = IdxFiles.gzip(IdxFiles.images(50, 10, 10));
        Path g = IdxFiles.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length - 6));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(g));
        assertOneLine(e);
        assertTrue(!e.getMessage().contains("null"), e.getMessage());
    }

    @Test
    void corruptGzipAndMissingFile() throws IOException {
        byte[] gz = IdxFiles.gzip(IdxFiles.images(4, 4, 4));
        gz[12] ^= (byte) 0xFF;
        gz[13] ^= (byte) 0xFF;
        Path f = IdxFiles.write(dir.resolve("bad.gz"), gz);
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(f));
        assertOneLine(e);
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readLabels(dir)).getMessage()
                .endsWith(": is a directory, not an IDX file"));
        NoSuchFileException m = assertThrows(NoSuchFileException.class, () -> IdxReader.readLabels(dir.resolve("nope")));
        assertTrue(m.getMessage().endsWith("nope: no such file"), m.getMessage());
    }

    static void assertOneLine(Exception e) {
        assertTrue(!e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
    }
}
