package dev.descent.optim.second;

import dev.descent.tensor.Params;
import java.util.Objects;

/**
 * The result of one second-order step: new parameters, the method's next state and its report.
 *
 * @param params the parameters after the step
 * @param state  the next state
 * @param report what the step did
 * @param <S>    the state type
 * @param <R>    the report type
 */
public record SecondOrderStep<S, R extends StepReport>(Params params, S state, R report) {
    /** Rejects nulls. */
    public SecondOrderStep {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(report, "report");
    }
}
