package dev.descent.data;

import dev.descent.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads a numeric CSV file into a {@link Dataset}: every column but one is a feature, the remaining
 * column is the label (classification, non-negative integers) or the target (regression).
 *
 * <p>Format: cells separated by {@link Options#delimiter()} (comma by default), surrounding
 * whitespace ignored, a cell may be wrapped in double quotes (without embedded delimiters), blank
 * lines skipped, {@code \n} or {@code \r\n} line ends. Numbers are decimal
 * ({@code [+-]digits[.digits][e[+-]digits]}, ASCII digits, recognised by a scanner linear in the
 * cell's length) within float32's range; NaN, infinities, values beyond ±3.4·10³⁸ and anything
 * else are rejected. The header is {@linkplain Header#AUTO detected} when the first non-blank line
 * has a feature cell that is not a number (or the label column is given by name). Features are
 * float32 {@code [N, columns − 1]}; regression targets are float32 {@code [N, 1]}.
 *
 * <p>Classification labels are either all integers ≥ 0 (written {@code 3} or {@code 3.0}; the
 * class count is the largest label + 1), or, as soon as one label is not a number, names: the
 * distinct names sorted (by {@link String#compareTo}) are classes 0, 1, … ({@link Table#classNames}),
 * so {@code setosa, versicolor, virginica} are 0, 1, 2 however the rows are ordered.
 *
 * <p>Every error is a {@link DataFormatException} of one line naming the file, the line number and
 * the bad cell (columns are numbered from 0, a long cell abbreviated): ragged rows, non-numeric
 * cells, non-integer labels, an unknown label column.
 */
public final class CsvReader {
    /** Largest class label accepted (a guard against a regression column read as labels). */
    public static final int MAX_LABEL = 1 << 20;

    private CsvReader() {}

    /** Whether the first non-blank line is a header. */
    public enum Header {
        /** A header iff some cell of the first line is not a number. */
        AUTO,
        /** The first line is a header. */
        PRESENT,
        /** There is no header: the first line is data. */
        ABSENT
    }

    /** What the label column holds. */
    public enum Task {
        /** Integer class labels ≥ 0. */
        CLASSIFICATION,
        /** Real-valued targets. */
        REGRESSION
    }

    /**
     * How to read a file.
     *
     * @param labelColumn the label column: a header name, or a 0-based index (negative counts from
     *     the end, −1 = last); {@code null} means the last column
     * @param header whether there is a header line
     * @param task classification or regression
     * @param delimiter the cell separator
     */
    public record Options(String labelColumn, Header header, Task task, char delimiter) {
        /** Validates the fields. */
        public Options {
            if (header == null || task == null) throw new IllegalArgumentException("CsvReader.Options: header and task are required");
            if (delimiter == '"' || Character.isLetterOrDigit(delimiter) || delimiter == '.' || delimiter == '-'
                    || delimiter == '+' || delimiter == '\n' || delimiter == '\r') {
                throw new IllegalArgumentException("CsvReader.Options: unusable delimiter '" + delimiter + "'");
            }
            if (labelColumn != null && labelColumn.isBlank()) {
                throw new IllegalArgumentException("CsvReader.Options: label column name is blank");
            }
        }

        /** Last column is the label, header auto-detected, classification, comma-separated. */
        public static Options defaults() {
            return new Options(null, Header.AUTO, Task.CLASSIFICATION, ',');
        }

        /** With the label column given by name or index. */
        public Options withLabelColumn(String column) {
            return new Options(column, header, task, delimiter);
        }

        /** With the header policy. */
        public Options withHeader(Header h) {
            return new Options(labelColumn, h, task, delimiter);
        }

        /** With the task. */
        public Options withTask(Task t) {
            return new Options(labelColumn, header, t, delimiter);
        }

        /** With the delimiter. */
        public Options withDelimiter(char d) {
            return new Options(labelColumn, header, task, d);
        }
    }

    /**
     * A file's data and, for named class labels, the names by class index.
     *
     * @param data the dataset
     * @param classNames the class names in class order, or {@code null} for integer labels (and regression)
     */
    public record Table(Dataset data, List<String> classNames) {
        /** Copies the names. */
        public Table {
            classNames = classNames == null ? null : List.copyOf(classNames);
        }
    }

    /** Reads {@code file} with {@code options}. */
    public static Dataset read(Path file, Options options) throws IOException {
        return readTable(file, options).data();
    }

    /** Reads {@code file} with {@code options}, with the class names of named labels. */
    public static Table readTable(Path file, Options options) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        if (Files.isDirectory(file)) throw new DataFormatException(file, "is a directory, not a CSV file");
        boolean classification = options.task() == Task.CLASSIFICATION;
        List<String> names = null;
        int columns = -1, firstDataLine = -1, labelIndex = -1;
        float[] x = new float[1024];
        double[] y = new double[256];
        // For classification the label cells are kept as text until the end decides between
        // integer labels and names; the first bad integer label is remembered for the error.
        List<String> labelCells = new ArrayList<>();
        List<Long> labelLines = new ArrayList<>();
        int rows = 0, xLen = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank()) continue;
                String[] cells = split(line, options.delimiter());
                if (columns < 0) {
                    columns = cells.length;
                    boolean header = switch (options.header()) {
                        case PRESENT -> true;
                        case ABSENT -> false;
                        case AUTO -> looksLikeHeader(cells, options.labelColumn());
                    };
                    if (header) names = List.of(cells);
                    labelIndex = labelIndex(file, options.labelColumn(), names, columns);
                    if (columns < 2) {
                        throw new DataFormatException(file, lineNo, "only " + columns
                                + " column; need at least one feature column besides the label");
                    }
                    if (header) continue;
                }
                if (cells.length != columns) {
                    throw new DataFormatException(file, lineNo, cells.length + " cells, expected " + columns
                            + (names != null ? " (as in the header)" : " (as on line " + firstDataLine + ")"));
                }
                if (firstDataLine < 0) firstDataLine = (int) Math.min(lineNo, Integer.MAX_VALUE);
                if (xLen + columns - 1 > x.length) x = Arrays.copyOf(x, grow(x.length, xLen + columns - 1));
                if (rows == y.length) y = Arrays.copyOf(y, grow(y.length, rows + 1));
                for (int c = 0; c < columns; c++) {
                    if (c == labelIndex && classification) {
                        labelCells.add(cells[c]);
                        labelLines.add(lineNo);
                    } else {
                        double v = number(file, lineNo, c, names, cells[c]);
                        if (c == labelIndex) y[rows] = v;
                        else x[xLen++] = (float) v;
                    }
                }
                rows++;
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new DataFormatException(file, "is not UTF-8 text");
        }
        if (rows == 0) throw new DataFormatException(file, "no data rows");
        Tensor features = Tensor.wrap(Arrays.copyOf(x, xLen), rows, columns - 1);
        if (!classification) {
            float[] t = new float[rows];
            for (int i = 0; i < rows; i++) t[i] = (float) y[i];
            return new Table(Dataset.regression(features, Tensor.wrap(t, rows, 1)), null);
        }
        int[] labels = new int[rows];
        boolean named = labelCells.stream().anyMatch(c -> !isNumber(c));
        if (named) {
            List<String> classNames = new ArrayList<>(new TreeSet<>(labelCells));
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < classNames.size(); i++) index.put(classNames.get(i), i);
            for (int i = 0; i < rows; i++) labels[i] = index.get(labelCells.get(i));
            return new Table(Dataset.classification(features, labels, classNames.size()), Collections.unmodifiableList(classNames));
        }
        int classes = 0;
        for (int i = 0; i < rows; i++) {
            String cell = labelCells.get(i);
            double v = number(file, labelLines.get(i), labelIndex, names, cell);
            checkLabel(file, labelLines.get(i), labelIndex, names, cell, v);
            labels[i] = (int) v;
            classes = Math.max(classes, labels[i] + 1);
        }
        return new Table(Dataset.classification(features, labels, classes), null);
    }

    /**
     * Whether a first line is a header: some cell other than the label's is not a number, or
     * every cell is not a number, or the label column is given by a name (which needs one).
     */
    private static boolean looksLikeHeader(String[] cells, String labelSpec) {
        int label = cells.length - 1;
        if (labelSpec != null) {
            try {
                int i = Integer.parseInt(labelSpec.trim());
                label = i < 0 ? cells.length + i : i;
            } catch (NumberFormatException e) {
                return true;
            }
        }
        boolean allText = true;
        for (int c = 0; c < cells.length; c++) {
            boolean number = isNumber(cells[c]);
            if (!number && c != label) return true;
            allText &= !number;
        }
        return allText;
    }

    /**
     * Whether {@code s} is {@code [+-]?(digits[.digits*]|.digits)([eE][+-]?digits)?} with ASCII
     * digits: one pass, no backtracking, so a cell of a million digits costs a million steps.
     */
    static boolean isNumber(String s) {
        int i = 0, n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
        int intDigits = 0, fracDigits = 0;
        while (i < n && isAsciiDigit(s.charAt(i))) {
            i++;
            intDigits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isAsciiDigit(s.charAt(i))) {
                i++;
                fracDigits++;
            }
        }
        if (intDigits == 0 && fracDigits == 0) return false;
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            int expDigits = 0;
            while (i < n && isAsciiDigit(s.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) return false;
        }
        return i == n;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int grow(int current, int needed) {
        long n = Math.max((long) current * 2, needed);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException("CsvReader: file too large for one array");
        return (int) n;
    }

    private static String[] split(String line, char delimiter) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= line.length(); i++) {
            if (i == line.length() || line.charAt(i) == delimiter) {
                String cell = line.substring(start, i).trim();
                if (cell.length() >= 2 && cell.charAt(0) == '"' && cell.charAt(cell.length() - 1) == '"') {
                    cell = cell.substring(1, cell.length() - 1).trim();
                }
                out.add(cell);
                start = i + 1;
            }
        }
        return out.toArray(new String[0]);
    }

    private static int labelIndex(Path file, String spec, List<String> names, int columns) throws DataFormatException {
        if (spec == null) return columns - 1;
        if (names != null) {
            int i = names.indexOf(spec);
            if (i >= 0) return i;
        }
        int index;
        try {
            index = Integer.parseInt(spec.trim());
        } catch (NumberFormatException e) {
            throw new DataFormatException(file, "no column named '" + spec + "'"
                    + (names != null ? " (columns: " + String.join(", ", names) + ")" : " (the file has no header)"));
        }
        int resolved = index < 0 ? columns + index : index;
        if (resolved < 0 || resolved >= columns) {
            throw new DataFormatException(file, "label column " + index + " out of range: the file has " + columns + " columns");
        }
        return resolved;
    }

    private static double number(Path file, long lineNo, int column, List<String> names, String cell)
            throws DataFormatException {
        if (!isNumber(cell)) {
            throw new DataFormatException(file, lineNo, "column " + describe(column, names) + ": " + quote(cell) + " is not a number");
        }
        double v = Double.parseDouble(cell);
        if (!(Math.abs(v) <= Float.MAX_VALUE)) {
            throw new DataFormatException(file, lineNo, "column " + describe(column, names) + ": " + quote(cell)
                    + " is beyond float32's range (±3.4028235e38)");
        }
        return v;
    }

    /** A cell for a message: quoted, and abbreviated with its length when long. */
    static String quote(String cell) {
        int max = 40;
        if (cell.length() <= max) return "'" + cell + "'";
        return "'" + cell.substring(0, max) + "...' (" + cell.length() + " characters)";
    }

    private static void checkLabel(Path file, long lineNo, int column, List<String> names, String cell, double v)
            throws DataFormatException {
        if (v < 0 || v != Math.rint(v) || v > MAX_LABEL) {
            throw new DataFormatException(file, lineNo, "label " + describe(column, names) + ": " + quote(cell)
                    + " is not a class label (an integer in [0, " + MAX_LABEL + "]); use regression for real-valued targets");
        }
    }

    private static String describe(int column, List<String> names) {
        return names != null ? String.format(Locale.ROOT, "%d (%s)", column, quote(names.get(column))) : Integer.toString(column);
    }
}
