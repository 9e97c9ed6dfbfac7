package dev.descent.nn;

import dev.descent.autodiff.Var;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.ElementwiseF64;
import dev.descent.tensor.kernel.UnaryOp;

/**
 * The elementwise activations σ used by layers and recurrent cells, with their derivatives and
 * γ = sup|σ'|, the constant in the vanishing-gradient bound ‖∂g_T/∂g_0‖ ≤ (γ‖W‖)^T of SPEC.md §1.2.
 *
 * <table>
 *   <caption>Activations</caption>
 *   <tr><th>constant</th><th>σ(a)</th><th>σ'(a) in terms of y = σ(a)</th><th>γ</th></tr>
 *   <tr><td>{@link #TANH}</td><td>tanh a</td><td>1 − y²</td><td>1</td></tr>
 *   <tr><td>{@link #SIGMOID}</td><td>1/(1+e^{−a})</td><td>y(1 − y)</td><td>1/4</td></tr>
 *   <tr><td>{@link #RELU}</td><td>max(a, 0)</td><td>1[y &gt; 0] (0 at a = 0, as PyTorch)</td><td>1</td></tr>
 *   <tr><td>{@link #IDENTITY}</td><td>a</td><td>1</td><td>1</td></tr>
 * </table>
 *
 * <p>Every derivative can be written in terms of the output y = σ(a) (for relu, y &gt; 0 exactly
 * when a &gt; 0), which is what recurrent backward passes use: they keep the outputs, not the
 * pre-activations.
 */
public enum Activation {
    /** Hyperbolic tangent; γ = 1. */
    TANH(1.0, UnaryOp.TANH),
    /** Logistic sigmoid; γ = 1/4. */
    SIGMOID(0.25, UnaryOp.SIGMOID),
    /** Rectified linear unit; γ = 1. */
    RELU(1.0, UnaryOp.RELU),
    /** The identity (a linear recurrence); γ = 1. */
    IDENTITY(1.0, null);

    private final double gamma;
    private final UnaryOp kernelOp;

    Activation(double gamma, UnaryOp kernelOp) {
        this.gamma = gamma;
        this.kernelOp = kernelOp;
    }

    /** γ = sup_a |σ'(a)|: 1 for tanh, relu and identity, 1/4 for the logistic sigmoid. */
    public double gamma() {
        return gamma;
    }

    /** The kernel operation computing σ, or null for the identity. */
    UnaryOp kernelOp() {
        return kernelOp;
    }

    /** σ(a) for one value. */
    public double value(double a) {
        return this == IDENTITY ? a : ElementwiseF64.apply(kernelOp, a);
    }

    /** σ'(a) for one value (relu: 0 at a = 0). */
    public double derivative(double a) {
        switch (this) {
            case TANH: {
                double y = Math.tanh(a);
                return 1 - y * y;
            }
            case SIGMOID: {
                double y = ElementwiseF64.sigmoid(a);
                return y * (1 - y);
            }
            case RELU: return a > 0 ? 1 : 0;
            default: return 1;
        }
    }

    /** σ applied elementwise to a tensor. */
    public Tensor apply(Tensor a) {
        switch (this) {
            case TANH: return a.tanh();
            case SIGMOID: return a.sigmoid();
            case RELU: return a.relu();
            default: return a;
        }
    }

    /** σ applied elementwise to a differentiable value. */
    public Var apply(Var a) {
        switch (this) {
            case TANH: return a.tanh();
            case SIGMOID: return a.sigmoid();
            case RELU: return a.relu();
            default: return a;
        }
    }

    /** σ'(a) elementwise, from the pre-activations a. */
    public Tensor derivative(Tensor a) {
        return derivativeFromOutput(apply(a));
    }

    /** σ'(a) elementwise, from the outputs y = σ(a) (see the class table). */
    public Tensor derivativeFromOutput(Tensor y) {
        switch (this) {
            case TANH: return y.square().neg().add(1);
            case SIGMOID: return y.mul(y.neg().add(1));
            case RELU: return y.step();
            default: return Tensor.ones(y.dtype(), y.dims());
        }
    }

    /**
     * σ'(a) elementwise as a differentiable value of y = σ(a), so that backward passes written
     * with it can themselves be differentiated (Hessian-vector products). Relu's derivative is
     * piecewise constant and enters as a constant.
     */
    public Var derivativeFromOutput(Var y) {
        switch (this) {
            case TANH: return y.square().neg().add(1);
            case SIGMOID: return y.mul(y.neg().add(1));
            case RELU: return Var.constant(y.value().step());
            default: return Var.constant(Tensor.ones(y.dtype(), y.value().dims()));
        }
    }
}
