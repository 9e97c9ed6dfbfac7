package dev.descent.optim;

/**
 * The state of a schedule-driven transformation: how many updates it has made.
 *
 * @param count the number of updates so far; the next update uses the schedule at this step
 */
public record CountState(long count) {
    /** Rejects a negative count. */
    public CountState {
        if (count < 0) throw new IllegalArgumentException("schedule state: count must be >= 0, got " + count);
    }
}
