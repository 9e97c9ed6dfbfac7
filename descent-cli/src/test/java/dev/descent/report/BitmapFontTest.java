package dev.descent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BitmapFontTest {
    private static int inked(boolean[][] g) {
        int n = 0;
        for (boolean[] row : g) for (boolean b : row) if (b) n++;
        return n;
    }

    @Test
    void everyPrintableAsciiCharacterHasItsOwnGlyph() {
        java.util.Set<String> shapes = new java.util.HashSet<>();
        for (int c = 33; c < 127; c++) {
            assertTrue(BitmapFont.covers(c), "glyph for '" + (char) c + "'");
            assertTrue(inked(BitmapFont.glyph(c)) > 0, "ink in '" + (char) c + "'");
            assertTrue(shapes.add(java.util.Arrays.deepToString(BitmapFont.glyph(c))), "distinct glyph for '" + (char) c + "'");
        }
        assertTrue(BitmapFont.covers(' '));
        assertEquals(0, inked(BitmapFont.glyph(' ')));
        assertTrue(BitmapFont.covers('δ') && BitmapFont.covers('‖') && BitmapFont.covers('≤'));
        assertFalse(BitmapFont.covers('☃'));
    }

    @Test
    void textIsDrawnInsideItsMeasuredBox() {
        Bitmap b = new Bitmap(200, 40, 0xFFFFFF);
        String s = "Ag|1e-4";
        b.text(s, 10, 5, 2, 0x000000);
        int w = BitmapFont.width(s, 2), h = BitmapFont.height(2);
        assertEquals((7 * 6 - 1) * 2, w);
        int inside = 0;
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 200; x++) {
                if (b.get(x, y) == 0) {
                    assertTrue(x >= 10 && x < 10 + w && y >= 5 && y < 5 + h, "ink at " + x + "," + y);
                    inside++;
                }
            }
        }
        assertTrue(inside > 50);
    }
}
