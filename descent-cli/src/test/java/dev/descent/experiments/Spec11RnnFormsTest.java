package dev.descent.experiments;

import static dev.descent.experiments.ExperimentAssertions.assertPassesWithPlots;
import static dev.descent.experiments.ExperimentAssertions.row;
import static dev.descent.experiments.ExperimentAssertions.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Spec11RnnFormsTest {
    @TempDir
    Path dir;

    /** SPEC.md §1.1 for the four activations, both code paths, any seed; no plot is asked of this claim. */
    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void everyRowPasses(long seed) {
        ExperimentRunner.Outcome o = run(new Spec11RnnForms(), seed, dir);
        assertPassesWithPlots(o, 0);
        assertEquals(16, o.rows().size());
        // The fused forms execute the same float64 operations: bit-for-bit equal.
        for (String act : new String[] {"tanh", "sigmoid", "relu", "identity"}) {
            assertEquals("0", row(o, act + ": max |σ(h_t) − g_t|, t ≤ 200, both forms fused").measured(), act);
        }
    }
}
