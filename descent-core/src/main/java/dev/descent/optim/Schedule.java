package dev.descent.optim;

/**
 * A value (usually a learning rate) as a function of the update count t = 0, 1, 2, …, where
 * t = 0 is the first update. Build them with {@link Schedules}; used by
 * {@link Optimizers#scaleBySchedule} and the schedule overloads of the named optimisers.
 */
@FunctionalInterface
public interface Schedule {
    /** The value at update count {@code step} (≥ 0). */
    double valueAt(long step);
}
