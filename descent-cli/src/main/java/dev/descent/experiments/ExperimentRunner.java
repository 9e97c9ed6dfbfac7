package dev.descent.experiments;

import dev.descent.chart.Chart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs experiments one at a time and records what happened. An experiment that throws, or a claim
 * with no experiment wired, becomes a failed {@link Outcome} with one row saying why; it never
 * stops the run.
 */
public final class ExperimentRunner {
    private ExperimentRunner() {}

    /**
     * What one entry produced: its rows, plots (from the result and the context) and notes, the
     * error if it threw or was not wired (else {@code null}), and the wall time.
     */
    public record Outcome(ExperimentRegistry.Entry entry, List<Row> rows, List<Chart> plots, List<String> notes, String error,
                          double seconds) {
        /** Copies the lists. */
        public Outcome {
            rows = List.copyOf(rows);
            plots = List.copyOf(plots);
            notes = List.copyOf(notes);
        }

        /** Whether it ran without error, produced rows, and every row passed. */
        public boolean passed() {
            return error == null && !rows.isEmpty() && rows.stream().allMatch(Row::pass);
        }
    }

    /** Runs {@code entry} with the run's {@code seed}, writing any files under {@code outputDirectory}. */
    public static Outcome run(ExperimentRegistry.Entry entry, long seed, Path outputDirectory) {
        if (!entry.wired()) {
            String why = "no experiment wired yet";
            return new Outcome(entry, List.of(new Row(entry.claim(), "not run: " + why, "—", false)), List.of(), List.of(), why, 0);
        }
        Context ctx = new Context(entry.id(), seed, outputDirectory);
        long start = System.nanoTime();
        try {
            Result r = entry.experiment().run(ctx);
            double seconds = (System.nanoTime() - start) * 1e-9;
            if (r == null) throw new IllegalStateException("experiment returned no result");
            List<Chart> plots = new ArrayList<>(ctx.plots());
            plots.addAll(r.plots());
            if (r.rows().isEmpty()) {
                return new Outcome(entry, List.of(new Row(entry.claim(), "no figures reported", "at least one row", false)), plots,
                        r.notes(), "the experiment reported no figures", seconds);
            }
            return new Outcome(entry, r.rows(), plots, r.notes(), null, seconds);
        } catch (Exception | AssertionError | StackOverflowError | OutOfMemoryError | LinkageError e) {
            double seconds = (System.nanoTime() - start) * 1e-9;
            String why = describe(e);
            return new Outcome(entry, List.of(new Row(entry.claim(), "threw " + why, "—", false)), ctx.plots(), List.of(),
                    why, seconds);
        }
    }

    /** "ExceptionClass: first line of the message". */
    static String describe(Throwable e) {
        String m = e.getMessage();
        String first = m == null ? "" : m.lines().findFirst().orElse("");
        return e.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
    }
}
