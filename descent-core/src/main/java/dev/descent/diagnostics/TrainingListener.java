package dev.descent.diagnostics;

/**
 * Receives every optimisation step from a training loop, after the parameters were updated.
 * The loop builds one {@link StepContext} per step and calls {@link #onStep}; a
 * {@link DiagnosticsMonitor} is the listener that computes diagnostics from it.
 */
@FunctionalInterface
public interface TrainingListener {
    /** Called once per step, in step order, on the training thread. */
    void onStep(StepContext context);
}
