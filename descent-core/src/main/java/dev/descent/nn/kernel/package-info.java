/**
 * The fused loops of the layers of {@code dev.descent.nn} over raw arrays: batch normalisation's
 * row kernels ({@code BatchNormF64}) and the backward step through an activation
 * ({@code ActivationF64}). Each {@code *F64} class is hand-written for float64 and its
 * {@code *F32} twin is generated at build time, with the rules and the keep-as-double marker
 * described in {@link dev.descent.tensor.kernel}.
 *
 * <p>Depends on {@code dev.descent.tensor.kernel} (its op enums) and {@code jdk.incubator.vector}.
 */
package dev.descent.nn.kernel;
