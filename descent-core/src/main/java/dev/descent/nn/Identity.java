package dev.descent.nn;

/** The activation layer y = x; γ = 1. See {@link Activation#IDENTITY}. */
public final class Identity extends ActivationLayer {
    /** The layer. */
    public Identity() {
        super(Activation.IDENTITY);
    }
}
