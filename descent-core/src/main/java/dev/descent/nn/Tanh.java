package dev.descent.nn;

/** The activation layer y = tanh x; γ = 1. See {@link Activation#TANH}. */
public final class Tanh extends ActivationLayer {
    /** The layer. */
    public Tanh() {
        super(Activation.TANH);
    }
}
