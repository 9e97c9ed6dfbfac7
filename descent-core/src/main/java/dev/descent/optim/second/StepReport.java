package dev.descent.optim.second;

/** What every second-order step reports, at least: the loss before and after it. */
public interface StepReport {
    /** f(θ) before the step. */
    double lossBefore();

    /** f(θ) after the step (equal to {@link #lossBefore()} when the step was rejected). */
    double lossAfter();
}
