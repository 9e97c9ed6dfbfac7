/**
 * A reusable training loop: {@link dev.descent.train.Trainer} runs minibatch training of a
 * {@link dev.descent.nn.Module} under an {@link dev.descent.train.Objective} with any
 * optimiser of {@code dev.descent.optim} or {@code dev.descent.optim.second}
 * ({@link dev.descent.train.TrainingOptimizer}), evaluates on held-out data
 * ({@link dev.descent.train.Evaluator}, {@link dev.descent.train.Evaluation} next to a trivial
 * {@link dev.descent.train.Baselines baseline}), feeds diagnostics through
 * {@link dev.descent.diagnostics.TrainingListener}s, and hands out
 * {@link dev.descent.train.TrainingState}s to checkpoint, from which a run resumes bit for bit
 * ({@link dev.descent.train.OptimizerStateCodec} stores optimiser states as tensors).
 * {@link dev.descent.train.TrainingSpec} is the typed, immutable specification of a run (data,
 * model, optimiser, schedule, cadence, diagnostics) with every default defined once, and its JSON
 * form saved as a run's configuration; {@link dev.descent.train.OptimizerFactory} builds its
 * optimiser from the named optimisers of {@code dev.descent.optim}. For recurrent nets the trainer
 * can add the vanishing-gradient regulariser Ω ({@link dev.descent.nn.FlowRegularizer}) to
 * first-order steps and give Hessian-free a smaller curvature minibatch and structural damping on
 * the model's hidden states ({@link dev.descent.nn.RecurrentModel}).
 *
 * <p>Depends on {@code dev.descent.tensor}, {@code dev.descent.autodiff}, {@code dev.descent.nn},
 * {@code dev.descent.optim} (and {@code .second}), {@code dev.descent.data},
 * {@code dev.descent.diagnostics} and {@code dev.descent.io} (checkpoint files, the spec's JSON):
 * it is where they meet, below only the CLI, the experiments and Spark. Nothing here
 * prints, plots or parses command lines: that is the CLI's job.
 */
package dev.descent.train;
