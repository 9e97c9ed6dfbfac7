package dev.descent.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes tiny IDX files for tests. */
final class IdxFiles {
    private IdxFiles() {}

    /** The bytes of an IDX file: magic, dims, then {@code data}. */
    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return file;
    }

    /** {@code count} images of rows×cols with pixel (n, i) = (7n + 3i) mod 256. */
    static byte[] images(int count, int rows, int cols) {
        byte[] px = new byte[count * rows * cols];
        for (int n = 0; n < count; n++) {
            for (int i = 0; i < rows * cols; i++) px[n * rows * cols + i] = (byte) ((7 * n + 3 * i) % 256);
        }
        return idx(IdxReader.IMAGES_MAGIC, new int[] {count, rows, cols}, px);
    }

    /** Labels n mod 10. */
    static byte[] labels(int count) {
        byte[] l = new byte[count];
        for (int n = 0; n < count; n++) l[n] = (byte) (n % 10);
        return idx(IdxReader.LABELS_MAGIC, new int[] {count}, l);
    }
}
