package dev.descent.experiments;

import dev.descent.autodiff.VarParams;
import dev.descent.chart.Chart;
import dev.descent.diagnostics.GradientFlow;
import dev.descent.diagnostics.JacobianNorms;
import dev.descent.diagnostics.MatrixSpectra;
import dev.descent.diagnostics.RecurrentStep;
import dev.descent.diagnostics.RegimeAssessment;
import dev.descent.nn.Activation;
import dev.descent.nn.Init;
import dev.descent.nn.Rnn;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * SPEC.md §1.2, vanishing gradients: for g_t = σ(W g_{t−1} + U x_t + b) the one-step Jacobian
 * is ∂g_t/∂g_{t−1} = diag(σ'(a_t)) W, so ‖∂g_T/∂g_0‖ ≤ Π_t ‖diag(σ'(a_t))‖ ‖W‖ ≤ (γ‖W‖)^T; if
 * λ1(WᵀW) ≤ δ²/γ² with δ &lt; 1 then ‖∂g_T/∂g_0‖ ≤ δ^T → 0 (Bengio, Simard &amp; Frasconi 1994;
 * Pascanu, Mikolov &amp; Bengio 2013, "On the difficulty of training recurrent neural networks").
 *
 * <p>Set-up, for the logistic sigmoid (γ = 1/4) and tanh (γ = 1), float64: an {@link Rnn} layer in
 * activation form with H = 16 hidden units and 4 inputs, run for T = 100 steps; W is a Gaussian
 * matrix rescaled so that ‖W‖ = m·δ/γ exactly (its largest singular value, by SVD), with δ = 0.9
 * and m = 1 by default; U ~ N(0, 1), b ~ N(0, 0.5²), x_t ~ N(0, 1), g_0 ~ U(−½, ½), all from
 * the context's generator.
 *
 * <p>Measured: the exact Jacobian products ∂g_T/∂g_0, T = 1…100, by forward-mode autodiff through
 * the layer's own step {@link Rnn#step} ({@link GradientFlow#jacobianNormsFromStart}: H tangents
 * carried side by side, then the exact spectral norm of each product by SVD), never by
 * multiplying the formula out; the premise from {@link GradientFlow#regime}. Rows, per
 * activation:
 * <ul>
 *   <li>premise γ‖W‖ ≤ δ (by the exact SVD norm): equality up to the rescaling's rounding, so the
 *       slack is δ·1e-12;</li>
 *   <li>max over T of ‖∂g_T/∂g_0‖/δ^T ≤ 1 + 1e-12: the inequality is a theorem when the premise
 *       holds, and both sides are computed to a few hundred ulps (T float64 products and an SVD),
 *       far inside 1e-12 relative;</li>
 *   <li>‖∂g_100/∂g_0‖ &lt; 1e-4 (δ^100 = 2.7e-5, so this follows from the row above);</li>
 *   <li>the measured norms against an independent computation: the product of the one-step
 *       Jacobians diag(σ'(a_t)) W built by naive float64 loops from the layer's parameters (a_t
 *       from the same loops, σ' from its formula in {@link Reference}), its norm by the cyclic
 *       Jacobi method on PᵀP ({@link Reference#spectralNorm}), not the library's SVD. Figure:
 *       max over T of |‖P_T‖ − ‖∂g_T/∂g_0‖| / ‖P_T‖ ≤ 1e-10. Why: both sides multiply the same
 *       100 16×16 matrices in float64; each product adds a relative error of about H·2⁻⁵³ ≈ 2e-15
 *       to each entry, and over T = 100 products that stays near T·H·2⁻⁵³ ≈ 2e-13 times the
 *       condition of the partial products; the bound allows that condition to reach 500.
 *       Unlike the δ^T row, this one has teeth at every T: a derivative off by 10% moves
 *       ‖P_T‖ by a factor of order 1.1^T;</li>
 *   <li>that reference's one-step Jacobian against central finite differences of the naive step,
 *       h = 1e-5: max |J_fd − diag(σ'(a_t))W| / max|J| ≤ 1e-7 over all t. Truncation
 *       h²/6·|σ'''|·max|W_ij|³ ≲ 1e-9 and rounding 2⁻⁵³/h ≈ 1e-11 relative, so a wrong σ' in the
 *       reference itself shows.</li>
 * </ul>
 * The step through which autodiff runs is a {@link StepUnderTest} seam: the layer's own step in
 * production, a deliberately broken derivative in the tests.
 *
 * <p>With m &gt; 1 the premise is broken and the recurrence is free to exceed δ^T; with m = 2 it does,
 * in the first steps, where σ'(a_t) is still close to γ (the tests use this to show that the
 * experiment can fail). A Gaussian W has singular values spread below ‖W‖, so the bound is
 * approached only at small T; the measured curve then falls away from δ^T.
 *
 * <p>The plot shows both measured curves against δ^T on a log axis.
 */
public final class Spec12VanishingGradients implements Experiment {
    /** δ of SPEC.md §1.2. */
    public static final double DEFAULT_DELTA = 0.9;
    static final int HIDDEN = 16, INPUTS = 4, STEPS = 100;
    /** Relative slack of the ratio to δ^T: rounding of T float64 products and an SVD. */
    static final double RATIO_SLACK = 1e-12;
    /** SPEC.md §1.2's bound on the norm at T = 100. */
    static final double FINAL_NORM_BOUND = 1e-4;

    /** Relative agreement of the measured norms with the independent product (see the class comment). */
    static final double PRODUCT_BOUND = 1e-10;
    /** Finite-difference check of the reference's one-step Jacobian. */
    static final double FD_BOUND = 1e-7;
    static final double FD_STEP = 1e-5;

    /** The recurrence that autodiff differentiates: the seam where tests put a deliberately wrong derivative. */
    interface StepUnderTest {
        /** The step of {@code rnn} with parameters {@code params}. */
        RecurrentStep of(Rnn rnn, VarParams params);
    }

    /** The library's layer step, as {@code descent verify} runs it. */
    static final StepUnderTest LIBRARY = (rnn, params) -> (state, x) -> rnn.step(params, state, x);

    private final double delta;
    private final double normMultiple;
    private final StepUnderTest stepUnderTest;

    /** The SPEC experiment: δ = 0.9, ‖W‖ = δ/γ. */
    public Spec12VanishingGradients() {
        this(DEFAULT_DELTA, 1.0);
    }

    /**
     * The experiment with ‖W‖ = {@code normMultiple}·δ/γ; a multiple above 1 breaks the premise
     * λ1(WᵀW) ≤ δ²/γ².
     *
     * @param delta δ in (0, 1)
     * @param normMultiple m &gt; 0
     */
    public Spec12VanishingGradients(double delta, double normMultiple) {
        this(delta, normMultiple, LIBRARY);
    }

    /** The experiment with another step under test (tests: a deliberately broken derivative). */
    Spec12VanishingGradients(double delta, double normMultiple, StepUnderTest stepUnderTest) {
        if (stepUnderTest == null) throw new IllegalArgumentException("vanishing gradients: step is null");
        this.stepUnderTest = stepUnderTest;
        if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("vanishing gradients: delta must lie in (0, 1), got " + delta);
        if (!(normMultiple > 0) || Double.isInfinite(normMultiple)) {
            throw new IllegalArgumentException("vanishing gradients: norm multiple must be finite and > 0, got " + normMultiple);
        }
        this.delta = delta;
        this.normMultiple = normMultiple;
    }

    @Override
    public String id() {
        return "1.2";
    }

    @Override
    public String claim() {
        return "Vanishing gradients: if λ1(WᵀW) ≤ δ²/γ² with δ < 1 then ‖∂g_T/∂g_0‖ ≤ δ^T → 0";
    }

    @Override
    public String why() {
        return "By the chain rule ∂g_T/∂g_0 = Π_t diag(σ'(a_t)) W; the spectral norm is submultiplicative and "
                + "|σ'| ≤ γ, so ‖∂g_T/∂g_0‖ ≤ Π_t γ‖W‖ = (γ‖W‖)^T ≤ δ^T. The experiment measures the product by "
                + "forward-mode autodiff, recomputes it independently by loops (checked against finite differences "
                + "of one step), and compares both with the bound.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        double[] steps = new double[STEPS], bound = new double[STEPS];
        for (int t = 1; t <= STEPS; t++) {
            steps[t - 1] = t;
            bound[t - 1] = Math.pow(delta, t);
        }
        Chart.Builder plot = Chart.builder("‖∂g_T/∂g_0‖ with ‖W‖ = " + Row.format(normMultiple * delta) + "/γ, by autodiff")
                .xLabel("T").yLabel("‖∂g_T/∂g_0‖").yScale(Chart.Scale.LOG10);
        for (Activation act : List.of(Activation.SIGMOID, Activation.TANH)) {
            String name = act.name().toLowerCase(Locale.ROOT);
            Rng r = rng.split();
            double wNorm = normMultiple * delta / act.gamma();
            Init gaussianWithNorm = (generator, dtype, shape) -> {
                Tensor w = generator.normal(dtype, 0, 1, shape);
                return w.mul(wNorm / MatrixSpectra.spectralNorm(w));
            };
            Rnn rnn = new Rnn(new Rnn.Config(INPUTS, HIDDEN, act, Rnn.Form.ACTIVATION, gaussianWithNorm, Init.normal(1), Init.normal(0.5)),
                    r, DType.F64);
            VarParams params = VarParams.constants(rnn.parameters());
            Tensor g0 = r.uniform(DType.F64, -0.5, 0.5, HIDDEN), inputs = r.normal(DType.F64, 0, 1, STEPS, INPUTS);
            JacobianNorms jacobians = GradientFlow.jacobianNormsFromStart(stepUnderTest.of(rnn, params), g0, inputs);
            double[][] independent = independentProduct(act, rnn.parameters(), g0, inputs);
            RegimeAssessment regime = GradientFlow.regime(rnn.parameters().get("W"), act.gamma());
            double[] norms = jacobians.norms();
            double worstRatio = 0;
            int worstStep = 0;
            double[] measured = new double[STEPS];
            for (int t = 1; t <= STEPS; t++) {
                measured[t - 1] = norms[t];
                double ratio = norms[t] / bound[t - 1];
                // A NaN norm is the worst case (the row must fail), and no later ratio may replace it.
                if (Double.isNaN(worstRatio)) continue;
                if (Double.isNaN(ratio) || ratio > worstRatio) {
                    worstRatio = ratio;
                    worstStep = t;
                }
            }
            double premise = act.gamma() * regime.spectralNorm();
            rows.add(new Row(name + ": premise γ‖W‖ ≤ δ = " + Row.format(delta), Row.format(premise), "≤ δ(1 + 1e-12)",
                    premise <= delta * (1 + RATIO_SLACK)));
            rows.add(new Row(name + ": max over T = 1…" + STEPS + " of ‖∂g_T/∂g_0‖ / δ^T", Row.format(worstRatio), "≤ 1 + 1e-12",
                    worstRatio <= 1 + RATIO_SLACK));
            rows.add(Row.lessThan(name + ": ‖∂g_T/∂g_0‖ at T = " + STEPS, norms[STEPS], FINAL_NORM_BOUND));
            double worstProduct = 0;
            for (int t = 1; t <= STEPS; t++) {
                double rel = Math.abs(independent[0][t] - norms[t]) / independent[0][t];
                worstProduct = Double.isNaN(rel) || Double.isNaN(worstProduct) ? Double.NaN : Math.max(worstProduct, rel);
            }
            rows.add(Row.atMost(name + ": independent product Π diag(σ'(a_t))W (loops): max over T of |‖Π‖ − ‖∂g_T/∂g_0‖| / ‖Π‖",
                    worstProduct, PRODUCT_BOUND));
            rows.add(Row.atMost(name + ": that one-step Jacobian against central differences (h = 1e-5), max rel. error",
                    independent[1][0], FD_BOUND));
            notes.add(name + ": largest ratio to δ^T at T = " + worstStep + "; γ√λ1(WᵀW) by power iteration = "
                    + Row.format(regime.delta()) + " (" + regime.powerIteration().iterations() + " iterations)");
            plot.line(name + " (measured)", steps, measured);
            notes.add(name + ": ‖∂g_T/∂g_0‖ = " + Row.format(norms[STEPS]) + " at T = " + STEPS + " against δ^T = "
                    + Row.format(bound[STEPS - 1]) + " (the bound is far from tight for a Gaussian W; the independent product is "
                    + "what checks every T)");
        }
        plot.bound("δ^T, δ = " + Row.format(delta), steps, bound);
        return new Result(rows, List.of(plot.build()), notes);
    }

    /**
     * The independent computation: row 0 holds ‖P_t‖ for t = 0…T, P_t = J_t ⋯ J_1 with
     * J_t = diag(σ'(a_t)) W from naive loops; row 1 holds, at index 0, the largest
     * |J_fd − J| / max|J| over t, J_fd by central differences of the naive step.
     */
    static double[][] independentProduct(Activation act, Params params, Tensor g0, Tensor inputs) {
        double[] w = params.get("W").toDoubleArray(), u = params.get("U").toDoubleArray(), b = params.get("b").toDoubleArray();
        int h = b.length, in = inputs.dim(1), steps = inputs.dim(0);
        double[] xs = inputs.toDoubleArray(), g = g0.toDoubleArray();
        double[] product = new double[h * h];
        for (int i = 0; i < h; i++) product[i * h + i] = 1;
        double[] norms = new double[steps + 1];
        norms[0] = 1;
        double worstFd = 0;
        for (int t = 0; t < steps; t++) {
            double[] x = Arrays.copyOfRange(xs, t * in, (t + 1) * in);
            double[] a = preActivation(w, u, b, g, x);
            double[] jacobian = new double[h * h];
            double largest = 0;
            for (int i = 0; i < h; i++) {
                double d = Reference.sigmaPrime(act, a[i]);
                for (int j = 0; j < h; j++) {
                    jacobian[i * h + j] = d * w[i * h + j];
                    largest = Math.max(largest, Math.abs(jacobian[i * h + j]));
                }
            }
            for (int j = 0; j < h; j++) {
                double[] up = g.clone(), down = g.clone();
                up[j] += FD_STEP;
                down[j] -= FD_STEP;
                double[] au = preActivation(w, u, b, up, x), ad = preActivation(w, u, b, down, x);
                for (int i = 0; i < h; i++) {
                    double fd = (Reference.sigma(act, au[i]) - Reference.sigma(act, ad[i])) / (up[j] - down[j]);
                    double err = Math.abs(fd - jacobian[i * h + j]) / largest;
                    worstFd = Double.isNaN(err) || Double.isNaN(worstFd) ? Double.NaN : Math.max(worstFd, err);
                }
            }
            product = Reference.multiply(jacobian, product, h, h, h);
            norms[t + 1] = Reference.spectralNorm(product, h);
            for (int i = 0; i < h; i++) g[i] = Reference.sigma(act, a[i]);
        }
        return new double[][] {norms, {worstFd}};
    }

    /** a = W g + U x + b by loops. */
    private static double[] preActivation(double[] w, double[] u, double[] b, double[] g, double[] x) {
        int h = b.length, in = x.length;
        double[] a = new double[h];
        for (int i = 0; i < h; i++) {
            double s = b[i];
            for (int j = 0; j < h; j++) s += w[i * h + j] * g[j];
            for (int k = 0; k < in; k++) s += u[i * in + k] * x[k];
            a[i] = s;
        }
        return a;
    }
}
