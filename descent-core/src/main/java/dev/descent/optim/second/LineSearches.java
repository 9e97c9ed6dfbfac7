package dev.descent.optim.second;

import dev.descent.tensor.Params;

/** Line searches along a direction d from θ: backtracking (Armijo) and strong Wolfe. */
final class LineSearches {
    private LineSearches() {}

    /** An accepted (or rejected) trial point. */
    record Backtracking(double step, double loss, int backtracks, boolean accepted) {}

    /**
     * Backtracking from {@code initialStep}: the first t = t₀ ρ^k (k = 0 … maxBacktracks) with
     * f(θ + t d) ≤ f(θ) + c t gᵀd (Armijo 1966; Nocedal &amp; Wright, Algorithm 3.1). A non-finite
     * trial loss counts as a failure. Not accepted if none qualifies.
     */
    static Backtracking armijo(GradientOracle oracle, Params at, double loss, Params direction, double slope,
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
    enum WolfeStatus { STRONG_WOLFE, SUFFICIENT_DECREASE_ONLY, FAILED }

    /** The result of a strong-Wolfe search; {@code point} and {@code atPoint} are θ + step·d and its values. */
    record Wolfe(double step, Params point, LossAndGradient atPoint, int evaluations, WolfeStatus status) {}

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
     * SUFFICIENT_DECREASE_ONLY, or none (FAILED, step 0).
     */
    static Wolfe strongWolfe(GradientOracle oracle, Params at, LossAndGradient start, Params direction,
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
