package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An estimate of the spectral density φ(λ) = (1/n) Σ_i δ(λ − λ_i) of a Hessian by stochastic
 * Lanczos quadrature (Ubaru, Chen &amp; Saad 2017; Ghorbani, Krishnan &amp; Xiao 2019, "An
 * Investigation into Neural Net Optimization via Hessian Eigenvalue Density").
 *
 * <p>For each unit probe v, m Lanczos steps from v give T_m = Y Θ Yᵀ; the nodes θ_k with weights
 * τ_k = (Y_{1k})² are the Gauss quadrature rule of the measure Σ_i (vᵀu_i)² δ(λ − λ_i), whose
 * expectation over probes is φ. The discrete rule, averaged over probes (weights divided by the
 * number of probes, so they sum to 1), is smoothed with a Gaussian kernel of width σ:
 * {@code φ_σ(λ) = Σ_k w_k N(λ; θ_k, σ²)}, tabulated on a uniform grid covering every node ± 8σ
 * (the kernel's mass beyond 8σ is below 1e-15).
 *
 * @param nodes the quadrature nodes θ_k of all probes
 * @param weights their weights, summing to 1
 * @param sigma the Gaussian broadening σ
 * @param grid the grid points λ_j, uniform, ascending
 * @param density φ_σ(λ_j)
 */
public record SpectralDensity(double[] nodes, double[] weights, double sigma, double[] grid, double[] density) {
    /** Checks lengths and copies the arrays. */
    public SpectralDensity {
        if (nodes.length != weights.length || grid.length != density.length || grid.length < 2) {
            throw new IllegalArgumentException("spectral density: " + nodes.length + " nodes, " + weights.length
                    + " weights, " + grid.length + " grid points, " + density.length + " density values");
        }
        nodes = nodes.clone();
        weights = weights.clone();
        grid = grid.clone();
        density = density.clone();
    }

    @Override public double[] nodes() { return nodes.clone(); }
    @Override public double[] weights() { return weights.clone(); }
    @Override public double[] grid() { return grid.clone(); }
    @Override public double[] density() { return density.clone(); }

    /** ∫ φ_σ over the grid by the trapezoidal rule (1 up to quadrature error). */
    public double integral() {
        return trapezoid(density, null);
    }

    /** ∫ λ φ_σ(λ) dλ over the grid by the trapezoidal rule. */
    public double gridMean() {
        return trapezoid(density, grid);
    }

    /** Σ_k w_k θ_k: the exact mean of the broadened density, an estimate of tr(H)/n. */
    public double mean() {
        double s = 0;
        for (int k = 0; k < nodes.length; k++) s += weights[k] * nodes[k];
        return s;
    }

    private double trapezoid(double[] f, double[] x) {
        double s = 0;
        for (int j = 0; j + 1 < grid.length; j++) {
            double a = f[j] * (x == null ? 1 : x[j]), b = f[j + 1] * (x == null ? 1 : x[j + 1]);
            s += 0.5 * (a + b) * (grid[j + 1] - grid[j]);
        }
        return s;
    }

    /** Plain values for metrics files. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sigma", sigma);
        m.put("mean", mean());
        m.put("grid", grid.clone());
        m.put("density", density.clone());
        m.put("nodes", nodes.clone());
        m.put("weights", weights.clone());
        return m;
    }
}
