package dev.descent.train;

import dev.descent.data.Cursor;
import dev.descent.tensor.Params;
import java.util.Objects;

/**
 * Everything that determines how training continues, and nothing else: resuming from a saved
 * state gives bit for bit the run that was never interrupted.
 *
 * <p>The loop draws no random numbers of its own: the batch order (or, for synthetic tasks, the
 * generated batches) is a function of the data seed and the {@link Cursor}, and the stochastic
 * diagnostics derive their draws from the seed and the step number. So the cursor <em>is</em> the
 * random-number state.
 *
 * @param step the number of optimisation steps taken (≥ 0)
 * @param parameters the model's parameters after {@code step} steps
 * @param buffers the model's buffers (running statistics), the empty tree if none
 * @param optimizerState the optimiser's state (see {@link OptimizerStateCodec} for checkpoints)
 * @param cursor where the next training batch will be read
 */
public record TrainingState(long step, Params parameters, Params buffers, Object optimizerState, Cursor cursor) {
    /** Rejects nulls and a negative step. */
    public TrainingState {
        if (step < 0) throw new IllegalArgumentException("training state: step must be >= 0, got " + step);
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(buffers, "buffers");
        Objects.requireNonNull(optimizerState, "optimizerState");
        Objects.requireNonNull(cursor, "cursor");
    }
}
