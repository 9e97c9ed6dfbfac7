package dev.descent.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of {@link Optimizers#partition}: one inner state per label.
 *
 * @param states label → the state of that label's transformation (insertion-ordered, unmodifiable)
 */
public record PartitionState(Map<String, Object> states) implements CompositeState, StateTree {
    /** Copies the map, keeping its order. */
    public PartitionState {
        states = Collections.unmodifiableMap(new LinkedHashMap<>(states));
    }

    @Override
    public List<Object> children() {
        return new ArrayList<>(states.values());
    }

    /** Each label's state is stored under the label. */
    @Override
    public void write(Writer out) {
        for (Map.Entry<String, Object> e : states.entrySet()) out.state(e.getKey(), e.getValue());
    }

    @Override
    public PartitionState read(Reader in) {
        LinkedHashMap<String, Object> read = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : states.entrySet()) read.put(e.getKey(), in.state(e.getKey(), e.getValue()));
        return new PartitionState(read);
    }
}
