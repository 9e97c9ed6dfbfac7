package dev.descent.train;

/**
 * How long a {@link Trainer} runs and how often it reports, evaluates and checkpoints. A value of
 * 0 for a frequency means "never during the run"; evaluation and checkpointing also happen once
 * at the end when enabled (frequency &gt; 0) or when {@code atEnd} says so.
 *
 * @param steps the step count to train up to (a run resumed at step k continues to this count)
 * @param logEvery report a {@link StepMetrics} every this many steps (≥ 1; the last step is
 *     always reported)
 * @param evalEvery evaluate on held-out data every this many steps (0: only at the end)
 * @param checkpointEvery hand a checkpoint to the observer every this many steps (0: only at the end)
 */
public record TrainingConfig(long steps, long logEvery, long evalEvery, long checkpointEvery) {
    /** Validates every field, naming the bad value. */
    public TrainingConfig {
        if (steps < 1) throw new IllegalArgumentException("training: steps must be >= 1, got " + steps);
        if (logEvery < 1) throw new IllegalArgumentException("training: log interval must be >= 1, got " + logEvery);
        if (evalEvery < 0) throw new IllegalArgumentException("training: evaluation interval must be >= 0, got " + evalEvery);
        if (checkpointEvery < 0) throw new IllegalArgumentException("training: checkpoint interval must be >= 0, got " + checkpointEvery);
    }

    /** Whether step {@code step} (1-based) is a logging step. */
    boolean logs(long step) {
        return step % logEvery == 0 || step == steps;
    }

    /** Whether step {@code step} evaluates. */
    boolean evaluates(long step) {
        return step == steps || (evalEvery > 0 && step % evalEvery == 0);
    }

    /** Whether step {@code step} checkpoints. */
    boolean checkpoints(long step) {
        return step == steps || (checkpointEvery > 0 && step % checkpointEvery == 0);
    }
}
