package dev.descent.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code ReduceF64.dotWide} (what {@code Tensor.dot} and {@code Tensor.norm} use): for float64 it
 * is {@link ReduceF64#dot} bit for bit; its generated float32 twin accumulates the exact products
 * of widened floats in float64, so it agrees with a plain float64 loop over the same products
 * within the two summations' error, 2n·2⁻⁵³·Σ|aᵢbᵢ| (and far closer than a float32 accumulation
 * could be). Lengths cover the four-accumulator body, the one-vector loop and the tail, at offsets.
 */
class DotWideTest {
    @Test
    void float64IsDotBitForBit() {
        Random rnd = new Random(1);
        for (int n : new int[] {0, 1, 3, 8, 31, 64, 257, 1000}) {
            double[] a = new double[n + 2], b = new double[n + 3];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextGaussian();
            assertEquals(Double.doubleToLongBits(ReduceF64.dot(a, 2, b, 3, n)), Double.doubleToLongBits(ReduceF64.dotWide(a, 2, b, 3, n)), "n=" + n);
        }
    }

    @Test
    void float32AccumulatesExactProductsInFloat64() {
        Random rnd = new Random(2);
        for (int n : new int[] {0, 1, 3, 8, 31, 64, 257, 1000, 100_000}) {
            float[] a = new float[n + 1], b = new float[n + 2];
            for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * Math.exp(4 * rnd.nextGaussian()));
            for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
            double ref = 0, abs = 0;
            for (int i = 0; i < n; i++) {
                double p = (double) a[1 + i] * b[2 + i];
                ref += p;
                abs += Math.abs(p);
            }
            double got = ReduceF32.dotWide(a, 1, b, 2, n);
            double bound = 2.0 * n * 0x1p-53 * abs;
            assertTrue(Math.abs(got - ref) <= bound, "n=" + n + ": " + got + " vs " + ref + " (bound " + bound + ")");
        }
    }
}
