package dev.descent.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentsTest {
    @TempDir
    Path dir;

    @Test
    void registryListsTheTwelveSpecClaimsInOrder() {
        assertEquals(List.of("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3"),
                ExperimentRegistry.specClaims().ids());
        assertEquals("gradcheck", ExperimentRegistry.standard().ids().get(0));
        assertEquals(13, ExperimentRegistry.standard().ids().size());
    }

    private static Experiment experiment(String id, Result r) {
        return new Experiment() {
            @Override public String id() { return id; }
            @Override public String claim() { return "wired " + id; }
            @Override public Result run(Context ctx) { return r; }
        };
    }

    @Test
    void wiringReplacesTheSlotOfTheSameId() {
        ExperimentRegistry r = ExperimentRegistry.specClaims().with(experiment("2.2", Result.of(Row.holds("x", true))));
        assertEquals(12, r.entries().size());
        assertTrue(r.entries().get(4).wired());
        assertEquals("wired 2.2", r.entries().get(4).claim());
        assertEquals(13, r.with(experiment("extra", Result.of())).entries().size());
        assertThrows(IllegalArgumentException.class, () -> r.with(experiment("a,b", Result.of())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.select(List.of("1.1", "7", "8")));
        assertEquals("unknown experiment ids 7, 8; valid ids: 1.1, 1.2, 1.3, 2.1, 2.2, 2.3, 3.1, 3.2, 3.3, 4.1, 4.2, 4.3", e.getMessage());
        assertEquals(List.of("1.1", "4.3"), r.select(List.of("4.3", "1.1")).stream().map(ExperimentRegistry.Entry::id).toList());
    }

    @Test
    void runnerTurnsThrowsEmptyResultsAndMissingExperimentsIntoFailures() {
        Experiment throwing = new Experiment() {
            @Override public String id() { return "x"; }
            @Override public String claim() { return "c"; }
            @Override public Result run(Context ctx) { throw new AssertionError("diverged\nat step 3"); }
        };
        ExperimentRunner.Outcome o = ExperimentRunner.run(new ExperimentRegistry.Entry("x", "c", throwing), 0, dir);
        assertFalse(o.passed());
        assertEquals("AssertionError: diverged", o.error());
        assertEquals("threw AssertionError: diverged", o.rows().get(0).measured());
        assertFalse(ExperimentRunner.run(new ExperimentRegistry.Entry("y", "c", experiment("y", Result.of())), 0, dir).passed());
        assertFalse(ExperimentRunner.run(new ExperimentRegistry.Entry("z", "c", null), 0, dir).passed());
        ExperimentRunner.Outcome ok = ExperimentRunner.run(
                new ExperimentRegistry.Entry("w", "c", experiment("w", Result.of(Row.atMost("e", 1e-13, 1e-12)))), 0, dir);
        assertTrue(ok.passed());
        assertNull(ok.error());
    }

    @Test
    void rowsCompareAndFormat() {
        assertTrue(Row.atMost("a", 1e-13, 1e-12).pass());
        assertFalse(Row.atMost("a", Double.NaN, 1e-12).pass());
        assertFalse(Row.lessThan("a", 1, 1).pass());
        assertTrue(Row.within("slope", 3.01, 2.8, 3.2).pass());
        assertEquals("[2.800, 3.200]", Row.within("slope", 3.01, 2.8, 3.2).bound());
        assertEquals("≤ 1.000e-12", Row.atMost("a", 0, 1e-12).bound());
        assertEquals("0.2500", Row.format(0.25));
        assertEquals("1.235e+05", Row.format(123456));
        assertEquals("−∞", Row.format(Double.NEGATIVE_INFINITY));
    }

    @Test
    void contextGeneratorsDependOnSeedAndIdNotOnOrder() {
        long a = new Context("1.2", 5, dir).rng().nextLong();
        assertEquals(a, new Context("1.2", 5, dir).rng().nextLong());
        assertTrue(a != new Context("1.3", 5, dir).rng().nextLong());
        assertTrue(a != new Context("1.2", 6, dir).rng().nextLong());
    }

    /** The demonstration experiment passes its own bounds (derivation in its Javadoc) and draws its plot. */
    @Test
    void gradCheckSelfTestPasses() throws Exception {
        Context ctx = new Context("gradcheck", 0, dir);
        Result r = new GradCheckExperiment().run(ctx);
        assertTrue(r.passed(), r.rows().toString());
        assertEquals(2, r.rows().size());
        assertEquals(1, r.plots().size());
        assertTrue(Double.parseDouble(r.rows().get(0).measured()) <= GradCheckExperiment.FD_BOUND);
    }

    /** Every wired experiment explains why its claim holds, and every SPEC claim links to its SPEC.md section. */
    @Test
    void everyExperimentSaysWhyItsClaimHolds() {
        for (ExperimentRegistry.Entry e : ExperimentRegistry.standard().entries()) {
            assertTrue(e.wired(), e.id());
            String why = e.experiment().why();
            assertTrue(why.length() > 100 && why.endsWith("."), e.id() + ": " + why);
            if (!e.id().equals("gradcheck")) assertTrue(ExperimentRegistry.specAnchor(e.id()) != null, e.id());
        }
        assertEquals("3-curvature-the-quadratic-model-the-optimal-step-and-newtons-method", ExperimentRegistry.specAnchor("3.2"));
        assertEquals(null, ExperimentRegistry.specAnchor("gradcheck"));
    }
}
