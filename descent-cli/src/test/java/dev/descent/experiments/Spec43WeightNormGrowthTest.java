package dev.descent.experiments;

import static dev.descent.experiments.ExperimentAssertions.assertPassesWithPlots;
import static dev.descent.experiments.ExperimentAssertions.row;
import static dev.descent.experiments.ExperimentAssertions.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Spec43WeightNormGrowthTest {
    @TempDir
    Path dir;

    /** SPEC.md §4.3 under plain gradient descent, any seed: growth, Pythagoras, smaller spread. */
    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void everyRowPasses(long seed) {
        ExperimentRunner.Outcome o = run(new Spec43WeightNormGrowth(), seed, dir);
        assertPassesWithPlots(o, 2);
        assertEquals(4, o.rows().size());
        // One ‖u‖ curve per learning rate, and the two sweep curves.
        assertEquals(7, o.plots().get(0).series().size());
        assertEquals(2, o.plots().get(1).series().size());
    }

    /**
     * With momentum the premise "plain gradient descent" is broken: Δu carries gradients taken at
     * earlier u, which are not orthogonal to the current u, so the Pythagorean residual 2⟨u, Δu⟩
     * is O(‖u_{t+1}‖²), not rounding, and that row fails.
     */
    @Test
    void failsWithMomentum() {
        ExperimentRunner.Outcome o = run(new Spec43WeightNormGrowth(0.9), 0, dir);
        assertFalse(o.passed());
        Row pythagoras = row(o, "Pythagoras");
        assertFalse(pythagoras.pass());
        assertTrue(Double.parseDouble(pythagoras.measured()) > 1e-3, pythagoras.measured());
    }

    @Test
    void validatesMomentum() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Spec43WeightNormGrowth(1));
        assertEquals("weight-norm growth: momentum must lie in [0, 1), got 1.0", e.getMessage());
    }

    @Test
    void spreadIsMaxOverMinAndInfiniteForNonFiniteLosses() {
        assertEquals(4, Spec43WeightNormGrowth.spread(new double[] {0.5, 2, 1}), 0);
        assertEquals(Double.POSITIVE_INFINITY, Spec43WeightNormGrowth.spread(new double[] {0.5, Double.NaN}));
    }
}
