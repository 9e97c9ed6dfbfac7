package dev.descent.experiments;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.chart.Chart;
import dev.descent.diagnostics.WeightNormDynamics;
import dev.descent.diagnostics.WeightNormLayerStats;
import dev.descent.nn.Init;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.WeightNorm;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Update;
import dev.descent.optim.Updates;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * SPEC.md §4.3, the norm of u grows and that stabilises the step (Salimans &amp; Kingma 2016,
 * §2.1). Under plain gradient descent Δu = −η ∇_u L is orthogonal to u (§4.2), so
 * ‖u_{t+1}‖² = ‖u_t‖² + ‖Δu_t‖²: ‖u‖ grows by √(1 + c²), c = ‖Δu‖/‖u‖, the more so the larger
 * the step, and the effective learning rate of the direction, η·g/‖u‖, falls until it suits the
 * problem. This makes weight normalisation robust to the learning rate.
 *
 * <p>Set-up, float64: softmax regression of 4 classes from 10 features on a full batch of 256
 * examples: class means ~ N(0, 0.5² I) and x = s ⊙ (mean_y + N(0, I)) with feature scales s_j
 * log-spaced from 1 to 10. The classes overlap, so the data are not separable and the loss keeps
 * its curvature near the optimum, of the order of λ1 of the feature covariance (≈ 10²): plain
 * gradient descent is stable only for η up to about 0.03–0.1 and oscillates with growing logits
 * above (on separable data it can instead coast to a small loss even with large steps, which
 * leaves nothing to compare; with class means ~ N(0, I) that happened for some seeds). Two models start from
 * the same weights W₀ (PyTorch's default initialisation, no bias): a plain {@link Linear}, and the
 * same layer under {@link WeightNorm} (g = ‖w₀ⱼ‖, u = w₀: the same function) with its gains
 * frozen ({@link Module#freeze}). Frozen gains make every trained parameter a direction, so the
 * loss is invariant to the scale of u and the learning rate acts only through the mechanism
 * under test; a trained gain is an ordinary parameter whose step the growth of ‖u‖ does not
 * temper. Both are trained by 100 steps of plain SGD ({@link Optimizers#sgd}) for each learning
 * rate η ∈ {0.01, 0.0316, …, 10} (7 values, 3 orders of magnitude).
 *
 * <p>Every step of every weight-normalised run is measured by {@link WeightNormDynamics}. Rows:
 * <ul>
 *   <li>‖u‖ is non-decreasing: min over steps, units and η of ‖u_{t+1}‖²/‖u_t‖² − 1 ≥ 0 (it is
 *       c² + the Pythagorean residual, and c² ≫ the residual here);</li>
 *   <li>Pythagorean identity: max of |‖u_{t+1}‖² − ‖u_t‖² − ‖Δu_t‖²| / ‖u_{t+1}‖² ≤ 1e-10; the
 *       residual is 2⟨u, Δu⟩, zero up to the rounding of the projection (§4.2, ~1e-16 relative)
 *       and of the squared norms (~10 ulps), so the bound has five orders of margin;</li>
 *   <li>the spread max/min of the final loss over the sweep is smaller for the weight-normalised
 *       model than for the plain one (both reported);</li>
 *   <li>why the spread is small, as an exact identity with an independent second computation:
 *       with the gains frozen the loss is invariant to the scale of u, so ∇L(cu) = ∇L(u)/c, and
 *       gradient descent at rate η from u₀ is, step for step, √η times gradient descent at rate 1
 *       from u₀/√η (v_{t+1} = v_t − √η ∇L(√η v_t) = v_t − ∇L(v_t)); the same holds with heavy-ball
 *       momentum. The learning rate therefore only sets the initial scale of u, and the growth of
 *       ‖u‖ absorbs it. Row: max over η of |L_η − L₁(u₀/√η)| / L_η ≤ 1e-9, where L₁(u₀/√η) is a
 *       separate run at rate 1. Both runs round at 2⁻⁵³ per operation for 100 steps, and since the
 *       runs converge rather than diverge the differences are not amplified beyond a few orders of
 *       magnitude (measured ≤ 1e-13). A layer whose loss is not scale-invariant (a wrong
 *       normalisation) or an optimiser that does not scale with η fails it at O(1).</li>
 * </ul>
 * The layer is a {@link WeightNormUnderTest} seam (the tests pass a layer whose gradient lacks the
 * projection: the Pythagoras row must then fail).
 * With momentum ({@link #Spec43WeightNormGrowth(double)}) the update is no longer orthogonal to u
 * and the Pythagoras row fails: the premise "plain gradient descent" matters.
 * Plots: ‖u‖ (all units) against the step for each η; the final loss against η for both models
 * (log-log).
 */
public final class Spec43WeightNormGrowth implements Experiment {
    static final int EXAMPLES = 256, FEATURES = 10, CLASSES = 4, STEPS = 100;
    static final double[] LEARNING_RATES = {0.01, 0.01 * Math.sqrt(10), 0.1, 0.1 * Math.sqrt(10), 1, Math.sqrt(10), 10};
    static final double PYTHAGORAS_BOUND = 1e-10;
    /** Standard deviation of the class means (the noise has 1): overlapping classes. */
    static final double CLASS_SEPARATION = 0.5;

    /** Relative agreement of the rescaled runs (see the class comment). */
    static final double RESCALING_BOUND = 1e-9;

    private final double momentum;
    private final WeightNormUnderTest weightNorm;

    /** The SPEC experiment: plain gradient descent, no momentum. */
    public Spec43WeightNormGrowth() {
        this(0);
    }

    /**
     * The experiment trained with heavy-ball momentum μ ({@link Optimizers#sgd(double, double, boolean, double)});
     * μ &gt; 0 breaks the premise Δu ⟂ u: the update then carries past gradients, taken at other u.
     *
     * @param momentum μ in [0, 1)
     */
    public Spec43WeightNormGrowth(double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("weight-norm growth: momentum must lie in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
        this.weightNorm = WeightNormUnderTest.LIBRARY;
    }

    /** The SPEC experiment on another weight-normalisation layer (tests: a deliberately broken one). */
    Spec43WeightNormGrowth(WeightNormUnderTest weightNorm) {
        if (weightNorm == null) throw new IllegalArgumentException("4.3: layer is null");
        this.momentum = 0;
        this.weightNorm = weightNorm;
    }

    @Override
    public String id() {
        return "4.3";
    }

    @Override
    public String claim() {
        return "Under gradient descent ‖u‖ grows (‖u_{t+1}‖² = ‖u_t‖² + ‖Δu_t‖²), making weight normalization robust to the "
                + "learning rate";
    }

    @Override
    public String why() {
        return "By §4.2 a plain gradient step Δu = −η∇_u L is orthogonal to u, so ‖u + Δu‖² = ‖u‖² + ‖Δu‖² and "
                + "‖u‖ can only grow, the more so the larger η. With the gains frozen the loss is invariant to the "
                + "scale of u, so ∇L(cu) = ∇L(u)/c and a run at rate η from u₀ is √η times a run at rate 1 from "
                + "u₀/√η: the learning rate only sets the initial scale of u, which the growth of ‖u‖ absorbs.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        Tensor means = rng.normal(DType.F64, 0, CLASS_SEPARATION, CLASSES, FEATURES);
        int[] labels = new int[EXAMPLES];
        double[] xs = new double[EXAMPLES * FEATURES];
        for (int i = 0; i < EXAMPLES; i++) {
            labels[i] = rng.nextInt(CLASSES);
            for (int j = 0; j < FEATURES; j++) {
                double scale = Math.pow(10, (double) j / (FEATURES - 1));
                xs[i * FEATURES + j] = scale * (means.get(labels[i], j) + rng.nextGaussian());
            }
        }
        Var x = Var.constant(Tensor.wrap(xs, EXAMPLES, FEATURES));
        Tensor w0 = Init.pytorchDefault().create(rng, DType.F64, CLASSES, FEATURES);

        int n = LEARNING_RATES.length;
        double[] plainLoss = new double[n], normalisedLoss = new double[n], steps = new double[STEPS + 1];
        for (int s = 0; s <= STEPS; s++) steps[s] = s;
        double minGrowth = Double.POSITIVE_INFINITY, maxResidual = 0, worstRescaling = 0;
        double[] finalEffectiveRate = new double[n];
        Chart.Builder growth = Chart.builder("‖u‖ during training, one line per learning rate η").xLabel("step")
                .yLabel("‖u‖ (all units)").yScale(Chart.Scale.LOG10);
        for (int k = 0; k < n; k++) {
            double lr = LEARNING_RATES[k];
            GradientTransformation<?> sgd = momentum == 0 ? Optimizers.sgd(lr) : Optimizers.sgd(lr, momentum, false, 0);

            Linear plain = layer(w0, rng);
            Function<VarParams, Var> plainLossFn = vp -> Losses.softmaxCrossEntropy(plain.apply(vp, x), labels);
            plainLoss[k] = loss(plainLossFn, train(sgd, plainLossFn, plain.parameters(), (before, after) -> { }));

            Module normalised = weightNorm.wrap(layer(w0, rng));
            normalised.freeze("weight_g");
            Tensor gains = normalised.parameters().get("weight_g");
            Function<VarParams, Var> normalisedLossFn = vp -> Losses.softmaxCrossEntropy(normalised.apply(vp, x), labels);
            Params u0 = normalised.trainable();
            List<Double> norms = new ArrayList<>(List.of(u0.norm()));
            List<WeightNormLayerStats> stats = new ArrayList<>();
            Params u = train(sgd, normalisedLossFn, u0, (before, after) -> {
                stats.add(WeightNormDynamics.measure(
                        Params.of("weight_g", gains, "weight_v", before.get("weight_v")),
                        Params.of("weight_g", Tensor.zerosLike(gains), "weight_v", after.get("weight_v").sub(before.get("weight_v"))),
                        OptionalDouble.of(lr)).get(0));
                norms.add(after.norm());
            });
            for (WeightNormLayerStats st : stats) {
                double[] before = st.directionNorms(), after = st.directionNormsSquaredAfter();
                for (int i = 0; i < before.length; i++) minGrowth = Math.min(minGrowth, after[i] / (before[i] * before[i]) - 1);
                maxResidual = Math.max(maxResidual, st.maxAbsRelativePythagoreanResidual());
            }
            double[] norm = norms.stream().mapToDouble(Double::doubleValue).toArray();
            normalisedLoss[k] = loss(normalisedLossFn, u);
            GradientTransformation<?> unitRate = momentum == 0 ? Optimizers.sgd(1) : Optimizers.sgd(1, momentum, false, 0);
            double rescaled = loss(normalisedLossFn, train(unitRate, normalisedLossFn, u0.scale(1 / Math.sqrt(lr)), (b, a) -> { }));
            double rel = Math.abs(rescaled - normalisedLoss[k]) / normalisedLoss[k];
            worstRescaling = Double.isNaN(rel) || Double.isNaN(worstRescaling) ? Double.NaN : Math.max(worstRescaling, rel);
            finalEffectiveRate[k] = mean(stats.get(STEPS - 1).effectiveLearningRates());
            growth.line("η = " + compact(lr), steps, norm);
        }
        double plainSpread = spread(plainLoss), normalisedSpread = spread(normalisedLoss);

        List<Row> rows = new ArrayList<>();
        rows.add(Row.atLeast("‖u‖ non-decreasing: min ‖u_{t+1}‖²/‖u_t‖² − 1", minGrowth, 0));
        rows.add(Row.atMost("Pythagoras: max |‖u_{t+1}‖² − ‖u_t‖² − ‖Δu_t‖²|/‖u_{t+1}‖²", maxResidual, PYTHAGORAS_BOUND));
        rows.add(new Row("final loss max/min over η = " + compact(LEARNING_RATES[0]) + "…" + compact(LEARNING_RATES[n - 1])
                + ", WN", Row.format(normalisedSpread), "< " + Row.format(plainSpread) + " (plain)", normalisedSpread < plainSpread));
        rows.add(Row.atMost("rate η from u₀ equals rate 1 from u₀/√η (scale invariance): max |L_η − L₁|/L_η over η", worstRescaling,
                RESCALING_BOUND));

        Chart sweep = Chart.builder("Final loss after " + STEPS + " SGD steps against η (WN gains frozen)").xLabel("learning rate η")
                .yLabel("final loss").xScale(Chart.Scale.LOG10).yScale(Chart.Scale.LOG10)
                .lineWithMarkers("plain", LEARNING_RATES, plainLoss)
                .lineWithMarkers("weight-normalised", LEARNING_RATES, normalisedLoss)
                .build();
        List<String> notes = new ArrayList<>();
        notes.add("final loss, plain: " + list(plainLoss) + "; weight-normalised: " + list(normalisedLoss));
        notes.add("effective learning rate η·g/‖u‖ (mean over units) at the last step: " + list(finalEffectiveRate)
                + " for η = " + list(LEARNING_RATES));
        return new Result(rows, List.of(growth.build(), sweep), notes);
    }

    /** A bias-free Linear holding W₀. */
    private static Linear layer(Tensor w0, Rng rng) {
        Linear l = new Linear(FEATURES, CLASSES, false, Init.zeros(), rng, DType.F64);
        l.setParameters(Params.of("weight", w0));
        return l;
    }

    /** {@link #STEPS} steps of {@code opt} on {@code loss} from {@code init}, reporting each (before, after) pair. */
    private static <S> Params train(GradientTransformation<S> opt, Function<VarParams, Var> loss, Params init,
                                    BiConsumer<Params, Params> onStep) {
        Params p = init;
        S state = opt.init(p);
        for (int s = 0; s < STEPS; s++) {
            Update<S> u = opt.update(Autodiff.grad(loss, p), state, p);
            Params next = Updates.apply(p, u.updates());
            onStep.accept(p, next);
            p = next;
            state = u.state();
        }
        return p;
    }

    private static double loss(Function<VarParams, Var> loss, Params p) {
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            return loss.apply(VarParams.constants(p)).value().item();
        }
    }

    /** max/min, +∞ when a value is not finite. */
    static double spread(double[] values) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (double v : values) {
            if (!Double.isFinite(v)) return Double.POSITIVE_INFINITY;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return hi / lo;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }

    /** A learning rate with 3 significant digits and no trailing zeros: 0.0316, 1, 10. */
    private static String compact(double v) {
        return new java.math.BigDecimal(String.format(java.util.Locale.ROOT, "%.3g", v)).stripTrailingZeros().toPlainString();
    }

    private static String list(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double d : v) b.append(b.length() == 0 ? "" : ", ").append(Row.format(d));
        return b.toString();
    }
}
