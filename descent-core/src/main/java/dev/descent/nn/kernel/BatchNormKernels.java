package dev.descent.nn.kernel;

import dev.descent.tensor.kernel.Storage;
import dev.descent.tensor.kernel.StorageF32;

/**
 * {@code BatchNormF64}'s row kernels over {@link Storage}s of one dtype: {@link #of} picks
 * {@code BatchNormF64} or its generated twin {@code BatchNormF32}, so batch normalisation is
 * written once for both dtypes. Formulas and rounding are on {@code BatchNormF64}.
 */
public abstract class BatchNormKernels {
    BatchNormKernels() {}

    /** The kernels for the dtype of {@code s}. */
    public static BatchNormKernels of(Storage s) {
        return s instanceof StorageF32 ? BatchNormF32.INSTANCE : BatchNormF64.INSTANCE;
    }

    /** out = (x − m)² per row; see {@code BatchNormF64.centredSquares}. */
    public abstract void centredSquares(Storage x, Storage m, Storage out, int rows, int cols);

    /** out = ((x − m) / s) · g + b per row, or (x − m) / s with g, b null; see {@code BatchNormF64.normalizedAffine}. */
    public abstract void normalizedAffine(Storage x, Storage m, Storage s, Storage g, Storage b, Storage out, int rows, int cols);

    /** out = ((x − m) / s) · c per row; see {@code BatchNormF64.normalizedTimes}. */
    public abstract void normalizedTimes(Storage x, Storage m, Storage s, Storage c, Storage out, int rows, int cols);

    /** out = ((c − b) − ((x − m) / s) · k) · scale per row; see {@code BatchNormF64.normalizedInputGradient}. */
    public abstract void normalizedInputGradient(Storage x, Storage m, Storage s, Storage c, Storage b, Storage k, Storage scale,
                                                 Storage out, int rows, int cols);
}
