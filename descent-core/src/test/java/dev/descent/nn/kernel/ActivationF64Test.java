package dev.descent.nn.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.tensor.kernel.UnaryOp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ActivationF64#mulActivationDerivative} against its scalar definition, element by element
 * and exactly (each lane performs the scalar operations; no fused multiply-add), at lengths that
 * put elements in the vector body, the tail or both, with ±0, ±∞, NaN and errors below the flush
 * threshold among the inputs. The float32 twin of this test is generated with the kernel's.
 */
class ActivationF64Test {
    private static final int[] LENGTHS = {0, 1, 5, 16, 37, 200};

    private static double[] values(Random rnd, int n) {
        double[] special = {(double) 0.0, (double) -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
            (double) 1e-30, (double) -3.5};
        double[] v = new double[n + 3];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(6) == 0 ? special[rnd.nextInt(special.length)] : (double) (4 * rnd.nextGaussian());
        return v;
    }

    private static void same(double expected, double actual, String what) { // @KeepDouble: widening is exact
        assertEquals(Double.doubleToLongBits(expected == 0 && actual == 0 ? Math.abs(expected) : expected), // @KeepDouble
                Double.doubleToLongBits(expected == 0 && actual == 0 ? Math.abs(actual) : actual), what + ": " + expected + " vs " + actual); // @KeepDouble
    }

    @Test
    void derivativeProductMatchesItsScalarDefinition() {
        Random rnd = new Random(3);
        for (int n : LENGTHS) {
            double[] a = values(rnd, n), b = values(rnd, n), y = values(rnd, n);
            for (UnaryOp op : new UnaryOp[] {UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.RELU}) {
                for (boolean withB : new boolean[] {false, true}) {
                    double[] out = new double[n];
                    ActivationF64.mulActivationDerivative(op, a, 0, withB ? b : null, 1, y, 2, out, 0, n);
                    for (int i = 0; i < n; i++) {
                        double g = withB ? a[i] + b[1 + i] : a[i], yi = y[2 + i];
                        double e = op == UnaryOp.TANH ? g * (1 - yi * yi) : op == UnaryOp.SIGMOID ? g * (yi * (1 - yi)) : yi > 0 ? g : 0;
                        if (Math.abs(e) < ActivationF64.FLUSH_BELOW) e = 0;
                        same(e, out[i], "derivative op " + op + " i=" + i);
                    }
                }
            }
        }
    }

    /**
     * Exactly the errors below {@link ActivationF64#FLUSH_BELOW} become zero, in the vector body and
     * the tail, whatever their sign; the threshold itself and everything above it pass unchanged;
     * and a product with a weight of magnitude 2⁻⁴⁰ of the smallest error that survives is a normal number.
     */
    @Test
    void flushesExactlyTheErrorsBelowTheThreshold() {
        double t = ActivationF64.FLUSH_BELOW;
        double below = Math.nextDown(t);
        double[] a = new double[37], y = new double[37], out = new double[37];
        for (int i = 0; i < a.length; i++) a[i] = (i % 4 == 0 ? below : i % 4 == 1 ? -below : i % 4 == 2 ? t : -t);
        ActivationF64.mulActivationDerivative(UnaryOp.TANH, a, 0, null, 0, y, 0, out, 0, a.length); // y = 0: σ' = 1
        for (int i = 0; i < a.length; i++) same(i % 4 < 2 ? 0 : a[i], out[i], "element " + i);
        assertEquals(true, Math.abs(t * (double) 0x1p-40f) >= Double.MIN_NORMAL, "threshold times 2^-40 is normal");
    }
}
