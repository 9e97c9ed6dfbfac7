package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss's sensitivity to each input of a sequence, {@code ‖∂L/∂x_t‖} for t = 1…T, from one
 * backward pass: small values at early t are what vanishing gradients look like from the
 * outside (the loss cannot learn from early inputs).
 *
 * @param perSample {@code perSample[t−1][b] = ‖∂L/∂x_t^{(b)}‖} for sequence b, [T][B]
 * @param batchMean {@code batchMean[t−1]} = the mean over the batch of {@code perSample[t−1][·]}
 */
public record InputSensitivity(double[][] perSample, double[] batchMean) {
    /** Copies the arrays. */
    public InputSensitivity {
        perSample = deepCopy(perSample);
        batchMean = batchMean.clone();
        if (perSample.length != batchMean.length) {
            throw new IllegalArgumentException("input sensitivity: " + perSample.length + " steps per sample but "
                    + batchMean.length + " batch means");
        }
    }

    @Override
    public double[][] perSample() {
        return deepCopy(perSample);
    }

    @Override
    public double[] batchMean() {
        return batchMean.clone();
    }

    /** T, the number of steps. */
    public int steps() {
        return batchMean.length;
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    /** Plain values for metrics files (the batch means; per-sample rows under "perSample"). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputSensitivity", batchMean.clone());
        m.put("perSample", deepCopy(perSample));
        return m;
    }
}
