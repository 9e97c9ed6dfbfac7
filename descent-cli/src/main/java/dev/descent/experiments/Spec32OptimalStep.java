package dev.descent.experiments;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.chart.Chart;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Update;
import dev.descent.optim.Updates;
import dev.descent.optim.second.CurvatureOracle;
import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.Oracles;
import dev.descent.optim.second.QuadraticModel;
import dev.descent.optim.second.SecondOrderOptimizer;
import dev.descent.optim.second.SecondOrderStep;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * SPEC §3.2: the curvature-optimal step. When gᵀHg &gt; 0 the quadratic model's minimiser along
 * −g is ε* = gᵀg / gᵀHg ({@link QuadraticModel#optimalStep}); when gᵀHg ≤ 0 the model predicts
 * unbounded decrease and {@link CurvatureStep} falls back to a backtracking line search, reports
 * it and counts it. gᵀHg comes from one Hessian-vector product.
 *
 * <p>Experiment:
 * <ul>
 *   <li><b>ε* is the exact line-search minimiser on quadratics.</b> On {@value #LINE_SEARCH_TRIALS}
 *       random positive-definite quadratics in ℝ^{@value #DIMENSION}, the directional derivative
 *       d/dε f(x0 − εg) = −gᵀ∇f(x0 − εg) vanishes at ε = ε*, which for a convex parabola in ε
 *       characterises its minimiser. Figure: max |gᵀ∇f(x0 − ε*g)| / gᵀg ≤ 10⁻¹⁰. Exactly,
 *       gᵀ∇f(x0 − ε*g) = gᵀg − ε* gᵀAg = 0; in floating point the gradient at the new point is
 *       rounded at about 2⁻⁵³ ‖A‖ ‖x − c‖ per entry, giving a figure of order κ · 1e-16 (κ ≤ 20
 *       here), far below the bound.</li>
 *   <li><b>Steepest descent with ε* converges at least at the Kantorovich rate.</b> On a random
 *       quadratic with eigenvalues 1, κ = {@value #KAPPA} and {@value #DIMENSION}−2 values in between,
 *       {@link CurvatureStep} takes every step with ε*; each step reduces f − f* by at least the
 *       factor ((κ−1)/(κ+1))² (Kantorovich inequality; Luenberger &amp; Ye, "Linear and Nonlinear
 *       Programming", §8.2; Nocedal &amp; Wright, Theorem 3.3). Figure: the largest per-step ratio
 *       (f_{k+1} − f*)/(f_k − f*) ≤ ((κ−1)/(κ+1))². f* = 0 exactly by construction. Rounding:
 *       f is evaluated from x − c, whose rounding error (≈ 2⁻⁵³ |c|) is relative to ‖x − c‖; the
 *       run stops once f − f* &lt; 10⁻¹⁰ (f_0 − f*), where ‖x − c‖ is still ≥ 10⁻⁵ ‖x_0 − c‖, so
 *       each measured ratio is accurate to about 1e-11 relative. The bound is attained only by
 *       special starting points, but a random start can come within 1e-8 of it (about one seed
 *       in a thousand does), so the comparison allows a relative 10⁻⁹ for rounding, a hundred
 *       times the estimate above.</li>
 *   <li><b>Non-convex: the fallback fires, is counted, and the loss still decreases.</b> On the
 *       rotated double well f(x) = ¼ Σ_i ((Qx)_i² − 1)² (Q orthogonal, minima where every
 *       (Qx)_i = ±1) started near the origin, where H = Qᵀ diag(3(Qx)² − 1) Q is negative
 *       definite, so gᵀHg &lt; 0 and ε* does not exist. Figures: the number of fallbacks counted
 *       by {@link CurvatureStep.State#fallbacks()} (≥ 1); that every step whose report shows
 *       gᵀHg ≤ 0 took the FALLBACK path and the count equals the number of such steps; and that
 *       the loss decreased at every step, max_k (f_{k+1} − f_k) &lt; 0.</li>
 * </ul>
 * <p>A further row checks every ε* the method took on the κ = 10 quadratic against the closed
 * form gᵀg / gᵀAg, with g = A(x − c) and both products summed by plain loops over the known A:
 * max |ε_taken/ε_closed − 1| ≤ 10·n·κ·2⁻⁵³ ≈ 5.5e-14. Both sides compute x − c identically, and
 * the rest differs only in summation order: each product is off by at most n·2⁻⁵³·‖A‖‖x − c‖,
 * which is n·κ·2⁻⁵³ relative to ‖g‖ ≥ λ_min ‖x − c‖, and ε combines four such quantities.
 *
 * <p>The method is a seam ({@link Spec32OptimalStep#Spec32OptimalStep(SecondOrderOptimizer)}):
 * {@link CurvatureStep} in production; the tests pass broken ones (ε* halved, fallbacks not
 * counted) and assert that the claim fails.
 *
 * <p>Plots: f − f* against k for ε*-descent on a log axis, with the bound ((κ−1)/(κ+1))^{2k} and,
 * for comparison, gradient descent with the fixed step 1/λ_max ({@link Optimizers#sgd}); and the
 * double-well loss per step with the fallback steps marked.
 */
public final class Spec32OptimalStep implements Experiment {
    static final int DIMENSION = 5;
    static final int LINE_SEARCH_TRIALS = 5;
    static final double KAPPA = 10;
    static final double LINE_SEARCH_BOUND = 1e-10;
    static final int MAX_STEPS = 200;
    static final double STOP_BELOW = 1e-10;
    static final double RATE_ROUNDING = 1e-9;
    static final int DOUBLE_WELL_DIMENSION = 4;
    static final int DOUBLE_WELL_STEPS = 60;
    static final double DOUBLE_WELL_STOP = 1e-20;
    static final double CLOSED_FORM_BOUND = 10 * DIMENSION * KAPPA * 0x1p-53;

    private final SecondOrderOptimizer<CurvatureOracle, CurvatureStep.State, CurvatureStep.Report> method;

    /** The experiment as {@code descent verify} runs it: {@link CurvatureStep} with fallback step 1. */
    public Spec32OptimalStep() {
        this(CurvatureStep.withFallbackStep(1));
    }

    /** The experiment on another curvature-step method (tests: a deliberately broken one). */
    Spec32OptimalStep(SecondOrderOptimizer<CurvatureOracle, CurvatureStep.State, CurvatureStep.Report> method) {
        if (method == null) throw new IllegalArgumentException("3.2: method is null");
        this.method = method;
    }

    @Override
    public String id() {
        return "3.2";
    }

    @Override
    public String claim() {
        return "The curvature-optimal step ε* = gᵀg / gᵀHg when gᵀHg > 0, with a reported fallback otherwise";
    }

    @Override
    public String why() {
        return "f̂(x0 − εg) is a parabola in ε, f(x0) − ε gᵀg + ½ε² gᵀHg; when gᵀHg > 0 its minimum is where "
                + "the derivative −gᵀg + ε gᵀHg vanishes, ε* = gᵀg/gᵀHg. On a quadratic f̂ = f, so ε* is the exact "
                + "line minimiser, and the Kantorovich inequality bounds each step's decrease by ((κ−1)/(κ+1))²; "
                + "when gᵀHg ≤ 0 the parabola has no minimum, and only a line search is safe.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();

        // 1. ε* is the exact line-search minimiser.
        double worstDerivative = 0;
        for (int trial = 0; trial < LINE_SEARCH_TRIALS; trial++) {
            double[] spectrum = new double[DIMENSION];
            for (int i = 0; i < DIMENSION; i++) spectrum[i] = 1 + 19 * rng.nextDouble();
            CurvatureOracle oracle = Oracles.fromLoss(Spec3Problems.quadratic(Spec3Problems.symmetric(rng, spectrum),
                    rng.normal(DType.F64, 0, 1, DIMENSION, 1), 0));
            Params x0 = Params.of("x", rng.normal(DType.F64, 0, 2, DIMENSION, 1));
            QuadraticModel model = QuadraticModel.alongGradient(oracle, x0);
            double eps = model.optimalStep();
            double derivative = model.gradient().dot(oracle.lossAndGradient(x0.axpy(-eps, model.gradient())).gradient());
            double figure = Math.abs(derivative) / model.gradientNormSquared();
            worstDerivative = Double.isNaN(figure) || Double.isNaN(worstDerivative) ? Double.NaN : Math.max(worstDerivative, figure);
        }
        rows.add(Row.atMost("ε* is the exact line-search minimiser on " + LINE_SEARCH_TRIALS
                + " quadratics: max |d/dε f(x0 − εg)| at ε* / gᵀg", worstDerivative, LINE_SEARCH_BOUND));

        // 2. Steepest descent with ε* at the Kantorovich rate.
        double[] spectrum = new double[DIMENSION];
        spectrum[0] = 1;
        spectrum[1] = KAPPA;
        for (int i = 2; i < DIMENSION; i++) spectrum[i] = 1 + (KAPPA - 1) * rng.nextDouble();
        Tensor a = Spec3Problems.symmetric(rng, spectrum);
        Tensor centre = rng.normal(DType.F64, 0, 1, DIMENSION, 1);
        Function<VarParams, Var> quadratic = Spec3Problems.quadratic(a, centre, 0);
        double[] am = a.toDoubleArray(), cv = centre.toDoubleArray();
        double worstClosedForm = 0;
        CurvatureOracle oracle = Oracles.fromLoss(quadratic);
        Params start = Params.of("x", rng.normal(DType.F64, 0, 3, DIMENSION, 1));
        double rate = Math.pow((KAPPA - 1) / (KAPPA + 1), 2);
        Params x = start;
        CurvatureStep.State state = method.init(x);
        double f0 = oracle.loss(x), f = f0, worstRatio = 0;
        int curvatureSteps = 0;
        List<Double> gap = new ArrayList<>(List.of(1.0));
        for (int k = 0; k < MAX_STEPS && f > STOP_BELOW * f0; k++) {
            SecondOrderStep<CurvatureStep.State, CurvatureStep.Report> s = method.step(x, state, oracle);
            if (s.report().path() == CurvatureStep.Path.CURVATURE) {
                curvatureSteps++;
                double rel = Math.abs(s.report().stepSize() / closedFormStep(am, cv, x.get("x").toDoubleArray()) - 1);
                worstClosedForm = Double.isNaN(rel) || Double.isNaN(worstClosedForm) ? Double.NaN : Math.max(worstClosedForm, rel);
            }
            double next = s.report().lossAfter();
            double ratio = next / f;
            worstRatio = Double.isNaN(ratio) || Double.isNaN(worstRatio) ? Double.NaN : Math.max(worstRatio, ratio);
            x = s.params();
            state = s.state();
            f = next;
            gap.add(f / f0);
        }
        int steps = gap.size() - 1;
        rows.add(Row.atMost(String.format(Locale.ROOT, "ε*-descent, κ = %d: worst per-step ratio (f_{k+1} − f*)/(f_k − f*) over %d steps "
                + "vs ((κ−1)/(κ+1))² (+1e-9 relative for rounding)", Math.round(KAPPA), steps), worstRatio, rate * (1 + RATE_ROUNDING)));
        rows.add(Row.atMost("ε* taken = gᵀg/gᵀAg (closed form, loops over the known A) on each of " + curvatureSteps
                + " steps: max |ε/ε_closed − 1|", curvatureSteps == 0 ? Double.NaN : worstClosedForm, CLOSED_FORM_BOUND));
        int otherSteps = steps - curvatureSteps;
        rows.add(new Row("ε*-descent on the quadratic: steps that did not take ε* (fallback or backtracked)",
                Integer.toString(otherSteps), "≤ 0", otherSteps <= 0));

        // Gradient descent with the classic fixed step 1/λ_max, for the plot.
        double[] fixedStep = fixedStepRun(Optimizers.sgd(1 / KAPPA), oracle, start, f0, steps);

        double[] ks = new double[steps + 1], measured = new double[steps + 1], bound = new double[steps + 1];
        for (int k = 0; k <= steps; k++) {
            ks[k] = k;
            measured[k] = gap.get(k);
            bound[k] = Math.pow(rate, k);
        }
        Chart convergence = Chart.builder(String.format(Locale.ROOT, "Steepest descent with ε* = gᵀg/gᵀHg on a quadratic, κ = %d",
                        Math.round(KAPPA)))
                .xLabel("iteration k").yLabel("(f_k − f*) / (f_0 − f*)").yScale(Chart.Scale.LOG10)
                .lineWithMarkers("ε* step (CurvatureStep)", ks, measured)
                .line("fixed step 1/λ_max", ks, fixedStep)
                .bound("bound ((κ−1)/(κ+1))^2k", ks, bound)
                .build();
        notes.add(String.format(Locale.ROOT, "quadratic in ℝ^%d with eigenvalues %s; rate bound ((κ−1)/(κ+1))² = %s; "
                + "f − f* fell from %s to %s in %d steps", DIMENSION, format(spectrum), Row.format(rate), Row.format(f0), Row.format(f), steps));

        // 3. Non-convex: the rotated double well from near the origin.
        Tensor q = Spec3Problems.orthogonal(rng, DOUBLE_WELL_DIMENSION);
        Var rotation = Var.constant(q);
        Function<VarParams, Var> doubleWell = p -> rotation.matmul(p.get("x")).square().sub(1).square().sum().mul(0.25);
        CurvatureOracle wellOracle = Oracles.fromLoss(doubleWell);
        Params y = Params.of("x", q.matmul(rng.uniform(DType.F64, -0.3, 0.3, DOUBLE_WELL_DIMENSION, 1), true, false));
        CurvatureStep.State wellState = method.init(y);
        double wellStart = wellOracle.loss(y);
        List<Double> losses = new ArrayList<>(List.of(wellStart));
        List<Double> fallbackSteps = new ArrayList<>(), fallbackLosses = new ArrayList<>();
        int negativeCurvature = 0, negativeNotFallback = 0;
        double worstChange = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < DOUBLE_WELL_STEPS && losses.get(losses.size() - 1) > DOUBLE_WELL_STOP; k++) {
            SecondOrderStep<CurvatureStep.State, CurvatureStep.Report> s = method.step(y, wellState, wellOracle);
            CurvatureStep.Report r = s.report();
            if (r.curvature() <= 0) {
                negativeCurvature++;
                if (r.path() != CurvatureStep.Path.FALLBACK) negativeNotFallback++;
                fallbackSteps.add((double) k + 1);
                fallbackLosses.add(r.lossAfter());
            }
            double change = r.lossAfter() - r.lossBefore();
            worstChange = Double.isNaN(change) || Double.isNaN(worstChange) ? Double.NaN : Math.max(worstChange, change);
            y = s.params();
            wellState = s.state();
            losses.add(r.lossAfter());
        }
        rows.add(new Row("non-convex (rotated double well): fallbacks counted by the state", Long.toString(wellState.fallbacks()), "≥ 1",
                wellState.fallbacks() >= 1));
        rows.add(Row.holds(String.format(Locale.ROOT, "every step with gᵀHg ≤ 0 (%d) took the reported FALLBACK path and was counted",
                negativeCurvature), negativeNotFallback == 0 && negativeCurvature == wellState.fallbacks()));
        rows.add(Row.lessThan("the loss still decreases at every step: max_k (f_{k+1} − f_k) over " + (losses.size() - 1) + " steps",
                worstChange, 0));

        double[] wk = new double[losses.size()], wl = new double[losses.size()];
        for (int k = 0; k < wk.length; k++) {
            wk[k] = k;
            wl[k] = losses.get(k);
        }
        Chart.Builder well = Chart.builder("Curvature step on a non-convex double well: loss per step")
                .xLabel("step k").yLabel("f(x_k)").yScale(Chart.Scale.LOG10)
                .lineWithMarkers("loss", wk, wl);
        if (!fallbackSteps.isEmpty()) {
            well.markers("fallback (gᵀHg ≤ 0)", toArray(fallbackSteps), toArray(fallbackLosses));
        }
        notes.add(String.format(Locale.ROOT, "double well in ℝ^%d: %d fallbacks, %d curvature steps, %d backtracked; loss %s → %s",
                DOUBLE_WELL_DIMENSION, wellState.fallbacks(), wellState.steps() - wellState.fallbacks() - wellState.backtracked()
                        - wellState.noDecrease(), wellState.backtracked(), Row.format(wellStart), Row.format(losses.get(losses.size() - 1))));

        Result result = Result.of(rows).withPlot(convergence).withPlot(well.build());
        for (String n : notes) result = result.withNote(n);
        return result;
    }

    /** (f_k − f*)/(f_0 − f*) for k = 0…steps of a first-order optimiser from {@code start} (f* = 0). */
    private static <S> double[] fixedStepRun(GradientTransformation<S> optimiser, CurvatureOracle oracle, Params start, double f0,
                                             int steps) {
        Params x = start;
        S state = optimiser.init(x);
        double[] out = new double[steps + 1];
        out[0] = 1;
        for (int k = 1; k <= steps; k++) {
            Update<S> u = optimiser.update(oracle.lossAndGradient(x).gradient(), state, x);
            x = Updates.apply(x, u.updates());
            state = u.state();
            out[k] = oracle.loss(x) / f0;
        }
        return out;
    }

    /** gᵀg / gᵀAg with g = A(x − c), by loops. */
    static double closedFormStep(double[] a, double[] c, double[] x) {
        int n = c.length;
        double[] d = new double[n], g;
        for (int i = 0; i < n; i++) d[i] = x[i] - c[i];
        g = Reference.multiply(a, n, n, d);
        double[] ag = Reference.multiply(a, n, n, g);
        double gg = 0, gAg = 0;
        for (int i = 0; i < n; i++) {
            gg += g[i] * g[i];
            gAg += g[i] * ag[i];
        }
        return gg / gAg;
    }

    private static double[] toArray(List<Double> list) {
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String format(double[] values) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) sb.append(i == 0 ? "" : ", ").append(Row.format(values[i]));
        return sb.append('}').toString();
    }
}
