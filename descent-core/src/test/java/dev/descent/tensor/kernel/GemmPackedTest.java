package dev.descent.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code gemmPacked} with a B packed once by {@code packB} against {@code gemm} on the same
 * operands. Both run the same micro-kernels, and each element of C is c₀ + Σ_p a_ip·b_pj
 * accumulated by fused multiply-adds in the order p = 0, 1, …, k − 1 whatever the blocking, so
 * the results must be equal bit for bit (gemm's narrow path, n &lt; NR/4, is avoided here: it sums
 * in another order). Shapes cover full and partial panels and tiles, k above one KC block (256),
 * the parallel row split, both transpositions of A and of the packed B, and accumulation.
 */
class GemmPackedTest {
    private static final int[][] SHAPES = {
        {32, 128, 128}, {7, 100, 300}, {1, 65, 5}, {33, 64, 257}, {200, 130, 100}, {6, 16, 1}, {128, 96, 513}};

    @Test
    void float32PackedEqualsGemmBitForBit() {
        for (int[] s : SHAPES) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (boolean acc : new boolean[] {false, true}) {
                        int m = s[0], n = s[1], k = s[2], lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
                        Random rnd = new Random(m * 1000003L + n * 1009L + k + (ta ? 1 : 0) + (tb ? 2 : 0));
                        float[] a = randomF((ta ? k : m) * lda + 1, rnd), b = randomF((tb ? n : k) * ldb + 2, rnd);
                        float[] c = randomF(m * ldc + 4, rnd), expected = c.clone();
                        GemmF32.gemm(ta, tb, m, n, k, a, 1, lda, b, 2, ldb, expected, 4, ldc, acc);
                        float[] packed = GemmF32.packB(tb, k, n, b, 2, ldb);
                        assertEquals(GemmF32.packedLength(k, n), packed.length);
                        GemmF32.gemmPacked(ta, m, n, k, a, 1, lda, packed, c, 4, ldc, acc);
                        assertArrayEquals(expected, c, "f32 m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " acc=" + acc);
                    }
                }
            }
        }
    }

    @Test
    void float64PackedEqualsGemmBitForBit() {
        for (int[] s : SHAPES) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean acc : new boolean[] {false, true}) {
                    int m = s[0], n = s[1], k = s[2], lda = ta ? m : k, ldb = n, ldc = n;
                    Random rnd = new Random(m * 31L + n * 7L + k);
                    double[] a = randomD((ta ? k : m) * lda, rnd), b = randomD(k * ldb, rnd), c = randomD(m * ldc, rnd);
                    double[] expected = c.clone();
                    GemmF64.gemm(ta, false, m, n, k, a, 0, lda, b, 0, ldb, expected, 0, ldc, acc);
                    GemmF64.gemmPacked(ta, m, n, k, a, 0, lda, GemmF64.packB(false, k, n, b, 0, ldb), c, 0, ldc, acc);
                    assertArrayEquals(expected, c, "f64 m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " acc=" + acc);
                }
            }
        }
    }

    @Test
    void aPackedMatrixTooShortForTheShapeIsRejectedWithBothSizes() {
        float[] packed = GemmF32.packB(false, 4, 8, new float[32], 0, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemmF32.gemmPacked(false, 2, 8, 5, new float[10], 0, 5, packed, new float[16], 0, 8, false));
        assertEquals("gemmPacked: packed B has " + packed.length + " elements, a packed 5x8 needs "
                + GemmF32.packedLength(5, 8), e.getMessage());
    }

    private static float[] randomF(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    private static double[] randomD(int n, Random rnd) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextGaussian();
        return x;
    }
}
