package dev.descent.chart;

import java.util.ArrayList;
import java.util.List;

/**
 * What a line chart shows, as numbers and words: a title, axis labels, linear or log₁₀ axes with
 * optional fixed ranges, an image size, and named series of (x, y) points, each drawn as a line,
 * markers, both, or a dashed reference (bounds, targets). A chart draws nothing itself:
 * experiments and the CLI describe their figures with it, and {@code dev.descent.report.Plot}
 * renders one as PNG, so the code that measures never depends on the code that draws.
 *
 * <pre>{@code
 * Chart c = Chart.builder("‖∂g_T/∂g_0‖ against T").xLabel("T").yLabel("norm").yScale(Chart.Scale.LOG10)
 *         .line("measured", ts, norms).bound("δ^T", ts, bound).build();
 * }</pre>
 *
 * @param title the title, possibly empty
 * @param xLabel the x-axis label, possibly empty
 * @param yLabel the y-axis label, possibly empty
 * @param xScale the x-axis scale
 * @param yScale the y-axis scale
 * @param xRange a fixed x range, or {@code null} to fit the data
 * @param yRange a fixed y range, or {@code null} to fit the data
 * @param width image width in pixels
 * @param height image height in pixels
 * @param series the series, in drawing order
 */
public record Chart(String title, String xLabel, String yLabel, Scale xScale, Scale yScale, Range xRange, Range yRange,
                    int width, int height, List<Series> series) {
    /** The default image width in pixels. */
    public static final int DEFAULT_WIDTH = 800;
    /** The default image height in pixels. */
    public static final int DEFAULT_HEIGHT = 500;

    /** Axis scale. */
    public enum Scale {
        /** Linear. */
        LINEAR,
        /** Base-10 logarithmic; only positive values are shown. */
        LOG10
    }

    /** How a series is drawn. */
    public enum Style {
        /** A solid line. */
        LINE,
        /** Markers only. */
        MARKERS,
        /** A solid line with markers. */
        LINE_AND_MARKERS,
        /** A dashed line, for bounds and reference values. */
        DASHED
    }

    /** A fixed axis range [lo, hi], finite with lo &lt; hi. */
    public record Range(double lo, double hi) {
        /** Validates the bounds. */
        public Range {
            if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo < hi)) {
                throw new IllegalArgumentException("Chart: a range needs finite lo < hi, got [" + lo + ", " + hi + "]");
            }
        }
    }

    /**
     * One series. {@code x} is {@code null} for a horizontal reference line at {@code y[0]}
     * spanning the whole x range; {@code color} is 0xRRGGBB, or −1 for the renderer's next palette
     * colour. The arrays are copied.
     */
    public record Series(String name, double[] x, double[] y, Style style, int color) {
        /** Validates lengths, the name and the colour. */
        public Series {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("Chart.Series: name is blank");
            if (y == null || y.length == 0) throw new IllegalArgumentException("Chart.Series '" + name + "': no y values");
            if (x != null && x.length != y.length) {
                throw new IllegalArgumentException("Chart.Series '" + name + "': " + x.length + " x values but " + y.length + " y values");
            }
            if (x == null && y.length != 1) {
                throw new IllegalArgumentException("Chart.Series '" + name + "': a horizontal line takes one y value, got " + y.length);
            }
            if (style == null) throw new IllegalArgumentException("Chart.Series '" + name + "': no style");
            if (color < -1 || color > 0xFFFFFF) throw new IllegalArgumentException("Chart.Series '" + name + "': bad colour " + color);
            x = x == null ? null : x.clone();
            y = y.clone();
        }
    }

    /** Validates the description: sizes within 240×160 .. 8192×8192, positive ranges on log axes. */
    public Chart {
        if (title == null) throw new IllegalArgumentException("Chart: title is null");
        xLabel = xLabel == null ? "" : xLabel;
        yLabel = yLabel == null ? "" : yLabel;
        if (xScale == null || yScale == null) throw new IllegalArgumentException("Chart: an axis scale is null");
        checkSize(width, height);
        if (xScale == Scale.LOG10 && xRange != null && xRange.lo() <= 0) {
            throw new IllegalArgumentException("Chart: log x range must be positive, got [" + xRange.lo() + ", " + xRange.hi() + "]");
        }
        if (yScale == Scale.LOG10 && yRange != null && yRange.lo() <= 0) {
            throw new IllegalArgumentException("Chart: log y range must be positive, got [" + yRange.lo() + ", " + yRange.hi() + "]");
        }
        series = List.copyOf(series);
    }

    private static void checkSize(int w, int h) {
        if (w < 240 || h < 160 || w > 8192 || h > 8192) {
            throw new IllegalArgumentException("Chart: size must be within 240x160 .. 8192x8192, got " + w + "x" + h);
        }
    }

    /** A builder for a chart titled {@code title}. */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** Builds a {@link Chart}. Not thread-safe; each setter validates its argument. */
    public static final class Builder {
        private final String title;
        private String xLabel = "";
        private String yLabel = "";
        private Scale xScale = Scale.LINEAR;
        private Scale yScale = Scale.LINEAR;
        private Range xRange;
        private Range yRange;
        private int width = DEFAULT_WIDTH;
        private int height = DEFAULT_HEIGHT;
        private final List<Series> series = new ArrayList<>();

        private Builder(String title) {
            if (title == null) throw new IllegalArgumentException("Chart: title is null");
            this.title = title;
        }

        /** The x-axis label. */
        public Builder xLabel(String label) {
            this.xLabel = label == null ? "" : label;
            return this;
        }

        /** The y-axis label. */
        public Builder yLabel(String label) {
            this.yLabel = label == null ? "" : label;
            return this;
        }

        /** The x-axis scale (default linear). */
        public Builder xScale(Scale s) {
            this.xScale = s;
            return this;
        }

        /** The y-axis scale (default linear). */
        public Builder yScale(Scale s) {
            this.yScale = s;
            return this;
        }

        /** A fixed x range instead of one fitted to the data (positive on a log axis). */
        public Builder xRange(double lo, double hi) {
            this.xRange = new Range(lo, hi);
            return this;
        }

        /** A fixed y range instead of one fitted to the data (positive on a log axis). */
        public Builder yRange(double lo, double hi) {
            this.yRange = new Range(lo, hi);
            return this;
        }

        /** Image size in pixels (default 800 × 500; at least 240 × 160). */
        public Builder size(int w, int h) {
            checkSize(w, h);
            this.width = w;
            this.height = h;
            return this;
        }

        /** Adds a series. */
        public Builder series(Series s) {
            series.add(s);
            return this;
        }

        /** A solid line. */
        public Builder line(String name, double[] x, double[] y) {
            return series(new Series(name, x, y, Style.LINE, -1));
        }

        /** Markers only. */
        public Builder markers(String name, double[] x, double[] y) {
            return series(new Series(name, x, y, Style.MARKERS, -1));
        }

        /** A line with markers. */
        public Builder lineWithMarkers(String name, double[] x, double[] y) {
            return series(new Series(name, x, y, Style.LINE_AND_MARKERS, -1));
        }

        /** A dashed bound or reference curve. */
        public Builder bound(String name, double[] x, double[] y) {
            return series(new Series(name, x, y, Style.DASHED, -1));
        }

        /** A dashed horizontal reference line at {@code y} across the whole chart. */
        public Builder horizontalLine(String name, double y) {
            return series(new Series(name, null, new double[] {y}, Style.DASHED, -1));
        }

        /** The chart. */
        public Chart build() {
            return new Chart(title, xLabel, yLabel, xScale, yScale, xRange, yRange, width, height, series);
        }
    }
}
