package dev.descent.optim.second;

import dev.descent.tensor.Params;

/**
 * Line searches along a direction d from θ, on the one-dimensional function φ(t) = f(θ + t d)
 * whose slope is φ'(t) = ∇f(θ + t d)ᵀd:
 * <ul>
 *   <li>{@link #armijo}: backtracking to sufficient decrease (Armijo 1966);</li>
 *   <li>{@link #strongWolfe}: Descent's strong-Wolfe search (Nocedal &amp; Wright, Algorithms 3.5
 *       and 3.6), bracketing by doubling and zooming by safeguarded cubic interpolation;</li>
 *   <li>{@link #pytorchStrongWolfe}: the strong-Wolfe search of PyTorch's
 *       {@code torch.optim.LBFGS(line_search_fn="strong_wolfe")}, decision for decision, so that
 *       a trajectory recorded with PyTorch can be reproduced.</li>
 * </ul>
 * The strong Wolfe conditions on a step t &gt; 0 along a descent direction (φ'(0) = gᵀd &lt; 0) are
 * <pre>
 *   φ(t) ≤ φ(0) + c₁ t φ'(0)        (sufficient decrease)
 *   |φ'(t)| ≤ c₂ |φ'(0)|            (curvature)
 * </pre>
 * with 0 &lt; c₁ &lt; c₂ &lt; 1 (usually c₁ = 10⁻⁴, c₂ = 0.9 for quasi-Newton methods). For L-BFGS
 * they guarantee sᵀy &gt; 0, i.e. that every curvature pair keeps the inverse-Hessian estimate
 * positive definite (Nocedal &amp; Wright, §6.1).
 *
 * <p>Every search evaluates the oracle only at points θ + t d computed as
 * {@code at.axpy(t, direction)}, so the point a search returns is bit for bit the point its
 * values belong to.
 */
public final class LineSearches {
    private LineSearches() {}

    /**
     * The outcome of a backtracking search.
     *
     * @param step the accepted step t (0 when none was accepted)
     * @param loss f(θ + t d) at the accepted step (f(θ) when none was)
     * @param backtracks the number of reductions made
     * @param accepted whether a step with sufficient decrease was found
     */
    public record Backtracking(double step, double loss, int backtracks, boolean accepted) {}

    /**
     * Backtracking from {@code initialStep}: the first t = t₀ ρ^k (k = 0 … maxBacktracks) with
     * f(θ + t d) ≤ f(θ) + c t gᵀd (Armijo 1966; Nocedal &amp; Wright, Algorithm 3.1). A non-finite
     * trial loss counts as a failure. Not accepted if none qualifies. Uses loss values only.
     *
     * @param oracle the loss
     * @param at θ
     * @param loss f(θ)
     * @param direction d
     * @param slope gᵀd, the directional derivative at θ (negative for a descent direction)
     * @param initialStep t₀ &gt; 0
     * @param c the sufficient-decrease constant in (0, 1)
     * @param shrink ρ in (0, 1)
     * @param maxBacktracks the largest k tried
     */
    public static Backtracking armijo(GradientOracle oracle, Params at, double loss, Params direction, double slope,
                               double initialStep, double c, double shrink, int maxBacktracks) {
        double t = initialStep;
        for (int k = 0; k <= maxBacktracks; k++) {
            double f = oracle.loss(at.axpy(t, direction));
            if (Double.isFinite(f) && f <= loss + c * t * slope) return new Backtracking(t, f, k, true);
            t *= shrink;
        }
        return new Backtracking(0, loss, maxBacktracks, false);
    }

    /** How a strong-Wolfe search ended. */
    public enum WolfeStatus {
        /** Both strong-Wolfe conditions hold at the returned step. */
        STRONG_WOLFE,
        /** The budget ran out (or the bracket collapsed); the returned step has sufficient decrease only. */
        SUFFICIENT_DECREASE_ONLY,
        /**
         * ({@link #pytorchStrongWolfe} only) the search stopped and returned its lowest trial, a
         * step t &gt; 0 without sufficient decrease, as PyTorch does.
         */
        LOWEST_TRIED,
        /** No step was found: step 0, the point is θ. */
        FAILED
    }

    /**
     * The result of a strong-Wolfe search.
     *
     * @param step the step t
     * @param point θ + t d (θ itself when t = 0)
     * @param atPoint f and ∇f at {@code point}
     * @param evaluations oracle evaluations made by the search
     * @param status how it ended
     */
    public record Wolfe(double step, Params point, LossAndGradient atPoint, int evaluations, WolfeStatus status) {}

