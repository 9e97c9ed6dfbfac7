package dev.descent.nn.kernel;

import dev.descent.tensor.kernel.Storage;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row kernels of batch normalisation ({@code dev.descent.nn.BatchNormalize}) for float64
 * arrays (the float32 twin is generated; see the package docs). Each works on a row-major
 * [rows, cols] block with per-feature (per-column) vectors, and rounds every element as the
 * separate elementwise operations it replaces would round it (no fused multiply-add).
 */
public final class BatchNormF64 extends BatchNormKernels {
    private BatchNormF64() {}

    /** The float64 kernels of {@link BatchNormKernels}. */
    public static final BatchNormF64 INSTANCE = new BatchNormF64();

    /** The array of a storage of this dtype, or null. */
    private static double[] arr(Storage s) {
        return s == null ? null : (double[]) s.array();
    }

    @Override
    public void centredSquares(Storage x, Storage m, Storage out, int rows, int cols) {
        centredSquares(arr(x), arr(m), arr(out), rows, cols);
    }

    @Override
    public void normalizedAffine(Storage x, Storage m, Storage s, Storage g, Storage b, Storage out, int rows, int cols) {
        normalizedAffine(arr(x), arr(m), arr(s), arr(g), arr(b), arr(out), rows, cols);
    }

    @Override
    public void normalizedTimes(Storage x, Storage m, Storage s, Storage c, Storage out, int rows, int cols) {
        normalizedTimes(arr(x), arr(m), arr(s), arr(c), arr(out), rows, cols);
    }

    @Override
    public void normalizedInputGradient(Storage x, Storage m, Storage s, Storage c, Storage b, Storage k, Storage scale,
                                        Storage out, int rows, int cols) {
        normalizedInputGradient(arr(x), arr(m), arr(s), arr(c), arr(b), arr(k), arr(scale), arr(out), rows, cols);
    }

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    /**
     * out[r·cols + j] = (x[r·cols + j] − m[j])² for r &lt; rows, j &lt; cols: the centred squares
     * whose column means are batch normalisation's biased variance (the difference rounded, then
     * squared, as the separate subtraction and multiplication round them); {@code out} is
     * modified (may alias x).
     */
    public static void centredSquares(double[] x, double[] m, double[] out, int rows, int cols) {
        int upper = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols, j = 0;
            for (; j < upper; j += S.length()) {
                DoubleVector d = DoubleVector.fromArray(S, x, o + j).sub(DoubleVector.fromArray(S, m, j));
                d.mul(d).intoArray(out, o + j);
            }
            for (; j < cols; j++) {
                double d = x[o + j] - m[j];
                out[o + j] = d * d;
            }
        }
    }

    /**
     * out[r·cols + j] = ((x[r·cols + j] − m[j]) / s[j]) · g[j] + b[j] for r &lt; rows, j &lt; cols:
     * batch normalisation's output γ x̂ + β (each element rounded as the separate subtraction,
     * division, multiplication and addition round it; no fused multiply-add). With g and b null,
     * the normalised input x̂ alone. {@code out} is modified (may alias x).
     */
    public static void normalizedAffine(double[] x, double[] m, double[] s, double[] g, double[] b, double[] out,
                                        int rows, int cols) {
        int upper = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols, j = 0;
            if (g == null) {
                for (; j < upper; j += S.length()) {
                    DoubleVector.fromArray(S, x, o + j).sub(DoubleVector.fromArray(S, m, j))
                            .div(DoubleVector.fromArray(S, s, j)).intoArray(out, o + j);
                }
                for (; j < cols; j++) out[o + j] = (x[o + j] - m[j]) / s[j];
            } else {
                for (; j < upper; j += S.length()) {
                    DoubleVector.fromArray(S, x, o + j).sub(DoubleVector.fromArray(S, m, j)).div(DoubleVector.fromArray(S, s, j))
                            .mul(DoubleVector.fromArray(S, g, j)).add(DoubleVector.fromArray(S, b, j)).intoArray(out, o + j);
                }
                for (; j < cols; j++) out[o + j] = (x[o + j] - m[j]) / s[j] * g[j] + b[j];
            }
        }
    }

    /**
     * out[r·cols + j] = ((x[r·cols + j] − m[j]) / s[j]) · c[r·cols + j] for r &lt; rows, j &lt; cols:
     * the normalised input times the cotangent, whose column sums are batch normalisation's γ̄
     * (each element rounded as the three separate operations would round it); {@code out} is
     * modified (may alias x or c).
     */
    public static void normalizedTimes(double[] x, double[] m, double[] s, double[] c, double[] out, int rows, int cols) {
        int upper = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols, j = 0;
            for (; j < upper; j += S.length()) {
                DoubleVector.fromArray(S, x, o + j).sub(DoubleVector.fromArray(S, m, j)).div(DoubleVector.fromArray(S, s, j))
                        .mul(DoubleVector.fromArray(S, c, o + j)).intoArray(out, o + j);
            }
            for (; j < cols; j++) out[o + j] = (x[o + j] - m[j]) / s[j] * c[o + j];
        }
    }

    /**
     * out[r·cols + j] = ((c[r·cols + j] − b[j]) − ((x[r·cols + j] − m[j]) / s[j]) · k[j]) · scale[j]
     * for r &lt; rows, j &lt; cols: batch normalisation's x̄ = (γ/s)(ȳ − β̄/n − x̂ γ̄/n) with per-feature
     * b = β̄/n, k = γ̄/n, scale = γ/s (each element rounded as the separate operations would round
     * it); {@code out} is modified (may alias x or c).
     */
    public static void normalizedInputGradient(double[] x, double[] m, double[] s, double[] c, double[] b, double[] k,
                                               double[] scale, double[] out, int rows, int cols) {
        int upper = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols, j = 0;
            for (; j < upper; j += S.length()) {
                DoubleVector xhatK = DoubleVector.fromArray(S, x, o + j).sub(DoubleVector.fromArray(S, m, j))
                        .div(DoubleVector.fromArray(S, s, j)).mul(DoubleVector.fromArray(S, k, j));
                DoubleVector.fromArray(S, c, o + j).sub(DoubleVector.fromArray(S, b, j)).sub(xhatK)
                        .mul(DoubleVector.fromArray(S, scale, j)).intoArray(out, o + j);
            }
            for (; j < cols; j++) out[o + j] = ((c[o + j] - b[j]) - (x[o + j] - m[j]) / s[j] * k[j]) * scale[j];
        }
    }
}
