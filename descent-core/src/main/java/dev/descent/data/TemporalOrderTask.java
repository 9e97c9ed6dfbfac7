package dev.descent.data;

import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;

/**
 * The temporal order problem (Hochreiter &amp; Schmidhuber, "Long short-term memory", Neural
 * Computation 9(8), 1997, experiment 6a): classify the order of two relevant symbols hidden among
 * distractors.
 *
 * <p>Alphabet, one-hot over 8 channels in this order: distractors {@code a, b, c, d}, relevant
 * {@code X, Y}, begin {@code B}, end {@code E}. A sequence of T steps starts with {@code B}, ends
 * with {@code E}, holds {@code X} or {@code Y} (equally likely) at one step t₁ uniform in
 * [⌊T/10⌋, ⌊2T/10⌋] and one step t₂ uniform in [⌊5T/10⌋, ⌊6T/10⌋], and a uniformly random
 * distractor everywhere else. The class is the ordered pair: 0 = XX, 1 = XY, 2 = YX, 3 = YY
 * (the paper's Q, R, S, U). Batches are time-major {@code [T, B, 8]} with labels {@code [B]}.
 *
 * <p>With T = 100 the marker windows are the paper's [10, 20] and [50, 60]. Difference from the
 * paper: its lengths vary in [100, 110]; here every sequence has the same length T (so a batch is
 * one tensor) and the windows scale with T.
 *
 * <p>Trivial baseline: the four classes are equally likely, so a predictor that ignores the input
 * reaches accuracy 1/4 (and cross-entropy ln 4 with uniform probabilities).
 */
public final class TemporalOrderTask implements SequenceTask {
    /** Channel of the first relevant symbol X; Y is the next channel. */
    public static final int X = 4;
    /** Channel of the begin symbol B. */
    public static final int BEGIN = 6;
    /** Channel of the end symbol E. */
    public static final int END = 7;
    private static final int CHANNELS = 8;
    private final int length;

    /** The task with sequences of {@code length} ≥ 10 steps. */
    public TemporalOrderTask(int length) {
        this.length = SequenceTask.checkLength("temporal-order", length, 10);
    }

    @Override public String name() { return "temporal-order"; }
    @Override public int length() { return length; }
    @Override public int steps() { return length; }
    @Override public int inputSize() { return CHANNELS; }
    @Override public boolean isClassification() { return true; }
    @Override public int outputSize() { return 4; }
    @Override public boolean perStepTargets() { return false; }

    /**
     * Accuracy 1/4, from ignoring the input: the hit rate of a guess that is uniform over the 4
     * classes, which is 1/4 on every sample whatever its label.
     */
    @Override
    public Baseline trivialBaseline() {
        return new Baseline("accuracy", 0.25, false, "constant prediction over 4 equally likely classes");
    }

    /** First window [⌊T/10⌋, ⌊2T/10⌋], inclusive. */
    public int[] firstWindow() {
        return new int[] {length / 10, 2 * length / 10};
    }

    /** Second window [⌊5T/10⌋, ⌊6T/10⌋], inclusive. */
    public int[] secondWindow() {
        return new int[] {5 * length / 10, 6 * length / 10};
    }

    /** Draws per sequence, in order: T−2 distractors, t₁, t₂, the two relevant symbols. */
    @Override
    public Dataset generate(int count, Rng rng) {
        SequenceTask.checkCount("temporal-order", count);
        float[] x = new float[count * length * CHANNELS];
        int[] labels = new int[count];
        int[] w1 = firstWindow(), w2 = secondWindow();
        int[] symbol = new int[length];
        for (int n = 0; n < count; n++) {
            symbol[0] = BEGIN;
            symbol[length - 1] = END;
            for (int t = 1; t < length - 1; t++) symbol[t] = rng.nextInt(4);
            int t1 = w1[0] + rng.nextInt(w1[1] - w1[0] + 1);
            int t2 = w2[0] + rng.nextInt(w2[1] - w2[0] + 1);
            int s1 = rng.nextInt(2), s2 = rng.nextInt(2);
            symbol[t1] = X + s1;
            symbol[t2] = X + s2;
            labels[n] = 2 * s1 + s2;
            int base = n * length * CHANNELS;
            for (int t = 0; t < length; t++) x[base + t * CHANNELS + symbol[t]] = 1f;
        }
        return Dataset.sequenceClassification(Tensor.wrap(x, count, length, CHANNELS), labels, 1, 4);
    }
}
