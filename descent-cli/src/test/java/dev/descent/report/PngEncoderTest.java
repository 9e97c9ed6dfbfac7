package dev.descent.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The encoder round-trips exactly through the JDK's independent PNG decoder (which needs no fonts). */
class PngEncoderTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    static BufferedImage decode(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    @Test
    void randomAndFlatImagesDecodeToTheSamePixels() throws IOException {
        Random r = new Random(1);
        int[][] sizes = {{1, 1}, {3, 7}, {64, 33}, {257, 5}};
        for (int[] s : sizes) {
            int w = s[0], h = s[1];
            int[] rgb = new int[w * h];
            // Half noise (exercises every filter), half smooth gradient (favours Sub/Up/Paeth).
            for (int i = 0; i < rgb.length; i++) rgb[i] = i % 2 == 0 ? r.nextInt(1 << 24) : (i % w) * 0x010203 & 0xFFFFFF;
            BufferedImage img = decode(PngEncoder.encode(w, h, rgb));
            assertEquals(w, img.getWidth());
            assertEquals(h, img.getHeight());
            int[] back = new int[w * h];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) back[y * w + x] = img.getRGB(x, y) & 0xFFFFFF;
            assertArrayEquals(rgb, back, w + "x" + h);
        }
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.encode(0, 3, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.encode(2, 2, new int[3]));
    }
}
