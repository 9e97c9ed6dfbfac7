package dev.descent.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Turns exceptions into the one-line messages the CLI prints. */
final class Errors {
    private Errors() {}

    /**
     * One line describing {@code e} for a user: file-system errors as "path: reason", expected
     * failures and data errors by their message, anything else as "internal error: Class: message".
     */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) return describe(u.getCause());
        if (e instanceof FileSystemException f && !(e instanceof dev.descent.data.DatasetNotFoundException)) {
            String file = f.getFile() == null ? "" : f.getFile() + ": ";
            String reason = f.getReason() != null ? f.getReason()
                    : e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileAlreadyExistsException ? "already exists"
                    : e instanceof NotDirectoryException ? "not a directory"
                    : e instanceof DirectoryNotEmptyException ? "directory not empty"
                    : e.getClass().getSimpleName();
            return file + reason;
        }
        if (e instanceof OutOfMemoryError) {
            return String.format(java.util.Locale.ROOT, "out of memory (the JVM may use %s): reduce --batch-size or --hidden, or raise the limit"
                    + " with DESCENT_JAVA_OPTS=-Xmx...", MemoryEstimate.gib(Runtime.getRuntime().maxMemory()));
        }
        if (e instanceof CommandFailure || e instanceof java.io.IOException || e instanceof IllegalArgumentException) {
            return firstLine(e.getMessage(), e);
        }
        return "internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage(), e))
                + " (rerun with --debug for the stack trace)";
    }

    static String firstLine(String message, Throwable e) {
        if (message == null || message.isBlank()) return e.getClass().getSimpleName();
        return message.lines().findFirst().orElse("").strip();
    }
}
