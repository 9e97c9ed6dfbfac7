package dev.descent.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API loops of the elementwise kernels against their scalar definitions
 * ({@link ElementwiseF64#apply(BinaryOp, double, double)}, {@link ElementwiseF64#apply(UnaryOp, double)}),
 * element by element and exactly: each lane performs the scalar operation (no fused
 * multiply-add), so vector body and scalar tail must agree bit for bit. Lengths 0, 1, 5, 16,
 * 37 and 200 put elements in the vector body, in the tail, or only in the tail, at offsets; the
 * inputs include ±0, ±∞, NaN and values of both signs. Both dtypes.
 */
class ElementwiseKernelTest {
    private static final int[] LENGTHS = {0, 1, 5, 16, 37, 200};

    private static double[] values(Random rnd, int n) {
        double[] special = {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1e-30, -3.5};
        double[] v = new double[n + 3];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(6) == 0 ? special[rnd.nextInt(special.length)] : 4 * rnd.nextGaussian();
        return v;
    }

    private static float[] f(double[] d) {
        float[] r = new float[d.length];
        for (int i = 0; i < d.length; i++) r[i] = (float) d[i];
        return r;
    }

    private static void same(double expected, double actual, String what) {
        assertEquals(Double.doubleToLongBits(expected == 0 && actual == 0 ? Math.abs(expected) : expected),
                Double.doubleToLongBits(expected == 0 && actual == 0 ? Math.abs(actual) : actual), what + ": " + expected + " vs " + actual);
    }

    @Test
    void binaryOperationsWithEveryStridePattern() {
        Random rnd = new Random(1);
        BinaryOp[] ops = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX, BinaryOp.MIN,
                BinaryOp.POW, BinaryOp.GT};
        for (int n : LENGTHS) {
            double[] a = values(rnd, n), b = values(rnd, n);
            float[] af = f(a), bf = f(b);
            for (BinaryOp op : ops) {
                for (int as = 0; as <= 1; as++) {
                    for (int bs = 0; bs <= 1; bs++) {
                        double[] out = new double[n + 2];
                        float[] outF = new float[n + 2];
                        ElementwiseF64.binary(op, a, 1, as, b, 2, bs, out, 1, n);
                        ElementwiseF32.binary(op, af, 1, as, bf, 2, bs, outF, 1, n);
                        for (int i = 0; i < n; i++) {
                            double x = a[1 + i * as], y = b[2 + i * bs];
                            same(ElementwiseF64.apply(op, x, y), out[1 + i], "f64 op " + op + " n=" + n + " i=" + i);
                            same(ElementwiseF32.apply(op, (float) x, (float) y), outF[1 + i], "f32 op " + op + " n=" + n + " i=" + i);
                        }
                        assertEquals(0.0, out[0]);
                        assertEquals(0.0, out[n + 1]);
                    }
                }
            }
        }
    }

    /** A row vector added to every row of a block, with offsets, vector body and tail, in place and not. */
    @Test
    void addRowsEqualsTheElementwiseSum() {
        Random rnd = new Random(5);
        for (int cols : LENGTHS) {
            for (int rows : new int[] {0, 1, 3}) {
                double[] a = values(rnd, rows * cols + 3), v = values(rnd, cols + 1);
                float[] af = f(a), vf = f(v);
                double[] out = new double[rows * cols + 2];
                float[] outF = new float[rows * cols + 2];
                ElementwiseF64.addRows(a, 3, v, 1, out, 2, rows, cols);
                ElementwiseF32.addRows(af, 3, vf, 1, outF, 2, rows, cols);
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < cols; j++) {
                        assertEquals(a[3 + r * cols + j] + v[1 + j], out[2 + r * cols + j], 0, "f64 row " + r + " col " + j);
                        assertEquals(af[3 + r * cols + j] + vf[1 + j], outF[2 + r * cols + j], 0, "f32 row " + r + " col " + j);
                    }
                }
                assertEquals(0, out[0]);
                assertEquals(0, out[1]);
                double[] inPlace = a.clone();
                ElementwiseF64.addRows(inPlace, 3, v, 1, inPlace, 3, rows, cols);
                for (int i = 0; i < rows * cols; i++) assertEquals(a[3 + i] + v[1 + i % cols], inPlace[3 + i], 0);
            }
        }
    }

    @Test
    void unaryOperations() {
        Random rnd = new Random(2);
        UnaryOp[] ops = {UnaryOp.NEG, UnaryOp.RELU, UnaryOp.STEP, UnaryOp.SQUARE, UnaryOp.ABS,
                UnaryOp.SQRT, UnaryOp.RECIPROCAL, UnaryOp.SIGN};
        for (int n : LENGTHS) {
            double[] a = values(rnd, n);
            float[] af = f(a);
            for (UnaryOp op : ops) {
                double[] out = new double[n + 1];
                float[] outF = new float[n + 1];
                ElementwiseF64.unary(op, a, 2, out, 1, n);
                ElementwiseF32.unary(op, af, 2, outF, 1, n);
                for (int i = 0; i < n; i++) {
                    same(ElementwiseF64.apply(op, a[2 + i]), out[1 + i], "f64 op " + op + " i=" + i);
                    same(ElementwiseF32.apply(op, af[2 + i]), outF[1 + i], "f32 op " + op + " i=" + i);
                }
            }
        }
    }

    @Test
    void linearCombinationMaskAndAccumulateKernels() {
        Random rnd = new Random(3);
        for (int n : LENGTHS) {
            double[] a = values(rnd, n), b = values(rnd, n), y = values(rnd, n);
            double[] out = new double[n];
            ElementwiseF64.axpby(0.75, a, 1, -2.5, b, 2, out, 0, n);
            double[] masked = new double[n];
            ElementwiseF64.maskPositive(a, 0, y, 1, masked, 0, n);
            double[] acc = b.clone();
            ReduceF64.accumulate(a, 1, acc, 0, n);
            for (int i = 0; i < n; i++) {
                same(0.75 * a[1 + i] + -2.5 * b[2 + i], out[i], "axpby i=" + i);
                same(y[1 + i] > 0 ? a[i] : 0, masked[i], "maskPositive i=" + i);
                same(b[i] + a[1 + i], acc[i], "accumulate i=" + i);
            }
        }
    }
}
