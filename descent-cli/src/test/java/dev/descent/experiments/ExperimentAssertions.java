package dev.descent.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.chart.Chart;
import dev.descent.report.Plot;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Shared checks for the experiment tests: run with a seed, every row passes, the plots render. */
final class ExperimentAssertions {
    private ExperimentAssertions() {}

    /** Runs {@code e} with {@code seed} as {@code descent verify} would (plots from the result and the context). */
    static ExperimentRunner.Outcome run(Experiment e, long seed, Path dir) {
        return ExperimentRunner.run(new ExperimentRegistry.Entry(e.id(), e.claim(), e), seed, dir);
    }

    /** Every row passes, no error, and exactly {@code plots} plots, each rendering to a non-trivial PNG. */
    static void assertPassesWithPlots(ExperimentRunner.Outcome o, int plots) {
        assertNull(o.error(), "error: " + o.error());
        assertTrue(o.passed(), () -> "failed rows:\n" + describe(o.rows().stream().filter(r -> !r.pass()).collect(Collectors.toList())));
        assertEquals(plots, o.plots().size(), "plots");
        for (Chart p : o.plots()) {
            byte[] png = Plot.png(p);
            assertTrue(png.length > 1000, "plot '" + p.title() + "' rendered to " + png.length + " bytes");
            assertFalse(p.series().isEmpty(), "plot '" + p.title() + "' has no series");
        }
    }

    /** The row whose claim starts with {@code prefix} (exactly one). */
    static Row row(ExperimentRunner.Outcome o, String prefix) {
        List<Row> m = o.rows().stream().filter(r -> r.claim().startsWith(prefix)).collect(Collectors.toList());
        assertEquals(1, m.size(), "rows starting with '" + prefix + "' in\n" + describe(o.rows()));
        return m.get(0);
    }

    static String describe(List<Row> rows) {
        return rows.stream().map(r -> (r.pass() ? "PASS " : "FAIL ") + r.claim() + " | " + r.measured() + " | " + r.bound())
                .collect(Collectors.joining("\n"));
    }
}
