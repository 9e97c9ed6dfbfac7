package dev.descent.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with aligned columns for the console. Column widths are measured in code
 * points (every character counts as one column, which holds for the Latin, Greek and math
 * symbols used here); cells longer than a column's maximum width wrap onto continuation lines at
 * spaces.
 */
public final class TextTable {
    private final List<String> headers;
    private final int[] maxWidths;
    private final List<String[]> rows = new ArrayList<>();

    /**
     * A table with these column headers; {@code maxWidths[i]} caps column i (0 = no cap).
     */
    public TextTable(List<String> headers, int... maxWidths) {
        if (maxWidths.length != headers.size()) {
            throw new IllegalArgumentException("TextTable: " + headers.size() + " headers but " + maxWidths.length + " widths");
        }
        this.headers = List.copyOf(headers);
        this.maxWidths = maxWidths.clone();
    }

    /** Adds a row; it must have one cell per column. */
    public TextTable add(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("TextTable: row has " + cells.length + " cells, expected " + headers.size());
        }
        rows.add(cells.clone());
        return this;
    }

    /** The table: header, a rule, then the rows; lines end with '\n', no trailing spaces. */
    public String render() {
        int cols = headers.size();
        int[] w = new int[cols];
        List<String[]> all = new ArrayList<>();
        all.add(headers.toArray(new String[0]));
        all.addAll(rows);
        for (String[] r : all) {
            for (int c = 0; c < cols; c++) {
                for (String piece : wrap(r[c], maxWidths[c])) w[c] = Math.max(w[c], length(piece));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
            String[] r = all.get(i);
            List<List<String>> wrapped = new ArrayList<>();
            int lines = 1;
            for (int c = 0; c < cols; c++) {
                List<String> pieces = wrap(r[c], maxWidths[c]);
                wrapped.add(pieces);
                lines = Math.max(lines, pieces.size());
            }
            for (int l = 0; l < lines; l++) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < cols; c++) {
                    String piece = l < wrapped.get(c).size() ? wrapped.get(c).get(l) : "";
                    line.append(piece);
                    if (c < cols - 1) line.append(" ".repeat(w[c] - length(piece) + 2));
                }
                sb.append(line.toString().stripTrailing()).append('\n');
            }
            if (i == 0) {
                int total = 0;
                for (int c = 0; c < cols; c++) total += w[c] + (c < cols - 1 ? 2 : 0);
                sb.append("-".repeat(total)).append('\n');
            }
        }
        return sb.toString();
    }

    /** Display columns: code points, not counting combining marks (as in f̂). */
    static int length(String s) {
        return (int) s.codePoints().filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK
                && Character.getType(cp) != Character.ENCLOSING_MARK).count();
    }

    static List<String> wrap(String text, int max) {
        List<String> out = new ArrayList<>();
        if (max <= 0 || length(text) <= max) {
            out.add(text);
            return out;
        }
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            while (length(word) > max) { // a word longer than the column: hard split
                if (line.length() > 0) {
                    out.add(line.toString());
                    line.setLength(0);
                }
                int cut = word.offsetByCodePoints(0, Math.min(max, word.codePointCount(0, word.length())));
                while (cut < word.length() && Character.getType(word.codePointAt(cut)) == Character.NON_SPACING_MARK) {
                    cut += Character.charCount(word.codePointAt(cut));
                }
                out.add(word.substring(0, cut));
                word = word.substring(cut);
            }
            if (line.length() > 0 && length(line.toString()) + 1 + length(word) > max) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0) out.add(line.toString());
        return out;
    }
}
