package dev.descent.report;

import java.util.Arrays;

/**
 * A minimal RGB raster for plots: pixels as 0xRRGGBB ints, a clip rectangle, filled rectangles,
 * thick solid or dashed lines (clipped analytically, so far-off coordinates cost nothing),
 * markers and {@link BitmapFont} text. Encoded with {@link PngEncoder}. Not thread-safe.
 */
public final class Bitmap {
    private final int width;
    private final int height;
    private final int[] rgb;
    private int clipX0, clipY0, clipX1, clipY1; // clip rectangle [x0, x1) × [y0, y1)

    /** A {@code width × height} image filled with {@code background}. */
    public Bitmap(int width, int height, int background) {
        if (width < 1 || height < 1 || (long) width * height > 1 << 26) {
            throw new IllegalArgumentException("Bitmap: size must be positive and at most 2^26 pixels, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.rgb = new int[width * height];
        Arrays.fill(rgb, background & 0xFFFFFF);
        resetClip();
    }

    /** Width in pixels. */
    public int width() {
        return width;
    }

    /** Height in pixels. */
    public int height() {
        return height;
    }

    /** The colour at (x, y) as 0xRRGGBB. */
    public int get(int x, int y) {
        return rgb[y * width + x];
    }

    /** Restricts drawing to [x, x+w) × [y, y+h) (intersected with the image). */
    public void clip(int x, int y, int w, int h) {
        clipX0 = Math.max(0, x);
        clipY0 = Math.max(0, y);
        clipX1 = Math.min(width, x + w);
        clipY1 = Math.min(height, y + h);
    }

    /** Allows drawing on the whole image again. */
    public void resetClip() {
        clip(0, 0, width, height);
    }

    /** Sets one pixel if it lies inside the clip rectangle. */
    public void set(int x, int y, int color) {
        if (x >= clipX0 && x < clipX1 && y >= clipY0 && y < clipY1) rgb[y * width + x] = color & 0xFFFFFF;
    }

    /** Fills [x, x+w) × [y, y+h), clipped. */
    public void fillRect(int x, int y, int w, int h, int color) {
        int x0 = Math.max(x, clipX0), x1 = Math.min(x + w, clipX1);
        int y0 = Math.max(y, clipY0), y1 = Math.min(y + h, clipY1);
        for (int yy = y0; yy < y1; yy++) Arrays.fill(rgb, yy * width + x0, Math.max(yy * width + x0, yy * width + x1), color & 0xFFFFFF);
    }

    /** The outline of [x, x+w) × [y, y+h), {@code t} pixels thick, drawn inside. */
    public void strokeRect(int x, int y, int w, int h, int t, int color) {
        fillRect(x, y, w, t, color);
        fillRect(x, y + h - t, w, t, color);
        fillRect(x, y, t, h, color);
        fillRect(x + w - t, y, t, h, color);
    }

    /**
     * A polyline through (xs[i], ys[i]), i &lt; n, {@code thickness} pixels wide. A non-finite
     * coordinate breaks the line. With {@code dash} = {on, off} lengths in pixels the line is
     * dashed, the pattern running on across vertices.
     */
    public void polyline(double[] xs, double[] ys, int n, int thickness, int color, double[] dash) {
        double[] phase = {0};
        for (int i = 1; i < n; i++) {
            if (Double.isFinite(xs[i - 1]) && Double.isFinite(ys[i - 1]) && Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                segment(xs[i - 1], ys[i - 1], xs[i], ys[i], thickness, color, dash, phase);
            }
        }
    }

    /** A straight line from (x0, y0) to (x1, y1). */
    public void line(double x0, double y0, double x1, double y1, int thickness, int color) {
        segment(x0, y0, x1, y1, thickness, color, null, new double[] {0});
    }

    private void segment(double x0, double y0, double x1, double y1, int t, int color, double[] dash, double[] phase) {
        double dx = x1 - x0, dy = y1 - y0, length = Math.hypot(dx, dy);
        // Liang–Barsky clipping against the clip rectangle grown by the brush size.
        double lo = 0, hi = 1, pad = t;
        double[] p = {-dx, dx, -dy, dy};
        double[] q = {x0 - (clipX0 - pad), (clipX1 + pad) - x0, y0 - (clipY0 - pad), (clipY1 + pad) - y0};
        for (int k = 0; k < 4; k++) {
            if (p[k] == 0) {
                if (q[k] < 0) {
                    phase[0] += length;
                    return;
                }
            } else {
                double r = q[k] / p[k];
                if (p[k] < 0) lo = Math.max(lo, r); else hi = Math.min(hi, r);
            }
        }
        if (lo > hi) {
            phase[0] += length;
            return;
        }
        double start = phase[0] + lo * length;
        int steps = (int) Math.ceil(Math.max(Math.abs(dx), Math.abs(dy)) * (hi - lo)) + 1;
        int half = (t - 1) / 2;
        for (int s = 0; s <= steps; s++) {
            double f = lo + (hi - lo) * s / steps;
            if (dash != null) {
                double along = (start + (f - lo) * length) % (dash[0] + dash[1]);
                if (along >= dash[0]) continue;
            }
            int px = (int) Math.round(x0 + f * dx), py = (int) Math.round(y0 + f * dy);
            fillRect(px - half, py - half, t, t, color);
        }
        phase[0] += length;
    }

    /** Marker shapes. */
    public enum Marker {
        /** Filled disc. */
        CIRCLE,
        /** Filled square. */
        SQUARE,
        /** Filled upward triangle. */
        TRIANGLE,
        /** Filled diamond. */
        DIAMOND
    }

    /** A filled marker of radius {@code r} centred on (cx, cy). */
    public void marker(double cx, double cy, int r, Marker shape, int color) {
        if (!Double.isFinite(cx) || !Double.isFinite(cy)) return;
        int x = (int) Math.round(cx), y = (int) Math.round(cy);
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                boolean in = switch (shape) {
                    case CIRCLE -> dx * dx + dy * dy <= r * r + r;
                    case SQUARE -> Math.abs(dx) < r && Math.abs(dy) < r;
                    case DIAMOND -> Math.abs(dx) + Math.abs(dy) <= r;
                    case TRIANGLE -> dy >= -r && 2 * Math.abs(dx) <= dy + r;
                };
                if (in) set(x + dx, y + dy, color);
            }
        }
    }

    /** Horizontal text with its top-left corner at (x, y); see {@link BitmapFont}. */
    public void text(String s, int x, int y, int scale, int color) {
        BitmapFont.draw(this, s, x, y, scale, color, false);
    }

    /** Text rotated 90° counter-clockwise with the bottom-left corner of its box at (x, y). */
    public void verticalText(String s, int x, int y, int scale, int color) {
        BitmapFont.draw(this, s, x, y, scale, color, true);
    }

    /** The image as PNG bytes. */
    public byte[] toPng() {
        return PngEncoder.encode(width, height, rgb);
    }
}
