package dev.descent.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * The state of {@link Optimizers#chain}: one state per chained transformation, in order.
 *
 * @param states the inner states (an immutable copy)
 */
public record ChainState(List<Object> states) implements CompositeState, StateTree {
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

    /** Link i is stored under its index. */
    @Override
    public void write(Writer out) {
        for (int i = 0; i < states.size(); i++) out.state(Integer.toString(i), states.get(i));
    }

    @Override
    public ChainState read(Reader in) {
        List<Object> read = new ArrayList<>(states.size());
        for (int i = 0; i < states.size(); i++) read.add(in.state(Integer.toString(i), states.get(i)));
        return new ChainState(read);
    }
}
