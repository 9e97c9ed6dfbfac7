package dev.descent.experiments;

import dev.descent.chart.Chart;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Init;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.WeightNorm;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * SPEC.md §4.1, weight normalisation equals batch normalisation on whitened inputs (Salimans &amp;
 * Kingma 2016, §2.2; Ioffe &amp; Szegedy 2015). For a unit t = uᵀx whose inputs have zero mean and
 * identity covariance over the batch, mean[t] = uᵀ mean[x] = 0 and var[t] = uᵀ cov[x] u = ‖u‖²,
 * so BN's normalised pre-activation (t − mean[t])/std[t] is WN's (u/‖u‖)ᵀx, and with BN's scale
 * and shift set to WN's g and b the two layers compute the same function.
 *
 * <p>Set-up, float64: a batch of n = 256 rows with 6 correlated features of non-zero mean
 * (x = z M + μ, z ~ N(0, I), M = A + 2I with A Gaussian, μ ~ N(0, 3²)); the same batch whitened
 * exactly (centred, then multiplied by L^{−T} where L Lᵀ = (1/n) X_cᵀX_c is the Cholesky factor
 * of its covariance with BN's divisor n, so that (1/n) X_wᵀX_w = I and the column means are 0 to
 * rounding; done twice, since one pass leaves a residual that grows with the condition number of
 * the covariance and the second pass, on a covariance within 1e-12 of I, removes it). Two models with 4 output units: WN = {@link WeightNorm} on a {@link Linear} with
 * random g ~ N(1, 0.5²), direction u ~ N(0, 2²) and bias b ~ N(0, 1); BN = a bias-free
 * {@link Linear} with weight u followed by {@link BatchNorm} with ε = 0 in training mode (batch
 * statistics), scale g and shift b.
 *
 * <p>Rows:
 * <ul>
 *   <li>premise: the whitened batch's max |(1/n) X_wᵀX_w − I| and max |mean| ≤ 1e-12 (the second
 *       whitening pass works on a perfectly conditioned covariance and leaves errors of a few ulps
 *       times n);</li>
 *   <li>max |WN(x) − BN(x)| over the whitened batch ≤ 1e-9: the outputs are O(1) and differ only
 *       through the whitening's O(1e-15) residuals and the rounding of two different operation
 *       orders, so the bound has five orders of margin while any real difference between the
 *       layers shows at O(1);</li>
 *   <li>info: the same gap on the raw (correlated, shifted) batch is large, &gt; 1e-9, so the
 *       equality is a property of whitened inputs and not of the two layers in general.</li>
 * </ul>
 * A further row compares the WN layer with the closed form y_j = g_j (u_jᵀx)/‖u_j‖ + b_j evaluated
 * by loops, on both batches: max |WN(x) − y| / max|y| ≤ 1e-12. Each output is a dot product of
 * 6 terms plus a norm, a division, a product and a sum, each rounded once: (6 + 4)·2⁻⁵³ times
 * the size of the terms, which the whitened and raw data keep within a factor 100 of max|y|, so
 * rounding stays below 1e-13. The layer is a {@link WeightNormUnderTest} seam.
 *
 * <p>The plot puts each output of WN against the corresponding output of BN for both batches: the
 * whitened points lie on the diagonal, the raw ones do not.
 */
public final class Spec41WeightNormEqualsBatchNorm implements Experiment {
    static final int ROWS = 256, FEATURES = 6, UNITS = 4;
    static final double WHITENING_BOUND = 1e-12, EQUALITY_BOUND = 1e-9, FORWARD_BOUND = 1e-12;

    private final WeightNormUnderTest weightNorm;

    /** The experiment as {@code descent verify} runs it, on {@link WeightNorm}. */
    public Spec41WeightNormEqualsBatchNorm() {
        this(WeightNormUnderTest.LIBRARY);
    }

    /** The experiment on another weight-normalisation layer (tests: a deliberately broken one). */
    Spec41WeightNormEqualsBatchNorm(WeightNormUnderTest weightNorm) {
        if (weightNorm == null) throw new IllegalArgumentException("4.1: layer is null");
        this.weightNorm = weightNorm;
    }

    @Override
    public String id() {
        return "4.1";
    }

    @Override
    public String claim() {
        return "Weight normalization equals batch normalization on whitened inputs";
    }

