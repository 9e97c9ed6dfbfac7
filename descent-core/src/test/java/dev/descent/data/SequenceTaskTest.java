package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Statistical checks of the synthetic tasks. Each Monte-Carlo check compares a sample mean with
 * its expectation within 4 standard errors (σ/√N with σ from the exact distribution), which a
 * correct generator fails with probability ≈ 6e-5 per check; the seeds are fixed, so the tests
 * are deterministic.
 */
class SequenceTaskTest {
    private static final int N = 4000;

    @Test
    void addingHasTwoMarkersOneInEachHalfAndTargetsTheirSum() {
        int t = 50;
        Dataset d = new AddingTask(t).generate(N, new Rng(1));
        Tensor x = d.features(), y = d.targets();
        assertArrayEquals(new int[] {N, t, 2}, x.dims());
        double sum = 0, sq = 0;
        for (int n = 0; n < N; n++) {
            int first = -1, second = -1, markers = 0;
            for (int s = 0; s < t; s++) {
                double v = x.get(n, s, 0), m = x.get(n, s, 1);
                assertTrue(v >= 0 && v < 1);
                assertTrue(m == 0 || m == 1);
                if (m == 1) {
                    markers++;
                    if (s < t / 2) first = s; else second = s;
                }
            }
            assertEquals(2, markers);
            assertTrue(first >= 0 && second >= t / 2);
            double target = y.get(n, 0);
            assertEquals(x.get(n, first, 0) + x.get(n, second, 0), target, 1e-6);
            assertTrue(target >= 0 && target <= 2);
            sum += target;
            sq += (target - 1) * (target - 1);
        }
        // Y = X1 + X2: E[Y] = 1, Var Y = 1/6. (Y − 1)² has mean 1/6 and variance
        // E[S⁴] − (1/6)² = 1/15 − 1/36 = 7/180 for the triangular S = Y − 1 on [−1, 1].
        assertEquals(1.0, sum / N, 4 * Math.sqrt(1.0 / 6 / N));
        assertEquals(new AddingTask(t).trivialBaseline().value(), sq / N, 4 * Math.sqrt(7.0 / 180 / N));
        assertEquals(1.0 / 6, new AddingTask(t).trivialBaseline().value(), 0.0);
    }

    @Test
    void multiplicationTargetsTheProductAndItsBaselineIsSevenOver144() {
        MultiplicationTask task = new MultiplicationTask(20);
        Dataset d = task.generate(N, new Rng(2));
        double sum = 0, sq = 0;
        for (int n = 0; n < N; n++) {
            double prod = 1;
            for (int s = 0; s < 20; s++) if (d.features().get(n, s, 1) == 1) prod *= d.features().get(n, s, 0);
            double target = d.targets().get(n, 0);
            assertEquals(prod, target, 1e-6);
            sum += target;
            sq += (target - 0.25) * (target - 0.25);
        }
        // P = X1 X2 with E[Pᵏ] = 1/(k+1)²: mean 1/4, Var P = 1/9 − 1/16 = 7/144; the 4th central
        // moment 1/25 − 4m/16 + 6m²/9 − 4m³/4 + m⁴ (m = 1/4) gives Var[(P − m)²].
        double m = 0.25;
        double fourth = 1.0 / 25 - 4 * m / 16 + 6 * m * m / 9 - 4 * m * m * m / 4 + m * m * m * m;
        double baseline = task.trivialBaseline().value();
        assertEquals(7.0 / 144, baseline, 1e-15);
        assertEquals(m, sum / N, 4 * Math.sqrt(baseline / N));
        assertEquals(baseline, sq / N, 4 * Math.sqrt((fourth - baseline * baseline) / N));
    }

