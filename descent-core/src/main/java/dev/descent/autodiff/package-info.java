/**
 * Automatic differentiation over {@link dev.descent.tensor.Tensor}s.
 *
 * <p>{@link dev.descent.autodiff.Var} is a differentiable value: a tensor, an optional forward-mode
 * tangent and, when recording, the primitive and inputs that produced it. Each
 * {@link dev.descent.autodiff.Primitive} (see {@link dev.descent.autodiff.Primitives}) holds its
 * forward, JVP and VJP rules side by side; VJP rules are written with {@code Var} operations, so
 * Hessian-vector products come from running the reverse pass on values that carry tangents
 * (forward-over-reverse). {@link dev.descent.autodiff.Autodiff} offers grad, valueAndGrad, jvp,
 * vjp, hvp, Gauss-Newton-vector products and a no-gradient mode;
 * {@link dev.descent.autodiff.GradCheck} is the public gradient checker.
 *
 * <p>Depends on {@code dev.descent.tensor} only.
 */
package dev.descent.autodiff;
