package dev.descent.data;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A dataset's files are not where they were looked for. The message says which file was
 * missing and how to get it (for Fashion-MNIST: the Debian package
 * {@code dataset-fashion-mnist}); {@link #directory()} lets a caller add its own hint, such as
 * the command-line flag that points elsewhere.
 */
public final class DatasetNotFoundException extends NoSuchFileException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;
    private final String problem;

    /** {@code problem} says what is missing in {@code directory} and how to install it. */
    public DatasetNotFoundException(Path directory, String problem) {
        super(directory.toString(), null, problem);
        this.directory = directory;
        this.problem = problem;
    }

    /** The directory that was searched. */
    public Path directory() {
        return directory;
    }

    /** The problem without the directory prefix. */
    public String problem() {
        return problem;
    }
}
