package dev.descent.diagnostics;

import dev.descent.autodiff.Var;

/**
 * One step of a recurrence, {@code state_t = step(state_{t−1}, input_t)}, on a batch of rows:
 * {@code state} is [N, H] and {@code input} is [N, in], and the result is the new [N, H] state.
 *
 * <p>Contract: rows are independent (row n of the result depends only on row n of each
 * argument), as in every recurrent cell. {@link GradientFlow} relies on it to obtain a whole
 * Jacobian from one pass, by running H copies of one sequence side by side.
 *
 * <p>This is the seam for recurrences other than the activation form of {@link RecurrenceSpec}
 * (the pre-activation form {@code h_t = W σ(h_{t−1}) + U x_t + b}, gated cells, ...): exact
 * Jacobian-product norms work for any step; the analytic bounds need the activation form.
 */
@FunctionalInterface
public interface RecurrentStep {
    /** The next state [N, H] from the current state [N, H] and the input [N, in]. */
    Var apply(Var state, Var input);
}
