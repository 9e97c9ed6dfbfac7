/**
 * First-order optimisers as composable gradient transformations (Optax's design in Java).
 *
 * <p>A {@link dev.descent.optim.GradientTransformation} maps gradients to updates and threads an
 * immutable state; {@link dev.descent.optim.Optimizers#chain} composes them;
 * {@link dev.descent.optim.Updates#apply} adds updates to parameters. {@link dev.descent.optim.Optimizers}
 * holds the building blocks (scaling, schedules, weight decay, clipping, momentum in the seed's
 * and PyTorch's parameterisations, running averages with bias correction, Adam's and RMSprop's
 * directions) and the named optimisers built from them (sgd, momentum, nesterov, emaSgd, adam,
 * adamw, rmsprop); {@link dev.descent.optim.Optimizers#masked} and
 * {@link dev.descent.optim.Optimizers#partition} give parameter groups their own settings.
 * {@link dev.descent.optim.Schedules} builds learning-rate schedules;
 * {@link dev.descent.optim.OptimizerStates} finds a state (e.g. {@link dev.descent.optim.ClipStats})
 * inside a composed one. The per-element work of every transformation is one fused pass per
 * tensor (package-private {@code Fused}).
 *
 * <p>Second-order methods (curvature-optimal steps, Newton, Hessian-free, L-BFGS) live in
 * {@code dev.descent.optim.second}.
 *
 * Every state is an immutable tree of counts, scalars and parameter-shaped trees: a plain record
 * of those, or a {@link dev.descent.optim.StateTree} that names its own leaves, so any
 * transformation's state, a user's included, can be checkpointed without code in the codec.
 *
 * <p>Depends on {@code dev.descent.tensor} (with {@code tensor.kernel.Parallel}) and its own
 * {@code dev.descent.optim.kernel}.
 */
package dev.descent.optim;
