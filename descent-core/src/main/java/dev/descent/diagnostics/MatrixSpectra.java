package dev.descent.diagnostics;

import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Spectral quantities of weight matrices: the exact spectral norm ‖A‖ = σ_max(A) by a dense
 * SVD (EJML), and λ1(AᵀA) = ‖A‖² by power iteration, the matrix-free way that also scales to
 * large W.
 */
public final class MatrixSpectra {
    private MatrixSpectra() {}

    /** Default relative residual tolerance of {@link #gramLargestEigenvalue}. */
    public static final double DEFAULT_TOLERANCE = 1e-12;
    /** Default iteration cap of {@link #gramLargestEigenvalue}. */
    public static final int DEFAULT_MAX_ITERATIONS = 20_000;

    /**
     * The outcome of power iteration on AᵀA.
     *
     * @param value the Rayleigh quotient vᵀAᵀAv = ‖Av‖² at the last unit iterate v
     * @param iterations matrix-vector products with AᵀA performed
     * @param relativeResidual ‖AᵀAv − value·v‖ / value (0 when value is 0)
     * @param converged whether the residual reached the tolerance before the iteration cap
     */
    public record PowerIterationResult(double value, int iterations, double relativeResidual, boolean converged) {}

    /**
     * The exact spectral norm σ_max of a rank-2 tensor from EJML's singular values (float64
     * arithmetic whatever the tensor's dtype). 0 for an empty matrix.
     */
    public static double spectralNorm(Tensor a) {
        if (a.rank() != 2) throw new IllegalArgumentException("spectralNorm: need a matrix, got shape " + a.shape());
        return spectralNorm(a.toDoubleArray(), a.dim(0), a.dim(1));
    }

    /** The exact spectral norm of a row-major {@code rows × cols} matrix (the array is not modified). */
    public static double spectralNorm(double[] rowMajor, int rows, int cols) {
        if (rowMajor.length != rows * cols) {
            throw new IllegalArgumentException("spectralNorm: " + rowMajor.length + " values for a " + rows + " x " + cols + " matrix");
        }
        if (rows == 0 || cols == 0) return 0;
        return new SpectralNormWorkspace(rows, cols).norm(rowMajor);
    }

    /**
     * Reusable buffers and decomposition for many spectral norms of one matrix size (gradient
     * flow takes T + 1 of them per pass). Values-only SVD (Golub–Kahan bidiagonalisation, about
     * 8/3·n³ flops for n × n); not thread-safe.
     */
    static final class SpectralNormWorkspace {
        private final int rows, cols;
        private final DMatrixRMaj buffer;
        private final SingularValueDecomposition_F64<DMatrixRMaj> svd;

        SpectralNormWorkspace(int rows, int cols) {
            this.rows = rows;
            this.cols = cols;
            this.buffer = new DMatrixRMaj(rows, cols);
            this.svd = DecompositionFactory_DDRM.svd(rows, cols, false, false, true);
        }

        /** σ_max of a row-major matrix of this workspace's size (the array is not modified). */
        double norm(double[] rowMajor) {
            System.arraycopy(rowMajor, 0, buffer.data, 0, rows * cols);
            if (!svd.decompose(buffer)) throw new ArithmeticException("spectralNorm: SVD of a " + rows + " x " + cols + " matrix did not converge");
            double[] sv = svd.getSingularValues();
            double max = 0;
            for (int i = 0; i < svd.numberOfSingularValues(); i++) max = Math.max(max, sv[i]);
            return max;
        }

        /** σ_max of a tensor of this workspace's size, any dtype. */
        double norm(Tensor t) {
            if (t.rank() != 2 || t.dim(0) != rows || t.dim(1) != cols) {
                throw new IllegalArgumentException("spectralNorm: workspace for " + rows + " x " + cols + " got shape " + t.shape());
            }
            double[] d = t.rawF64();
            return norm(d != null ? d : t.toDoubleArray());
        }
    }

    /** λ1(AᵀA) by power iteration with the default tolerance and cap; see the full overload. */
    public static PowerIterationResult gramLargestEigenvalue(Tensor a, long seed) {
        return gramLargestEigenvalue(a, DEFAULT_TOLERANCE, DEFAULT_MAX_ITERATIONS, seed);
    }

    /**
     * λ1(AᵀA) = ‖A‖² by power iteration: v ← AᵀA v / ‖AᵀA v‖ from a random start (seeded), with
     * the Rayleigh quotient θ = ‖Av‖² as the estimate. It stops when the residual
     * r = ‖AᵀAv − θv‖ ≤ tolerance·θ; for a symmetric matrix some eigenvalue lies within r of θ
     * (and the error is about r²/gap once the start has a component along the top eigenvector,
     * which a random start has with probability one). The error after k steps falls like
     * (λ2/λ1)^{2k}, so a tiny gap between the two largest singular values makes it slow: the
     * result says whether it converged rather than hiding it.
     *
     * @param a an [m, n] matrix
     * @param tolerance relative residual at which to stop, in (0, 1)
     * @param maxIterations iteration cap, ≥ 1
     * @param seed seed of the random start vector
     */
    public static PowerIterationResult gramLargestEigenvalue(Tensor a, double tolerance, int maxIterations, long seed) {
        if (a.rank() != 2) throw new IllegalArgumentException("gramLargestEigenvalue: need a matrix, got shape " + a.shape());
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("gramLargestEigenvalue: tolerance must be in (0, 1), got " + tolerance);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("gramLargestEigenvalue: maxIterations must be >= 1, got " + maxIterations);
        }
        int m = a.dim(0), n = a.dim(1);
        if (m == 0 || n == 0) return new PowerIterationResult(0, 0, 0, true);
        double[] am = a.toDoubleArray();
        Rng rng = new Rng(seed);
        double[] v = new double[n], av = new double[m], w = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextGaussian();
        scaleToUnit(v);
        double residual = Double.POSITIVE_INFINITY;
        int it = 0;
        while (it < maxIterations) {
            it++;
            gram(am, m, n, v, av, w);
            double theta = dot(av, av, m);
            if (theta == 0) return new PowerIterationResult(0, it, 0, true); // A v = 0 for a random v: A = 0 almost surely
            double r2 = 0;
            for (int i = 0; i < n; i++) {
                double d = w[i] - theta * v[i];
                r2 += d * d;
            }
            residual = Math.sqrt(r2) / theta;
            System.arraycopy(w, 0, v, 0, n);
            scaleToUnit(v);
            if (residual <= tolerance) break;
        }
        // v was advanced once more after the last residual check; for a positive semi-definite
        // matrix the Rayleigh quotients of power iterates never decrease, so use the newest one.
        gram(am, m, n, v, av, w);
        return new PowerIterationResult(dot(av, av, m), it, residual, residual <= tolerance);
    }

    /** av = A v, w = Aᵀ(A v). */
    private static void gram(double[] a, int m, int n, double[] v, double[] av, double[] w) {
        for (int i = 0; i < m; i++) {
            double s = 0;
            int row = i * n;
            for (int j = 0; j < n; j++) s += a[row + j] * v[j];
            av[i] = s;
        }
        java.util.Arrays.fill(w, 0);
        for (int i = 0; i < m; i++) {
            double s = av[i];
            int row = i * n;
            for (int j = 0; j < n; j++) w[j] += a[row + j] * s;
        }
    }

    static double dot(double[] x, double[] y, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[i] * y[i];
        return s;
    }

    private static void scaleToUnit(double[] v) {
        double norm = Math.sqrt(dot(v, v, v.length));
        for (int i = 0; i < v.length; i++) v[i] /= norm;
    }
}
