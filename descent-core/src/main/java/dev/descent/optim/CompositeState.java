package dev.descent.optim;

import java.util.List;

/** A state made of the states of inner transformations (chains, masks, partitions). */
public interface CompositeState {
    /** The inner states, in a stable order. */
    List<Object> children();
}
