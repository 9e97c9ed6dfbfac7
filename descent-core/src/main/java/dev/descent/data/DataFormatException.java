package dev.descent.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file exists but its content is not what it claims to be: a wrong magic number, a
 * truncated body, a ragged CSV row, a cell that is not a number. The message is one line that
 * starts with the file and names the offending value, e.g.
 * {@code data/train.csv:7: column 3 ('sepal'): 'abc' is not a number}.
 */
public final class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    /** A problem with {@code file}, described by {@code problem} (without the file name). */
    public DataFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** A problem with {@code file} on a given 1-based line. */
    public DataFormatException(Path file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
