package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatcherTest {
    /** Sample i has features [i, 10 i] and label i mod 3. */
    static Dataset tabular(int n) {
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = i % 3;
        }
        return Dataset.classification(Tensor.wrap(x, n, 2), y, 3);
    }

    @Test
    void everyEpochVisitsEverySampleOnceAndKeepsTheLastPartialBatch() {
        Dataset d = tabular(10);
        Batcher b = new Batcher(d, 4, 7);
        assertEquals(3, b.batchesPerEpoch());
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] seen = new int[10];
            int[] sizes = new int[3];
            for (int k = 0; k < 3; k++) {
                Batch batch = b.next();
                sizes[k] = batch.size();
                for (int i = 0; i < batch.size(); i++) {
                    int idx = batch.indices()[i];
                    seen[idx]++;
                    assertEquals(idx, batch.features().get(i, 0), 0.0);
                    assertEquals(idx % 3, batch.labels()[i]);
                }
            }
            assertArrayEquals(new int[] {4, 4, 2}, sizes);
            for (int s : seen) assertEquals(1, s);
            assertEquals(new Cursor(epoch + 1, 0), b.cursor());
        }
    }

    @Test
    void orderIsReproducibleAndDiffersBetweenEpochsAndSeeds() {
        Dataset d = tabular(50);
        int[] e0 = Batcher.epochOrder(1, 0, 50), e1 = Batcher.epochOrder(1, 1, 50);
        assertFalse(Arrays.equals(e0, e1));
        assertFalse(Arrays.equals(e0, Batcher.epochOrder(2, 0, 50)));
        Batcher b = new Batcher(d, 50, 1);
        assertArrayEquals(e0, b.next().indices());
        assertArrayEquals(e1, b.next().indices());
    }

    /** The resume contract: seek(cursor) then next() equals the uninterrupted stream. */
    @Test
    void seekingToASavedCursorReplaysTheSameBatches() {
        Dataset d = tabular(23);
        Batcher uninterrupted = new Batcher(d, 5, 99);
        Cursor saved = null;
        int[][] expected = new int[12][];
        for (int k = 0; k < 12; k++) {
            if (k == 7) saved = uninterrupted.cursor();
            expected[k] = uninterrupted.next().indices();
        }
        Batcher resumed = new Batcher(d, 5, 99);
        resumed.seek(saved);
        for (int k = 7; k < 12; k++) assertArrayEquals(expected[k], resumed.next().indices(), "batch " + k);
        assertThrows(IllegalArgumentException.class, () -> resumed.seek(new Cursor(0, 3)));
    }

    @Test
    void dropLastAndUnshuffled() {
        Batcher b = new Batcher(tabular(10), 4, 0, false, true);
        assertEquals(2, b.batchesPerEpoch());
        assertArrayEquals(new int[] {0, 1, 2, 3}, b.next().indices());
        assertArrayEquals(new int[] {4, 5, 6, 7}, b.next().indices());
        assertArrayEquals(new int[] {0, 1, 2, 3}, b.next().indices());
        assertThrows(IllegalArgumentException.class, () -> new Batcher(tabular(3), 4, 0, true, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Batcher(tabular(3), 0, 0));
        assertTrue(e.getMessage().contains("got 0"));
    }

    @Test
    void timeMajorBatchesArePermutedWithPerStepLabels() {
        // 3 sequences of T = 4 steps with 2 channels; per-step labels = n * 10 + t.
        Rng rng = new Rng(5);
        Tensor x = rng.normal(DType.F32, 0, 1, 3, 4, 2);
        int[] labels = new int[12];
        for (int n = 0; n < 3; n++) for (int t = 0; t < 4; t++) labels[n * 4 + t] = n * 10 + t;
        Dataset d = Dataset.sequenceClassification(x, labels, 4, 40);
        Batch b = d.batch(new int[] {2, 0});
        assertArrayEquals(new int[] {4, 2, 2}, b.features().dims());
        assertArrayEquals(new int[] {4, 2}, b.labelShape());
        for (int t = 0; t < 4; t++) {
            assertEquals(x.get(2, t, 1), b.features().get(t, 0, 1), 0.0);
            assertEquals(x.get(0, t, 0), b.features().get(t, 1, 0), 0.0);
            assertEquals(20 + t, b.labels()[t * 2]);
            assertEquals(t, b.labels()[t * 2 + 1]);
        }
    }

    @Test
    void splitIsADisjointCoverKeepingOrder() {
        Dataset d = tabular(20);
        Dataset.Split s = d.split(5, 3);
        assertEquals(15, s.train().size());
        assertEquals(5, s.test().size());
        boolean[] seen = new boolean[20];
        for (Dataset part : new Dataset[] {s.train(), s.test()}) {
            double prev = -1;
            for (int i = 0; i < part.size(); i++) {
                int id = (int) part.features().get(i, 0);
                assertFalse(seen[id]);
                seen[id] = true;
                assertTrue(id > prev);
                prev = id;
                assertEquals(id % 3, part.label(i));
            }
        }
        assertEquals(4, d.splitFraction(0.2, 3).test().size());
        assertThrows(IllegalArgumentException.class, () -> d.splitFraction(1.0, 3));
        assertThrows(IllegalArgumentException.class, () -> d.split(20, 3));
    }

    @Test
    void constructionValidatesShapesAndLabels() {
        Tensor x = Tensor.zeros(DType.F32, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(x, new int[] {0, 1, 5}, 3));
        assertTrue(e.getMessage().contains("label 5 at position 2"));
        e = assertThrows(IllegalArgumentException.class, () -> Dataset.regression(x, Tensor.zeros(DType.F32, 4, 1)));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[4, 1]"), e.getMessage());
    }
}
