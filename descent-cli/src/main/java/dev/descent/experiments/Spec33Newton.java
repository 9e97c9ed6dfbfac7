package dev.descent.experiments;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.chart.Chart;
import dev.descent.optim.second.CurvatureOracle;
import dev.descent.optim.second.Newton;
import dev.descent.optim.second.Oracles;
import dev.descent.optim.second.SecondOrderStep;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * SPEC §3.3: Newton's method. Setting the gradient of the quadratic model to zero gives the step
 * x = x0 − H⁻¹g; {@link Newton} solves (H + λI) p = −g by Cholesky (never inverting), with the
 * damping λ adapted by the Levenberg-Marquardt rule and 0 while H is positive definite and the
 * model agrees with the loss.
 *
 * <p>Experiment:
 * <ul>
 *   <li><b>One step on a quadratic.</b> f(x) = ½(x − c)ᵀA(x − c) + f* in ℝ^{@value #DIMENSION}
 *       with eigenvalues from 0.3 to 100 (κ ≈ 330), drawn from the seed. The model is the function,
 *       so one undamped step lands on c. Figure: ‖∇f‖ after one step &lt; 10⁻¹⁰ (SPEC's bound);
 *       what remains is the rounding of the Cholesky solve, at most about κ · 2⁻⁵³ ‖∇f(x0)‖
 *       ≈ 2e-11 (measured about 1e-13).</li>
 *   <li><b>Quadratic convergence on a strongly convex problem.</b> L2-regularised logistic
 *       regression, f(θ) = mean_i log(1 + exp(−y_i x̃_iᵀθ)) + ½λ‖θ‖² with x̃ = (x, 1),
 *       {@value #EXAMPLES} examples, {@value #FEATURES} features, λ = {@value #L2}, labels drawn
 *       from a logistic teacher. It is λ-strongly convex and its Hessian is M-Lipschitz with
 *       M = max|σ''| · max_i ‖x̃_i‖³, max|σ''| = 1/(6√3); for every full undamped Newton step the
 *       classical argument (Nocedal &amp; Wright, Theorem 3.5; Boyd &amp; Vandenberghe §9.5.3) gives
 *       e_{k+1} ≤ C e_k² with C = M/(2λ) and e_k = ‖θ_k − θ*‖. θ* is the iterate after
 *       {@value #REFERENCE_ITERATIONS} iterations; by strong convexity it is within ‖∇f(θ*)‖/λ of the
 *       true minimiser, so errors are measurable only above the floor
 *       max(1e-12 (1 + ‖θ*‖), 10 ‖∇f(θ*)‖/λ). Figures, over the iterations whose step was a
 *       full undamped Newton step (step scale 1, λ = 0) and whose e_{k+1} is above the floor:
 *       the largest e_{k+1}/e_k² ≤ C; at least two such iterations; and the order of
 *       convergence from the last two consecutive ones, p = log(e_{k+1}/e_k) / log(e_k/e_{k−1}),
 *       ≥ 1.8 (p → 2 under quadratic convergence, p → 1 under linear). Steps that the Armijo line
 *       search backtracked are left out (and counted in a note): they are not Newton steps. They
 *       happen near the end, when the decrease a Newton step achieves, about ½ μ e_k², drops
 *       below the rounding of f (≈ 1e-16 |f|), i.e. for e_k ≲ 1e-8: the line search can no
 *       longer see the decrease, halves the step and raises λ.</li>
 * </ul>
 * <p>The constant C = M/(2λ) is a worst case over all directions and data (here in the hundreds,
 * while the measured ratios are below 1), so that row alone has no teeth. The sharp check
 * compares each measured ratio with the constant the problem itself predicts for that step:
 * expanding ∇f and H around θ* in Newton's error recursion
 * e_{k+1} = H(θ_k)⁻¹ (H(θ_k) e_k − ∇f(θ_k)) gives e_{k+1} = ½ H*⁻¹ ∇³f(θ*)[e_k, e_k] + O(‖e_k‖³),
 * so ‖e_{k+1}‖/‖e_k‖² = C_k + O(‖e_k‖) with C_k = ‖½ H*⁻¹ ∇³f(θ*)[ê_k, ê_k]‖ (ê_k = e_k/‖e_k‖).
 * H* and the third-derivative tensor are written out from the logistic loss by plain loops
 * (H = mean ℓ''(m_i) x̃x̃ᵀ + λI, ∇³f[e, e] = mean y_i ℓ'''(m_i) (x̃_iᵀe)² x̃_i with
 * m_i = y_i x̃_iᵀθ, ℓ'' = p(1−p), ℓ''' = p(1−p)(1−2p), p = σ(m)), and solved by Cholesky: none of
 * this uses the library's autodiff or Newton. Row: over the checked steps with ‖e_k‖ ≤ 10⁻²,
 * max |(e_{k+1}/e_k²) / C_k − 1| ≤ 0.1. The O(‖e_k‖) term is ‖e_k‖ times a ratio of the
 * fourth to third derivatives and of ‖∇³f‖ to λ, which is O(1–10) for this problem (the measured
 * deviations are ≲ ‖e_k‖), so 0.1 is reached only by a step that is not Newton's: a damped
 * step, a wrong Hessian-vector product or a wrong solve change e_{k+1} at first order.
 *
 * <p>The Newton configuration and the oracle are seams: the library's in production; the tests
 * pass an oracle whose Hessian is always damped (H + λI) or whose products are scaled, and
 * assert that the claim fails.
 *
 * <p>Plot: e_k (where measurable) and ‖∇f(θ_k)‖ against k on a log axis, with the bound C e_{k−1}²
 * after each checked step, the measurability floor, and the quadratic's gradient norm before and
 * after its single step.
 */
public final class Spec33Newton implements Experiment {
    static final int DIMENSION = 8;
    static final double ONE_STEP_BOUND = 1e-10;
    static final int EXAMPLES = 200;
    static final int FEATURES = 5;
    static final double L2 = 0.01;
    static final int ITERATIONS = 12;
    static final int REFERENCE_ITERATIONS = 15;
    static final double ORDER_BOUND = 1.8;
    static final int MIN_QUADRATIC_ITERATIONS = 2;
    /** Steps with ‖e_k‖ up to this are compared with the predicted constant C_k. */
    static final double PREDICTED_FROM = 1e-2;
    static final double PREDICTED_BOUND = 0.1;

    private final Newton newton;
    private final UnaryOperator<CurvatureOracle> oracleUnderTest;

    /** The experiment as {@code descent verify} runs it: {@link Newton#withDefaults()}. */
    public Spec33Newton() {
        this(Newton.withDefaults());
    }

    /**
     * A variant for tests with another Newton configuration, e.g. one started at a large damping
     * λ, whose first step is then not a Newton step, so the one-step row must fail.
     */
    Spec33Newton(Newton newton) {
        if (newton == null) throw new IllegalArgumentException("3.3: newton is null");
        this.newton = newton;
        this.oracleUnderTest = UnaryOperator.identity();
    }

    /** A variant for tests: every oracle passes through {@code oracleUnderTest} (e.g. a damped or scaled Hessian). */
    Spec33Newton(UnaryOperator<CurvatureOracle> oracleUnderTest) {
        if (oracleUnderTest == null) throw new IllegalArgumentException("3.3: oracle is null");
        this.newton = Newton.withDefaults();
        this.oracleUnderTest = oracleUnderTest;
    }

    @Override
    public String id() {
        return "3.3";
    }

    @Override
    public String claim() {
        return "Newton's method x = x0 − H⁻¹g: one step on a quadratic, quadratic convergence on a strongly convex problem";
    }

    @Override
    public String why() {
        return "∇f̂(x) = g + H(x − x0) = 0 gives x = x0 − H⁻¹g; on a quadratic f̂ = f, so that point is the "
                + "minimiser. For a smooth strongly convex f, Newton's error obeys e_{k+1} = H_k⁻¹(H_k e_k − "
                + "∇f(θ_k)) = ½H*⁻¹ ∇³f(θ*)[e_k, e_k] + O(e_k³), so e_{k+1} ≤ C e_k², and the experiment compares "
                + "each measured ratio with the constant that the problem's own third derivatives predict.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();

        // 1. One step on a quadratic.
        double[] spectrum = new double[DIMENSION];
        spectrum[0] = 0.3;
        spectrum[1] = 100;
        for (int i = 2; i < DIMENSION; i++) spectrum[i] = 0.3 * Math.pow(100 / 0.3, rng.nextDouble());
        CurvatureOracle quadratic = oracleUnderTest.apply(Oracles.fromLoss(Spec3Problems.quadratic(Spec3Problems.symmetric(rng, spectrum),
                rng.normal(DType.F64, 0, 1, DIMENSION, 1), rng.normal(DType.F64, 0, 1, 1).item())));
        Params x0 = Params.of("x", rng.normal(DType.F64, 0, 5, DIMENSION, 1));
        double gradientBefore = quadratic.lossAndGradient(x0).gradient().norm();
        SecondOrderStep<Newton.State, Newton.Report> one = newton.step(x0, newton.init(x0), quadratic);
        double gradientAfter = quadratic.lossAndGradient(one.params()).gradient().norm();

        // 2. Logistic regression.
        Tensor x = rng.normal(DType.F64, 0, 1, EXAMPLES, FEATURES);
        Tensor teacher = rng.normal(DType.F64, 0, 1, FEATURES, 1);
        Tensor margins = x.matmul(teacher);
        double[] labels = new double[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) labels[i] = rng.nextDouble() < 1 / (1 + Math.exp(-margins.getFlat(i))) ? 1 : -1;
        Var features = Var.constant(x), y = Var.constant(Tensor.of(labels, EXAMPLES, 1));
        Function<VarParams, Var> logits = p -> features.matmul(p.get("w")).add(p.get("b"));
        // log(1 + e^z) written directly: smooth everywhere (|z| stays far below exp's overflow at 709 here).
        Function<Var, Var> negativeLogLikelihood = z -> z.mul(y).neg().exp().add(1).log().mean();
        CurvatureOracle logistic = oracleUnderTest.apply(Oracles.fromModel(logits, negativeLogLikelihood, L2));

        Params theta = Params.of("w", Tensor.zeros(DType.F64, FEATURES, 1), "b", Tensor.zeros(DType.F64, 1));
        Newton.State state = newton.init(theta);
        List<Params> iterates = new ArrayList<>(List.of(theta));
        List<Double> gradientNorms = new ArrayList<>();
        List<Boolean> fullStep = new ArrayList<>();
        for (int k = 0; k < REFERENCE_ITERATIONS; k++) {
            SecondOrderStep<Newton.State, Newton.Report> s = newton.step(theta, state, logistic);
            gradientNorms.add(s.report().gradientNorm());
            fullStep.add(s.report().accepted() && s.report().stepScale() == 1 && s.report().damping() == 0);
            theta = s.params();
            state = s.state();
            iterates.add(theta);
        }
        Params optimum = theta;
        double optimumGradient = logistic.lossAndGradient(optimum).gradient().norm();
        // By λ-strong convexity the reference is within ‖∇f(θ*)‖/λ of the true minimiser, and θ*
        // itself is only known to rounding: errors below the floor are not measurable.
        double floor = Math.max(1e-12 * (1 + optimum.norm()), 10 * optimumGradient / L2);

        double maxRowNorm = 0;
        for (int i = 0; i < EXAMPLES; i++) {
            double s = 1;
            for (int j = 0; j < FEATURES; j++) s += x.get(i, j) * x.get(i, j);
            maxRowNorm = Math.max(maxRowNorm, Math.sqrt(s));
        }
        double lipschitz = Math.pow(maxRowNorm, 3) / (6 * Math.sqrt(3));
        double c = lipschitz / (2 * L2);

        double[] errors = new double[ITERATIONS + 1];
        for (int k = 0; k <= ITERATIONS; k++) errors[k] = iterates.get(k).sub(optimum).norm();
        // Iterations k whose step was a full undamped Newton step with e_k and e_{k+1} measurable.
        double worstConstant = 0;
        List<Integer> checked = new ArrayList<>();
        int notFull = 0;
        for (int k = 0; k < ITERATIONS; k++) {
            if (errors[k + 1] <= floor) continue;
            if (!fullStep.get(k)) {
                notFull++;
                continue;
            }
            double constant = errors[k + 1] / (errors[k] * errors[k]);
            worstConstant = Double.isNaN(constant) || Double.isNaN(worstConstant) ? Double.NaN : Math.max(worstConstant, constant);
            checked.add(k);
        }
        // Each checked step's ratio against the constant the problem predicts for its direction.
        double[] star = vector(optimum);
        double[] data = x.toDoubleArray();
        double worstPredicted = 0;
        int predictedSteps = 0;
        StringBuilder predictedNote = new StringBuilder();
        for (int k : checked) {
            if (errors[k] > PREDICTED_FROM) continue;
            double[] e = vector(iterates.get(k));
            for (int i = 0; i < e.length; i++) e[i] -= star[i];
            double predicted = predictedConstant(data, labels, star, e);
            double measuredRatio = errors[k + 1] / (errors[k] * errors[k]);
            double dev = Math.abs(measuredRatio / predicted - 1);
            worstPredicted = Double.isNaN(dev) || Double.isNaN(worstPredicted) ? Double.NaN : Math.max(worstPredicted, dev);
            predictedSteps++;
            predictedNote.append(predictedNote.length() == 0 ? "" : "; ").append("k = ").append(k).append(": ")
                    .append(Row.format(measuredRatio)).append(" vs ").append(Row.format(predicted));
        }

        // The order from the last two consecutive checked steps k−1 → k → k+1.
        double order = Double.NaN;
        for (int j = checked.size() - 1; j >= 1 && Double.isNaN(order); j--) {
            int k = checked.get(j);
            if (checked.get(j - 1) == k - 1) order = Math.log(errors[k + 1] / errors[k]) / Math.log(errors[k] / errors[k - 1]);
        }

        // Errors only where measurable; the bound only after the steps it was checked on.
        double[] ks = new double[ITERATIONS + 1], shownErrors = new double[ITERATIONS + 1];
        double[] gradientPlot = new double[ITERATIONS + 1], bound = new double[ITERATIONS + 1];
        for (int k = 0; k <= ITERATIONS; k++) {
            ks[k] = k;
            shownErrors[k] = errors[k] > floor ? errors[k] : Double.NaN;
            gradientPlot[k] = gradientNorms.get(k);
            bound[k] = k > 0 && checked.contains(k - 1) ? c * errors[k - 1] * errors[k - 1] : Double.NaN;
        }
        Chart plot = Chart.builder("Newton's method: error and gradient norm per iteration")
                .xLabel("iteration k").yLabel("error / gradient norm").yScale(Chart.Scale.LOG10)
                .lineWithMarkers("logistic ‖θ_k − θ*‖", ks, shownErrors)
                .bound("bound C e_(k−1)²", ks, bound)
                .lineWithMarkers("logistic ‖∇f(θ_k)‖", ks, gradientPlot)
                .horizontalLine("error floor", floor)
                .lineWithMarkers("quadratic ‖∇f(x_k)‖", new double[] {0, 1}, new double[] {gradientBefore, gradientAfter})
                .build();
        return Result.of(
                        Row.lessThan("quadratic: ‖∇f‖ after one Newton step", gradientAfter, ONE_STEP_BOUND),
                        Row.atMost("logistic regression: max e_{k+1}/e_k² over full Newton steps (vs C = M/(2λ))", worstConstant, c),
                        new Row("logistic regression: full Newton steps checked", Integer.toString(checked.size()),
                                "≥ " + MIN_QUADRATIC_ITERATIONS, checked.size() >= MIN_QUADRATIC_ITERATIONS),
                        Row.atLeast("logistic regression: order of convergence log(e_{k+1}/e_k)/log(e_k/e_{k−1}), last two full steps",
                                order, ORDER_BOUND),
                        Row.atMost("logistic regression: e_{k+1}/e_k² against C_k = ‖½H*⁻¹∇³f(θ*)[ê_k, ê_k]‖ (loops), max "
                                + "|ratio/C_k − 1| over " + predictedSteps + " steps with e_k ≤ 1e-2",
                                predictedSteps == 0 ? Double.NaN : worstPredicted, PREDICTED_BOUND))
                .withPlot(plot)
                .withNote(String.format(Locale.ROOT, "quadratic in ℝ^%d, eigenvalues 0.3 … 100: ‖∇f‖ %s → %s in one step "
                                + "(damping λ = %s)", DIMENSION, Row.format(gradientBefore), Row.format(gradientAfter),
                        Row.format(one.report().damping())))
                .withNote(String.format(Locale.ROOT, "logistic regression, %d examples, %d features + bias, λ = %s: M = %s, C = %s; "
                                + "errors e_0…e_%d = %s; ‖∇f(θ*)‖ = %s, so errors below %s are not measurable; %d measurable steps were not full Newton steps (backtracked or damped) and "
                                + "were left out", EXAMPLES, FEATURES, L2, Row.format(lipschitz), Row.format(c), ITERATIONS, format(errors),
                        Row.format(optimumGradient), Row.format(floor), notFull))
                .withNote("measured e_{k+1}/e_k² against the predicted C_k: " + (predictedNote.length() == 0 ? "no step with e_k ≤ 1e-2"
                        : predictedNote.toString()));
    }

    /** (w, b) as one vector. */
    private static double[] vector(Params theta) {
        double[] w = theta.get("w").toDoubleArray(), b = theta.get("b").toDoubleArray();
        double[] out = Arrays.copyOf(w, w.length + b.length);
        System.arraycopy(b, 0, out, w.length, b.length);
        return out;
    }

    /**
     * ‖½ H(θ*)⁻¹ ∇³f(θ*)[e, e]‖ / ‖e‖² for the L2-regularised logistic loss, written out by loops
     * (see the class comment) and solved by Cholesky.
     */
    static double predictedConstant(double[] x, double[] labels, double[] theta, double[] e) {
        int n = labels.length, d = theta.length;
        double[] h = new double[d * d], third = new double[d];
        double[] row = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d - 1; j++) row[j] = x[i * (d - 1) + j];
            row[d - 1] = 1;
            double z = 0, re = 0;
            for (int j = 0; j < d; j++) {
                z += row[j] * theta[j];
                re += row[j] * e[j];
            }
            double m = labels[i] * z, p = 1 / (1 + Math.exp(-m));
            double second = p * (1 - p), thirdDerivative = p * (1 - p) * (1 - 2 * p);
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) h[a * d + b] += second * row[a] * row[b] / n;
                third[a] += labels[i] * thirdDerivative * re * re * row[a] / n;
            }
        }
        for (int a = 0; a < d; a++) {
            h[a * d + a] += L2;
            third[a] *= 0.5;
        }
        double[] z = choleskySolve(h, third, d);
        double norm = 0, ee = 0;
        for (int a = 0; a < d; a++) {
            norm += z[a] * z[a];
            ee += e[a] * e[a];
        }
        return Math.sqrt(norm) / ee;
    }

    /** Solves A z = r for symmetric positive definite A [d, d] by Cholesky. */
    private static double[] choleskySolve(double[] a, double[] r, int d) {
        double[] l = new double[d * d];
        for (int j = 0; j < d; j++) {
            double s = a[j * d + j];
            for (int k = 0; k < j; k++) s -= l[j * d + k] * l[j * d + k];
            l[j * d + j] = Math.sqrt(s);
            for (int i = j + 1; i < d; i++) {
                double t = a[i * d + j];
                for (int k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
                l[i * d + j] = t / l[j * d + j];
            }
        }
        double[] y = new double[d], z = new double[d];
        for (int i = 0; i < d; i++) {
            double t = r[i];
            for (int k = 0; k < i; k++) t -= l[i * d + k] * y[k];
            y[i] = t / l[i * d + i];
        }
        for (int i = d - 1; i >= 0; i--) {
            double t = y[i];
            for (int k = i + 1; k < d; k++) t -= l[k * d + i] * z[k];
            z[i] = t / l[i * d + i];
        }
        return z;
    }

    private static String format(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) sb.append(i == 0 ? "" : ", ").append(Row.format(values[i]));
        return sb.toString();
    }
}
