/**
 * The {@code descent} command (picocli): {@link dev.descent.cli.Main} and the subcommands
 * {@code verify} ({@link dev.descent.cli.VerifyCommand}), {@code train}
 * ({@link dev.descent.cli.TrainCommand}), {@code diagnose} ({@link dev.descent.cli.DiagnoseCommand})
 * and {@code bench} ({@link dev.descent.cli.BenchCommand}); the {@code --data} syntax
 * ({@link dev.descent.cli.DataSource}); validating converters ({@link dev.descent.cli.Converters}).
 * {@code train} layers its options (command line, {@code --config}, a resumed checkpoint, the
 * default run) into a {@link dev.descent.train.TrainingSpec}, runs {@link dev.descent.train.Trainer}
 * on the model, optimiser and diagnostics {@code RunSetup} builds from it ({@code ModelFactory}
 * with {@link dev.descent.cli.SequenceModel}, {@link dev.descent.train.OptimizerFactory},
 * {@code DiagnosticsFactory}) and writes a run directory
 * ({@code RunDirectory}: configuration, metrics lines, checkpoints) with plots and a page
 * ({@code TrainingReport}); {@code diagnose} rebuilds a run's model from a checkpoint's
 * specification; {@code export --to torch} ({@link dev.descent.cli.ExportCommand}) and
 * {@code import --from torch} ({@link dev.descent.cli.ImportCommand}) exchange a run's weights
 * with PyTorch as state dicts ({@link dev.descent.interop.TorchStateDict}). All JSON
 * (configuration files, {@code config.json}, metrics lines) goes through {@link dev.descent.io.Json}.
 *
 * <p>Error policy (in {@link dev.descent.cli.Main}): a usage error (unknown flag, malformed or
 * out-of-range value) prints one line {@code descent: <message>} on stderr and exits 2; a failure
 * while running (missing or corrupt file, failed claim) prints one line and exits 1; no stack
 * trace unless {@code --debug}; success is printed only after everything succeeded.
 *
 * <p>Depends on everything else: {@code dev.descent.experiments}, {@code dev.descent.chart},
 * {@code dev.descent.report}, {@code dev.descent.bench} (the {@code bench} command), the library packages of
 * {@code descent-core} ({@code tensor}, {@code autodiff}, {@code nn}, {@code optim} and
 * {@code .second}, {@code diagnostics}, {@code data}, {@code io}, {@code interop}, {@code train})
 * and picocli; {@code dev.descent.cli.SparkTraining}, which lives in {@code descent-spark}, adds
 * {@code dev.descent.spark} and Spark. Here records become files: metrics, JSON, plots, reports.
 */
package dev.descent.cli;
