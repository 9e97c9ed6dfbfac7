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
        if (transformation instanceof Transforms.AppliedInPass<S> t) return t.updateAndApply(grads, state, params, 1, false);
        return Transforms.updateThenApply(transformation, grads, state, params, 1);
    }

    /**
     * {@link #step}, computing the new values in the arrays of the old ones where the pass allows
     * it (for Adam: θ, m and v are updated in place, PyTorch's in-place {@code step()}), so that a
     * training loop allocates no parameter-sized arrays per step; returns the same values as
     * {@link #step}, bit for bit.
     *
     * <p><b>Donation.</b> The caller gives up {@code params} and {@code state}: their tensors may
     * be overwritten and must not be read afterwards, by the caller or by anything else that
     * holds them (a module whose {@link dev.descent.tensor.Params} they came from, a checkpoint
     * not yet written, the optimiser states of earlier steps). Pass copies when in doubt
     * ({@code params.map(Tensor::copy)}). Use the returned {@link Step} from then on. The
     * gradients are only read.
     */
    public static <S> Step<S> stepInPlace(GradientTransformation<S> transformation, Params grads, S state, Params params) {
        if (transformation instanceof Transforms.AppliedInPass<S> t) return t.updateAndApply(grads, state, params, 1, true);
        return Transforms.updateThenApply(transformation, grads, state, params, 1);
    }
}
