package dev.descent.experiments;

import static dev.descent.experiments.ExperimentAssertions.assertPassesWithPlots;
import static dev.descent.experiments.ExperimentAssertions.row;
import static dev.descent.experiments.ExperimentAssertions.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class Spec12VanishingGradientsTest {
    @TempDir
    Path dir;

    /** SPEC.md §1.2 holds for both activations whatever the seed (bounds derived in the experiment's Javadoc). */
    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void everyRowPasses(long seed) {
        ExperimentRunner.Outcome o = run(new Spec12VanishingGradients(), seed, dir);
        assertPassesWithPlots(o, 1);
        assertEquals(10, o.rows().size());
        // The plot holds the two measured curves and the bound δ^T.
        assertEquals(3, o.plots().get(0).series().size());
    }

    /**
     * With ‖W‖ = 2δ/γ the premise λ1(WᵀW) ≤ δ²/γ² is broken: the premise rows fail, and so does
     * the "≤ δ^T" row, because the first Jacobians have norm ≈ 2δ·σ'(a_1)/γ > δ while the
     * pre-activations are small enough that σ'/γ > 1/2.
     */
    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void failsWhenTheNormOfWIsAboveTheBound(long seed) {
        ExperimentRunner.Outcome o = run(new Spec12VanishingGradients(Spec12VanishingGradients.DEFAULT_DELTA, 2.0), seed, dir);
        assertFalse(o.passed());
        for (String act : new String[] {"sigmoid", "tanh"}) {
            assertFalse(row(o, act + ": premise").pass(), act);
            Row ratio = row(o, act + ": max over T");
            assertFalse(ratio.pass(), act + ": " + ratio);
            assertTrue(Double.parseDouble(ratio.measured()) > 1, ratio.measured());
        }
    }

    @Test
    void validatesItsParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Spec12VanishingGradients(1.0, 1.0));
        assertEquals("vanishing gradients: delta must lie in (0, 1), got 1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Spec12VanishingGradients(0.9, 0));
    }
}
