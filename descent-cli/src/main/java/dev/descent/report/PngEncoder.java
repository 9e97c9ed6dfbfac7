package dev.descent.report;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Encodes 8-bit RGB images as PNG (ISO/IEC 15948, "Portable Network Graphics Specification",
 * 2nd ed., W3C 2003): signature, an IHDR chunk (colour type 2, bit depth 8, no interlace), one
 * IDAT chunk holding the zlib-compressed scanlines and an IEND chunk; each chunk is
 * length, type, data, CRC-32 of type and data.
 *
 * <p>Each scanline is filtered with whichever of the None, Sub, Up and Paeth filters gives the
 * smallest sum of absolute byte values (the heuristic the specification recommends, section 12.8),
 * which for plots (large flat areas) makes files several times smaller than no filtering.
 * Pure Java: no AWT, no ImageIO, no fonts.
 */
public final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private PngEncoder() {}

    /**
     * The PNG bytes of a {@code width × height} image whose pixel (x, y) is
     * {@code rgb[y·width + x]} as 0xRRGGBB (higher bits ignored).
     */
    public static byte[] encode(int width, int height, int[] rgb) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("PngEncoder: image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != (long) width * height) {
            throw new IllegalArgumentException("PngEncoder: " + rgb.length + " pixels for a " + width + "x" + height + " image");
        }
        int stride = 3 * width;
        byte[] prev = new byte[stride], cur = new byte[stride];
        byte[][] candidates = new byte[4][stride];
        byte[] raw = new byte[(stride + 1) * height];
        int out = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0, p = y * width; x < width; x++, p++) {
                int c = rgb[p];
                cur[3 * x] = (byte) (c >>> 16);
                cur[3 * x + 1] = (byte) (c >>> 8);
                cur[3 * x + 2] = (byte) c;
            }
            int best = 0;
            long bestCost = Long.MAX_VALUE;
            for (int f = 0; f < 4; f++) {
                long cost = filter(f, cur, prev, candidates[f]);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = f;
                }
            }
            raw[out++] = (byte) (best == 3 ? 4 : best);
            System.arraycopy(candidates[best], 0, raw, out, stride);
            out += stride;
            byte[] t = prev;
            prev = cur;
            cur = t;
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream(raw.length / 8 + 64);
        png.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, width);
        putInt(ihdr, 4, height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: truecolour
        chunk(png, "IHDR", ihdr);
        chunk(png, "IDAT", deflate(raw));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    /** Filters one scanline with filter 0 (None), 1 (Sub), 2 (Up) or 3 (Paeth); returns Σ|signed byte|. */
    private static long filter(int f, byte[] cur, byte[] prev, byte[] dst) {
        long cost = 0;
        for (int i = 0; i < cur.length; i++) {
            int a = i >= 3 ? cur[i - 3] & 0xFF : 0, b = prev[i] & 0xFF, c = i >= 3 ? prev[i - 3] & 0xFF : 0;
            int x = cur[i] & 0xFF;
            int v = switch (f) {
                case 0 -> x;
                case 1 -> x - a;
                case 2 -> x - b;
                default -> x - paeth(a, b, c);
            };
            dst[i] = (byte) v;
            cost += Math.abs((byte) v);
        }
        return cost;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    private static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION);
        try {
            d.setInput(raw);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 8 + 64);
            byte[] buf = new byte[1 << 16];
            while (!d.finished()) out.write(buf, 0, d.deflate(buf));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] header = new byte[8];
        putInt(header, 0, data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, header, 4, 4);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        png.writeBytes(header);
        png.writeBytes(data);
        byte[] c = new byte[4];
        putInt(c, 0, (int) crc.getValue());
        png.writeBytes(c);
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