    private record Trial(double step, Params point, LossAndGradient values, double slope) {}

    private static Trial trial(GradientOracle oracle, Params at, Params direction, double step) {
        Params p = at.axpy(step, direction);
        LossAndGradient lg = oracle.lossAndGradient(p);
        return new Trial(step, p, lg, lg.gradient().dot(direction));
    }

    /**
     * A step satisfying the strong Wolfe conditions f(θ + αd) ≤ f(θ) + c₁ α gᵀd and
     * |∇f(θ + αd)ᵀd| ≤ c₂ |gᵀd| (Nocedal &amp; Wright, Algorithms 3.5 and 3.6: bracketing by
     * doubling, then zoom with safeguarded cubic interpolation). When the evaluation budget
     * runs out, the best point with sufficient decrease is returned with status
     * SUFFICIENT_DECREASE_ONLY, or none (FAILED, step 0). A non-finite trial loss is treated as
     * too large.
     *
     * @param oracle the loss and its gradient
     * @param at θ
     * @param start f(θ) and ∇f(θ)
     * @param direction d, a descent direction (gᵀd &lt; 0)
     * @param initialStep the first trial α₀ &gt; 0
     * @param c1 the sufficient-decrease constant c₁
     * @param c2 the curvature constant c₂ (c₁ &lt; c₂ &lt; 1)
     * @param maxEvaluations the evaluation budget (≥ 1)
     */
    public static Wolfe strongWolfe(GradientOracle oracle, Params at, LossAndGradient start, Params direction,
                             double initialStep, double c1, double c2, int maxEvaluations) {
        double f0 = start.loss();
        double slope0 = start.gradient().dot(direction);
        Trial zero = new Trial(0, at, start, slope0);
        Trial prev = zero;
        double alpha = initialStep;
        int evals = 0;
        while (evals < maxEvaluations) {
            Trial cur = trial(oracle, at, direction, alpha);
            evals++;
            double f = cur.values().loss();
            if (!Double.isFinite(f) || f > f0 + c1 * alpha * slope0 || (evals > 1 && f >= prev.values().loss())) {
                return zoom(oracle, at, direction, f0, slope0, prev, cur, c1, c2, evals, maxEvaluations);
            }
            if (Math.abs(cur.slope()) <= -c2 * slope0) {
                return new Wolfe(cur.step(), cur.point(), cur.values(), evals, WolfeStatus.STRONG_WOLFE);
            }
            if (cur.slope() >= 0) {
                return zoom(oracle, at, direction, f0, slope0, cur, prev, c1, c2, evals, maxEvaluations);
            }
            prev = cur;
            alpha *= 2;
        }
        return prev.step() > 0
                ? new Wolfe(prev.step(), prev.point(), prev.values(), evals, WolfeStatus.SUFFICIENT_DECREASE_ONLY)
                : new Wolfe(0, at, start, evals, WolfeStatus.FAILED);
    }

    /** PyTorch's line-search budget {@code max_ls}: trials after the first. */
    public static final int PYTORCH_MAX_LS = 25;

