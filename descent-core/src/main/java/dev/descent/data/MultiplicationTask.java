package dev.descent.data;

import dev.descent.tensor.Rng;

/**
 * The multiplication problem (Hochreiter &amp; Schmidhuber, "Long short-term memory", 1997,
 * experiment 5), built exactly like {@link AddingTask} (Arjovsky, Shah &amp; Bengio 2016 layout:
 * values ~ U[0, 1) in channel 0, one marker in [0, ⌊T/2⌋) and one in [⌊T/2⌋, T) in channel 1) but
 * with the product of the two marked values as target, in [0, 1); loss MSE.
 *
 * <p>Trivial baseline: always predicting E[X₁X₂] = 1/4 gives MSE = Var(X₁X₂) = E[X₁²]E[X₂²] − 1/16
 * = 1/9 − 1/16 = 7/144 ≈ 0.0486. Differences from the original: values in [0, 1) rather than
 * [0, 1] with special first/last steps, fixed length T.
 */
public final class MultiplicationTask implements SequenceTask {
    private final int length;

    /** The multiplication problem with sequences of {@code length} ≥ 2 steps. */
    public MultiplicationTask(int length) {
        this.length = SequenceTask.checkLength("multiplication", length, 2);
    }

    @Override public String name() { return "multiplication"; }
    @Override public int length() { return length; }
    @Override public int steps() { return length; }
    @Override public int inputSize() { return 2; }
    @Override public boolean isClassification() { return false; }
    @Override public int outputSize() { return 1; }
    @Override public boolean perStepTargets() { return false; }

    /** MSE 7/144, from always predicting 1/4. */
    @Override
    public Baseline trivialBaseline() {
        return new Baseline("mse", 7.0 / 144, true, "always predict 1/4", PerSample.squaredError(0.25));
    }

    @Override
    public Dataset generate(int count, Rng rng) {
        return MarkedPairs.generate("multiplication", length, count, rng, (a, b) -> a * b);
    }
}
