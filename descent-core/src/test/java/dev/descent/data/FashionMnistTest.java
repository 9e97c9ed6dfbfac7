package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    private void writeSet(int train, int test, boolean gz) throws IOException {
        write("train-images-idx3-ubyte", IdxFiles.images(train, 28, 28), gz);
        write("train-labels-idx1-ubyte", IdxFiles.labels(train), gz);
        write("t10k-images-idx3-ubyte", IdxFiles.images(test, 28, 28), gz);
        write("t10k-labels-idx1-ubyte", IdxFiles.labels(test), gz);
    }

    private void write(String base, byte[] raw, boolean gz) throws IOException {
        if (gz) IdxFiles.write(dir.resolve(base + ".gz"), IdxFiles.gzip(raw));
        else IdxFiles.write(dir.resolve(base), raw);
    }

    @Test
    void loadsPixelsOver255FlattenedRowMajor() throws IOException {
        writeSet(5, 3, true);
        FashionMnist.Splits s = FashionMnist.load(dir);
        assertArrayEquals(new int[] {5, 784}, s.train().features().dims());
        assertArrayEquals(new int[] {3, 784}, s.test().features().dims());
        assertEquals(10, s.train().classes());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, s.train().labels());
        // pixel (n=4, i=100) = (28 + 300) mod 256 = 72; /255 in float32 exactly as the peer does.
        assertEquals(72 / 255f, s.train().features().get(4, 100), 0.0);
    }

    @Test
    void rawFilesWorkToo() throws IOException {
        writeSet(2, 2, false);
        assertEquals(2, FashionMnist.load(dir).test().size());
    }

    @Test
    void countMismatchNamesBothFiles() throws IOException {
        writeSet(5, 3, true);
        write("train-labels-idx1-ubyte", IdxFiles.labels(4), true);
        DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.load(dir));
        IdxReaderTest.assertOneLine(e);
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz: holds 4 labels but")
                && e.getMessage().contains("train-images-idx3-ubyte.gz holds 5 images"), e.getMessage());
    }

    @Test
    void missingDirectoryOrFileSaysHowToInstall() throws IOException {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> FashionMnist.load(dir.resolve("none")));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        writeSet(2, 2, true);
        Files.delete(dir.resolve("t10k-images-idx3-ubyte.gz"));
        e = assertThrows(DatasetNotFoundException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("no t10k-images-idx3-ubyte.gz"), e.getMessage());
    }

    @Test
    void labelOutsideTenClassesIsRejected() throws IOException {
        writeSet(2, 2, true);
        write("t10k-labels-idx1-ubyte", IdxFiles.idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {3, 11}), true);
        assertTrue(assertThrows(DataFormatException.class, () -> FashionMnist.load(dir)).getMessage()
                .contains("label 11 at index 1 outside [0, 10)"));
    }

    /** Runs only where Debian's dataset-fashion-mnist is installed: 60000/10000, 6000/1000 per class. */
    @Test
    void theInstalledDatasetHasItsPublishedShape() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIRECTORY), "dataset-fashion-mnist not installed");
        FashionMnist.Splits s = FashionMnist.load();
        assertEquals(60000, s.train().size());
        assertEquals(10000, s.test().size());
        int[] counts = new int[10];
        for (int l : s.test().labels()) counts[l]++;
        for (int c : counts) assertEquals(1000, c);
        float[] px = s.test().features().rawF32();
        double max = 0;
        for (float p : px) max = Math.max(max, p);
        assertEquals(1.0, max, 0.0);
    }
}
