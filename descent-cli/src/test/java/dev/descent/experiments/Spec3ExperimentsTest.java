package dev.descent.experiments;

import static dev.descent.experiments.Spec2ExperimentsTest.assertPassesWithPlots;
import static dev.descent.experiments.Spec2ExperimentsTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.second.Newton;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §3.1–3.3 as {@code descent verify} runs them: every row passes for several seeds, the plots
 * render, and deliberately broken inputs (a wrong curvature in the model, a damped first Newton
 * step) fail. Derivations of the bounds are in each experiment's Javadoc.
 */
class Spec3ExperimentsTest {
    @TempDir
    Path dir;

    private static double measured(Result r, int row) {
        return Double.parseDouble(r.rows().get(row).measured());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 987654321})
    void quadraticModelIsExactOnQuadraticsWithCubicErrorOtherwise(long seed) throws Exception {
        Result r = run(new Spec31QuadraticModel(), seed, dir);
        assertPassesWithPlots(r, 1);
        assertEquals(3, r.rows().size());
        // The Javadoc proves the slope lies in [3 − 0.1/4, 3] before rounding (which moves it < 1e-3).
        assertTrue(measured(r, 1) >= 2.97 && measured(r, 1) <= 3.001, r.rows().get(1).toString());
    }

    /**
     * The experiment can fail: a model whose curvature gᵀHg is off by one part in a million is
     * wrong by about 1e-6 · ½ε² gᵀHg, far above the 1e-10 that rounding allows.
     */
    @Test
    void aWrongCurvatureFailsTheExactnessRow() throws Exception {
        Result r = run(new Spec31QuadraticModel(1e-6), 0, dir);
        assertFalse(r.passed());
        assertFalse(r.rows().get(0).pass(), r.rows().get(0).toString());
        assertTrue(measured(r, 0) > 1e-8, r.rows().get(0).measured());
    }

    @ParameterizedTest
    // Seed 769: the worst ratio comes within 4e-8 (relative) of the Kantorovich bound.
    @ValueSource(longs = {0, 769, 20240611})
    void optimalStepIsTheLineSearchMinimiserAndConvergesAtTheKantorovichRate(long seed) throws Exception {
        Result r = run(new Spec32OptimalStep(), seed, dir);
        assertPassesWithPlots(r, 2);
        assertEquals(7, r.rows().size());
        assertTrue(measured(r, 4) >= 1, "the fallback fired: " + r.rows().get(4));
    }

    @ParameterizedTest
    // Seed 39: the line search stalls near the optimum, so the check must skip those steps.
    @ValueSource(longs = {0, 39, 424242})
    void newtonTakesOneStepOnAQuadraticAndConvergesQuadratically(long seed) throws Exception {
        Result r = run(new Spec33Newton(), seed, dir);
        assertPassesWithPlots(r, 1);
        assertEquals(5, r.rows().size());
        // Quadratic convergence: the estimated order is close to 2, not merely above 1.8.
        assertTrue(Math.abs(measured(r, 3) - 2) < 0.1, r.rows().get(3).toString());
    }

    /**
     * The experiment can fail: Newton started at a damping λ = 10 takes a damped first step
     * (H + 10 I) p = −g, which on a quadratic with eigenvalues 0.3 … 100 leaves most of the
     * gradient in place, so the one-step row fails.
     */
    @Test
    void aDampedFirstStepFailsTheOneStepRow() throws Exception {
        Result r = run(new Spec33Newton(Newton.withDefaults().withDamping(10, 10)), 0, dir);
        assertFalse(r.passed());
        assertFalse(r.rows().get(0).pass(), r.rows().get(0).toString());
        assertTrue(measured(r, 0) > 1e-3, r.rows().get(0).measured());
    }

    @Test
    void experimentsAreDeterministicGivenTheSeed() throws Exception {
        for (Experiment e : List.of(new Spec31QuadraticModel(), new Spec32OptimalStep(), new Spec33Newton())) {
            Spec2ExperimentsTest.assertSameOutcome(run(e, 9, dir), run(e, 9, dir));
            assertFalse(run(e, 9, dir).notes().equals(run(e, 10, dir).notes()), e.id() + " depends on the seed");
        }
    }

    @Test
    void standardRegistryWiresTheSection3Experiments() {
        ExperimentRegistry r = ExperimentRegistry.standard();
        assertSame(Spec31QuadraticModel.class, r.select(List.of("3.1")).get(0).experiment().getClass());
        assertSame(Spec32OptimalStep.class, r.select(List.of("3.2")).get(0).experiment().getClass());
        assertSame(Spec33Newton.class, r.select(List.of("3.3")).get(0).experiment().getClass());
    }
}
