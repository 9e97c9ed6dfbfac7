package dev.descent.report;

import java.util.HashMap;
import java.util.Map;

/**
 * A built-in 5×7 bitmap font (with two descender rows), so that plots render identically on any
 * machine, headless or not, with no system fonts installed.
 *
 * <p>Covers printable ASCII plus the symbols the experiments' labels use (Greek letters
 * α β γ δ ε η θ κ λ μ π σ τ φ ω Δ Σ Π, and ∂ ∇ ‖ ≤ ≥ ≈ ² ³ ¹ ᵀ · × − √ ∞ → ±); any other
 * character is drawn as a hollow box. Each glyph occupies a cell of {@value #CELL_WIDTH} ×
 * {@value #CELL_HEIGHT} pixels at scale 1 (5 columns plus one of spacing; 7 rows above the
 * baseline, 2 below, one of spacing); {@code scale} multiplies every pixel.
 */
public final class BitmapFont {
    /** Cell width at scale 1 (glyph 5 + spacing 1). */
    public static final int CELL_WIDTH = 6;
    /** Cell height at scale 1 (7 rows + 2 descender rows + 1 spacing). */
    public static final int CELL_HEIGHT = 10;
    /** Rows above and on the baseline. */
    static final int ASCENT = 7;
    private static final int ROWS = 9;

