package dev.descent.tensor.kernel;

/**
 * Kernels for fused recurrences (float64 source; float32 twin generated). Activation kinds:
 * 0 identity, 1 tanh, 2 logistic sigmoid, 3 relu. Derivatives are expressed through the
 * activation's output y = σ(a), which is all a backward pass keeps: tanh' = 1 − y²,
 * σ' = y(1 − y), relu' = 1[y &gt; 0], identity' = 1.
 */
public final class RecurrentF64 {
    private RecurrentF64() {}

    /** Activation codes. */
    public static final int IDENTITY = 0, TANH = 1, SIGMOID = 2, RELU = 3;

    /** x[off..off+n) ← σ(x) in place; {@code x} is modified. */
    public static void activate(int kind, double[] x, int off, int n) {
        switch (kind) {
            case IDENTITY: return;
            case TANH: ElementwiseF64.unary(ElementwiseF64.TANH, x, off, x, off, n); return;
            case SIGMOID: ElementwiseF64.unary(ElementwiseF64.SIGMOID, x, off, x, off, n); return;
            case RELU: ElementwiseF64.unary(ElementwiseF64.RELU, x, off, x, off, n); return;
            default: throw new IllegalArgumentException("unknown activation kind " + kind);
        }
    }

    /** d[i] ← d[i] · σ'(a_i) where y = σ(a) is given; {@code d} is modified. */
    public static void multiplyByDerivative(int kind, double[] y, int yo, double[] d, int dOff, int n) {
        switch (kind) {
            case IDENTITY: return;
            case TANH:
                for (int i = 0; i < n; i++) { double v = y[yo + i]; d[dOff + i] *= 1 - v * v; }
                return;
            case SIGMOID:
                for (int i = 0; i < n; i++) { double v = y[yo + i]; d[dOff + i] *= v * (1 - v); }
                return;
            case RELU:
                for (int i = 0; i < n; i++) { if (!(y[yo + i] > 0)) d[dOff + i] = 0; }
                return;
            default: throw new IllegalArgumentException("unknown activation kind " + kind);
        }
    }
}
