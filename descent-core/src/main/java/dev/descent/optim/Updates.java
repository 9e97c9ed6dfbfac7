package dev.descent.optim;

import dev.descent.tensor.Params;

/** Applying updates to parameters. */
public final class Updates {
    private Updates() {}

    /**
     * θ ← θ + u, entry by entry in one fused pass per tensor (same names, shapes and dtypes
     * required; the first mismatch is named).
     */
    public static Params apply(Params params, Params updates) {
        return Fused.add("apply updates", params, updates);
    }

    /**
     * One optimiser step, θ' = θ + u with (u, state') = {@code transformation.update(grads,
     * state, params)}, returning θ' and state'. The result is bit for bit that of {@code update}
     * followed by {@link #apply}, but the built-in optimisers compute it in fewer passes: where a
     * chain ends in a transformation with its own fused loop (Adam) followed by the learning-rate
     * scaling, that loop writes θ + (−η)·u directly and u is never stored (for Adam: one pass
     * reading θ, g, m, v and writing θ', m', v', instead of three passes and two temporary
     * trees). Use {@code update} and {@link #apply} when the updates themselves are wanted (for
     * metrics).
     */
    public static <S> Step<S> step(GradientTransformation<S> transformation, Params grads, S state, Params params) {
        if (transformation instanceof Transforms.AppliedInPass<S> t) return t.updateAndApply(grads, state, params, 1);
        return Transforms.updateThenApply(transformation, grads, state, params, 1);
    }
}
