package dev.descent.nn;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;

/**
 * A long short-term memory layer (Hochreiter &amp; Schmidhuber 1997, with the forget gate of Gers,
 * Schmidhuber &amp; Cummins 2000), the usual baseline for the Elman {@link Rnn}:
 * <pre>
 *   [i, f, g, o] = x_t W_ihᵀ + h_{t−1} W_hhᵀ + b     (four blocks of H)
 *   c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g)
 *   h_t = σ(o) ⊙ tanh(c_t)
 * </pre>
 * with σ the logistic sigmoid.
 *
 * <p>Parameters: {@code weight_ih} [4H, in], {@code weight_hh} [4H, H], {@code bias} [4H], gate
 * blocks in PyTorch's order i, f, g, o, so that PyTorch's {@code nn.LSTM} holds the same numbers
 * as {@code weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0} = bias and
 * {@code bias_hh_l0} = 0. Initialisation: all from U(−1/√H, 1/√H) like PyTorch, then the forget
 * block of the bias set to 1 (Jozefowicz, Zaremba &amp; Sutskever 2015), which PyTorch does not do.
 *
 * <p>Input is time-major [T, B, in]; {@link #apply(Scope, Var)} returns all hidden states
 * [T, B, H] from zero initial states. The step is written with plain Var operations (it is a
 * baseline, not a hot path): when the input x itself needs a gradient (a stacked layer), slicing
 * x per step costs O(T·B·in) per step in the backward pass.
 */
public final class Lstm extends Module {
    /**
     * The result of running the layer.
     *
     * @param states all hidden states [T, B, H]
     * @param lastHidden h_T [B, H]
     * @param lastCell c_T [B, H]
     */
    public record Result(Var states, Var lastHidden, Var lastCell) {}

    private final int inputSize, hiddenSize;

    /** A layer with {@code inputSize} inputs and state size {@code hiddenSize}. */
    public Lstm(int inputSize, int hiddenSize, Rng rng, DType dtype) {
        if (inputSize <= 0) throw new IllegalArgumentException("Lstm: inputSize must be positive, got " + inputSize);
        if (hiddenSize <= 0) throw new IllegalArgumentException("Lstm: hiddenSize must be positive, got " + hiddenSize);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        Init init = Init.uniform(1 / Math.sqrt(hiddenSize));
        addParameter("weight_ih", init.create(rng, dtype, 4 * hiddenSize, inputSize));
        addParameter("weight_hh", init.create(rng, dtype, 4 * hiddenSize, hiddenSize));
        double[] b = init.create(rng, DType.F64, 4 * hiddenSize).rawF64();
        for (int j = hiddenSize; j < 2 * hiddenSize; j++) b[j] = 1;
        addParameter("bias", Tensor.wrap(b, 4 * hiddenSize).to(dtype));
    }

    /** Features per time step. */
    public int inputSize() {
        return inputSize;
    }

    /** State size H. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** All hidden states [T, B, H] from zero initial states. */
    @Override
    public Var apply(Scope scope, Var x) {
        return run(scope, x, null, null).states();
    }

    /** {@link #run(Scope, Var, Var, Var)} at the root of {@code params}. */
    public Result run(VarParams params, Var x, Var h0, Var c0) {
        return run(Scope.of(params), x, h0, c0);
    }

    /** Runs over x [T, B, in] from h0 and c0 [B, H] ({@code null} for zeros). */
    public Result run(Scope scope, Var x, Var h0, Var c0) {
        if (x.rank() != 3 || x.dim(2) != inputSize) {
            throw new IllegalArgumentException("Lstm: input must be [T, B, " + inputSize + "] (time-major), got " + x.shape());
        }
        int steps = x.dim(0), batch = x.dim(1);
        Var h = initial("h0", h0, x, batch), c = initial("c0", c0, x, batch);
        Var wih = scope.parameter(this, "weight_ih"), whh = scope.parameter(this, "weight_hh"), b = scope.parameter(this, "bias");
        Var[] states = new Var[steps];
        for (int t = 0; t < steps; t++) {
            Var[] hc = step(wih, whh, b, h, c, x.select(0, t));
            h = hc[0];
            c = hc[1];
            states[t] = h;
        }
        Var all = steps == 0 ? Var.constant(Tensor.zeros(x.dtype(), 0, batch, hiddenSize)) : Var.stack(0, states);
        return new Result(all, h, c);
    }

    private Var initial(String what, Var v, Var x, int batch) {
        if (v == null) return Var.constant(Tensor.zeros(x.dtype(), batch, hiddenSize));
        if (v.rank() != 2 || v.dim(0) != batch || v.dim(1) != hiddenSize) {
            throw new IllegalArgumentException("Lstm: " + what + " must be [" + batch + ", " + hiddenSize + "], got " + v.shape());
        }
        return v;
    }

    /** One step: returns {h_t, c_t}. */
    private Var[] step(Var wih, Var whh, Var b, Var h, Var c, Var xt) {
        int n = hiddenSize;
        Var gates = xt.matmul(wih, false, true).add(h.matmul(whh, false, true)).add(b);
        Var i = gates.slice(1, 0, n).sigmoid();
        Var f = gates.slice(1, n, 2 * n).sigmoid();
        Var g = gates.slice(1, 2 * n, 3 * n).tanh();
        Var o = gates.slice(1, 3 * n, 4 * n).sigmoid();
        Var cNext = f.mul(c).add(i.mul(g));
        return new Var[] {o.mul(cNext.tanh()), cNext};
    }
}
