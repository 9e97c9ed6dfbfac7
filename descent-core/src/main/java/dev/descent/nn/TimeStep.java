package dev.descent.nn;

import dev.descent.autodiff.Primitive;
import dev.descent.autodiff.Var;
import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;

/**
 * Selecting one time step of a sequence [T, ..] and its adjoint, placing a step into zeros, as a
 * pair of primitives. They do what {@code select(0, t)} and its zero-padding adjoint do, but the
 * adjoint allocates the [T, ..] cotangent once and copies one block into it, instead of building
 * it by concatenating zero blocks: the final state of a long recurrence is read this way on every
 * training step.
 */
final class TimeStep {
    private TimeStep() {}

    /** x_t of a value x [T, ..], differentiable. */
    static Var select(Var x, int t) {
        return Var.apply(new Select(t), x);
    }

    /** z = x[t]. ż = ẋ[t]; x̄ = place(z̄ at t). */
    static final class Select extends Primitive {
        private final int step;

        Select(int step) {
            this.step = step;
        }

        @Override public String name() { return "timeStep.select(" + step + ")"; }

        @Override public Tensor forward(Tensor[] in) {
            return in[0].select(0, step);
        }

        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            return t[0].select(0, step);
        }

        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {Var.apply(new Place(step, in[0].shape()), ct)};
        }
    }

    /** z = zeros of a [T, ..] shape with x at step t. ż = place(ẋ); x̄ = z̄[t]. */
    static final class Place extends Primitive {
        private final int step;
        private final Shape shape;

        Place(int step, Shape shape) {
            this.step = step;
            this.shape = shape;
        }

        @Override public String name() { return "timeStep.place(" + step + ")"; }

        @Override public Tensor forward(Tensor[] in) {
            return place(in[0]);
        }

        private Tensor place(Tensor x) {
            Tensor out = Tensor.zeros(x.dtype(), shape.dims());
            int block = x.size();
            x.storage().copyTo(0, out.storage(), step * block, block);
            return out;
        }

        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            return place(t[0]);
        }

        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {select(ct, step)};
        }
    }
}
