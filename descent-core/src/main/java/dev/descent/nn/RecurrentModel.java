package dev.descent.nn;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;

/**
 * A model with hidden states, which can return them together with its output from one forward
 * pass: what structural damping (Martens &amp; Sutskever 2011) penalises the change of.
 */
public interface RecurrentModel {
    /**
     * The output and the hidden states of one forward pass over x, as {output, states}; the
     * states are [T, B, H] for a time-major recurrence.
     */
    Var[] outputAndHiddenStates(VarParams params, Var x);
}
