package dev.descent.optim;

import java.util.List;
import java.util.Objects;

/**
 * The state of {@link Optimizers#masked}: the inner transformation's state over the selected
 * entries.
 *
 * @param inner the inner state
 */
public record MaskedState(Object inner) implements CompositeState, StateTree {
    /** Rejects null. */
    public MaskedState {
        Objects.requireNonNull(inner, "inner");
    }

    @Override
    public List<Object> children() {
        return List.of(inner);
    }

    /** The inner state is stored under {@code masked}. */
    @Override
    public void write(Writer out) {
        out.state("masked", inner);
    }

    @Override
    public MaskedState read(Reader in) {
        return new MaskedState(in.state("masked", inner));
    }
}
