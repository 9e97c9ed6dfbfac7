/**
 * Dense tensors: {@link dev.descent.tensor.Tensor} (immutable, row-major, float32 or float64),
 * {@link dev.descent.tensor.Shape}, {@link dev.descent.tensor.DType}, the seeded splittable
 * {@link dev.descent.tensor.Rng} and {@link dev.descent.tensor.Params}, an ordered tree of named
 * tensors with vector-space operations (parameters, gradients, optimiser state).
 *
 * <p>Depends only on {@code dev.descent.tensor.kernel}. Knows nothing of autodiff: a tensor is a
 * value.
 */
package dev.descent.tensor;
