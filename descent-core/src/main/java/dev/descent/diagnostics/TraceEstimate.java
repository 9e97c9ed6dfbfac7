package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hutchinson's estimate of tr(H) with its standard error: the mean of zᵀHz over Rademacher
 * probes z (entries ±1), an unbiased estimator with variance 2 Σ_{i≠j} H_ij² per probe
 * (Hutchinson 1990; Avron &amp; Toledo 2011).
 *
 * @param trace the sample mean of zᵀHz
 * @param standardError the sample standard deviation of zᵀHz over √probes
 * @param probes the number of probes (Hessian-vector products)
 */
public record TraceEstimate(double trace, double standardError, int probes) {
    /** Plain values for metrics files. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trace", trace);
        m.put("standardError", standardError);
        m.put("probes", probes);
        return m;
    }
}
