package dev.descent.diagnostics;

import dev.descent.autodiff.Var;
import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;
import java.util.Objects;

/**
 * An Elman recurrence in activation form, {@code g_t = σ(W g_{t−1} + U x_t + b)} for
 * t = 1…T (SPEC.md §1.2), with its inputs and initial state: everything {@link GradientFlow}
 * needs to measure and bound the flow of gradients through time.
 *
 * <p>Shapes: W [H, H], U [H, in], b [H]; inputs either [T, in] (one sequence) or [T, B, in] (a
 * batch of B sequences); the initial state g_0 either [H] (shared by every sequence) or [B, H].
 * All tensors share one dtype. In batch form the recurrence is computed row-wise,
 * {@code G_t = σ(G_{t−1} Wᵀ + X_t Uᵀ + b)}.
 *
 * <p>This record is the seam to the layer package: an RNN layer in activation form maps onto it
 * by naming its three weight tensors and activation.
 *
 * @param recurrentWeight W, [H, H]
 * @param inputWeight U, [H, in]
 * @param bias b, [H]
 * @param activation σ with σ' and γ
 * @param inputs x_1…x_T, [T, in] or [T, B, in]
 * @param initialState g_0, [H] or [B, H]
 */
public record RecurrenceSpec(Tensor recurrentWeight, Tensor inputWeight, Tensor bias, RecurrentActivation activation,
                             Tensor inputs, Tensor initialState) {
    /** Validates shapes and dtypes, naming the offending shapes. */
    public RecurrenceSpec {
        Objects.requireNonNull(recurrentWeight, "recurrentWeight");
        Objects.requireNonNull(inputWeight, "inputWeight");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(initialState, "initialState");
        if (recurrentWeight.rank() != 2 || recurrentWeight.dim(0) != recurrentWeight.dim(1) || recurrentWeight.dim(0) == 0) {
            throw new IllegalArgumentException("recurrence: recurrent weight W must be a non-empty square [H, H], got "
                    + recurrentWeight.shape());
        }
        int h = recurrentWeight.dim(0);
        if (inputWeight.rank() != 2 || inputWeight.dim(0) != h) {
            throw new IllegalArgumentException("recurrence: input weight U must be [" + h + ", in] to match W "
                    + recurrentWeight.shape() + ", got " + inputWeight.shape());
        }
        if (bias.rank() != 1 || bias.dim(0) != h) {
            throw new IllegalArgumentException("recurrence: bias b must be [" + h + "] to match W "
                    + recurrentWeight.shape() + ", got " + bias.shape());
        }
        int in = inputWeight.dim(1);
        if ((inputs.rank() != 2 && inputs.rank() != 3) || inputs.dim(-1) != in || inputs.dim(0) == 0
                || (inputs.rank() == 3 && inputs.dim(1) == 0)) {
            throw new IllegalArgumentException("recurrence: inputs must be [T, " + in + "] or [T, B, " + in
                    + "] with T, B > 0 to match U " + inputWeight.shape() + ", got " + inputs.shape());
        }
        int batch = inputs.rank() == 3 ? inputs.dim(1) : 1;
        boolean stateOk = (initialState.rank() == 1 && initialState.dim(0) == h)
                || (initialState.rank() == 2 && initialState.dim(1) == h && initialState.dim(0) == batch && inputs.rank() == 3);
        if (!stateOk) {
            throw new IllegalArgumentException("recurrence: initial state must be [" + h + "]"
                    + (inputs.rank() == 3 ? " or [" + batch + ", " + h + "]" : "") + " for inputs " + inputs.shape()
                    + ", got " + initialState.shape());
        }
        for (Tensor t : new Tensor[] {inputWeight, bias, inputs, initialState}) {
            if (t.dtype() != recurrentWeight.dtype()) {
                throw new IllegalArgumentException("recurrence: dtypes differ: W is " + recurrentWeight.dtype()
                        + " but a tensor of shape " + t.shape() + " is " + t.dtype());
            }
        }
    }

    /** H, the hidden size. */
    public int hiddenSize() {
        return recurrentWeight.dim(0);
    }

    /** T, the number of steps. */
    public int steps() {
        return inputs.dim(0);
    }

    /** B, the number of sequences (1 for [T, in] inputs). */
    public int batchSize() {
        return inputs.rank() == 3 ? inputs.dim(1) : 1;
    }

    /** Whether the inputs carry a batch axis ([T, B, in]). */
    public boolean batched() {
        return inputs.rank() == 3;
    }

    /** x_t of sequence {@code sample} as a [1, in] row, t = 1…T. */
    public Tensor input(int t, int sample) {
        checkStep(t);
        checkSample(sample);
        Tensor xt = inputs.select(0, t - 1);
        return batched() ? xt.slice(0, sample, sample + 1) : xt.reshape(1, -1);
    }

    /** g_0 of sequence {@code sample} as an [H] vector. */
    public Tensor initialState(int sample) {
        checkSample(sample);
        return initialState.rank() == 1 ? initialState : initialState.select(0, sample);
    }

    /** g_0 for every sequence as [B, H]. */
    public Tensor initialStates() {
        return initialState.rank() == 2 ? initialState
                : initialState.reshape(1, hiddenSize()).broadcastTo(Shape.of(batchSize(), hiddenSize()));
    }

    /** The step {@code G ↦ σ(G Wᵀ + X Uᵀ + b)} as a {@link RecurrentStep} on rows. */
    public RecurrentStep step() {
        Var w = Var.constant(recurrentWeight), u = Var.constant(inputWeight), b = Var.constant(bias);
        return (state, input) -> activation.function().apply(
                state.matmul(w, false, true).add(input.matmul(u, false, true)).add(b));
    }

    void checkSample(int sample) {
        if (sample < 0 || sample >= batchSize()) {
            throw new IllegalArgumentException("recurrence: sample " + sample + " outside [0, " + batchSize() + ")");
        }
    }

    private void checkStep(int t) {
        if (t < 1 || t > steps()) {
            throw new IllegalArgumentException("recurrence: step " + t + " outside [1, " + steps() + "]");
        }
    }
}
