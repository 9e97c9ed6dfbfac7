package dev.descent.data;

import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;

/**
 * The copy memory problem (Hochreiter &amp; Schmidhuber 1997; in the form of Arjovsky, Shah &amp;
 * Bengio, "Unitary evolution recurrent neural networks", ICML 2016, section 4.1): remember 10
 * symbols across T blank steps and reproduce them after a delimiter.
 *
 * <p>Symbols 0..9, one-hot over 10 channels: 0 is blank, 1..8 are data, 9 is the delimiter. The
 * input has T + 20 steps: 10 data symbols drawn uniformly from {1..8}, then T − 1 blanks, the
 * delimiter, and 10 blanks. The target, one label per step, is T + 10 blanks followed by the 10
 * data symbols. Loss: cross-entropy averaged over all T + 20 steps. Batches are time-major
 * {@code [T+20, B, 10]} with labels {@code [T+20, B]}.
 *
 * <p>Trivial baseline (the paper's): predict blank for the first T + 10 steps and a uniform
 * distribution over the 8 data symbols for the last 10, which costs 10·ln 8 / (T + 20) per step.
 */
public final class CopyTask implements SequenceTask {
    /** Number of symbols to memorise. */
    public static final int MEMORY = 10;
    /** The blank symbol. */
    public static final int BLANK = 0;
    /** The delimiter that asks for the copy. */
    public static final int DELIMITER = 9;
    private static final int SYMBOLS = 10;
    private final int length;

    /** The task with a delay of {@code length} ≥ 1 blank steps. */
    public CopyTask(int length) {
        this.length = SequenceTask.checkLength("copy", length, 1);
    }

    @Override public String name() { return "copy"; }
    @Override public int length() { return length; }
    @Override public int steps() { return length + 2 * MEMORY; }
    @Override public int inputSize() { return SYMBOLS; }
    @Override public boolean isClassification() { return true; }
    @Override public int outputSize() { return SYMBOLS; }
    @Override public boolean perStepTargets() { return true; }

    /** Cross-entropy 10·ln 8 / (T + 20), the same on every sample (all share the blank/data layout). */
    @Override
    public Baseline trivialBaseline() {
        return new Baseline("cross-entropy", MEMORY * Math.log(8) / steps(), true,
                "blank for T+10 steps, then uniform over the 8 data symbols");
    }

    /** Draws the 10 data symbols of each sequence in order. */
    @Override
    public Dataset generate(int count, Rng rng) {
        SequenceTask.checkCount("copy", count);
        int steps = steps();
        float[] x = new float[count * steps * SYMBOLS];
        int[] labels = new int[count * steps];
        for (int n = 0; n < count; n++) {
            int xBase = n * steps * SYMBOLS, lBase = n * steps;
            for (int t = 0; t < steps; t++) {
                int in;
                if (t < MEMORY) {
                    in = 1 + rng.nextInt(8);
                    labels[lBase + length + MEMORY + t] = in;
                } else {
                    in = t == MEMORY + length - 1 ? DELIMITER : BLANK;
                }
                x[xBase + t * SYMBOLS + in] = 1f;
            }
        }
        return Dataset.sequenceClassification(Tensor.wrap(x, count, steps, SYMBOLS), labels, steps, SYMBOLS);
    }
}
