package dev.descent.cli;

import dev.descent.bench.ScalingCurves;
import dev.descent.chart.Chart;
import dev.descent.report.HtmlReport;
import dev.descent.report.Plot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures and page of {@code descent bench scaling}: per curve, {@code <curve>.png} (median
 * time against size, log-log, Descent and the peer) and {@code <curve>-ratio.png} (Descent / peer,
 * and for hvp-params each side's hvp / grad), gathered in {@code index.html}.
 */
final class ScalingReport {
    private ScalingReport() {}

    /** Finite pairs of (x, y) only: a point the peer did not run is left out of its series. */
    private static double[][] finite(double[] x, double[] y) {
        int n = 0;
        for (int i = 0; i < y.length; i++) if (Double.isFinite(y[i]) && y[i] > 0) n++;
        double[][] r = {new double[n], new double[n]};
        int k = 0;
        for (int i = 0; i < y.length; i++) {
            if (Double.isFinite(y[i]) && y[i] > 0) {
                r[0][k] = x[i];
                r[1][k++] = y[i];
            }
        }
        return r;
    }

    private static void add(Chart.Builder b, String name, double[] x, double[] y, boolean[] any) {
        double[][] f = finite(x, y);
        if (f[0].length == 0) return;
        b.lineWithMarkers(name, f[0], f[1]);
        any[0] = true;
    }

    /** The section of one curve, with its two figures. */
    static HtmlReport.Section section(ScalingCurves.Curve curve, List<ScalingCurves.Point> points) {
        int n = points.size();
        double[] x = new double[n], d = new double[n], t = new double[n], ratio = new double[n], dr = new double[n], tr = new double[n];
        for (int i = 0; i < n; i++) {
            ScalingCurves.Point p = points.get(i);
            x[i] = p.x();
            d[i] = p.descentS() * 1e3;
            t[i] = p.peerS() * 1e3;
            ratio[i] = p.descentS() / p.peerS();
            dr[i] = p.descentRatio();
            tr[i] = p.peerRatio();
        }
        boolean hvp = curve == ScalingCurves.Curve.HVP_PARAMS;
        boolean[] any = {false};
        Chart.Builder times = Chart.builder(curve + ": median " + (hvp ? "HVP" : "step") + " time").xLabel(curve.axis())
                .yLabel("ms").xScale(Chart.Scale.LOG10).yScale(Chart.Scale.LOG10);
        add(times, "descent", x, d, any);
        add(times, "torch", x, t, any);
        List<HtmlReport.Figure> figures = new ArrayList<>();
        figures.add(new HtmlReport.Figure(curve + ": median time against size (log-log)", curve + ".png", Plot.png(times.build())));
        any[0] = false;
        Chart.Builder ratios = Chart.builder(curve + ": ratios").xLabel(curve.axis()).yLabel("ratio").xScale(Chart.Scale.LOG10)
                .yScale(Chart.Scale.LOG10);
        add(ratios, "descent / torch time", x, ratio, any);
        if (hvp) {
            add(ratios, "descent hvp / grad", x, dr, any);
            add(ratios, "torch hvp / grad", x, tr, any);
        }
        if (any[0]) {
            ratios.horizontalLine("1", 1.0);
            figures.add(new HtmlReport.Figure(curve + ": ratios against size", curve + "-ratio.png", Plot.png(ratios.build())));
        }
        List<HtmlReport.Line> lines = new ArrayList<>();
        for (ScalingCurves.Point p : points) {
            String measured = String.format(Locale.ROOT, "descent %.4g ms, torch %s", p.descentS() * 1e3,
                    Double.isNaN(p.peerS()) ? "not run" : String.format(Locale.ROOT, "%.4g ms (ratio %.3f)", p.peerS() * 1e3,
                            p.descentS() / p.peerS()));
            if (hvp) {
                measured += String.format(Locale.ROOT, "; hvp/grad descent %.3f, torch %s", p.descentRatio(),
                        Double.isNaN(p.peerRatio()) ? "not run" : String.format(Locale.ROOT, "%.3f", p.peerRatio()));
            }
            lines.add(new HtmlReport.Line(String.format(Locale.ROOT, "size %d (x = %.0f)", p.size(), p.x()), measured, "measured", true));
        }
        List<String> notes = List.of("Medians of a few repetitions per point on a shared machine: read the shape of the curve, "
                + "not single figures.");
        return new HtmlReport.Section(curve.toString(), curve + ": time against " + curve.axis(), true, lines, figures, notes, null, 0);
    }

    /** Writes every curve's figures and {@code index.html} into {@code dir}; returns the page. */
    static Path write(Path dir, Map<ScalingCurves.Curve, List<ScalingCurves.Point>> curves, List<String> meta) throws IOException {
        List<HtmlReport.Section> sections = new ArrayList<>();
        for (Map.Entry<ScalingCurves.Curve, List<ScalingCurves.Point>> e : curves.entrySet()) {
            sections.add(section(e.getKey(), e.getValue()));
        }
        return HtmlReport.write(dir, "descent bench scaling", meta, sections);
    }
}
