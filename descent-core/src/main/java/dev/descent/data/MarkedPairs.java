package dev.descent.data;

import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.DoubleBinaryOperator;

/**
 * The generator shared by the adding and multiplication problems (Arjovsky, Shah &amp; Bengio 2016
 * variant): channel 0 holds values ~ U[0, 1), channel 1 is 1.0 at exactly two steps, one uniform in
 * [0, ⌊T/2⌋) and one uniform in [⌊T/2⌋, T); the target combines the two marked values.
 */
final class MarkedPairs {
    private MarkedPairs() {}

    /**
     * Draws, per sequence and in this order: the T values, the first marker, the second marker.
     * Targets are computed from the float32-rounded values the model sees.
     */
    static Dataset generate(String task, int length, int count, Rng rng, DoubleBinaryOperator combine) {
        float[] x = new float[SequenceTask.checkValues(task, count, length, 2)];
        float[] y = new float[count];
        int half = length / 2;
        for (int n = 0; n < count; n++) {
            int base = n * length * 2;
            for (int t = 0; t < length; t++) x[base + 2 * t] = (float) rng.nextDouble();
            int first = rng.nextInt(half);
            int second = half + rng.nextInt(length - half);
            x[base + 2 * first + 1] = 1f;
            x[base + 2 * second + 1] = 1f;
            y[n] = (float) combine.applyAsDouble(x[base + 2 * first], x[base + 2 * second]);
        }
        return Dataset.sequenceRegression(Tensor.wrap(x, count, length, 2), Tensor.wrap(y, count, 1));
    }
}
