package dev.descent.diagnostics;

import java.util.Map;

/**
 * Gradient flow through time for a recurrence in activation form (SPEC.md §1.2–1.3): the exact
 * Jacobian-product norms next to the two bounds and the spectral regime test.
 *
 * <p>For each index t (see {@link JacobianNorms} for what t means in each direction), with
 * {@code m_s = ‖diag(σ'(a_s))‖ = max_i |σ'(a_{s,i})|} along the chosen sample's trajectory:
 * <ul>
 *   <li>{@code productBound[t] = Π_s m_s ‖W‖} over the steps s the product spans;</li>
 *   <li>{@code crudeBound[t] = (γ‖W‖)^{span}}.</li>
 * </ul>
 * Submultiplicativity gives {@code norms[t] ≤ productBound[t] ≤ crudeBound[t]}.
 *
 * @param jacobian the measured norms
 * @param productBound the trajectory-dependent bound
 * @param crudeBound the worst-case bound
 * @param regime the spectral test on W
 */
public record GradientFlowReport(JacobianNorms jacobian, double[] productBound, double[] crudeBound,
                                 RegimeAssessment regime) {
    /** Checks lengths and copies the arrays. */
    public GradientFlowReport {
        if (productBound.length != jacobian.norms().length || crudeBound.length != productBound.length) {
            throw new IllegalArgumentException("gradient flow report: " + jacobian.norms().length + " norms but "
                    + productBound.length + " product bounds and " + crudeBound.length + " crude bounds");
        }
        productBound = productBound.clone();
        crudeBound = crudeBound.clone();
    }

    @Override
    public double[] productBound() {
        return productBound.clone();
    }

    @Override
    public double[] crudeBound() {
        return crudeBound.clone();
    }

    /**
     * max_t norms[t] / productBound[t] over entries with a positive bound: at most 1 up to
     * rounding, by the submultiplicativity of the spectral norm. A value above 1 + O(T·ε) means
     * the recurrence is not the one described (or a derivative rule is wrong).
     */
    public double maxRatioToProductBound() {
        double[] n = jacobian.norms();
        double worst = 0;
        for (int t = 0; t < n.length; t++) {
            if (productBound[t] > 0) worst = Math.max(worst, n[t] / productBound[t]);
        }
        return worst;
    }

    /** Plain values for metrics files. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = jacobian.toMap();
        m.put("productBound", productBound.clone());
        m.put("crudeBound", crudeBound.clone());
        m.putAll(regime.toMap());
        return m;
    }
}
