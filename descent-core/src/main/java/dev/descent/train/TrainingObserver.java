package dev.descent.train;

/**
 * Receives what a {@link Trainer} does, on the training thread, in order. Every method has an
 * empty default. An exception thrown here stops the run (a run stopped that way is what a crash
 * looks like to a later resume: the last checkpoint handed out is the state to continue from).
 */
public interface TrainingObserver {
    /** After every logging step (see {@link TrainingConfig#logEvery()}). */
    default void onStep(StepMetrics metrics) {}

    /** After an evaluation on held-out data. */
    default void onEvaluation(Evaluation evaluation) {}

    /**
     * At every checkpoint step and at the end, with the state to save. Writing it (atomically) is
     * the observer's job; see {@link TrainingCheckpoints}.
     */
    default void onCheckpoint(TrainingState state) {}
}
