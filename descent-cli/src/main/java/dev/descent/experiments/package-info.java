/**
 * The seed's experiments, run by {@code descent verify}: each {@link dev.descent.experiments.Experiment}
 * checks one claim of SPEC.md numerically and returns a {@link dev.descent.experiments.Result} of
 * {@link dev.descent.experiments.Row}s (claim, measured figure, bound, pass) plus figures described
 * as {@link dev.descent.chart.Chart}s (numbers and labels; the CLI renders them).
 * {@link dev.descent.experiments.ExperimentRegistry} lists the twelve SPEC claims in order and the
 * experiment wired to each; {@link dev.descent.experiments.ExperimentRunner} runs a selection,
 * turning an experiment that throws into a failed row instead of a crash.
 *
 * <p>Depends on {@code dev.descent.tensor}, {@code dev.descent.autodiff}, {@code dev.descent.nn},
 * {@code dev.descent.optim} (and {@code .second}), {@code dev.descent.diagnostics} and
 * {@code dev.descent.chart}; not on {@code dev.descent.report}, which draws. Nothing in the library
 * depends on it.
 */
package dev.descent.experiments;
