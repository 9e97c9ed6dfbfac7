package dev.descent.report;

import dev.descent.chart.Chart.Scale;
import dev.descent.chart.Chart.Series;
import dev.descent.chart.Chart.Style;
import dev.descent.chart.Chart;
import dev.descent.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link Chart} as PNG: the title, axis labels, linear or log₁₀ axes with "nice" ticks,
 * the series as lines and/or markers, dashed reference series, and a legend.
 *
 * <p>Rendering is pure Java ({@link Bitmap}, {@link BitmapFont}, {@link PngEncoder}): no AWT, no
 * system fonts, identical bytes on every machine. Points that cannot be shown (non-finite, or
 * ≤ 0 on a log axis) are skipped and break the line there. Linear ticks are 1, 2 or 5 × 10ᵏ apart
 * (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990); log ticks sit on decades,
 * with 2× and 5× ticks added when the axis spans two decades or fewer. The legend goes below the
 * plot area, outside the data, its entries flowing in rows across the image, so that it never
 * hides a point or a curve. Series with no colour of their own take the next colour of the
 * palette, in order.
 *
 * <pre>{@code
 * new Plot(chart).writePng(dir.resolve("gradient-flow.png"));
 * }</pre>
 */
public final class Plot {
    /** Okabe &amp; Ito's colour-blind-safe palette (yellow dropped: too faint on white). */
    static final int[] PALETTE = {0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0x000000, 0x7F7F7F};
    static final int BACKGROUND = 0xFFFFFF;
    private static final int INK = 0x202020, GRID = 0xE4E4E4, TEXT_SCALE = 2, PAD = 10, TICK = 6, MARKER = 4;

    private final Chart chart;
    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Scale xScale;
    private final Scale yScale;
    private final double[] xRange;
    private final double[] yRange;
    private final int width;
    private final int height;
    private final List<Series> series;

    /** A renderer for {@code chart}. */
    public Plot(Chart chart) {
        this.chart = chart;
        this.title = chart.title();
        this.xLabel = chart.xLabel();
        this.yLabel = chart.yLabel();
        this.xScale = chart.xScale();
        this.yScale = chart.yScale();
        this.xRange = chart.xRange() == null ? null : new double[] {chart.xRange().lo(), chart.xRange().hi()};
        this.yRange = chart.yRange() == null ? null : new double[] {chart.yRange().lo(), chart.yRange().hi()};
        this.width = chart.width();
        this.height = chart.height();
        this.series = chart.series();
    }

    /** {@code chart} as PNG bytes. */
    public static byte[] png(Chart chart) {
        return new Plot(chart).toPng();
    }

    /** The chart drawn. */
    public Chart chart() {
        return chart;
    }

    // ---------------------------------------------------------------- axes

    /** An axis: its scale, its shown range [lo, hi] and tick positions with labels. */
    record Axis(Scale scale, double lo, double hi, double[] ticks, String[] labels) {
        /** The value transformed to the linear drawing space (log10 for log axes). */
        double transform(double v) {
            return scale == Scale.LOG10 ? Math.log10(v) : v;
        }

        /** Whether v can be shown on this axis. */
        boolean shows(double v) {
            return Double.isFinite(v) && (scale == Scale.LINEAR || v > 0);
        }

        /** Fraction of the way from lo to hi. */
        double fraction(double v) {
            double a = transform(lo), b = transform(hi);
            return (transform(v) - a) / (b - a);
        }
    }

    static Axis axis(Scale scale, double[] fixed, double dataMin, double dataMax, int maxTicks) {
        boolean empty = !(dataMin <= dataMax);
        return scale == Scale.LOG10 ? logAxis(fixed, empty ? 1 : dataMin, empty ? 10 : dataMax)
                : linearAxis(fixed, empty ? 0 : dataMin, empty ? 1 : dataMax, maxTicks);
    }

    static Axis linearAxis(double[] fixed, double min, double max, int maxTicks) {
        if (fixed != null) {
            min = fixed[0];
            max = fixed[1];
        } else if (min == max) {
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double step = niceNumber(niceNumber(max - min, false) / Math.max(1, maxTicks - 1), true);
        double lo = fixed != null ? min : Math.floor(min / step) * step;
        double hi = fixed != null ? max : Math.ceil(max / step) * step;
        List<Double> ticks = new ArrayList<>();
        for (double t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
            ticks.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
            if (ticks.size() > 50) break;
        }
        double[] tv = ticks.stream().mapToDouble(Double::doubleValue).toArray();
        String[] labels = new String[tv.length];
        double magnitude = Math.max(Math.abs(lo), Math.abs(hi));
        boolean scientific = magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0);
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        for (int i = 0; i < tv.length; i++) labels[i] = scientific ? scientific(tv[i], step) : fixed(tv[i], decimals);
        return new Axis(Scale.LINEAR, lo, hi, tv, labels);
    }

