package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.tensor.Rng;
import org.junit.jupiter.api.Test;

/** {@link Batch#head}: the first m samples, in either layout, equal to generating a batch of those samples alone. */
class BatchHeadTest {
    @Test
    void timeMajorRegressionHeadIsTheFirstSequences() {
        Batch b = new AddingTask(7).generate(5, new Rng(3)).all();
        Batch h = b.head(2, true);
        assertArrayEquals(new int[] {7, 2, 2}, h.features().dims());
        assertArrayEquals(new int[] {2, 1}, h.targets().dims());
        for (int t = 0; t < 7; t++) {
            for (int s = 0; s < 2; s++) {
                for (int c = 0; c < 2; c++) assertEquals(b.features().get(t, s, c), h.features().get(t, s, c));
            }
        }
        for (int s = 0; s < 2; s++) assertEquals(b.targets().get(s, 0), h.targets().get(s, 0));
        assertArrayEquals(new int[] {b.indices()[0], b.indices()[1]}, h.indices());
        assertSame(b, b.head(5, true));
        assertThrows(IllegalArgumentException.class, () -> b.head(0, true));
        assertThrows(IllegalArgumentException.class, () -> b.head(6, true));
    }

    @Test
    void perStepLabelsAreCutPerStep() {
        Batch b = new CopyTask(3).generate(5, new Rng(4)).all();
        Batch h = b.head(3, true);
        int steps = b.labelShape()[0];
        assertArrayEquals(new int[] {steps, 3}, h.labelShape());
        for (int t = 0; t < steps; t++) {
            for (int s = 0; s < 3; s++) assertEquals(b.labels()[t * 5 + s], h.labels()[t * 3 + s]);
        }
    }
}
