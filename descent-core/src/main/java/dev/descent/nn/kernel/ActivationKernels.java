package dev.descent.nn.kernel;

import dev.descent.tensor.kernel.Storage;
import dev.descent.tensor.kernel.StorageF32;
import dev.descent.tensor.kernel.UnaryOp;

/**
 * {@code ActivationF64}'s pass over {@link Storage}s of one dtype: {@link #of} picks
 * {@code ActivationF64} or its generated twin {@code ActivationF32} once per call site, so the
 * layers of {@code dev.descent.nn} write the backward step through an activation once.
 */
public abstract class ActivationKernels {
    ActivationKernels() {}

    /** The pass for the dtype of {@code s}. */
    public static ActivationKernels of(Storage s) {
        return s instanceof StorageF32 ? ActivationF32.INSTANCE : ActivationF64.INSTANCE;
    }

    /** out = (a + b) · σ'(y) with σ' from the outputs y (b may be null); see {@code ActivationF64.mulActivationDerivative}. */
    public abstract void mulActivationDerivative(UnaryOp op, Storage a, int ao, Storage b, int bo, Storage y, int yo, Storage out,
                                                 int oo, int n);
}
