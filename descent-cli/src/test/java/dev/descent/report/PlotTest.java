package dev.descent.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.chart.Chart;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotTest {
    @TempDir
    Path dir;

    /** Whether a pixel of {@code color} lies within {@code radius} pixels of (x, y). */
    private static boolean colorNear(BufferedImage img, double x, double y, int radius, int color) {
        int cx = (int) Math.round(x), cy = (int) Math.round(y);
        for (int dy = -radius; dy <= radius; dy++) {
            for (int dx = -radius; dx <= radius; dx++) {
                int px = cx + dx, py = cy + dy;
                if (px >= 0 && py >= 0 && px < img.getWidth() && py < img.getHeight() && (img.getRGB(px, py) & 0xFFFFFF) == color) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void seriesArePaintedWhereTheDataMapsOnLogAxes() throws IOException {
        int n = 30;
        double[] t = new double[n], decay = new double[n], bound = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i + 1;
            decay[i] = Math.pow(0.7, t[i]);
            bound[i] = Math.pow(0.9, t[i]);
        }
        Plot p = new Plot(Chart.builder("decay").xLabel("T").yLabel("norm").yScale(Chart.Scale.LOG10)
                .lineWithMarkers("measured", t, decay).bound("bound 0.9^T", t, bound).size(640, 400).build());
        Path file = dir.resolve("sub/decay.png");
        p.writePng(file);
        BufferedImage img = PngEncoderTest.decode(Files.readAllBytes(file));
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        Plot.Rendered r = p.render();
        // Points away from the legend: every measured point has its colour within the marker radius.
        for (int i = 0; i < n; i++) {
            assertTrue(colorNear(img, r.px(t[i]), r.py(decay[i]), 2, p.colorOf(0)), "measured point " + i);
        }
        // The dashed bound shows its colour near most of its points (dash gaps allow a few misses).
        int hits = 0;
        for (int i = 0; i < n; i++) if (colorNear(img, r.px(t[i]), r.py(bound[i]), 3, p.colorOf(1))) hits++;
        assertTrue(hits >= n / 2, "bound hits " + hits);
        assertTrue(p.colorOf(0) != p.colorOf(1));
    }

    @Test
    void backgroundStaysWhereNothingIsDrawn() throws IOException {
        Plot p = new Plot(Chart.builder("").line("flat", new double[] {0, 10}, new double[] {5, 5}).build());
        BufferedImage img = PngEncoderTest.decode(p.toPng());
        Plot.Rendered r = p.render();
        assertTrue(colorNear(img, r.px(5), r.py(5), 1, p.colorOf(0)));
        assertEquals(Plot.BACKGROUND, img.getRGB(img.getWidth() - 2, img.getHeight() - 2) & 0xFFFFFF);
    }

    @Test
    void linearTicksAreNiceNumbersCoveringTheData() {
        Plot.Axis a = Plot.linearAxis(null, 0.13, 9.7, 6);
        assertEquals(0, a.lo(), 0);
        assertEquals(10, a.hi(), 0);
        assertArrayEquals(new String[] {"0", "2", "4", "6", "8", "10"}, a.labels());
        Plot.Axis b = Plot.linearAxis(null, -0.0032, 0.0021, 6);
        assertTrue(b.lo() <= -0.0032 && b.hi() >= 0.0021);
        for (String l : b.labels()) assertFalse(l.startsWith("-0") && Double.parseDouble(l) == 0, l);
        Plot.Axis c = Plot.linearAxis(null, 3, 3, 5);
        assertTrue(c.lo() < 3 && c.hi() > 3, "a constant series gets a non-empty range");
        assertEquals("2.5e-5", Plot.scientific(2.5e-5, 1e-6));
    }

    @Test
    void logTicksSitOnDecadesWithMinorTicksOnShortRanges() {
        Plot.Axis wide = Plot.logAxis(null, 3e-12, 0.5);
        assertTrue(wide.lo() <= 3e-12 && wide.hi() >= 0.5);
        for (double t : wide.ticks()) assertEquals(Math.rint(Math.log10(t)), Math.log10(t), 1e-9, "decade tick " + t);
        assertTrue(wide.ticks().length <= 10, "at most ~9 labelled decades");
        Plot.Axis narrow = Plot.logAxis(null, 2, 40);
        assertArrayEquals(new String[] {"1", "2", "5", "10", "20", "50", "100"}, narrow.labels());
        assertEquals("1e-7", Plot.logAxis(null, 1e-7, 1e-6).labels()[0].startsWith("1e") ? "1e-7" : "other");
    }

    @Test
    void unshowablePointsAreSkippedAndAnEmptyPlotStillRenders() throws IOException {
        double[] x = {1, 2, 3, 4}, y = {1, Double.NaN, -1, 4};
        Plot p = new Plot(Chart.builder("gaps").yScale(Chart.Scale.LOG10).line("s", x, y).build());
        assertEquals(800, PngEncoderTest.decode(p.toPng()).getWidth());
        Plot empty = new Plot(Chart.builder("nothing").line("nan", new double[] {1}, new double[] {Double.NaN}).build());
        assertEquals(500, PngEncoderTest.decode(empty.toPng()).getHeight());
        Plot huge = new Plot(Chart.builder("far").line("s", new double[] {0, 1e300}, new double[] {0, -1e300}).xRange(0, 1).yRange(0, 1)
                .build());
        assertEquals(800, PngEncoderTest.decode(huge.toPng()).getWidth());
    }

    @Test
    void invalidInputsFailEagerly() {
        assertThrows(IllegalArgumentException.class, () -> Chart.builder("t").line("s", new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Chart.builder("t").line(" ", new double[] {1}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Chart.builder("t").size(10, 10));
        assertThrows(IllegalArgumentException.class, () -> Chart.builder("t").yRange(2, 1));
        assertThrows(IllegalArgumentException.class, () -> Chart.builder("t").yScale(Chart.Scale.LOG10).yRange(0, 1).build());
    }

    /** The legend sits below the plot area: points in every corner of the data keep their colour. */
    @Test
    void theLegendHidesNoData() throws IOException {
        double[] x = {0, 10, 0, 10, 5}, y = {0, 0, 10, 10, 5};
        Plot p = new Plot(Chart.builder("corners").markers("a series with a rather long name", x, y)
                .horizontalLine("another long legend entry", 9.5).horizontalLine("and a third", 0.5).build());
        BufferedImage img = PngEncoderTest.decode(p.toPng());
        Plot.Rendered r = p.render();
        for (int i = 0; i < x.length; i++) assertTrue(colorNear(img, r.px(x[i]), r.py(y[i]), 2, p.colorOf(0)), "point " + i);
        assertTrue(r.top() + r.plotHeight() < img.getHeight() - 40, "room below the plot for the legend");
    }
}
