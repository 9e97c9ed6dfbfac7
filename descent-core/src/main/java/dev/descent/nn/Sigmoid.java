package dev.descent.nn;

/** The activation layer y = 1/(1+e^{−x}); γ = 1/4. See {@link Activation#SIGMOID}. */
public final class Sigmoid extends ActivationLayer {
    /** The layer. */
    public Sigmoid() {
        super(Activation.SIGMOID);
    }
}
