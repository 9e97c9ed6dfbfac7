package dev.descent.optim;

import java.util.List;

/**
 * The state of {@link Optimizers#chain}: one state per chained transformation, in order.
 *
 * @param states the inner states (an immutable copy)
 */
public record ChainState(List<Object> states) implements CompositeState {
    /** Copies the list (which must not contain nulls). */
    public ChainState {
        states = List.copyOf(states);
    }

    /** The state of the i-th transformation. */
    public Object get(int i) {
        return states.get(i);
    }

    @Override
    public List<Object> children() {
        return states;
    }
}
