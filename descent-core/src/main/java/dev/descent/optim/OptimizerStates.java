package dev.descent.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Looking inside composed optimiser states. */
public final class OptimizerStates {
    private OptimizerStates() {}

    /**
     * The first state of type {@code type} in a depth-first walk of {@code state} and its
     * {@link CompositeState} children, e.g. {@code find(state, ClipStats.class)} to read how often
     * clipping fired inside {@code chain(clipByGlobalNorm(1), adam(1e-3))}.
     */
    public static <T> Optional<T> find(Object state, Class<T> type) {
        List<T> all = findAll(state, type);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** Every state of type {@code type}, depth-first. */
    public static <T> List<T> findAll(Object state, Class<T> type) {
        List<T> out = new ArrayList<>();
        collect(state, type, out);
        return out;
    }

    private static <T> void collect(Object state, Class<T> type, List<T> out) {
        if (type.isInstance(state)) out.add(type.cast(state));
        if (state instanceof CompositeState) {
            for (Object child : ((CompositeState) state).children()) collect(child, type, out);
        }
    }
}
