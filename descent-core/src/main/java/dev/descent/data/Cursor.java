package dev.descent.data;

/**
 * A position in a {@link BatchStream}: the epoch and the sample offset within it of the next
 * batch. Saving a cursor with a checkpoint and {@linkplain BatchStream#seek seeking} to it on
 * resume makes the resumed run see exactly the batches the uninterrupted run would have seen.
 */
public record Cursor(long epoch, long position) {
    /** Both fields must be non-negative. */
    public Cursor {
        if (epoch < 0 || position < 0) {
            throw new IllegalArgumentException("Cursor: epoch and position must be >= 0, got (" + epoch + ", " + position + ")");
        }
    }

    /** The start of the stream. */
    public static final Cursor START = new Cursor(0, 0);
}