    static Axis logAxis(double[] fixed, double min, double max) {
        double lo, hi;
        if (fixed != null) {
            lo = Math.log10(fixed[0]);
            hi = Math.log10(fixed[1]);
        } else {
            // A 2% margin keeps data off the frame when it sits exactly on a decade.
            double a = Math.log10(min), b = Math.log10(max), margin = 0.02 * Math.max(b - a, 1);
            lo = Math.floor(a - margin);
            hi = Math.ceil(b + margin);
            if (hi <= lo) {
                lo -= 1;
                hi += 1;
            }
        }
        int first = (int) Math.ceil(lo - 1e-9), last = (int) Math.floor(hi + 1e-9);
        int decades = last - first;
        int every = Math.max(1, (int) Math.ceil(decades / 8.0));
        List<Double> ticks = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        boolean minor = hi - lo <= 2.0001;
        for (int k = (int) Math.floor(lo) ; k <= last; k++) {
            for (int m : minor ? new int[] {1, 2, 5} : new int[] {1}) {
                if (m == 1 && Math.floorMod(k - first, every) != 0) continue;
                double lv = k + Math.log10(m);
                if (lv < lo - 1e-9 || lv > hi + 1e-9) continue;
                ticks.add(m * Math.pow(10, k));
                labels.add(decadeLabel(m, k));
            }
        }
        return new Axis(Scale.LOG10, Math.pow(10, lo), Math.pow(10, hi), ticks.stream().mapToDouble(Double::doubleValue).toArray(),
                labels.toArray(new String[0]));
    }

    /** Heckbert's nice number: 1, 2 or 5 (or 10) × 10ᵏ near x, rounded or taken as a ceiling. */
    static double niceNumber(double x, boolean round) {
        double exp = Math.floor(Math.log10(x));
        double f = x / Math.pow(10, exp);
        double nf = round ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) : (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
        return nf * Math.pow(10, exp);
    }

    private static String decadeLabel(int m, int k) {
        if (k >= -3 && k <= 4) return fixed(m * Math.pow(10, k), Math.max(0, -k));
        return m + "e" + k;
    }

    static String fixed(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
    }

    static String scientific(double v, double step) {
        if (v == 0) return "0";
        int exp = (int) Math.floor(Math.log10(Math.abs(v)));
        double mantissa = v / Math.pow(10, exp);
        int digits = Math.max(0, Math.min(6, (int) Math.ceil(Math.log10(Math.abs(v) / step) - 1e-9)));
        String m = String.format(Locale.ROOT, "%." + digits + "f", mantissa).replaceAll("\\.?0+$", "");
        return m + "e" + exp;
    }

    // ---------------------------------------------------------------- rendering

    /** The rendered image and its data-to-pixel mapping. */
    record Rendered(Bitmap image, Axis x, Axis y, int left, int top, int plotWidth, int plotHeight) {
        double px(double v) {
            return left + x.fraction(v) * (plotWidth - 1);
        }

        double py(double v) {
            return top + (1 - y.fraction(v)) * (plotHeight - 1);
        }
    }

    /** The colour series {@code i} is drawn in. */
    public int colorOf(int i) {
        int explicit = series.get(i).color();
        return explicit >= 0 ? explicit : PALETTE[paletteIndex(i) % PALETTE.length];
    }

    private int paletteIndex(int i) {
        int k = 0;
        for (int j = 0; j < i; j++) if (series.get(j).color() < 0) k++;
        return k;
    }

    /** The plot as PNG bytes. */
    public byte[] toPng() {
        return render().image().toPng();
    }

    /** Writes the PNG to {@code file} atomically and durably ({@link AtomicFiles}), creating parent directories. */
    public void writePng(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        AtomicFiles.write(file, toPng());
    }

