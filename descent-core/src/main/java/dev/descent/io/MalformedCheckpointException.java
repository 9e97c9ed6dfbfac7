package dev.descent.io;

import java.io.IOException;

/**
 * A file that is not a valid safetensors file or Descent checkpoint: the message names the file,
 * the offending tensor or field and the bad value. Thrown before any tensor data is allocated.
 */
public final class MalformedCheckpointException extends IOException {
    /** An exception with a one-line message. */
    public MalformedCheckpointException(String message) {
        super(message);
    }

    /** An exception with a one-line message and the underlying cause. */
    public MalformedCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