    // One glyph per line: the character, then up to 9 rows of 5 pixels ('#' on, '.' off), top
    // to bottom; rows 0..6 sit on the baseline, rows 7..8 are descenders; missing rows are blank.
    private static final String GLYPHS = """
            ! ..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..
            " .#.#. .#.#. .#.#.
            # .#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.
            $ ..#.. .#### #.#.. .###. ..#.# ####. ..#..
            % ##... ##..# ...#. ..#.. .#... #..## ...##
            & .##.. #..#. #.#.. .#... #.#.# #..#. .##.#
            ' ..#.. ..#.. .#...
            ( ...#. ..#.. .#... .#... .#... ..#.. ...#.
            ) .#... ..#.. ...#. ...#. ...#. ..#.. .#...
            * ..... ..#.. #.#.# .###. #.#.# ..#.. .....
            + ..... ..#.. ..#.. ##### ..#.. ..#.. .....
            , ..... ..... ..... ..... ..... .##.. ..#.. .#...
            - ..... ..... ..... .###. ..... ..... .....
            . ..... ..... ..... ..... ..... .##.. .##..
            / ..... ....# ...#. ..#.. .#... #.... .....
            0 .###. #...# #..## #.#.# ##..# #...# .###.
            1 ..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.
            2 .###. #...# ....# ...#. ..#.. .#... #####
            3 ##### ...#. ..#.. ...#. ....# #...# .###.
            4 ...#. ..##. .#.#. #..#. ##### ...#. ...#.
            5 ##### #.... ####. ....# ....# #...# .###.
            6 ..##. .#... #.... ####. #...# #...# .###.
            7 ##### ....# ...#. ..#.. .#... .#... .#...
            8 .###. #...# #...# .###. #...# #...# .###.
            9 .###. #...# #...# .#### ....# ...#. .##..
            : ..... .##.. .##.. ..... .##.. .##.. .....
            ; ..... .##.. .##.. ..... .##.. ..#.. .#...
            < ...#. ..#.. .#... #.... .#... ..#.. ...#.
            = ..... ..... ##### ..... ##### ..... .....
            > .#... ..#.. ...#. ....# ...#. ..#.. .#...
            ? .###. #...# ....# ...#. ..#.. ..... ..#..
            @ .###. #...# ....# .##.# #.#.# #.#.# .###.
            A .###. #...# #...# ##### #...# #...# #...#
            B ####. #...# #...# ####. #...# #...# ####.
            C .###. #...# #.... #.... #.... #...# .###.
            D ###.. #..#. #...# #...# #...# #..#. ###..
            E ##### #.... #.... ####. #.... #.... #####
            F ##### #.... #.... ####. #.... #.... #....
            G .###. #...# #.... #.### #...# #...# .####
            H #...# #...# #...# ##### #...# #...# #...#
            I .###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
            J ..### ...#. ...#. ...#. ...#. #..#. .##..
            K #...# #..#. #.#.. ##... #.#.. #..#. #...#
            L #.... #.... #.... #.... #.... #.... #####
            M #...# ##.## #.#.# #.#.# #...# #...# #...#
            N #...# #...# ##..# #.#.# #..## #...# #...#
            O .###. #...# #...# #...# #...# #...# .###.
            P ####. #...# #...# ####. #.... #.... #....
            Q .###. #...# #...# #...# #.#.# #..#. .##.#
            R ####. #...# #...# ####. #.#.. #..#. #...#
            S .#### #.... #.... .###. ....# ....# ####.
            T ##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
            U #...# #...# #...# #...# #...# #...# .###.
            V #...# #...# #...# #...# #...# .#.#. ..#..
            W #...# #...# #...# #.#.# #.#.# #.#.# .#.#.
            X #...# #...# .#.#. ..#.. .#.#. #...# #...#
            Y #...# #...# .#.#. ..#.. ..#.. ..#.. ..#..
            Z ##### ....# ...#. ..#.. .#... #.... #####
            [ .###. .#... .#... .#... .#... .#... .###.
            \\ ..... #.... .#... ..#.. ...#. ....# .....
            ] .###. ...#. ...#. ...#. ...#. ...#. .###.
            ^ ..#.. .#.#. #...#
            _ ..... ..... ..... ..... ..... ..... ..... #####
            ` .#... ..#.. ...#.
            a ..... ..... .###. ....# .#### #...# .####
            b #.... #.... #.##. ##..# #...# #...# ####.
            c ..... ..... .###. #.... #.... #...# .###.
            d ....# ....# .##.# #..## #...# #...# .####
            e ..... ..... .###. #...# ##### #.... .###.
            f ..##. .#..# .#... ###.. .#... .#... .#...
            g ..... ..... .#### #...# #...# #...# .#### ....# .###.
            h #.... #.... #.##. ##..# #...# #...# #...#
            i ..#.. ..... .##.. ..#.. ..#.. ..#.. .###.
            j ...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##..
            k #.... #.... #..#. #.#.. ##... #.#.. #..#.
            l .##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
            m ..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#
            n ..... ..... #.##. ##..# #...# #...# #...#
            o ..... ..... .###. #...# #...# #...# .###.
            p ..... ..... ####. #...# #...# #...# ####. #.... #....
            q ..... ..... .#### #...# #...# #...# .#### ....# ....#
            r ..... ..... #.##. ##..# #.... #.... #....
            s ..... ..... .###. #.... .###. ....# ####.
            t .#... .#... ###.. .#... .#... .#..# ..##.
            u ..... ..... #...# #...# #...# #..## .##.#
            v ..... ..... #...# #...# #...# .#.#. ..#..
            w ..... ..... #...# #...# #.#.# #.#.# .#.#.
            x ..... ..... #...# .#.#. ..#.. .#.#. #...#
            y ..... ..... #...# #...# #...# #..## .##.# ....# .###.
            z ..... ..... ##### ...#. ..#.. .#... #####
            { ...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.
            | ..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
            } .#... ..#.. ..#.. ...#. ..#.. ..#.. .#...
            ~ ..... ..... .#... #.#.# ...#.
            α ..... ..... .##.# #..#. #..#. #..#. .##.#
            β .##.. #..#. #..#. ###.. #..#. #..#. ###.. #.... #....
            γ ..... ..... #...# #...# .#.#. .#.#. ..#.. ..#.. ..#..
            δ .###. .#... ..#.. .###. #...# #...# .###.
            ε ..... ..... .###. #.... .##.. #.... .###.
            η ..... ..... #.##. ##..# #...# #...# #...# ....# ....#
            θ .###. #...# #...# ##### #...# #...# .###.
            κ ..... ..... #..#. #.#.. ##... #.#.. #..#.
            λ #.... .#... .#... ..#.. .#.#. #...# #...#
            μ ..... ..... #...# #...# #...# ##..# #.##. #.... #....
            π ..... ..... ##### .#.#. .#.#. .#.#. .#.#.
            σ ..... ..... .#### #..#. #...# #...# .###.
            τ ..... ..... ##### ..#.. ..#.. ..#.. ...#.
            φ ..#.. ..#.. .###. #.#.# #.#.# .###. ..#.. ..#..
            ω ..... ..... .#.#. #...# #.#.# #.#.# .#.#.
            Δ ..#.. ..#.. .#.#. .#.#. #...# #...# #####
            Σ ##### #.... .#... ..#.. .#... #.... #####
            Π ##### .#.#. .#.#. .#.#. .#.#. .#.#. .#.#.
            ∂ .##.. ...#. ....# .#### #...# #...# .###.
            ∇ ##### #...# #...# .#.#. .#.#. ..#.. ..#..
            ‖ .#.#. .#.#. .#.#. .#.#. .#.#. .#.#. .#.#.
            ≤ ...## .##.. #.... .##.. ...## ..... #####
            ≥ ##... ..##. ....# ..##. ##... ..... #####
            ≈ ..... .#... #.#.# ...#. .#... #.#.# ...#.
            ² .##.. #..#. ..#.. .#... ####.
            ³ ###.. ...#. .##.. ...#. ###..
            ¹ .#... ##... .#... .#... ###..
            ᵀ ##### ..#.. ..#.. ..#..
            · ..... ..... ..... ..#..
            × ..... #...# .#.#. ..#.. .#.#. #...#
            − ..... ..... ..... ##### ..... ..... .....
            √ ..### ..#.. ..#.. #.#.. .##.. .##.. ..#..
            ∞ ..... ..... .#.#. #.#.# #.#.# .#.#.
            → ..... ..#.. ...#. ##### ...#. ..#..
            ± ..#.. ..#.. ##### ..#.. ..#.. ..... #####
            """;