    Rendered render() {
        double[] xb = bounds(true), yb = bounds(false);
        Axis ax = axis(xScale, xRange, xb[0], xb[1], Math.max(3, width / 110));
        Axis ay = axis(yScale, yRange, yb[0], yb[1], Math.max(3, height / 60));
        int fh = BitmapFont.height(TEXT_SCALE);
        int yTickWidth = Arrays.stream(ay.labels()).mapToInt(l -> BitmapFont.width(l, TEXT_SCALE)).max().orElse(0);
        int top = PAD + (title.isEmpty() ? 0 : fh + PAD);
        int left = PAD + (yLabel.isEmpty() ? 0 : fh + PAD) + yTickWidth + TICK + 4;
        int lastX = ax.labels().length == 0 ? 0 : BitmapFont.width(ax.labels()[ax.labels().length - 1], TEXT_SCALE);
        int right = PAD + Math.max(PAD, lastX / 2);
        Legend legend = series.isEmpty() ? null : legendLayout(width - 2 * PAD);
        int bottom = TICK + 4 + fh + (xLabel.isEmpty() ? 0 : PAD + fh) + PAD + (legend == null ? 0 : legend.height() + PAD);
        int pw = Math.max(40, width - left - right), ph = Math.max(40, height - top - bottom);
        Bitmap img = new Bitmap(width, height, BACKGROUND);
        Rendered r = new Rendered(img, ax, ay, left, top, pw, ph);

        // Title (bold by double striking), axis labels.
        if (!title.isEmpty()) {
            String t = fit(title, width - 2 * PAD);
            int tx = Math.max(PAD, (width - BitmapFont.width(t, TEXT_SCALE)) / 2);
            img.text(t, tx, PAD, TEXT_SCALE, INK);
            img.text(t, tx + 1, PAD, TEXT_SCALE, INK);
        }
        int belowTicks = top + ph + TICK + 4 + fh + PAD;
        if (!xLabel.isEmpty()) {
            String t = fit(xLabel, pw);
            img.text(t, left + (pw - BitmapFont.width(t, TEXT_SCALE)) / 2, belowTicks, TEXT_SCALE, INK);
            belowTicks += fh + PAD;
        }
        if (!yLabel.isEmpty()) {
            String t = fit(yLabel, ph);
            img.verticalText(t, PAD, top + (ph + BitmapFont.width(t, TEXT_SCALE)) / 2, TEXT_SCALE, INK);
        }

        // Grid, ticks and tick labels.
        for (int i = 0; i < ax.ticks().length; i++) {
            int x = (int) Math.round(r.px(ax.ticks()[i]));
            img.fillRect(x, top, 1, ph, GRID);
            img.fillRect(x, top + ph, 1, TICK, INK);
            String l = ax.labels()[i];
            img.text(l, x - BitmapFont.width(l, TEXT_SCALE) / 2, top + ph + TICK + 4, TEXT_SCALE, INK);
        }
        for (int i = 0; i < ay.ticks().length; i++) {
            int y = (int) Math.round(r.py(ay.ticks()[i]));
            img.fillRect(left, y, pw, 1, GRID);
            img.fillRect(left - TICK, y, TICK, 1, INK);
            String l = ay.labels()[i];
            img.text(l, left - TICK - 4 - BitmapFont.width(l, TEXT_SCALE), y - BitmapFont.ASCENT * TEXT_SCALE / 2, TEXT_SCALE, INK);
        }

        // Series, clipped to the plot area.
        img.clip(left, top, pw, ph);
        boolean anyPoint = false;
        for (int i = 0; i < series.size(); i++) anyPoint |= drawSeries(r, i);
        img.resetClip();
        img.strokeRect(left - 1, top - 1, pw + 2, ph + 2, 1, INK);
        if (!anyPoint) {
            String msg = "no finite data to show";
            img.text(msg, left + (pw - BitmapFont.width(msg, TEXT_SCALE)) / 2, top + ph / 2 - fh / 2, TEXT_SCALE, INK);
        }
        if (legend != null) drawLegend(img, legend, PAD, belowTicks);
        return r;
    }

    private boolean drawSeries(Rendered r, int i) {
        Series s = series.get(i);
        int color = colorOf(i);
        Bitmap img = r.image();
        if (s.x() == null) {
            if (!r.y().shows(s.y()[0])) return false;
            double y = r.py(s.y()[0]);
            img.polyline(new double[] {r.left(), r.left() + r.plotWidth()}, new double[] {y, y}, 2, 2, color, new double[] {8, 6});
            return true;
        }
        int n = s.y().length;
        double[] px = new double[n], py = new double[n];
        boolean any = false;
        for (int k = 0; k < n; k++) {
            boolean ok = r.x().shows(s.x()[k]) && r.y().shows(s.y()[k]);
            px[k] = ok ? r.px(s.x()[k]) : Double.NaN;
            py[k] = ok ? r.py(s.y()[k]) : Double.NaN;
            any |= ok;
        }
        Style st = s.style();
        if (st != Style.MARKERS) img.polyline(px, py, n, 2, color, st == Style.DASHED ? new double[] {8, 6} : null);
        if (st == Style.MARKERS || st == Style.LINE_AND_MARKERS) {
            Bitmap.Marker m = Bitmap.Marker.values()[paletteIndex(i) % Bitmap.Marker.values().length];
            // Markers on the edge of the range stay whole: they may overlap the frame.
            img.clip(r.left() - MARKER, r.top() - MARKER, r.plotWidth() + 2 * MARKER, r.plotHeight() + 2 * MARKER);
            for (int k = 0; k < n; k++) img.marker(px[k], py[k], MARKER, m, color);
            img.clip(r.left(), r.top(), r.plotWidth(), r.plotHeight());
        }
        return any;
    }

