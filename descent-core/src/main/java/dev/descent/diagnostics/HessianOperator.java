package dev.descent.diagnostics;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.Params;
import java.util.Objects;
import java.util.function.Function;

/**
 * A symmetric matrix known only through its products with vectors: the Hessian H of a loss at
 * a point, {@code v ↦ H v}, over the flattened parameter vector (the order of
 * {@link Params#flatten()}). This is the oracle the spectrum methods of
 * {@link HessianSpectrum} run on; H is never formed.
 *
 * <p>Implement it directly to analyse another curvature matrix (a Gauss-Newton matrix, a
 * Fisher, a test matrix).
 */
public interface HessianOperator {
    /** n, the number of parameters. */
    int dimension();

    /** H v for a vector of length n (v is not modified; the result is a new array). */
    double[] multiply(double[] v);

    /**
     * The Hessian of {@code loss} at {@code params}, one forward-over-reverse pass per product
     * ({@link Autodiff#hvp}). Products are computed in the parameters' dtype: float32 parameters
     * give float32-accurate products.
     */
    static HessianOperator of(Function<VarParams, Var> loss, Params params) {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(params, "params");
        int n = Math.toIntExact(params.elementCount());
        return new HessianOperator() {
            @Override public int dimension() { return n; }
            @Override public double[] multiply(double[] v) {
                if (v.length != n) throw new IllegalArgumentException("hessian: vector of length " + v.length + " for " + n + " parameters");
                return Autodiff.hvp(loss, params, params.unflatten(v)).flatten();
            }
        };
    }

    /** A dense symmetric matrix as an operator (tests and small models). Rows are not copied. */
    static HessianOperator ofDense(double[][] matrix) {
        int n = matrix.length;
        for (int i = 0; i < n; i++) {
            if (matrix[i].length != n) {
                throw new IllegalArgumentException("hessian: row " + i + " has " + matrix[i].length + " entries, matrix is " + n + " x " + n);
            }
        }
        return new HessianOperator() {
            @Override public int dimension() { return n; }
            @Override public double[] multiply(double[] v) {
                if (v.length != n) throw new IllegalArgumentException("hessian: vector of length " + v.length + " for " + n + " parameters");
                double[] out = new double[n];
                for (int i = 0; i < n; i++) out[i] = MatrixSpectra.dot(matrix[i], v, n);
                return out;
            }
        };
    }
}