    @Override
    public String why() {
        return "For t = uᵀx with whitened inputs (zero mean, identity covariance), mean[t] = uᵀ mean[x] = 0 and "
                + "var[t] = uᵀ Cov[x] u = ‖u‖². So BN's (t − mean[t])/std[t] is uᵀx/‖u‖, WN's normalised "
                + "pre-activation, and with BN's scale and shift set to g and b the two layers compute the same "
                + "function.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        Tensor z = rng.normal(DType.F64, 0, 1, ROWS, FEATURES);
        Tensor mix = rng.normal(DType.F64, 0, 1, FEATURES, FEATURES).add(Tensor.eye(DType.F64, FEATURES).mul(2));
        Tensor raw = z.matmul(mix).add(rng.normal(DType.F64, 0, 3, FEATURES));
        // Twice: the first pass leaves a residual of about κ(C)·ε in the covariance, the second removes it.
        Tensor whitened = whiten(whiten(raw));
        double covarianceError = whitened.matmul(whitened, true, false).div(ROWS).maxAbsDiff(Tensor.eye(DType.F64, FEATURES));
        double meanError = whitened.mean(0, false).maxAbs();

        Module wn = weightNorm.wrap(new Linear(FEATURES, UNITS, true, Init.pytorchDefault(), rng, DType.F64));
        wn.setParameters(Params.of("weight_g", rng.normal(DType.F64, 1, 0.5, UNITS),
                "weight_v", rng.normal(DType.F64, 0, 2, UNITS, FEATURES), "bias", rng.normal(DType.F64, 0, 1, UNITS)));
        Params p = wn.parameters();
        Linear direction = new Linear(FEATURES, UNITS, false, Init.zeros(), rng, DType.F64);
        direction.setParameters(Params.of("weight", p.get("weight_v")));
        BatchNorm bn = new BatchNorm(UNITS, 0, BatchNorm.DEFAULT_MOMENTUM, true, DType.F64);
        bn.setParameters(Params.of("weight", p.get("weight_g"), "bias", p.get("bias")));
        Sequential batchNormalised = new Sequential(direction, bn);

        Tensor wnWhitened = wn.forward(whitened), bnWhitened = batchNormalised.forward(whitened);
        Tensor wnRaw = wn.forward(raw), bnRaw = batchNormalised.forward(raw);
        List<Row> rows = new ArrayList<>();
        rows.add(Row.atMost("premise: whitened, max |(1/n)XᵀX − I|, |mean|", Math.max(covarianceError, meanError),
                WHITENING_BOUND));
        rows.add(Row.atMost("whitened inputs: max |WN(x) − BN(x)|", wnWhitened.maxAbsDiff(bnWhitened), EQUALITY_BOUND));
        double forward = Math.max(forwardError(wnWhitened, whitened, p), forwardError(wnRaw, raw, p));
        rows.add(Row.atMost("WN(x) against g(uᵀx)/‖u‖ + b by loops, both batches: max |difference| / max|y|", forward, FORWARD_BOUND));
        double rawGap = wnRaw.maxAbsDiff(bnRaw);
        rows.add(new Row("info: raw inputs: max |WN(x) − BN(x)|", Row.format(rawGap),
                "> " + Row.format(EQUALITY_BOUND) + " (differ)", rawGap > EQUALITY_BOUND));

        Chart plot = Chart.builder("WN against BN, same u, g, b: one point per output")
                .xLabel("BN output").yLabel("WN output")
                .markers("whitened batch", bnWhitened.toDoubleArray(), wnWhitened.toDoubleArray())
                .markers("raw batch", bnRaw.toDoubleArray(), wnRaw.toDoubleArray())
                .bound("WN = BN", diagonal(bnRaw, bnWhitened), diagonal(bnRaw, bnWhitened))
                .build();
        return new Result(rows, List.of(plot), List.of(
                "batch of " + ROWS + " rows, " + FEATURES + " features, " + UNITS + " units; BN with ε = 0 and batch statistics (biased variance)",
                "whitened batch: max |(1/n)XᵀX − I| = " + Row.format(covarianceError) + ", max |mean| = " + Row.format(meanError)));
    }

    /** max |out − y| / max |y| with y_j = g_j (u_jᵀx)/‖u_j‖ + b_j by loops (NaN propagates). */
    static double forwardError(Tensor out, Tensor x, Params p) {
        double[] w = WeightNormUnderTest.weight(p).toDoubleArray(), b = p.get("bias").toDoubleArray();
        double[] xs = x.toDoubleArray(), o = out.toDoubleArray();
        int n = x.dim(0), d = x.dim(1), units = b.length;
        double worst = 0, scale = 0;
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < units; j++) {
                double y = b[j];
                for (int k = 0; k < d; k++) y += w[j * d + k] * xs[r * d + k];
                double diff = Math.abs(o[r * units + j] - y);
                worst = Double.isNaN(diff) || Double.isNaN(worst) ? Double.NaN : Math.max(worst, diff);
                scale = Math.max(scale, Math.abs(y));
            }
        }
        return worst / scale;
    }

    /** The two ends of the diagonal spanning the values of both tensors. */
    private static double[] diagonal(Tensor a, Tensor b) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Tensor t : new Tensor[] {a, b}) {
            for (double v : t.toDoubleArray()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return new double[] {lo, hi};
    }

    /**
     * X centred and multiplied by L^{−T}, where L Lᵀ = C = (1/n) X_cᵀX_c (Cholesky), so that
     * (1/n) X_wᵀX_w = L^{−1} C L^{−T} = I. The divisor n matches BN's biased batch variance.
     *
     * @throws IllegalArgumentException if the covariance is not positive definite
     */
    static Tensor whiten(Tensor x) {
        int n = x.dim(0), d = x.dim(1);
        Tensor centred = x.sub(x.mean(0, true));
        double[] xc = centred.toDoubleArray();
        double[] c = centred.matmul(centred, true, false).div(n).toDoubleArray();
        double[] l = new double[d * d];
        for (int j = 0; j < d; j++) {
            double s = c[j * d + j];
            for (int k = 0; k < j; k++) s -= l[j * d + k] * l[j * d + k];
            if (!(s > 0)) throw new IllegalArgumentException("whiten: covariance is not positive definite (pivot " + j + " is " + s + ")");
            l[j * d + j] = Math.sqrt(s);
            for (int i = j + 1; i < d; i++) {
                double t = c[i * d + j];
                for (int k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
                l[i * d + j] = t / l[j * d + j];
            }
        }
        // Row r of X_w solves L y = x_r (forward substitution): X_w = X_c L^{−T}.
        double[] out = new double[n * d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                double t = xc[r * d + i];
                for (int k = 0; k < i; k++) t -= l[i * d + k] * out[r * d + k];
                out[r * d + i] = t / l[i * d + i];
            }
        }
        return Tensor.wrap(out, n, d);
    }
}
