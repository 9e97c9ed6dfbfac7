package dev.descent.optim.second;

import dev.descent.optim.HyperParameters;
import dev.descent.tensor.Params;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Limited-memory BFGS (Liu &amp; Nocedal 1989; Nocedal &amp; Wright, Algorithm 7.4 and 7.5) with a
 * strong-Wolfe line search (Nocedal &amp; Wright, Algorithms 3.5 and 3.6).
 *
 * <p>The direction d = −H_k g comes from the two-loop recursion over the last m pairs
 * s_i = θ_{i+1} − θ_i, y_i = g_{i+1} − g_i, with the initial scaling H⁰ = (sᵀy / yᵀy) I from the
 * newest pair. The step α satisfies f(θ + αd) ≤ f(θ) + c₁ α gᵀd and |∇f(θ + αd)ᵀd| ≤ c₂|gᵀd|
 * (c₁ = 10⁻⁴, c₂ = 0.9), trying α = 1 first (α = min(1, 1/‖g‖) on the first step, when there is
 * no curvature information). A pair is stored only when sᵀy &gt; 10⁻¹⁰ ‖s‖‖y‖ (the Wolfe
 * conditions make sᵀy &gt; 0 in exact arithmetic). When the direction is not a descent direction
 * or the line search fails, the memory is cleared and the step retried along −g; a failure
 * along −g is reported and the parameters do not move.
 *
 * <p>For a deterministic (full-batch) loss. The loss and gradient at the point a step returns
 * are kept in the state and reused by the next step when it is called with that same
 * {@code Params} object and oracle, so a typical iteration costs one or two evaluations.
 *
 * <p>Differences from PyTorch's {@code torch.optim.LBFGS}: that one runs several iterations
 * per {@code step()} with a closure and, by default, no line search; here one call is one
 * iteration with a strong-Wolfe search always on.
 */
public final class Lbfgs implements SecondOrderOptimizer<GradientOracle, Lbfgs.State, Lbfgs.Report> {
    /** Default memory m. */
    public static final int DEFAULT_MEMORY = 10;
    /** Default sufficient-decrease constant c₁. */
    public static final double DEFAULT_C1 = 1e-4;
    /** Default curvature constant c₂. */
    public static final double DEFAULT_C2 = 0.9;
    /** Default evaluation budget of one line search. */
    public static final int DEFAULT_MAX_EVALUATIONS = 25;

    private final int memory, maxEvaluations;
    private final double c1, c2;

    private Lbfgs(int memory, double c1, double c2, int maxEvaluations) {
        this.memory = HyperParameters.atLeast("lbfgs", "memory", memory, 1);
        this.c1 = HyperParameters.openUnitInterval("lbfgs", "c1", c1);
        this.c2 = HyperParameters.openUnitInterval("lbfgs", "c2", c2);
        if (!(c1 < c2)) throw new IllegalArgumentException("lbfgs: need c1 < c2, got c1 = " + c1 + ", c2 = " + c2);
        this.maxEvaluations = HyperParameters.atLeast("lbfgs", "max evaluations", maxEvaluations, 1);
    }

    /** L-BFGS with the defaults above. */
    public static Lbfgs withDefaults() {
        return new Lbfgs(DEFAULT_MEMORY, DEFAULT_C1, DEFAULT_C2, DEFAULT_MAX_EVALUATIONS);
    }

    /** Memory m ≥ 1 (pairs kept). */
    public Lbfgs withMemory(int m) {
        return new Lbfgs(m, c1, c2, maxEvaluations);
    }

    /** Wolfe constants 0 &lt; c₁ &lt; c₂ &lt; 1 and the evaluation budget per line search. */
    public Lbfgs withLineSearch(double sufficientDecrease, double curvature, int evaluations) {
        return new Lbfgs(memory, sufficientDecrease, curvature, evaluations);
    }

    /**
     * The state between steps.
     *
     * @param steps        steps (s) and gradient differences (y), oldest first
     * @param differences  gradient differences y, aligned with {@code steps}
     * @param point        the parameters the previous step returned (null before the first)
     * @param atPoint      the loss and gradient there (null before the first step)
     * @param evaluatedBy  the oracle that computed {@code atPoint} (reused only for that oracle)
     * @param iterations   iterations so far
     */
    public record State(List<Params> steps, List<Params> differences, Params point, LossAndGradient atPoint,
                        GradientOracle evaluatedBy, long iterations) {
        /** Copies the lists and checks they align. */
        public State {
            steps = List.copyOf(steps);
            differences = List.copyOf(differences);
            if (steps.size() != differences.size()) {
                throw new IllegalArgumentException("lbfgs state: " + steps.size() + " steps but " + differences.size() + " differences");
            }
        }
    }

