package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Extreme eigenvalues of a Hessian found by Lanczos, with their Ritz vectors and residual
 * norms ‖H x − θ x‖ (for a symmetric H some eigenvalue lies within the residual of θ, and the
 * error is about residual²/gap once the pair has separated).
 *
 * @param order which end of the spectrum, and the order of the arrays
 * @param values the k eigenvalue estimates θ_1…θ_k
 * @param residualNorms ‖H x_i − θ_i x_i‖ for unit Ritz vectors x_i
 * @param vectors the unit Ritz vectors, flattened in the parameters' order ({@code vectors[i]} belongs to {@code values[i]})
 * @param hessianVectorProducts products with H spent (the Lanczos steps)
 * @param converged whether every residual met the tolerance before the step cap
 */
public record HessianEigenpairs(EigenvalueOrder order, double[] values, double[] residualNorms, double[][] vectors,
                                int hessianVectorProducts, boolean converged) {
    /** Copies the arrays. */
    public HessianEigenpairs {
        values = values.clone();
        residualNorms = residualNorms.clone();
        double[][] v = new double[vectors.length][];
        for (int i = 0; i < v.length; i++) v[i] = vectors[i].clone();
        vectors = v;
    }

    @Override public double[] values() { return values.clone(); }
    @Override public double[] residualNorms() { return residualNorms.clone(); }

    @Override
    public double[][] vectors() {
        double[][] v = new double[vectors.length][];
        for (int i = 0; i < v.length; i++) v[i] = vectors[i].clone();
        return v;
    }

    /** Plain values for metrics files (without the vectors). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("order", order.name());
        m.put("eigenvalues", values.clone());
        m.put("residualNorms", residualNorms.clone());
        m.put("hessianVectorProducts", hessianVectorProducts);
        m.put("converged", converged);
        return m;
    }
}
