package dev.descent.experiments;

import dev.descent.chart.Chart;
import java.util.ArrayList;
import java.util.List;

/**
 * What an experiment measured: one or more {@link Row}s, plots and free-text notes (e.g. "the
 * fallback fired 3 times"). The experiment passes iff it has at least one row and every row
 * passes.
 */
public record Result(List<Row> rows, List<Chart> plots, List<String> notes) {
    /** Copies the lists. */
    public Result {
        rows = List.copyOf(rows);
        plots = List.copyOf(plots);
        notes = List.copyOf(notes);
    }

    /** A result of rows only. */
    public static Result of(Row... rows) {
        return new Result(List.of(rows), List.of(), List.of());
    }

    /** A result of rows only. */
    public static Result of(List<Row> rows) {
        return new Result(rows, List.of(), List.of());
    }

    /** This result with {@code plot} appended. */
    public Result withPlot(Chart plot) {
        List<Chart> p = new ArrayList<>(plots);
        p.add(plot);
        return new Result(rows, p, notes);
    }

    /** This result with {@code note} appended. */
    public Result withNote(String note) {
        List<String> n = new ArrayList<>(notes);
        n.add(note);
        return new Result(rows, plots, n);
    }

    /** Whether there is at least one row and all rows pass. */
    public boolean passed() {
        return !rows.isEmpty() && rows.stream().allMatch(Row::pass);
    }
}
