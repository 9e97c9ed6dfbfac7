package dev.descent.optim;

import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;

/**
 * An optimiser state that names its own leaves, for checkpoints.
 *
 * <p>A state is a tree whose leaves are counts ({@code long}), scalars ({@code double}),
 * parameter-shaped trees ({@link Params}) and single tensors, and whose inner nodes are other
 * states. Most states need nothing from this interface: a record whose components are all such
 * leaves or nested states is stored component by component under the component names, and an enum
 * constant (such as {@link EmptyState}) stores nothing. A state implements {@code StateTree} where
 * that default does not fit: its stored names differ from its components (a chain's links are
 * numbered), a component is a cache that is recomputed rather than stored, or the number of
 * leaves varies (L-BFGS's memory).
 *
 * <p>{@link #write} and {@link #read} must mirror each other: whatever {@code write} names,
 * {@code read} reads back under the same name, so that reading what was written and writing it
 * again gives the same tensors bit for bit.
 */
public interface StateTree {
    /** Hands every leaf and child state of this state to {@code out}, in a fixed order. */
    void write(Writer out);

    /**
     * A state of this state's type holding the values in {@code in}. It is called on a template
     * (the optimiser's {@code init} for the current model), whose tree shapes say what to expect.
     */
    Object read(Reader in);

    /** Receives the leaves of a state. Names are local to the state; the walker adds the path. */
    interface Writer {
        /** A count, stored exactly up to 2⁵³. */
        void count(String name, long value);

        /** A float64 scalar. */
        void scalar(String name, double value);

        /** A parameter-shaped tree, stored entry by entry with its dtype. */
        void tree(String name, Params value);

        /** One tensor, stored as it is. */
        void tensor(String name, Tensor value);

        /** A nested state, walked in turn. */
        void state(String name, Object child);
    }

    /** Gives back the leaves of a stored state; every method fails naming a missing or misfit entry. */
    interface Reader {
        /** The count stored under {@code name}. */
        long count(String name);

        /** The scalar stored under {@code name}. */
        double scalar(String name);

        /** The tree stored under {@code name}, with the names, shapes and dtypes of {@code like}. */
        Params tree(String name, Params like);

        /** The tensor stored under {@code name}, with the shape and dtype of {@code like}. */
        Tensor tensor(String name, Tensor like);

        /** The nested state stored under {@code name}, shaped like {@code template}. */
        Object state(String name, Object template);

        /** The model's trainable parameters: the shape of trees whose number varies. */
        Params parameters();
    }
}
