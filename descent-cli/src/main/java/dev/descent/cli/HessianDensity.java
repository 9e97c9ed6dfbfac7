package dev.descent.cli;

import dev.descent.chart.Chart;
import dev.descent.diagnostics.HessianSpectrum;
import dev.descent.diagnostics.SpectralDensity;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code hessian-density} output of {@code descent diagnose}: the Hessian's eigenvalue
 * density by stochastic Lanczos quadrature ({@link HessianSpectrum#density}, Ghorbani, Krishnan
 * &amp; Xiao 2019), as a summary line, a plot of the density against the eigenvalue and plain
 * numbers for {@code diagnosis.json}.
 */
final class HessianDensity {
    private HessianDensity() {}

    /** Random probes and Lanczos steps per probe (Ghorbani et al. use 10 and 90). */
    static final int PROBES = 10, LANCZOS_STEPS = 80;

    /**
     * The quadrature options: {@link #PROBES} probes of {@link #LANCZOS_STEPS} steps (at most
     * their product in Hessian-vector products, each about 2–3 gradient evaluations), σ = 1% of
     * the spectrum's span, 1024 grid points (the library's defaults).
     */
    static final HessianSpectrum.SlqOptions OPTIONS = new HessianSpectrum.SlqOptions(PROBES, LANCZOS_STEPS, 0.01, 1024);

    /** Densities below this fraction of the peak are left off the log-scale plot (they only stretch its axis). */
    static final double PLOT_FLOOR = 1e-8;

    /** Weight of the quadrature nodes below zero: the estimated fraction of negative eigenvalues. */
    static double negativeMass(SpectralDensity d) {
        double[] nodes = d.nodes(), weights = d.weights();
        double s = 0;
        for (int k = 0; k < nodes.length; k++) if (nodes[k] < 0) s += weights[k];
        return s;
    }

    /** One line for {@code n} parameters: the nodes' range, the mean eigenvalue, tr(H) = n · mean and the negative mass. */
    static String summary(SpectralDensity d, long n) {
        double[] nodes = d.nodes();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double t : nodes) {
            lo = Math.min(lo, t);
            hi = Math.max(hi, t);
        }
        return String.format(Locale.ROOT, "Hessian spectral density (SLQ, %d probes × %d Lanczos steps, σ = %.3g): eigenvalues in "
                + "[%.6g, %.6g], mean %.6g (tr H ≈ %.6g), %.1f%% of the spectrum below 0", OPTIONS.probes(), Math.min(OPTIONS.lanczosSteps(), n),
                d.sigma(), lo, hi, d.mean(), d.mean() * n, 100 * negativeMass(d));
    }

    /** The numbers: the library's ({@link SpectralDensity#toMap()}) and the summary's. */
    static Map<String, Object> values(SpectralDensity d, long n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("probes", OPTIONS.probes());
        m.put("lanczosSteps", (int) Math.min(OPTIONS.lanczosSteps(), n));
        m.put("parameters", n);
        m.put("traceEstimate", d.mean() * n);
        m.put("negativeMass", negativeMass(d));
        m.put("integral", d.integral());
        m.putAll(d.toMap());
        return m;
    }

    /**
     * φ_σ(λ) against λ on a log scale (as Ghorbani et al. draw it: the outliers' mass is orders
     * of magnitude below the bulk's), values under {@value #PLOT_FLOOR} of the peak left off.
     */
    static TrainingReport.Figure figure(SpectralDensity d, String title, String fileName) {
        double[] grid = d.grid(), density = d.density();
        double peak = 0;
        for (double v : density) peak = Math.max(peak, v);
        double[] shown = new double[density.length];
        for (int j = 0; j < density.length; j++) shown[j] = density[j] >= PLOT_FLOOR * peak ? density[j] : Double.NaN;
        return new TrainingReport.Figure(fileName, Chart.builder(title).xLabel("eigenvalue λ").yLabel("density").yScale(Chart.Scale.LOG10)
                .line("φ_σ(λ)", grid, shown).build());
    }
}
