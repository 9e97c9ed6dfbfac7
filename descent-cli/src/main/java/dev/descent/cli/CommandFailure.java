package dev.descent.cli;

/**
 * An expected failure of a command that ran (a claim failed, a file is corrupt, a feature is not
 * wired): printed as one line {@code descent: <message>}, exit code 1, never with a stack trace.
 */
public final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message} (one line). */
    public CommandFailure(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause} (shown with --debug). */
    public CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
