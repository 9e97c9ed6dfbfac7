package dev.descent.nn.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batch normalisation's row kernels against the chain of separate IEEE operations that the
 * forward and backward passes used to make with one binary call per operation, bit for bit;
 * widths 37 and 64 cover vector bodies and scalar tails. The float32 twin of this test is
 * generated with the kernel's.
 */
class BatchNormF64Test {
    private static void same(double expected, double actual, String what) { // @KeepDouble: widening is exact
        assertEquals(Double.doubleToLongBits(expected == 0 && actual == 0 ? Math.abs(expected) : expected), // @KeepDouble
                Double.doubleToLongBits(expected == 0 && actual == 0 ? Math.abs(actual) : actual), what + ": " + expected + " vs " + actual); // @KeepDouble
    }

    @Test
    void rowKernelsRoundLikeTheSeparateOperations() {
        for (int cols : new int[] {37, 64}) {
            int rows = 5, n = rows * cols;
            Random rnd = new Random(cols);
            double[] x = new double[n], c = new double[n], m = new double[cols], sd = new double[cols];
            double[] b = new double[cols], k = new double[cols], scale = new double[cols];
            for (int i = 0; i < n; i++) { x[i] = (double) rnd.nextGaussian(); c[i] = (double) rnd.nextGaussian(); }
            for (int j = 0; j < cols; j++) {
                m[j] = (double) rnd.nextGaussian(); sd[j] = (double) (0.5 + rnd.nextDouble()); b[j] = (double) rnd.nextGaussian();
                k[j] = (double) rnd.nextGaussian(); scale[j] = (double) rnd.nextGaussian();
            }
            double[] t = new double[n], g = new double[n];
            BatchNormF64.normalizedTimes(x, m, sd, c, t, rows, cols);
            BatchNormF64.normalizedInputGradient(x, m, sd, c, b, k, scale, g, rows, cols);
            // Forward kernels, with k and b standing in for γ and β.
            double[] sq = new double[n], nrm = new double[n], aff = new double[n];
            BatchNormF64.centredSquares(x, m, sq, rows, cols);
            BatchNormF64.normalizedAffine(x, m, sd, null, null, nrm, rows, cols);
            BatchNormF64.normalizedAffine(x, m, sd, k, b, aff, rows, cols);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    int i = r * cols + j;
                    double d = x[i] - m[j];
                    same(d * d, sq[i], "centredSquares " + i);
                    same(d / sd[j], nrm[i], "normalizedAffine " + i);
                    same(d / sd[j] * k[j] + b[j], aff[i], "normalizedAffine (affine) " + i);
                    double xh = (x[i] - m[j]) / sd[j];
                    same(xh * c[i], t[i], "normalizedTimes " + i);
                    same(((c[i] - b[j]) - xh * k[j]) * scale[j], g[i], "normalizedInputGradient " + i);
                }
            }
        }
    }
}
