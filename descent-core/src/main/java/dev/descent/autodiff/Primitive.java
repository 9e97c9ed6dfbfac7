package dev.descent.autodiff;

import dev.descent.tensor.Tensor;

/**
 * A differentiable primitive: its forward computation, its JVP rule and its VJP rule, side by
 * side. Every differentiable operation in Descent is a primitive or a composition of primitives.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #forward} computes the output value from input values.</li>
 *   <li>{@link #jvp} maps input tangents to the output tangent (forward mode) using plain tensor
 *       arithmetic; a {@code null} tangent is a symbolic zero and must cost nothing.</li>
 *   <li>{@link #vjp} maps the output cotangent to input cotangents (reverse mode). It is written
 *       with {@link Var} operations, so the backward pass is itself differentiable: running it
 *       on inputs that carry tangents yields Hessian-vector products (forward-over-reverse), and
 *       running it while recording yields double backward. It computes a cotangent only where
 *       {@code needed[i]} is true (symbolic zeros: inputs that need no gradient cost nothing).</li>
 * </ul>
 */
public abstract class Primitive {
    /** The primitive's name, for error messages and debugging. */
    public abstract String name();

    /** Output value from input values. */
    public abstract Tensor forward(Tensor[] in);

    /**
     * Output tangent from input values, output value and input tangents ({@code null} = zero).
     *
     * @return the output tangent, or {@code null} if it is identically zero
     */
    public abstract Tensor jvp(Tensor[] in, Tensor out, Tensor[] tangents);

    /**
     * Input cotangents from the output cotangent.
     *
     * @param in the primal inputs (as recorded in the forward pass)
     * @param out the primal output
     * @param cotangent the cotangent of the output (same shape as out)
     * @param needed which inputs need a cotangent
     * @return one entry per input; {@code null} where not needed or identically zero
     */
    public abstract Var[] vjp(Var[] in, Var out, Var cotangent, boolean[] needed);

    /**
     * The forward-mode tangent of input {@code input}'s cotangent, without its value: what a
     * Hessian-vector product needs at a leaf, whose gradient value it never reads
     * ({@link Autodiff#hvp}). The default runs {@link #vjp} for that input alone and returns the
     * tangent of the result; primitives whose VJP at a leaf is expensive (a matrix product)
     * override it to skip the value.
     *
     * @return the tangent of the cotangent of input {@code input}, or {@code null} if zero
     */
    public Tensor vjpTangent(Var[] in, Var out, Var cotangent, int input) {
        boolean[] needed = new boolean[in.length];
        needed[input] = true;
        Var[] g = vjp(in, out, cotangent, needed);
        return g[input] == null ? null : g[input].tangent();
    }

    @Override
    public String toString() {
        return name();
    }
}
