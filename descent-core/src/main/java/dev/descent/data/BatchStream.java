package dev.descent.data;

/**
 * An endless, reproducible sequence of minibatches whose position can be saved and restored:
 * {@link Batcher} cycles through a fixed {@link Dataset} epoch after epoch; a
 * {@link SequenceTask#stream synthetic stream} generates a fresh batch per step.
 *
 * <p>Contract: for a given construction (data, batch size, seed), the batch returned after
 * {@code seek(c)} is the batch an uninterrupted stream returns when {@code cursor()} equals
 * {@code c}. Not thread-safe.
 */
public interface BatchStream {
    /** The next batch; advances the cursor. */
    Batch next();

    /** Where the next call to {@link #next()} will read. */
    Cursor cursor();

    /** Moves to {@code cursor} (a value previously returned by {@link #cursor()}). */
    void seek(Cursor cursor);

    /** The nominal batch size (a final partial batch of an epoch may be smaller). */
    int batchSize();
}
