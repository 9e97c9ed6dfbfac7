package dev.descent.experiments;

import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.WeightNorm;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;

/**
 * The weight-normalisation layer that the §4 experiments check: a module around a {@link Linear}
 * with parameters {@code weight_g} [out], {@code weight_v} [out, in] (u) and {@code bias}.
 * {@link #LIBRARY} is {@link WeightNorm#wrap(Linear)}; the tests pass deliberately broken layers
 * (a wrong forward pass, a projection dropped from the gradient) and assert that the claims fail.
 */
@FunctionalInterface
interface WeightNormUnderTest {
    /** The library's layer, as {@code descent verify} runs it. */
    WeightNormUnderTest LIBRARY = WeightNorm::wrap;

    /** {@code layer} weight-normalised, initialised from its weight (g = ‖w_j‖, u = w). */
    Module wrap(Linear layer);

    /** w = g · u/‖u‖ row by row, by loops from the parameters (independent of the layer). */
    static Tensor weight(Params p) {
        Tensor u = p.get("weight_v");
        int rows = u.dim(0), cols = u.dim(1);
        double[] uu = u.toDoubleArray(), g = p.get("weight_g").toDoubleArray(), out = new double[rows * cols];
        for (int j = 0; j < rows; j++) {
            double squared = 0;
            for (int i = 0; i < cols; i++) squared += uu[j * cols + i] * uu[j * cols + i];
            double scale = g[j] / Math.sqrt(squared);
            for (int i = 0; i < cols; i++) out[j * cols + i] = scale * uu[j * cols + i];
        }
        return Tensor.wrap(out, rows, cols);
    }
}
