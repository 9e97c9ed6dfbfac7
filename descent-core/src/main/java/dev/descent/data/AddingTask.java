package dev.descent.data;

import dev.descent.tensor.Rng;

/**
 * The adding problem (Hochreiter &amp; Schmidhuber, "Long short-term memory", 1997, experiment 4),
 * in the variant of Arjovsky, Shah &amp; Bengio, "Unitary evolution recurrent neural networks"
 * (ICML 2016), which is also the peer benchmark's definition.
 *
 * <p>Each sequence has T steps and 2 input channels: channel 0 holds values ~ U[0, 1); channel 1
 * is a marker that is 1.0 at exactly two steps, one uniform in [0, ⌊T/2⌋) and one uniform in
 * [⌊T/2⌋, T), and 0 elsewhere. The target is the sum of the two marked values, in [0, 2); the loss
 * is the mean squared error. Batches are time-major {@code [T, B, 2]} with targets {@code [B, 1]}.
 *
 * <p>Trivial baseline: always predicting 1 (the mean target) gives MSE = Var(X₁ + X₂) = 2/12 = 1/6.
 * Differences from Hochreiter &amp; Schmidhuber's original: values in [0, 1) rather than [−1, 1],
 * no first/last-step conventions, fixed length T, target not rescaled.
 */
public final class AddingTask implements SequenceTask {
    private final int length;

    /** The adding problem with sequences of {@code length} ≥ 2 steps. */
    public AddingTask(int length) {
        this.length = SequenceTask.checkLength("adding", length, 2);
    }

    @Override public String name() { return "adding"; }
    @Override public int length() { return length; }
    @Override public int steps() { return length; }
    @Override public int inputSize() { return 2; }
    @Override public boolean isClassification() { return false; }
    @Override public int outputSize() { return 1; }
    @Override public boolean perStepTargets() { return false; }

    /** MSE 1/6, from always predicting 1. */
    @Override
    public Baseline trivialBaseline() {
        return new Baseline("mse", 1.0 / 6, true, "always predict 1", PerSample.squaredError(1));
    }

    @Override
    public Dataset generate(int count, Rng rng) {
        return MarkedPairs.generate("adding", length, count, rng, Double::sum);
    }
}
