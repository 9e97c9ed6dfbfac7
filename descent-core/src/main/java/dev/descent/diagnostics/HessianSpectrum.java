package dev.descent.diagnostics;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * The Hessian's spectrum from Hessian-vector products only: extreme eigenvalues by Lanczos with
 * full reorthogonalisation, Hutchinson's trace estimate with its standard error, and the
 * spectral density by stochastic Lanczos quadrature (SLQ). Each Hessian-vector product costs
 * about two to three gradient evaluations (forward-over-reverse); the figures measured for a
 * training step are in the package documentation.
 *
 * <p>All methods take a {@link HessianOperator}; the overloads with a loss and parameters build
 * {@link HessianOperator#of}. Randomness (start vectors, probes) comes from the given seed, so
 * results are reproducible.
 */
public final class HessianSpectrum {
    private HessianSpectrum() {}

    /** Default relative residual tolerance for {@link #eigenvalues}. */
    public static final double DEFAULT_TOLERANCE = 1e-8;

    /**
     * Options of stochastic Lanczos quadrature.
     *
     * @param probes random probe vectors, ≥ 1 (the estimate's variance falls as 1/probes)
     * @param lanczosSteps Lanczos steps per probe, ≥ 1 (capped at n; more steps resolve more of the spectrum)
     * @param relativeBroadening σ as a fraction of the span of the nodes (of max |node| when they
     *     coincide, of 1 when all are 0), in (0, 1]
     * @param gridPoints points of the tabulated density, ≥ 2; the grid spacing must not exceed σ/2
     *     (so that the trapezoidal rule integrates the Gaussians to ~1e-15)
     */
    public record SlqOptions(int probes, int lanczosSteps, double relativeBroadening, int gridPoints) {
        /** 10 probes, 80 steps, σ = 1% of the span, 1024 grid points. */
        public static final SlqOptions DEFAULT = new SlqOptions(10, 80, 0.01, 1024);

        /** Validates the options. */
        public SlqOptions {
            if (probes < 1) throw new IllegalArgumentException("slq: probes must be >= 1, got " + probes);
            if (lanczosSteps < 1) throw new IllegalArgumentException("slq: lanczosSteps must be >= 1, got " + lanczosSteps);
            if (!(relativeBroadening > 0 && relativeBroadening <= 1)) {
                throw new IllegalArgumentException("slq: relativeBroadening must be in (0, 1], got " + relativeBroadening);
            }
            if (gridPoints < 2) throw new IllegalArgumentException("slq: gridPoints must be >= 2, got " + gridPoints);
        }
    }

    /** The k largest Hessian eigenvalues of {@code loss} at {@code params}, at most 3k + 30 Lanczos steps, tolerance 1e-8. */
    public static HessianEigenpairs topEigenvalues(Function<VarParams, Var> loss, Params params, int k, long seed) {
        HessianOperator op = HessianOperator.of(loss, params);
        return eigenvalues(op, k, EigenvalueOrder.LARGEST, 3 * k + 30, DEFAULT_TOLERANCE, seed);
    }

    /**
     * k extreme eigenvalues of a symmetric operator by the Lanczos process with full
     * reorthogonalisation (Lanczos 1950; Golub &amp; Van Loan §10.1), started from a seeded random
     * vector. After each step the tridiagonal T_m is diagonalised; the Ritz pair (θ, x = Q y) has
     * residual ‖Hx − θx‖ = |β_m y_m|, and the process stops when the k selected pairs all have
     * residual ≤ tolerance·max|θ|, or after {@code maxSteps} products (capped at n, where T is
     * exact). When a step finds an invariant subspace the process restarts from a random vector
     * orthogonal to the basis (so repeated eigenvalues are found with their multiplicity) and does
     * not stop before the new block's extreme Ritz value has converged too.
     *
     * <p>Limitation (shared by every single-vector Krylov method): in exact arithmetic the Krylov
     * space of one start vector holds one eigenvector per distinct eigenvalue, so an eigenvalue of
     * multiplicity r &gt; 1 is reported r times only when a breakdown exposes the further copies
     * before the selected Ritz values converge; otherwise it is reported once, and the next
     * distinct value takes the remaining places. Exact multiplicities are rare in a trained
     * model's Hessian away from its null space; use a block method if they matter.
     *
     * <p>Memory: the basis, maxSteps·n doubles.
     *
     * @param op the Hessian
     * @param k how many eigenvalues, 1 ≤ k ≤ n
     * @param order which end of the spectrum
     * @param maxSteps Lanczos steps (Hessian-vector products) at most, ≥ k
     * @param tolerance relative residual, in (0, 1)
     * @param seed seed of the start vector
     */
    public static HessianEigenpairs eigenvalues(HessianOperator op, int k, EigenvalueOrder order, int maxSteps,
                                                double tolerance, long seed) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(order, "order");
        int n = op.dimension();
        if (k < 1 || k > n) throw new IllegalArgumentException("eigenvalues: k must be in [1, " + n + "], got " + k);
        if (maxSteps < k) throw new IllegalArgumentException("eigenvalues: maxSteps must be >= k = " + k + ", got " + maxSteps);
        if (!(tolerance > 0 && tolerance < 1)) throw new IllegalArgumentException("eigenvalues: tolerance must be in (0, 1), got " + tolerance);
        Rng rng = new Rng(seed);
        double[] start = new double[n];
        for (int i = 0; i < n; i++) start[i] = rng.nextGaussian();
        Lanczos lanczos = new Lanczos(op, start, rng, true);
        int cap = Math.min(maxSteps, n);
        Lanczos.Ritz ritz = null;
        int[] chosen = null;
        boolean converged = false;
        while (lanczos.size() < cap && !lanczos.finished()) {
            lanczos.step();
            if (lanczos.size() < k) continue;
            ritz = lanczos.ritz();
            chosen = select(ritz.values(), order, k);
            if (lanczos.lastStepRestarted()) continue;
            converged = ritzConverged(lanczos, ritz, chosen, order, tolerance);
            if (converged) break;
        }
        if (ritz == null || ritz.values().length != lanczos.size()) {
            ritz = lanczos.ritz();
            chosen = select(ritz.values(), order, k);
        }
        int m = lanczos.size();
        double[] values = new double[k], residuals = new double[k];
        double[][] vectors = new double[k][];
        for (int i = 0; i < k; i++) {
            int c = chosen[i];
            values[i] = ritz.values()[c];
            residuals[i] = Math.abs(lanczos.lastBeta() * ritz.vectors()[m - 1][c]);
            vectors[i] = lanczos.ritzVector(ritz.vectors(), c);
        }
        if (!converged) {
            // Complete Krylov space (m = n): T is H in another basis, so the Ritz values are exact.
            converged = m == n || ritzConverged(lanczos, ritz, chosen, order, tolerance);
        }
        return new HessianEigenpairs(order, values, residuals, vectors, m, converged);
    }

    private static int[] select(double[] values, EigenvalueOrder order, int k) {
        Integer[] idx = new Integer[values.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> order.compare(values[a], values[b]));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = idx[i];
        return out;
    }

    private static boolean ritzConverged(Lanczos lanczos, Lanczos.Ritz ritz, int[] chosen, EigenvalueOrder order, double tol) {
        double[] theta = ritz.values();
        double[][] y = ritz.vectors();
        int m = theta.length;
        double scale = 0;
        for (double t : theta) scale = Math.max(scale, Math.abs(t));
        double limit = tol * Math.max(scale, Double.MIN_NORMAL);
        double beta = Math.abs(lanczos.lastBeta());
        for (int c : chosen) if (beta * Math.abs(y[m - 1][c]) > limit) return false;
        int block = lanczos.blockStart();
        if (block > 0) {
            // The newest block (after a restart) must have found its own extreme value before we stop.
            int best = -1;
            for (int c = 0; c < m; c++) {
                double mass = 0;
                for (int i = block; i < m; i++) mass += y[i][c] * y[i][c];
                if (mass > 0.5 && (best < 0 || order.compare(theta[c], theta[best]) < 0)) best = c;
            }
            if (best >= 0 && beta * Math.abs(y[m - 1][best]) > limit) return false;
        }
        return true;
    }

    /** Hutchinson's trace estimate of the Hessian of {@code loss} at {@code params}. */
    public static TraceEstimate trace(Function<VarParams, Var> loss, Params params, int probes, long seed) {
        return trace(HessianOperator.of(loss, params), probes, seed);
    }

    /**
     * Hutchinson's estimate tr(H) ≈ (1/p) Σ z_iᵀ H z_i with Rademacher probes z_i (Hutchinson
     * 1990; Rademacher probes minimise the per-probe variance among i.i.d. entries, Avron &amp;
     * Toledo 2011), with standard error s/√p from the sample standard deviation s. One
     * Hessian-vector product per probe.
     *
     * @param probes p ≥ 2 (the standard error needs two samples)
     */
    public static TraceEstimate trace(HessianOperator op, int probes, long seed) {
        Objects.requireNonNull(op, "op");
        if (probes < 2) throw new IllegalArgumentException("trace: probes must be >= 2 for a standard error, got " + probes);
        int n = op.dimension();
        Rng rng = new Rng(seed);
        double[] z = new double[n];
        double mean = 0, m2 = 0;
        for (int p = 1; p <= probes; p++) {
            rademacher(rng, z, 1);
            double s = MatrixSpectra.dot(z, op.multiply(z), n);
            // Welford's update: numerically stable mean and sum of squared deviations.
            double d = s - mean;
            mean += d / p;
            m2 += d * (s - mean);
        }
        return new TraceEstimate(mean, Math.sqrt(m2 / (probes - 1) / probes), probes);
    }

    /** The spectral density of the Hessian of {@code loss} at {@code params}. */
    public static SpectralDensity density(Function<VarParams, Var> loss, Params params, SlqOptions options, long seed) {
        return density(HessianOperator.of(loss, params), options, seed);
    }

    /**
     * The spectral density by stochastic Lanczos quadrature (see {@link SpectralDensity}):
     * {@code probes} Rademacher probes scaled to unit length, each run through
     * min(lanczosSteps, n) Lanczos steps with full reorthogonalisation (stopping early, with an
     * exact rule, when the probe's Krylov space is invariant). Its mean Σ w_k θ_k equals
     * (1/p) Σ v_iᵀHv_i = (Hutchinson estimate with the same probes)/n exactly, because
     * Σ_k τ_k θ_k = (T_m)_{11} = vᵀHv. Costs probes·lanczosSteps Hessian-vector products.
     */
    public static SpectralDensity density(HessianOperator op, SlqOptions options, long seed) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(options, "options");
        int n = op.dimension();
        Rng rng = new Rng(seed);
        int steps = Math.min(options.lanczosSteps(), n);
        double[] nodes = new double[options.probes() * steps], weights = new double[nodes.length];
        int count = 0;
        for (int p = 0; p < options.probes(); p++) {
            double[] v = new double[n];
            rademacher(rng, v, 1 / Math.sqrt(n));
            Lanczos lanczos = new Lanczos(op, v, rng, false);
            while (lanczos.size() < steps && !lanczos.finished()) lanczos.step();
            Lanczos.Ritz ritz = lanczos.ritz();
            for (int k = 0; k < ritz.values().length; k++) {
                double first = ritz.vectors()[0][k];
                nodes[count] = ritz.values()[k];
                weights[count] = first * first / options.probes();
                count++;
            }
        }
        nodes = Arrays.copyOf(nodes, count);
        weights = Arrays.copyOf(weights, count);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, maxAbs = 0;
        for (double t : nodes) {
            lo = Math.min(lo, t);
            hi = Math.max(hi, t);
            maxAbs = Math.max(maxAbs, Math.abs(t));
        }
        double span = hi > lo ? hi - lo : (maxAbs > 0 ? maxAbs : 1);
        double sigma = options.relativeBroadening() * span;
        double from = lo - 8 * sigma, to = hi + 8 * sigma;
        int points = options.gridPoints();
        double spacing = (to - from) / (points - 1);
        if (spacing > sigma / 2) {
            int needed = (int) Math.ceil((to - from) / (sigma / 2)) + 1;
            throw new IllegalArgumentException("slq: " + points + " grid points give spacing " + spacing
                    + " > sigma/2 = " + sigma / 2 + "; use at least " + needed + " points or a larger relativeBroadening");
        }
        double[] grid = new double[points], density = new double[points];
        double norm = 1 / (sigma * Math.sqrt(2 * Math.PI)), inv = 1 / (2 * sigma * sigma);
        for (int j = 0; j < points; j++) {
            double x = from + j * spacing;
            grid[j] = x;
            double s = 0;
            for (int k = 0; k < count; k++) {
                double d = x - nodes[k];
                s += weights[k] * Math.exp(-d * d * inv);
            }
            density[j] = s * norm;
        }
        return new SpectralDensity(nodes, weights, sigma, grid, density);
    }

    private static void rademacher(Rng rng, double[] z, double magnitude) {
        for (int i = 0; i < z.length; i += 64) {
            long bits = rng.nextLong();
            for (int b = 0; b < 64 && i + b < z.length; b++) z[i + b] = ((bits >>> b) & 1) == 0 ? magnitude : -magnitude;
        }
    }
}