    @Test
    void temporalOrderPlacesTwoRelevantSymbolsInTheirWindowsAmongDistractors() {
        int t = 100;
        TemporalOrderTask task = new TemporalOrderTask(t);
        assertArrayEquals(new int[] {10, 20}, task.firstWindow());
        assertArrayEquals(new int[] {50, 60}, task.secondWindow());
        Dataset d = task.generate(N, new Rng(3));
        int[] labels = d.labels();
        int[] counts = new int[4];
        Tensor x = d.features();
        for (int n = 0; n < N; n++) {
            int[] relevant = new int[2];
            int found = 0;
            for (int s = 0; s < t; s++) {
                int symbol = -1;
                for (int c = 0; c < 8; c++) {
                    double v = x.get(n, s, c);
                    assertTrue(v == 0 || v == 1);
                    if (v == 1) {
                        assertEquals(-1, symbol, "one-hot");
                        symbol = c;
                    }
                }
                if (s == 0) assertEquals(TemporalOrderTask.BEGIN, symbol);
                else if (s == t - 1) assertEquals(TemporalOrderTask.END, symbol);
                else if (symbol >= TemporalOrderTask.X && symbol <= TemporalOrderTask.X + 1) {
                    assertTrue(found == 0 ? s >= 10 && s <= 20 : s >= 50 && s <= 60, "relevant symbol at " + s);
                    relevant[found++] = symbol - TemporalOrderTask.X;
                } else {
                    assertTrue(symbol >= 0 && symbol < 4, "distractor at " + s);
                }
            }
            assertEquals(2, found);
            assertEquals(2 * relevant[0] + relevant[1], labels[n]);
            counts[labels[n]]++;
        }
        // Each class has probability 1/4: binomial standard error √(p(1−p)/N).
        for (int c = 0; c < 4; c++) assertEquals(0.25, counts[c] / (double) N, 4 * Math.sqrt(0.25 * 0.75 / N));
        assertEquals(0.25, task.trivialBaseline().value(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> new TemporalOrderTask(9));
    }

    @Test
    void copyReproducesTheTenSymbolsAfterTheDelimiterAndItsBaselineMatchesTheFormula() {
        int t = 30, steps = t + 20;
        CopyTask task = new CopyTask(t);
        Dataset d = task.generate(500, new Rng(4));
        assertArrayEquals(new int[] {500, steps, 10}, d.features().dims());
        assertEquals(steps, d.labelsPerSample());
        int[] labels = d.labels();
        int[] symbolCounts = new int[10];
        double baselineLoss = 0;
        for (int n = 0; n < 500; n++) {
            for (int s = 0; s < steps; s++) {
                int in = -1;
                for (int c = 0; c < 10; c++) if (d.features().get(n, s, c) == 1) in = c;
                int expectedIn = s < 10 ? in : s == t + 9 ? CopyTask.DELIMITER : CopyTask.BLANK;
                assertEquals(expectedIn, in, "input at step " + s);
                if (s < 10) {
                    assertTrue(in >= 1 && in <= 8);
                    symbolCounts[in]++;
                    assertEquals(in, labels[n * steps + t + 10 + s]);
                } else if (s < t + 10) {
                    assertEquals(CopyTask.BLANK, labels[n * steps + s]);
                }
                // The baseline predictor: blank with probability 1 for T+10 steps, then 1/8 on each data symbol.
                int label = labels[n * steps + s];
                baselineLoss += s < t + 10 ? (label == CopyTask.BLANK ? 0 : Double.POSITIVE_INFINITY) : Math.log(8);
            }
        }
        assertEquals(task.trivialBaseline().value(), baselineLoss / (500.0 * steps), 1e-12);
        assertEquals(10 * Math.log(8) / steps, task.trivialBaseline().value(), 1e-15);
        // Each of the 8 data symbols has probability 1/8 over 5000 draws.
        for (int c = 1; c <= 8; c++) assertEquals(0.125, symbolCounts[c] / 5000.0, 4 * Math.sqrt(0.125 * 0.875 / 5000));
    }

    @Test
    void streamsAreReproducibleAndResumable() {
        BatchStream a = new AddingTask(10).stream(8, 42);
        Batch first = a.next();
        a.next();
        Cursor c = a.cursor();
        Batch third = a.next();
        BatchStream b = new AddingTask(10).stream(8, 42);
        assertEquals(0, first.features().maxAbsDiff(b.next().features()));
        b.seek(c);
        Batch resumed = b.next();
        assertEquals(0, third.features().maxAbsDiff(resumed.features()));
        assertEquals(0, third.targets().maxAbsDiff(resumed.targets()));
        assertArrayEquals(new int[] {10, 8, 2}, third.features().dims());
        assertTrue(first.features().maxAbsDiff(third.features()) > 0);
        Batch copy = new CopyTask(5).stream(3, 1).next();
        assertArrayEquals(new int[] {25, 3}, copy.labelShape());
    }

    @Test
    void lengthsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AddingTask(1));
        assertEquals("adding: sequence length T must be >= 2, got 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CopyTask(0));
        assertThrows(IllegalArgumentException.class, () -> new AddingTask(5).generate(0, new Rng(1)));
    }
}
