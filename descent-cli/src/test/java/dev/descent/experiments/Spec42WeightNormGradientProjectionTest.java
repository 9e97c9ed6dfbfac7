package dev.descent.experiments;

import static dev.descent.experiments.ExperimentAssertions.assertPassesWithPlots;
import static dev.descent.experiments.ExperimentAssertions.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Spec42WeightNormGradientProjectionTest {
    @TempDir
    Path dir;

    /** SPEC.md §4.2 for both weight-normalised layers, any seed. */
    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void everyRowPasses(long seed) {
        ExperimentRunner.Outcome o = run(new Spec42WeightNormGradientProjection(), seed, dir);
        assertPassesWithPlots(o, 1);
        assertEquals(4, o.rows().size());
    }

    /** The formula on a hand-checkable case: u = (3, 4), g = 10, ∇_w L = (1, 0) → (10/5)(1 − 9/25, −12/25). */
    @Test
    void projectionFormula() {
        Tensor u = Tensor.of(new double[] {3, 4}, 1, 2), g = Tensor.of(new double[] {10}, 1), gw = Tensor.of(new double[] {1, 0}, 1, 2);
        Tensor p = Spec42WeightNormGradientProjection.projection(u, g, gw);
        assertEquals(2 * 16.0 / 25, p.get(0, 0), 1e-15);
        assertEquals(-2 * 12.0 / 25, p.get(0, 1), 1e-15);
        assertEquals(0, Spec42WeightNormGradientProjection.rowCosines(u, p)[0], 1e-16);
        assertTrue(Spec42WeightNormGradientProjection.rowCosines(u, gw)[0] > 0.5);
    }
}
