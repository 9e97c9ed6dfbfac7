package dev.descent.nn;

import dev.descent.autodiff.Var;

/**
 * A parameter-free layer applying an {@link Activation} elementwise: y = σ(x). The named
 * subclasses {@link Tanh}, {@link Sigmoid}, {@link Relu} and {@link Identity} are the usual way
 * to put one in a {@link Sequential}.
 */
public class ActivationLayer extends Module {
    private final Activation activation;

    /** A layer applying {@code activation}. */
    public ActivationLayer(Activation activation) {
        if (activation == null) throw new IllegalArgumentException("ActivationLayer: activation is null");
        this.activation = activation;
    }

    /** The activation applied. */
    public final Activation activation() {
        return activation;
    }

    @Override
    public final Var apply(Scope scope, Var x) {
        return activation.apply(x);
    }
}