    private static final int LEGEND_SAMPLE = 36, LEGEND_GAP = 6;

    /** Where each legend entry goes, relative to the legend's top-left corner, and the legend's height. */
    private record Legend(String[] names, int[] x, int[] row, int height) {}

    /** Entries (sample, then name) laid out left to right, wrapping to a new row at {@code maxWidth}. */
    private Legend legendLayout(int maxWidth) {
        int fh = BitmapFont.height(TEXT_SCALE);
        int n = series.size();
        String[] names = new String[n];
        int[] x = new int[n], row = new int[n];
        int cx = 0, r = 0;
        for (int i = 0; i < n; i++) {
            names[i] = fit(series.get(i).name(), maxWidth - LEGEND_SAMPLE - 3 * LEGEND_GAP);
            int w = LEGEND_SAMPLE + LEGEND_GAP + BitmapFont.width(names[i], TEXT_SCALE) + 3 * LEGEND_GAP;
            if (cx > 0 && cx + w > maxWidth) {
                cx = 0;
                r++;
            }
            x[i] = cx;
            row[i] = r;
            cx += w;
        }
        return new Legend(names, x, row, (r + 1) * (fh + LEGEND_GAP) - LEGEND_GAP);
    }

    private void drawLegend(Bitmap img, Legend legend, int x0, int y0) {
        int fh = BitmapFont.height(TEXT_SCALE);
        for (int i = 0; i < legend.names().length; i++) {
            int x = x0 + legend.x()[i], y = y0 + legend.row()[i] * (fh + LEGEND_GAP);
            int cy = y + BitmapFont.ASCENT * TEXT_SCALE / 2;
            Style st = series.get(i).style();
            int color = colorOf(i);
            if (st != Style.MARKERS) {
                img.polyline(new double[] {x, x + LEGEND_SAMPLE}, new double[] {cy, cy}, 2, 2, color,
                        st == Style.DASHED ? new double[] {8, 6} : null);
            }
            if (st == Style.MARKERS || st == Style.LINE_AND_MARKERS) {
                Bitmap.Marker m = Bitmap.Marker.values()[paletteIndex(i) % Bitmap.Marker.values().length];
                img.marker(x + LEGEND_SAMPLE / 2.0, cy, MARKER, m, color);
            }
            img.text(legend.names()[i], x + LEGEND_SAMPLE + LEGEND_GAP, y, TEXT_SCALE, INK);
        }
    }

    /** Data bounds over every showable point on one axis (ignoring horizontal lines for x). */
    private double[] bounds(boolean forX) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        Scale own = forX ? xScale : yScale, other = forX ? yScale : xScale;
        for (Series s : series) {
            if (s.x() == null) {
                if (!forX && (yScale == Scale.LINEAR || s.y()[0] > 0) && Double.isFinite(s.y()[0])) {
                    min = Math.min(min, s.y()[0]);
                    max = Math.max(max, s.y()[0]);
                }
                continue;
            }
            for (int k = 0; k < s.y().length; k++) {
                double v = forX ? s.x()[k] : s.y()[k], w = forX ? s.y()[k] : s.x()[k];
                if (!Double.isFinite(v) || !Double.isFinite(w)) continue;
                if ((own == Scale.LOG10 && v <= 0) || (other == Scale.LOG10 && w <= 0)) continue;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return new double[] {min, max};
    }

    /** {@code text} shortened with ".." to fit {@code maxWidth} pixels. */
    private static String fit(String text, int maxWidth) {
        if (BitmapFont.width(text, TEXT_SCALE) <= maxWidth) return text;
        int[] cps = text.codePoints().toArray();
        int n = cps.length;
        while (n > 0 && BitmapFont.width(new String(cps, 0, n) + "..", TEXT_SCALE) > maxWidth) n--;
        return new String(cps, 0, n) + "..";
    }
}