    /** How the line search ended. */
    public enum SearchStatus {
        /** Both strong-Wolfe conditions hold. */
        STRONG_WOLFE,
        /** Budget exhausted; the best point with sufficient decrease was taken. */
        SUFFICIENT_DECREASE_ONLY,
        /** No acceptable point even along −g; no step. */
        FAILED,
        /** g = 0; no step. */
        STATIONARY
    }

    /**
     * What one iteration did.
     *
     * @param lossBefore  f(θ)
     * @param lossAfter   f(θ + αd)
     * @param gradientNorm ‖g‖ at θ
     * @param stepSize    α
     * @param evaluations loss-and-gradient evaluations in the line search(es)
     * @param status      how the line search ended
     * @param memoryUsed  pairs used for the direction
     * @param reset       whether the memory was cleared this step
     */
    public record Report(double lossBefore, double lossAfter, double gradientNorm, double stepSize, int evaluations,
                         SearchStatus status, int memoryUsed, boolean reset) implements StepReport {}

    @Override
    public State init(Params params) {
        return new State(List.of(), List.of(), null, null, null, 0);
    }

    @Override
    public SecondOrderStep<State, Report> step(Params params, State state, GradientOracle oracle) {
        Objects.requireNonNull(oracle, "oracle");
        LossAndGradient lg = params == state.point() && oracle == state.evaluatedBy() && state.atPoint() != null
                ? state.atPoint() : oracle.lossAndGradient(params);
        Params g = lg.gradient();
        double gNorm = g.norm();
        if (gNorm == 0) {
            return new SecondOrderStep<>(params, new State(state.steps(), state.differences(), params, lg, oracle, state.iterations() + 1),
                    new Report(lg.loss(), lg.loss(), 0, 0, 0, SearchStatus.STATIONARY, state.steps().size(), false));
        }
        List<Params> s = new ArrayList<>(state.steps()), y = new ArrayList<>(state.differences());
        boolean reset = false;
        Params d = direction(g, s, y);
        int evaluations = 0;
        LineSearches.Wolfe ls = null;
        if (d.dot(g) < 0) {
            double initial = s.isEmpty() ? Math.min(1, 1 / gNorm) : 1;
            ls = LineSearches.strongWolfe(oracle, params, lg, d, initial, c1, c2, maxEvaluations);
            evaluations += ls.evaluations();
        }
        if (ls == null || ls.status() == LineSearches.WolfeStatus.FAILED) {
            reset = !s.isEmpty();
            s.clear();
            y.clear();
            d = g.scale(-1);
            ls = LineSearches.strongWolfe(oracle, params, lg, d, Math.min(1, 1 / gNorm), c1, c2, maxEvaluations);
            evaluations += ls.evaluations();
        }
        SearchStatus status = SearchStatus.valueOf(ls.status().name());
        int used = s.size();
        if (ls.status() == LineSearches.WolfeStatus.FAILED) {
            return new SecondOrderStep<>(params, new State(s, y, params, lg, oracle, state.iterations() + 1),
                    new Report(lg.loss(), lg.loss(), gNorm, 0, evaluations, status, used, reset));
        }
        Params step = d.scale(ls.step());
        Params diff = ls.atPoint().gradient().sub(g);
        double sy = step.dot(diff);
        if (sy > 1e-10 * step.norm() * diff.norm()) {
            s.add(step);
            y.add(diff);
            if (s.size() > memory) {
                s.remove(0);
                y.remove(0);
            }
        }
        return new SecondOrderStep<>(ls.point(), new State(s, y, ls.point(), ls.atPoint(), oracle, state.iterations() + 1),
                new Report(lg.loss(), ls.atPoint().loss(), gNorm, ls.step(), evaluations, status, used, reset));
    }

    /** The two-loop recursion: −H_k g. */
    static Params direction(Params g, List<Params> s, List<Params> y) {
        int m = s.size();
        double[] alpha = new double[m], rho = new double[m];
        Params q = g;
        for (int i = m - 1; i >= 0; i--) {
            rho[i] = 1 / y.get(i).dot(s.get(i));
            alpha[i] = rho[i] * s.get(i).dot(q);
            q = q.axpy(-alpha[i], y.get(i));
        }
        double gamma = m == 0 ? 1 : s.get(m - 1).dot(y.get(m - 1)) / y.get(m - 1).dot(y.get(m - 1));
        Params r = q.scale(gamma);
        for (int i = 0; i < m; i++) {
            double beta = rho[i] * y.get(i).dot(r);
            r = r.axpy(alpha[i] - beta, s.get(i));
        }
        return r.scale(-1);
    }
}
