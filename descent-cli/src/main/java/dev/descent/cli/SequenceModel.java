package dev.descent.cli;

import dev.descent.autodiff.Var;
import dev.descent.nn.Linear;
import dev.descent.nn.Lstm;
import dev.descent.nn.Module;
import dev.descent.nn.RecurrentModel;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.Rnn;
import dev.descent.nn.Scope;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;

/**
 * A recurrent layer (Elman {@link Rnn} or {@link Lstm}) with a linear readout, for time-major
 * sequence batches [T, B, in]:
 * <ul>
 *   <li>one target per sequence: y = readout(g_T) of the final state, [B, out];</li>
 *   <li>one target per step (the copy task): y_t = readout(g_t) for every t, [T, B, out].</li>
 * </ul>
 * The readout always sees the activation-form state g_t: for an RNN in pre-activation form
 * (state h_t) that is σ(h_t), so both forms of SPEC.md §1.1 compute the same function.
 *
 * <p>Parameter names: {@code rnn.W}, {@code rnn.U}, {@code rnn.b} (or {@code lstm.weight_ih},
 * {@code lstm.weight_hh}, {@code lstm.bias}), {@code readout.weight}, {@code readout.bias}.
 */
public final class SequenceModel extends Module implements RecurrentModel {
    private final Rnn rnn;
    private final Lstm lstm;
    private final Linear readout;
    private final boolean perStep;

    private SequenceModel(Rnn rnn, Lstm lstm, Linear readout, boolean perStep) {
        this.rnn = rnn == null ? null : addChild("rnn", rnn);
        this.lstm = lstm == null ? null : addChild("lstm", lstm);
        this.readout = addChild("readout", readout);
        this.perStep = perStep;
    }

    /** An Elman RNN with {@code config} and a readout to {@code outputs}; draws from {@code rng}. */
    public static SequenceModel rnn(Rnn.Config config, int outputs, boolean perStep, Rng rng, DType dtype) {
        Rnn r = new Rnn(config, rng, dtype);
        return new SequenceModel(r, null, new Linear(config.hiddenSize(), outputs, rng, dtype), perStep);
    }

    /** An LSTM of {@code hidden} units on {@code inputs} features and a readout to {@code outputs}. */
    public static SequenceModel lstm(int inputs, int hidden, int outputs, boolean perStep, Rng rng, DType dtype) {
        Lstm l = new Lstm(inputs, hidden, rng, dtype);
        return new SequenceModel(null, l, new Linear(hidden, outputs, rng, dtype), perStep);
    }

    /** The Elman layer, or {@code null} for an LSTM model. */
    public Rnn rnn() {
        return rnn;
    }

    /** Whether the readout produces one output per step. */
    public boolean perStep() {
        return perStep;
    }

    @Override
    public Var apply(Scope scope, Var x) {
        return outputAndStates(scope, x, false)[0];
    }

    /**
     * The output and the recurrent layer's states [T, B, H] (the activation-form states g_t, i.e.
     * σ(h_t) in the pre-activation form; the LSTM's hidden states h_t) of one forward pass.
     */
    @Override
    public Var[] outputAndHiddenStates(VarParams params, Var x) {
        return outputAndStates(Scope.of(params), x, true);
    }

    private Var[] outputAndStates(Scope scope, Var x, boolean wantStates) {
        Var h, states;
        if (rnn != null) {
            Rnn.Result r = rnn.run(scope.child("rnn"), x, null);
            states = r.states();
            h = perStep ? r.states() : r.last();
            if (rnn.config().form() == Rnn.Form.PRE_ACTIVATION) {
                h = rnn.activation().apply(h);
                if (wantStates) states = rnn.activation().apply(states);
            }
        } else {
            Lstm.Result r = lstm.run(scope.child("lstm"), x, null, null);
            states = r.states();
            h = perStep ? r.states() : r.lastHidden();
        }
        return new Var[] {readout.apply(scope.child("readout"), h), states};
    }
}
