/**
 * Models: {@link dev.descent.nn.Module} (a tree of named parameters and buffers with a pure
 * forward pass over {@link dev.descent.autodiff.VarParams}), {@link dev.descent.nn.Scope} (what a
 * forward pass reads parameters from), and the layers {@link dev.descent.nn.Linear},
 * activation layers, {@link dev.descent.nn.Sequential}, the Elman {@link dev.descent.nn.Rnn} in
 * both forms of SPEC.md §1.1 (its loop fused into one primitive, {@code RnnScan}),
 * {@link dev.descent.nn.Lstm}, {@link dev.descent.nn.BatchNorm},
 * {@link dev.descent.nn.MeanOnlyBatchNorm} and the {@link dev.descent.nn.WeightNorm}
 * parametrisation; {@link dev.descent.nn.Losses}, {@link dev.descent.nn.Init}ialisers and
 * {@link dev.descent.nn.Activation}s with their γ = sup|σ'|; the vanishing-gradient regulariser
 * {@link dev.descent.nn.FlowRegularizer} computed inside the recurrence's backward pass, and
 * {@link dev.descent.nn.RecurrentModel} for models that expose their hidden states.
 *
 * <p>Depends on {@code dev.descent.tensor} (including its kernels, for the fused recurrent loop),
 * its own {@code dev.descent.nn.kernel},
 * {@code dev.descent.autodiff} and EJML (the QR of the orthogonal initialiser, the eigenvalues
 * of the sparse one). Knows nothing of
 * optimisers, files or the CLI.
 */
package dev.descent.nn;
