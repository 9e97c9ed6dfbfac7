package dev.descent.cli;

import dev.descent.chart.Chart;
import dev.descent.report.HtmlReport;
import dev.descent.report.Plot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML page of {@code descent longterm}: one section per (task, length, method) cell with
 * the success count, each seed's outcome and time to solve against its budget, and the learning
 * curves (probe test MSE against training seconds, log scale, the threshold dashed). The overview
 * table at the top of the page is the success table.
 */
final class LongtermReport {
    private LongtermReport() {}

    /** Writes DIR/index.html (and the curves' PNGs) from the finished runs' records. */
    static void write(Path dir, List<Map<String, Object>> runs, double threshold) throws IOException {
        Map<String, List<Map<String, Object>>> cells = new LinkedHashMap<>();
        List<Map<String, Object>> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparing((Map<String, Object> r) -> (String) r.get("task"))
                .thenComparingInt(r -> num(r, "length").intValue())
                .thenComparingInt(r -> LongtermMethod.NAMES.indexOf((String) r.get("method")))
                .thenComparingInt(r -> num(r, "seed").intValue()));
        for (Map<String, Object> r : sorted) {
            String cell = r.get("task") + " T=" + num(r, "length").intValue() + " " + r.get("method");
            cells.computeIfAbsent(cell, c -> new ArrayList<>()).add(r);
        }
        List<HtmlReport.Section> sections = new ArrayList<>();
        for (Map.Entry<String, List<Map<String, Object>>> e : cells.entrySet()) {
            List<Map<String, Object>> rs = e.getValue();
            int solved = 0;
            List<HtmlReport.Line> lines = new ArrayList<>();
            Chart.Builder plot = Chart.builder(e.getKey() + ": probe test MSE").xLabel("training seconds").yLabel("test MSE")
                    .yScale(Chart.Scale.LOG10);
            double budget = 0;
            for (Map<String, Object> r : rs) {
                boolean ok = Boolean.TRUE.equals(r.get("solved"));
                if (ok) solved++;
                @SuppressWarnings("unchecked")
                Map<String, Object> settings = (Map<String, Object>) r.get("settings");
                budget = num(settings, "budget_s").doubleValue();
                String measured = ok ? String.format(Locale.ROOT, "solved at %.1f s (step %d), test MSE %.3g",
                        num(r, "time_to_solve_s").doubleValue(), num(r, "step_to_solve").longValue(), num(r, "final_test_mse").doubleValue())
                        : String.format(Locale.ROOT, "%s after %.1f s (%d steps), test MSE %s", r.get("outcome"),
                        num(r, "train_seconds").doubleValue(), num(r, "steps").longValue(),
                        r.get("final_test_mse") == null ? "n/a" : String.format(Locale.ROOT, "%.3g", num(r, "final_test_mse").doubleValue()));
                lines.add(new HtmlReport.Line("seed " + num(r, "seed").intValue(), measured,
                        String.format(Locale.ROOT, "MSE < %s within %.0f s", threshold, budget), ok));
                @SuppressWarnings("unchecked")
                List<List<Object>> curve = (List<List<Object>>) r.get("curve");
                if (curve != null && !curve.isEmpty()) {
                    double[] x = new double[curve.size()], y = new double[curve.size()];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = ((Number) curve.get(i).get(0)).doubleValue();
                        y[i] = ((Number) curve.get(i).get(2)).doubleValue();
                    }
                    plot.line("seed " + num(r, "seed").intValue(), x, y);
                }
            }
            plot.horizontalLine("threshold " + threshold, threshold);
            String claim = String.format(Locale.ROOT, "%s: %d of %d seeds reach test MSE < %s within %.0f s of training", e.getKey(),
                    solved, rs.size(), threshold, budget);
            String file = e.getKey().replaceAll("[^A-Za-z0-9._-]+", "-") + ".png";
            List<HtmlReport.Figure> figures = List.of(new HtmlReport.Figure("learning curves, " + e.getKey(), file, Plot.png(plot.build())));
            double seconds = 0;
            for (Map<String, Object> r : rs) seconds += num(r, "train_seconds").doubleValue() + num(r, "eval_seconds").doubleValue();
            sections.add(new HtmlReport.Section(e.getKey(), claim, solved == rs.size(), lines, figures,
                    List.of("Times are training wall-clock seconds on the machine that ran the grid (evaluation excluded); "
                            + "see docs/longterm-results.md for the load it was under."), null, seconds));
        }
        HtmlReport.write(dir, "descent longterm: long time lags", List.of(runs.size() + " finished runs",
                "solved = MSE < " + threshold + " on the fresh test set"), sections);
    }

    private static Number num(Map<String, Object> r, String key) {
        Object v = r.get(key);
        if (v instanceof Number n) return n;
        return Double.NaN;
    }
}