    /**
     * The strong-Wolfe search of PyTorch's {@code torch.optim.LBFGS} with
     * {@code line_search_fn="strong_wolfe"}, reproduced decision for decision (written from the
     * method's description, Nocedal &amp; Wright §3.5, and the observed behaviour of torch 1.13), so
     * that Descent can follow a PyTorch trajectory. It differs from {@link #strongWolfe} in how it
     * brackets and when it stops:
     * <ol>
     *   <li><b>Bracketing.</b> Trials start at {@code initialStep}. A trial t brackets a minimiser
     *       with the previous trial (initially t = 0) when it lacks sufficient decrease, or, from
     *       the third trial on only, when φ(t) ≥ φ(previous); it is accepted when it meets the
     *       curvature condition; it brackets when φ'(t) ≥ 0. Otherwise the next trial is the
     *       minimiser of the cubic through the previous and the current trial (values and slopes),
     *       clamped to [t + 0.01 (t − t_prev), 10 t]: extrapolation, not doubling.</li>
     *   <li><b>Zoom.</b> The next trial is the cubic's minimiser clamped to the bracket (its
     *       midpoint when the cubic has none). Insufficient-progress safeguard: when the trial lies
     *       within 10% of the bracket's width ε from an end, it is accepted once; if the previous
     *       trial was also that close (or the trial is at or beyond an end) it is moved to
     *       distance ε from the nearer end. A trial without sufficient decrease, or not below the
     *       low end, replaces the high end; otherwise it becomes the low end (the old low end
     *       replacing the high end when φ'(t)·(t_high − t_low) ≥ 0), and it ends the search when
     *       it meets the curvature condition.</li>
     *   <li><b>Stopping.</b> After {@code maxIterations} trials beyond the first (PyTorch's
     *       {@code max_ls} = {@value #PYTORCH_MAX_LS}), or when the bracket is narrower than
     *       {@code toleranceChange} / max|d|, the search returns the low end of its bracket; if the
     *       budget ran out while still bracketing, the bracket is (0, last trial) and the last
     *       trial is returned only when it is below φ(0), unchecked.</li>
     * </ol>
     * The status says what the returned step satisfies: {@code STRONG_WOLFE} when the search
     * ended on the curvature condition, {@code FAILED} for step 0, otherwise
     * {@code SUFFICIENT_DECREASE_ONLY} or {@code LOWEST_TRIED}.
     *
     * @param oracle the loss and its gradient
     * @param at θ
     * @param start f(θ) and ∇f(θ)
     * @param direction d, a descent direction
     * @param initialStep the first trial t₀ &gt; 0
     * @param c1 c₁ (PyTorch: 10⁻⁴)
     * @param c2 c₂ (PyTorch: 0.9)
     * @param toleranceChange the bracket-width tolerance, in units of max|d| (PyTorch: 10⁻⁹)
     * @param maxIterations trials after the first (PyTorch: 25)
     */
    public static Wolfe pytorchStrongWolfe(GradientOracle oracle, Params at, LossAndGradient start, Params direction,
                                           double initialStep, double c1, double c2, double toleranceChange, int maxIterations) {
        double f0 = start.loss();
        double slope0 = start.gradient().dot(direction);
        double dMax = maxAbs(direction);
        Trial prev = new Trial(0, at, start, slope0);
        Trial cur = trial(oracle, at, direction, initialStep);
        int evals = 1, iterations = 0;
        Trial[] bracket = null;
        boolean done = false;
        while (iterations < maxIterations) {
            double f = cur.values().loss();
            if (f > f0 + c1 * cur.step() * slope0 || (iterations > 1 && f >= prev.values().loss())) {
                bracket = new Trial[] {prev, cur};
                break;
            }
            if (Math.abs(cur.slope()) <= -c2 * slope0) {
                bracket = new Trial[] {cur, cur};
                done = true;
                break;
            }
            if (cur.slope() >= 0) {
                bracket = new Trial[] {prev, cur};
                break;
            }
            double t = cur.step();
            double next = cubicMinimizer(prev, cur, t + 0.01 * (t - prev.step()), t * 10);
            prev = cur;
            cur = trial(oracle, at, direction, next);
            evals++;
            iterations++;
        }
        if (bracket == null) bracket = new Trial[] {new Trial(0, at, start, slope0), cur};
        int low = bracket[0].values().loss() <= bracket[1].values().loss() ? 0 : 1;
        boolean insufficientProgress = false;
        while (!done && iterations < maxIterations) {
            if (Math.abs(bracket[1].step() - bracket[0].step()) * dMax < toleranceChange) break;
            double lo = Math.min(bracket[0].step(), bracket[1].step()), hi = Math.max(bracket[0].step(), bracket[1].step());
            double t = cubicMinimizer(bracket[0], bracket[1], lo, hi);
            double eps = 0.1 * (hi - lo);
            if (Math.min(hi - t, t - lo) < eps) {
                if (insufficientProgress || t >= hi || t <= lo) {
                    t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
                    insufficientProgress = false;
                } else {
                    insufficientProgress = true;
                }
            } else {
                insufficientProgress = false;
            }
            Trial c = trial(oracle, at, direction, t);
            evals++;
            iterations++;
            int high = 1 - low;
            double f = c.values().loss();
            if (f > f0 + c1 * t * slope0 || f >= bracket[low].values().loss()) {
                bracket[high] = c;
                low = bracket[0].values().loss() <= bracket[1].values().loss() ? 0 : 1;
            } else {
                if (Math.abs(c.slope()) <= -c2 * slope0) done = true;
                else if (c.slope() * (bracket[high].step() - bracket[low].step()) >= 0) bracket[high] = bracket[low];
                bracket[low] = c;
            }
        }
        Trial best = bracket[low];
        WolfeStatus status;
        if (done) status = WolfeStatus.STRONG_WOLFE;
        else if (best.step() == 0) status = WolfeStatus.FAILED;
        else if (best.values().loss() <= f0 + c1 * best.step() * slope0) status = WolfeStatus.SUFFICIENT_DECREASE_ONLY;
        else status = WolfeStatus.LOWEST_TRIED;
        return new Wolfe(best.step(), best.point(), best.values(), evals, status);
    }

