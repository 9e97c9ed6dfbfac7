/**
 * The elementwise passes of the optimisers of {@code dev.descent.optim} over raw arrays (Adam,
 * RMSprop, both momentum forms, running averages, weight decay, clipping, scaling), in
 * {@code OptimizerF64}; its float32 twin is generated at build time, with the rules and the
 * keep-as-double marker described in {@link dev.descent.tensor.kernel}.
 *
 * <p>Depends on {@code dev.descent.tensor.kernel} (its {@code Storage} types) and
 * {@code jdk.incubator.vector}.
 */
package dev.descent.optim.kernel;
