package dev.descent.experiments;

import static dev.descent.experiments.ExperimentAssertions.assertPassesWithPlots;
import static dev.descent.experiments.ExperimentAssertions.row;
import static dev.descent.experiments.ExperimentAssertions.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Spec13ExplodingGradientsTest {
    @TempDir
    Path dir;

    /**
     * SPEC.md §1.3 for several seeds: growth, vanishing despite γ‖W‖ > 1, and clipping keeping the
     * exploding case finite while unclipped SGD is not.
     */
    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void everyRowPasses(long seed) {
        ExperimentRunner.Outcome o = run(new Spec13ExplodingGradients(), seed, dir);
        assertPassesWithPlots(o, 2);
        // W is symmetric with ‖W‖ = 1.5 and the states stay near 0, so ∂g_t/∂g_0 ≈ W^t with norm 1.5^t:
        // the fitted slope is ln 1.5 up to O(state²) corrections (states below 1e-3, so 1e-4 relative is loose).
        double slope = Double.parseDouble(row(o, "growth case: fitted slope").measured());
        assertEquals(Math.log(1.5), slope, 1e-3);
        assertEquals("0", row(o, "clipped SGD").measured());
        assertTrue(Double.parseDouble(row(o, "premise, unclipped SGD").measured()) >= 1);
    }
}
