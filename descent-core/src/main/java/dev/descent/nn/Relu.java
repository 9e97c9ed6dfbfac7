package dev.descent.nn;

/** The activation layer y = max(x, 0) (derivative 0 at 0, as PyTorch); γ = 1. See {@link Activation#RELU}. */
public final class Relu extends ActivationLayer {
    /** The layer. */
    public Relu() {
        super(Activation.RELU);
    }
}