    private static final Map<Integer, boolean[][]> TABLE = parse();
    private static final boolean[][] BLANK = new boolean[ROWS][5];
    private static final boolean[][] BOX = box();

    private BitmapFont() {}

    private static Map<Integer, boolean[][]> parse() {
        Map<Integer, boolean[][]> m = new HashMap<>();
        for (String line : GLYPHS.split("\n")) {
            if (line.isBlank()) continue;
            String[] tokens = line.trim().split(" ");
            int cp = tokens[0].codePointAt(0);
            boolean[][] g = new boolean[ROWS][5];
            for (int r = 1; r < tokens.length; r++) {
                String row = tokens[r];
                if (row.length() != 5 || r > ROWS) {
                    throw new IllegalStateException("BitmapFont: malformed glyph row '" + row + "' for '" + tokens[0] + "'");
                }
                for (int c = 0; c < 5; c++) g[r - 1][c] = row.charAt(c) == '#';
            }
            if (m.put(cp, g) != null) throw new IllegalStateException("BitmapFont: duplicate glyph '" + tokens[0] + "'");
        }
        return m;
    }

    private static boolean[][] box() {
        boolean[][] g = new boolean[ROWS][5];
        for (int r = 0; r < ASCENT; r++) {
            for (int c = 0; c < 5; c++) g[r][c] = r == 0 || r == ASCENT - 1 || c == 0 || c == 4;
        }
        return g;
    }

    /** Whether the font has a glyph for code point {@code cp} (space counts; others show a box). */
    public static boolean covers(int cp) {
        return cp == ' ' || TABLE.containsKey(cp);
    }

    static boolean[][] glyph(int cp) {
        if (cp == ' ') return BLANK;
        return TABLE.getOrDefault(cp, BOX);
    }

    /** Width in pixels of {@code text} at {@code scale} (no trailing spacing column). */
    public static int width(String text, int scale) {
        int n = text.codePointCount(0, text.length());
        return n == 0 ? 0 : (n * CELL_WIDTH - 1) * scale;
    }

    /** Height in pixels of one line at {@code scale}, descenders included. */
    public static int height(int scale) {
        return ROWS * scale;
    }

    /**
     * Draws {@code text} with its top-left corner at (x, y) into {@code image}, horizontally or
     * rotated 90° counter-clockwise (reading bottom to top, for a y-axis label; then (x, y) is the
     * bottom-left corner of the rotated text).
     */
    public static void draw(Bitmap image, String text, int x, int y, int scale, int rgb, boolean vertical) {
        int pen = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean[][] g = glyph(cp);
            for (int r = 0; r < ROWS; r++) {
                for (int c = 0; c < 5; c++) {
                    if (!g[r][c]) continue;
                    int gx = (pen + c) * scale, gy = r * scale;
                    if (vertical) image.fillRect(x + gy, y - gx - scale, scale, scale, rgb);
                    else image.fillRect(x + gx, y + gy, scale, scale, rgb);
                }
            }
            pen += CELL_WIDTH;
        }
    }
}
