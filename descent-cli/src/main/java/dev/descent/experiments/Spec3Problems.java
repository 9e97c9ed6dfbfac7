package dev.descent.experiments;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;

/** Test functions and small numerical helpers shared by the §3 experiments. */
final class Spec3Problems {
    private Spec3Problems() {}

    /**
     * A random symmetric matrix with exactly the given eigenvalues (up to rounding):
     * Q diag(λ) Qᵀ with Q = {@link #orthogonal}.
     */
    static Tensor symmetric(Rng rng, double[] eigenvalues) {
        int n = eigenvalues.length;
        Tensor q = orthogonal(rng, n);
        return q.mul(Tensor.of(eigenvalues, 1, n)).matmul(q, false, true);
    }

    /**
     * A random n×n orthogonal matrix: the product of two Householder reflections I − 2vvᵀ/vᵀv
     * with random v (not Haar-distributed, which nothing here needs).
     */
    static Tensor orthogonal(Rng rng, int n) {
        return reflection(rng, n).matmul(reflection(rng, n));
    }

    private static Tensor reflection(Rng rng, int n) {
        Tensor v = rng.normal(DType.F64, 0, 1, n, 1);
        return Tensor.eye(DType.F64, n).sub(v.matmul(v, false, true).mul(2 / v.dot(v)));
    }

    /** f(x) = ½ (x − c)ᵀ A (x − c) + f* for the column vector x = {@code params.get("x")}. */
    static Function<VarParams, Var> quadratic(Tensor a, Tensor c, double minimum) {
        Var matrix = Var.constant(a), centre = Var.constant(c);
        return p -> {
            Var d = p.get("x").sub(centre);
            return d.matmul(matrix.matmul(d), true, false).sum().mul(0.5).add(minimum);
        };
    }

    /** The least-squares slope of y against x. */
    static double leastSquaresSlope(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }

    /** n values spaced evenly in log from lo to hi. */
    static double[] logSpaced(double lo, double hi, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = lo * Math.pow(hi / lo, n == 1 ? 0 : i / (double) (n - 1));
        return out;
    }
}