    /**
     * The minimiser of the cubic through (a, φ(a), φ'(a)) and (b, φ(b), φ'(b)) (Nocedal &amp; Wright
     * eq. 3.59), clamped to [lo, hi]; the midpoint of [lo, hi] when the cubic has no minimiser.
     */
    static double cubicMinimizer(Trial a, Trial b, double lo, double hi) {
        double fa = a.values().loss(), fb = b.values().loss();
        double d1 = a.slope() + b.slope() - 3 * (fa - fb) / (a.step() - b.step());
        double disc = d1 * d1 - a.slope() * b.slope();
        if (!(disc >= 0)) return (lo + hi) / 2;
        double d2 = Math.sqrt(disc);
        // Written from the end with the larger step, as eq. 3.59 with the points ordered.
        Trial left = a.step() <= b.step() ? a : b, right = left == a ? b : a;
        double x = right.step() - (right.step() - left.step()) * ((right.slope() + d2 - d1) / (right.slope() - left.slope() + 2 * d2));
        return Math.min(Math.max(x, lo), hi);
    }

    static double maxAbs(Params p) {
        double m = 0;
        for (double v : p.flatten()) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** Algorithm 3.6; lo always satisfies sufficient decrease and has the lowest loss so far. */
    private static Wolfe zoom(GradientOracle oracle, Params at, Params direction, double f0, double slope0,
                              Trial lo, Trial hi, double c1, double c2, int evals, int maxEvaluations) {
        while (evals < maxEvaluations) {
            double alpha = interpolate(lo, hi);
            Trial cur = trial(oracle, at, direction, alpha);
            evals++;
            double f = cur.values().loss();
            if (!Double.isFinite(f) || f > f0 + c1 * alpha * slope0 || f >= lo.values().loss()) {
                hi = cur;
            } else {
                if (Math.abs(cur.slope()) <= -c2 * slope0) {
                    return new Wolfe(cur.step(), cur.point(), cur.values(), evals, WolfeStatus.STRONG_WOLFE);
                }
                if (cur.slope() * (hi.step() - lo.step()) >= 0) hi = lo;
                lo = cur;
            }
            if (Math.abs(hi.step() - lo.step()) <= 1e-16 * Math.max(1, Math.abs(lo.step()))) break;
        }
        return lo.step() > 0
                ? new Wolfe(lo.step(), lo.point(), lo.values(), evals, WolfeStatus.SUFFICIENT_DECREASE_ONLY)
                : new Wolfe(0, at, lo.values(), evals, WolfeStatus.FAILED);
    }

    /**
     * The minimiser of the cubic through (a, φ(a), φ'(a)) and (b, φ(b), φ'(b)) (Nocedal &amp; Wright
     * eq. 3.59), kept at least 10% of the interval away from both ends; bisection when the cubic
     * has no minimiser or a value is not finite.
     */
    static double interpolate(Trial a, Trial b) {
        double lo = Math.min(a.step(), b.step()), hi = Math.max(a.step(), b.step());
        double mid = 0.5 * (lo + hi);
        double fa = a.values().loss(), fb = b.values().loss();
        double d1 = a.slope() + b.slope() - 3 * (fa - fb) / (a.step() - b.step());
        double disc = d1 * d1 - a.slope() * b.slope();
        if (!(disc >= 0) || !Double.isFinite(fb) || !Double.isFinite(b.slope())) return mid;
        double d2 = Math.signum(b.step() - a.step()) * Math.sqrt(disc);
        double x = b.step() - (b.step() - a.step()) * (b.slope() + d2 - d1) / (b.slope() - a.slope() + 2 * d2);
        double margin = 0.1 * (hi - lo);
        if (!Double.isFinite(x) || x < lo + margin || x > hi - margin) return mid;
        return x;
    }
}
