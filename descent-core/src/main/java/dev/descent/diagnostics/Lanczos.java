package dev.descent.diagnostics;

import dev.descent.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The symmetric Lanczos process with full reorthogonalisation (Golub &amp; Van Loan, Matrix
 * Computations, §10.1; Paige 1971): builds an orthonormal basis Q of the Krylov space of H and
 * the tridiagonal T = QᵀHQ, one Hessian-vector product per step.
 *
 * <p>Every new vector is orthogonalised against the whole basis twice ("twice is enough",
 * Kahan/Parlett), which prevents the ghost copies of converged eigenvalues that plain Lanczos
 * produces in floating point; the price is keeping the basis, m·n doubles.
 *
 * <p>When a step finds an invariant subspace (β ≈ 0) the process either stops
 * ({@code restartOnBreakdown = false}: the quadrature of SLQ is then exact) or continues from a
 * fresh random vector orthogonal to the basis, so that eigenvalues outside the Krylov space of
 * the first start (e.g. further copies of a repeated eigenvalue) are still found.
 */
final class Lanczos {
    /** β below this fraction of the largest coefficient seen counts as a breakdown. */
    private static final double BREAKDOWN = 1e-12;

    private final HessianOperator op;
    private final int n;
    private final Rng rng;
    private final boolean restartOnBreakdown;
    private final List<double[]> basis = new ArrayList<>();
    private final List<Double> alpha = new ArrayList<>(), beta = new ArrayList<>();
    private double scale;
    private boolean finished;
    private boolean lastStepRestarted;
    private int blockStart;

    Lanczos(HessianOperator op, double[] start, Rng rng, boolean restartOnBreakdown) {
        this.op = op;
        this.n = op.dimension();
        this.rng = rng;
        this.restartOnBreakdown = restartOnBreakdown;
        if (start.length != n) throw new IllegalArgumentException("lanczos: start vector of length " + start.length + " for dimension " + n);
        double norm = Math.sqrt(MatrixSpectra.dot(start, start, n));
        if (!(norm > 0) || Double.isInfinite(norm)) throw new IllegalArgumentException("lanczos: start vector must be non-zero and finite");
        double[] q = start.clone();
        for (int i = 0; i < n; i++) q[i] /= norm;
        basis.add(q);
    }

    /** Steps taken (the size of T). */
    int size() {
        return alpha.size();
    }

    /** Whether no further step is possible (basis complete, or breakdown without restart). */
    boolean finished() {
        return finished;
    }

    /** Whether the last step hit an invariant subspace and restarted (so T is block diagonal there). */
    boolean lastStepRestarted() {
        return lastStepRestarted;
    }

    /** Index in T where the current block begins (0 unless a breakdown restarted the process). */
    int blockStart() {
        return blockStart;
    }

    /** The last off-diagonal coefficient β_m (0 after a breakdown), which scales every Ritz residual. */
    double lastBeta() {
        return beta.isEmpty() ? 0 : beta.get(beta.size() - 1);
    }

    /** One Lanczos step: one product with H. */
    void step() {
        if (finished) throw new IllegalStateException("lanczos: no further step possible");
        int j = alpha.size();
        double[] q = basis.get(j);
        double[] w = op.multiply(q);
        if (w.length != n) throw new IllegalStateException("lanczos: operator returned " + w.length + " values for dimension " + n);
        double a = MatrixSpectra.dot(q, w, n);
        for (int i = 0; i < n; i++) w[i] -= a * q[i];
        if (j > 0) {
            double b = beta.get(j - 1);
            double[] prev = basis.get(j - 1);
            for (int i = 0; i < n; i++) w[i] -= b * prev[i];
        }
        orthogonalise(w);
        alpha.add(a);
        double b = Math.sqrt(MatrixSpectra.dot(w, w, n));
        scale = Math.max(scale, Math.max(Math.abs(a), b));
        lastStepRestarted = false;
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw new ArithmeticException("lanczos: non-finite Hessian-vector product at step " + (j + 1));
        }
        if (basis.size() == n) {
            beta.add(b);
            finished = true;
            return;
        }
        if (b > BREAKDOWN * scale) {
            for (int i = 0; i < n; i++) w[i] /= b;
            beta.add(b);
            basis.add(w);
            return;
        }
        beta.add(0.0);
        if (!restartOnBreakdown) {
            finished = true;
            return;
        }
        double[] fresh = new double[n];
        for (int i = 0; i < n; i++) fresh[i] = rng.nextGaussian();
        orthogonalise(fresh);
        double norm = Math.sqrt(MatrixSpectra.dot(fresh, fresh, n));
        if (!(norm > 1e-8)) { // the basis already spans (numerically) everything
            finished = true;
            return;
        }
        for (int i = 0; i < n; i++) fresh[i] /= norm;
        basis.add(fresh);
        lastStepRestarted = true;
        blockStart = alpha.size();
    }

    /** w minus its projection on the basis, twice. */
    private void orthogonalise(double[] w) {
        for (int pass = 0; pass < 2; pass++) {
            for (double[] q : basis) {
                double c = MatrixSpectra.dot(q, w, n);
                for (int i = 0; i < n; i++) w[i] -= c * q[i];
            }
        }
    }

    /** Eigen-decomposition of the current T (m × m): values ascending, vectors as columns y[i][k] = component i of vector k. */
    record Ritz(double[] values, double[][] vectors) {}

    Ritz ritz() {
        int m = alpha.size();
        DMatrixRMaj t = new DMatrixRMaj(m, m);
        for (int i = 0; i < m; i++) {
            t.set(i, i, alpha.get(i));
            if (i + 1 < m) {
                t.set(i, i + 1, beta.get(i));
                t.set(i + 1, i, beta.get(i));
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m, true, true);
        if (!eig.decompose(t)) throw new ArithmeticException("lanczos: eigen-decomposition of the " + m + " x " + m + " tridiagonal failed");
        Integer[] order = new Integer[m];
        double[] raw = new double[m];
        for (int k = 0; k < m; k++) {
            order[k] = k;
            raw[k] = eig.getEigenvalue(k).getReal();
        }
        Arrays.sort(order, (x, y) -> Double.compare(raw[x], raw[y]));
        double[] values = new double[m];
        double[][] vectors = new double[m][m];
        for (int k = 0; k < m; k++) {
            values[k] = raw[order[k]];
            DMatrixRMaj v = eig.getEigenVector(order[k]);
            for (int i = 0; i < m; i++) vectors[i][k] = v.get(i, 0);
        }
        return new Ritz(values, vectors);
    }

    /** The Ritz vector Q y for the eigenvector y (length m) of T. */
    double[] ritzVector(double[][] vectors, int k) {
        double[] x = new double[n];
        int m = alpha.size();
        for (int i = 0; i < m; i++) {
            double c = vectors[i][k];
            double[] q = basis.get(i);
            for (int p = 0; p < n; p++) x[p] += c * q[p];
        }
        return x;
    }
}
