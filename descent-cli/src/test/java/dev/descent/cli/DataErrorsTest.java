package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing and corrupt data files through the CLI: one line naming the problem, exit 1. */
class DataErrorsTest {
    @TempDir
    Path dir;

    private static byte[] idx(int magic, int[] dims, int payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.array();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    /** A valid tiny Fashion-MNIST directory: 4 training and 2 test images. */
    private void fashion() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idx(0x803, new int[] {4, 28, 28}, 4 * 784)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idx(0x801, new int[] {4}, 4)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(idx(0x803, new int[] {2, 28, 28}, 2 * 784)));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idx(0x801, new int[] {2}, 2)));
    }

    private Cli.Run train(String data) {
        return Cli.run("train", "--data", data, "--out", dir.resolve("run").toString());
    }

    @Test
    void aValidTinyDatasetTrains() throws IOException {
        fashion();
        Cli.Run r = train("fashion-mnist:" + dir);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().startsWith("data: Fashion-MNIST from " + dir), r.err());
        assertTrue(r.out().startsWith("test accuracy "), r.out());
    }

    @Test
    void missingFashionMnistSaysHowToInstallOrPoint() {
        train("fashion-mnist:" + dir.resolve("absent"))
                .assertOneLineError(1, "absent", "apt-get install dataset-fashion-mnist", "--data fashion-mnist:DIR");
        train("fashion-mnist:" + dir).assertOneLineError(1, "no train-images-idx3-ubyte.gz", "apt-get install dataset-fashion-mnist");
    }

    @Test
    void wrongMagic() throws IOException {
        fashion();
        Path f = dir.resolve("t10k-images-idx3-ubyte.gz");
        Files.write(f, gzip(idx(0x801, new int[] {2, 28, 28}, 2 * 784)));
        train("fashion-mnist:" + dir).assertOneLineError(1, f + ": bad magic number 0x00000801, expected 0x00000803");
    }

    @Test
    void truncatedImages() throws IOException {
        fashion();
        Path f = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] raw = idx(0x803, new int[] {4, 28, 28}, 4 * 784);
        Files.write(f, gzip(Arrays.copyOf(raw, raw.length - 100)));
        train("fashion-mnist:" + dir).assertOneLineError(1, f + ": truncated", "declare 3136 bytes", "ends after 3036");
    }

    @Test
    void imageLabelCountMismatch() throws IOException {
        fashion();
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        Files.write(labels, gzip(idx(0x801, new int[] {3}, 3)));
        train("fashion-mnist:" + dir).assertOneLineError(1, labels + ": holds 3 labels but", "holds 4 images");
    }

    @Test
    void missingCsv() {
        Path f = dir.resolve("missing.csv");
        train("csv:" + f).assertOneLineError(1, f + ": no such file");
    }

    @Test
    void raggedCsv() throws IOException {
        Path f = Files.writeString(dir.resolve("ragged.csv"), "x1,x2,y\n1,2,0\n3,1\n");
        train("csv:" + f).assertOneLineError(1, f + ":3: 2 cells, expected 3");
    }

    @Test
    void nonNumericCsv() throws IOException {
        Path f = Files.writeString(dir.resolve("text.csv"), "x1,x2,y\n1,2,0\n3,three,1\n");
        train("csv:" + f).assertOneLineError(1, f + ":3: column 1 ('x2'): 'three' is not a number");
    }

    @Test
    void csvLabelProblems() throws IOException {
        Path f = Files.writeString(dir.resolve("labels.csv"), "x1,x2,y\n1,2,0.5\n3,4,1\n");
        train("csv:" + f).assertOneLineError(1, f + ":2: label 2 ('y'): '0.5' is not a class label");
        train("csv:" + f + ",label=z").assertOneLineError(1, "no column named 'z' (columns: x1, x2, y)");
        Cli.Run r = train("csv:" + f + ",regression");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("test mse "), r.out());
    }
}
