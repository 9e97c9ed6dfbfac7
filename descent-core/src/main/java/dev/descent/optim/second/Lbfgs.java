package dev.descent.optim.second;

import dev.descent.optim.HyperParameters;
import dev.descent.optim.StateTree;
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
 * (c₁ = 10⁻⁴, c₂ = 0.9), trying α = 1 first (α = min(1, 1/‖g‖₂) on the first step, when there is
 * no curvature information). A pair is stored only when sᵀy &gt; 10⁻¹⁰ ‖s‖‖y‖ (the Wolfe
 * conditions make sᵀy &gt; 0 in exact arithmetic). When the direction is not a descent direction
 * or the line search fails, the memory is cleared and the step retried along −g; a failure
 * along −g is reported and the parameters do not move.
 *
 * <p>For a deterministic (full-batch) loss. The loss and gradient at the point a step returns
 * are kept in the state and reused by the next step when it is called with that same
 * {@code Params} object and oracle, so a typical iteration costs one or two evaluations.
 *
 * <h2>PyTorch compatibility</h2>
 * {@link #pytorchCompatible()} is the configuration that reproduces
 * {@code torch.optim.LBFGS}: one {@link #step} is one call of PyTorch's {@code step(closure)},
 * i.e. up to {@code max_iter} iterations, with
 * <ul>
 *   <li>first trial step t = min(1, 1/‖g‖₁)·lr on the very first iteration, t = lr after;</li>
 *   <li>no line search ({@code line_search_fn=None}: θ ← θ + t d) by default, or PyTorch's own
 *       strong-Wolfe search ({@link LineSearches#pytorchStrongWolfe}) with
 *       {@link #withStrongWolfe(boolean)};</li>
 *   <li>a pair kept when yᵀs &gt; 10⁻¹⁰ (absolute), the oldest dropped beyond {@code history_size};</li>
 *   <li>stops: none at all when max|g| ≤ {@code tolerance_grad} at the start of the call; within
 *       the call, before moving when gᵀd &gt; −{@code tolerance_change}, and after moving at
 *       {@code max_iter} iterations, at {@code max_eval} evaluations (counted as PyTorch does:
 *       one at the start of the call plus the line search's, or one per fixed step except the
 *       last), at max|g| ≤ {@code tolerance_grad}, at max|t d| ≤ {@code tolerance_change} or at
 *       |Δf| &lt; {@code tolerance_change}. A stop only ends the call: the next call goes on.</li>
 * </ul>
 * The iterates agree with PyTorch's to rounding (the test follows a recorded float64 trajectory
 * to 10⁻¹⁰ over 30 calls, with and without the line search). Forming each pair at the end of the
 * iteration, where PyTorch forms it at the start of the next, gives the same numbers; in the
 * fixed-step mode the gradient at the final point of a call is evaluated at once (PyTorch
 * evaluates it at the start of the next call) and reused by the next call when it is given the
 * same {@code Params} object and oracle.
 *
 * <p><b>Why Descent's defaults differ.</b> (1) One call is one iteration, so every iteration is
 * reported and the caller (a trainer, an experiment) decides when to stop; PyTorch's absolute
 * tolerances (max|g| ≤ 10⁻⁷, |Δf| &lt; 10⁻⁹) depend on the units of the loss and the
 * parameters. (2) The first trial step min(1, 1/‖g‖₂) has length at most 1 whatever the
 * dimension, whereas 1/‖g‖₁ shrinks like 1/√n for n comparable gradient entries. (3) A line
 * search is always on: a fixed step along a quasi-Newton direction can increase a non-convex
 * loss without bound, and the Wolfe curvature condition is what makes sᵀy &gt; 0. (4) The
 * relative pair test sᵀy &gt; 10⁻¹⁰‖s‖‖y‖ is invariant to scaling f or θ; PyTorch's absolute
 * 10⁻¹⁰ rejects every pair of a loss scaled down far enough. (5) A failed search restarts along
 * −g with the memory cleared instead of returning the lowest trial.
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

    /** PyTorch's defaults: {@code lr}, {@code max_iter}, {@code tolerance_grad}, {@code tolerance_change}, {@code history_size}. */
    public static final double PYTORCH_LR = 1, PYTORCH_TOLERANCE_GRAD = 1e-7, PYTORCH_TOLERANCE_CHANGE = 1e-9;
    /** PyTorch's default {@code max_iter}. */
    public static final int PYTORCH_MAX_ITER = 20;
    /** PyTorch's default {@code history_size}. */
    public static final int PYTORCH_HISTORY = 100;
    /** PyTorch's curvature-pair threshold: a pair is kept when yᵀs exceeds it. */
    public static final double PYTORCH_PAIR_THRESHOLD = 1e-10;

    /** The PyTorch-compatible settings (null in Descent's own configuration). */
    private record Torch(double lr, int maxIter, int maxEval, double toleranceGrad, double toleranceChange, boolean strongWolfe) {}

    private final int memory, maxEvaluations;
    private final double c1, c2;
    private final Torch torch;

    private Lbfgs(int memory, double c1, double c2, int maxEvaluations, Torch torch) {
        this.memory = HyperParameters.atLeast("lbfgs", "memory", memory, 1);
        this.c1 = HyperParameters.openUnitInterval("lbfgs", "c1", c1);
        this.c2 = HyperParameters.openUnitInterval("lbfgs", "c2", c2);
        if (!(c1 < c2)) throw new IllegalArgumentException("lbfgs: need c1 < c2, got c1 = " + c1 + ", c2 = " + c2);
        this.maxEvaluations = HyperParameters.atLeast("lbfgs", "max evaluations", maxEvaluations, 1);
        if (torch != null) {
            HyperParameters.positive("lbfgs", "learning rate", torch.lr());
            HyperParameters.atLeast("lbfgs", "max_iter", torch.maxIter(), 1);
            HyperParameters.atLeast("lbfgs", "max_eval", torch.maxEval(), 1);
            HyperParameters.nonNegative("lbfgs", "tolerance_grad", torch.toleranceGrad());
            HyperParameters.nonNegative("lbfgs", "tolerance_change", torch.toleranceChange());
        }
        this.torch = torch;
    }

    /** L-BFGS with the defaults above. */
    public static Lbfgs withDefaults() {
        return new Lbfgs(DEFAULT_MEMORY, DEFAULT_C1, DEFAULT_C2, DEFAULT_MAX_EVALUATIONS, null);
    }

    /**
     * The configuration that reproduces {@code torch.optim.LBFGS(params)} with PyTorch's defaults:
     * lr = 1, max_iter = 20, max_eval = max_iter·5/4, tolerance_grad = 10⁻⁷,
     * tolerance_change = 10⁻⁹, history_size = 100, line_search_fn = None (see the class comment).
     * Change them with {@link #withLearningRate}, {@link #withIterations}, {@link #withTolerances},
     * {@link #withMemory} and {@link #withStrongWolfe}.
     */
    public static Lbfgs pytorchCompatible() {
        return new Lbfgs(PYTORCH_HISTORY, DEFAULT_C1, DEFAULT_C2, LineSearches.PYTORCH_MAX_LS,
                new Torch(PYTORCH_LR, PYTORCH_MAX_ITER, PYTORCH_MAX_ITER * 5 / 4, PYTORCH_TOLERANCE_GRAD, PYTORCH_TOLERANCE_CHANGE, false));
    }

    /** Whether this is the {@link #pytorchCompatible()} configuration. */
    public boolean isPytorchCompatible() {
        return torch != null;
    }

    /** Memory m ≥ 1 (pairs kept; PyTorch's {@code history_size}). */
    public Lbfgs withMemory(int m) {
        return new Lbfgs(m, c1, c2, maxEvaluations, torch);
    }

    /**
     * Wolfe constants 0 &lt; c₁ &lt; c₂ &lt; 1 and the budget of one line search: evaluations in
     * Descent's configuration, trials after the first (PyTorch's {@code max_ls}) in the
     * PyTorch-compatible one.
     */
    public Lbfgs withLineSearch(double sufficientDecrease, double curvature, int evaluations) {
        return new Lbfgs(memory, sufficientDecrease, curvature, evaluations, torch);
    }

    /** PyTorch's {@code lr} &gt; 0 (PyTorch-compatible configuration only). */
    public Lbfgs withLearningRate(double lr) {
        Torch t = requireTorch("withLearningRate");
        return new Lbfgs(memory, c1, c2, maxEvaluations, new Torch(lr, t.maxIter(), t.maxEval(), t.toleranceGrad(), t.toleranceChange(), t.strongWolfe()));
    }

    /**
     * PyTorch's {@code max_iter} (iterations per call) and {@code max_eval} (evaluations per call;
     * PyTorch's default, when it is None, is max_iter·5/4, which {@link #withIterations(int)} uses).
     */
    public Lbfgs withIterations(int maxIter, int maxEval) {
        Torch t = requireTorch("withIterations");
        return new Lbfgs(memory, c1, c2, maxEvaluations, new Torch(t.lr(), maxIter, maxEval, t.toleranceGrad(), t.toleranceChange(), t.strongWolfe()));
    }

    /** PyTorch's {@code max_iter} with {@code max_eval} = max_iter·5/4 (its default). */
    public Lbfgs withIterations(int maxIter) {
        return withIterations(maxIter, maxIter * 5 / 4);
    }

    /** PyTorch's {@code tolerance_grad} and {@code tolerance_change}. */
    public Lbfgs withTolerances(double toleranceGrad, double toleranceChange) {
        Torch t = requireTorch("withTolerances");
        return new Lbfgs(memory, c1, c2, maxEvaluations, new Torch(t.lr(), t.maxIter(), t.maxEval(), toleranceGrad, toleranceChange, t.strongWolfe()));
    }

    /** PyTorch's {@code line_search_fn}: "strong_wolfe" (true) or None (false, fixed steps of lr). */
    public Lbfgs withStrongWolfe(boolean on) {
        Torch t = requireTorch("withStrongWolfe");
        return new Lbfgs(memory, c1, c2, maxEvaluations, new Torch(t.lr(), t.maxIter(), t.maxEval(), t.toleranceGrad(), t.toleranceChange(), on));
    }

    private Torch requireTorch(String what) {
        if (torch == null) {
            throw new IllegalStateException("lbfgs: " + what + " applies to the PyTorch-compatible configuration (Lbfgs.pytorchCompatible())");
        }
        return torch;
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
                        GradientOracle evaluatedBy, long iterations) implements StateTree {
        /** Copies the lists and checks they align. */
        public State {
            steps = List.copyOf(steps);
            differences = List.copyOf(differences);
            if (steps.size() != differences.size()) {
                throw new IllegalArgumentException("lbfgs state: " + steps.size() + " steps but " + differences.size() + " differences");
            }
        }

        /**
         * Stores the memory (its length, then each pair) and the iteration count. The point, its
         * loss and gradient and the oracle are a cache: a step re-evaluates them when the oracle
         * changes, as it does every training step.
         */
        @Override
        public void write(Writer out) {
            out.count("memory", steps.size());
            for (int i = 0; i < steps.size(); i++) {
                out.tree("steps." + i, steps.get(i));
                out.tree("differences." + i, differences.get(i));
            }
            out.count("iterations", iterations);
        }

        /** The stored memory has the shape of the model's parameters, whatever this template holds. */
        @Override
        public State read(Reader in) {
            long memory = in.count("memory");
            List<Params> s = new ArrayList<>(), y = new ArrayList<>();
            for (int i = 0; i < memory; i++) {
                s.add(in.tree("steps." + i, in.parameters()));
                y.add(in.tree("differences." + i, in.parameters()));
            }
            return new State(s, y, null, null, null, in.count("iterations"));
        }
    }

    /** How the line search ended. */
    public enum SearchStatus {
        /** Both strong-Wolfe conditions hold. */
        STRONG_WOLFE,
        /** Budget exhausted; the best point with sufficient decrease was taken. */
        SUFFICIENT_DECREASE_ONLY,
        /** (PyTorch-compatible) the search returned its lowest trial, without sufficient decrease. */
        LOWEST_TRIED,
        /** No acceptable point even along −g; no step. */
        FAILED,
        /** g = 0 (PyTorch-compatible: max|g| ≤ tolerance_grad at the start of the call); no step. */
        STATIONARY,
        /** (PyTorch-compatible, no line search) fixed steps of lr were taken. */
        FIXED_STEP,
        /** (PyTorch-compatible) gᵀd &gt; −tolerance_change before the first move of the call; no step. */
        NOT_DESCENT
    }

    /**
     * What one iteration did.
     *
     * @param lossBefore  f(θ)
     * @param lossAfter   f(θ + αd)
     * @param gradientNorm ‖g‖ at θ
     * @param stepSize    α (PyTorch-compatible: the last iteration's t)
     * @param evaluations loss-and-gradient evaluations in the line search(es) (PyTorch-compatible:
     *                    evaluations as PyTorch counts them for this call, its {@code max_eval} budget)
     * @param status      how the line search ended (PyTorch-compatible: the last iteration's)
     * @param memoryUsed  pairs used for the (last) direction
     * @param reset       whether the memory was cleared this step
     * @param iterations  iterations taken in this step (1 in Descent's configuration unless stationary)
     */
    public record Report(double lossBefore, double lossAfter, double gradientNorm, double stepSize, int evaluations,
                         SearchStatus status, int memoryUsed, boolean reset, int iterations) implements StepReport {}

    @Override
    public State init(Params params) {
        return new State(List.of(), List.of(), null, null, null, 0);
    }

    @Override
    public SecondOrderStep<State, Report> step(Params params, State state, GradientOracle oracle) {
        Objects.requireNonNull(oracle, "oracle");
        if (torch != null) return pytorchStep(params, state, oracle);
        LossAndGradient lg = params == state.point() && oracle == state.evaluatedBy() && state.atPoint() != null
                ? state.atPoint() : oracle.lossAndGradient(params);
        Params g = lg.gradient();
        double gNorm = g.norm();
        if (gNorm == 0) {
            return new SecondOrderStep<>(params, new State(state.steps(), state.differences(), params, lg, oracle, state.iterations() + 1),
                    new Report(lg.loss(), lg.loss(), 0, 0, 0, SearchStatus.STATIONARY, state.steps().size(), false, 0));
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
                    new Report(lg.loss(), lg.loss(), gNorm, 0, evaluations, status, used, reset, 1));
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
                new Report(lg.loss(), ls.atPoint().loss(), gNorm, ls.step(), evaluations, status, used, reset, 1));
    }

    /** One call of PyTorch's {@code LBFGS.step(closure)}: up to max_iter iterations (see the class comment). */
    private SecondOrderStep<State, Report> pytorchStep(Params params, State state, GradientOracle oracle) {
        LossAndGradient lg = params == state.point() && oracle == state.evaluatedBy() && state.atPoint() != null
                ? state.atPoint() : oracle.lossAndGradient(params);
        int evaluations = 1; // PyTorch evaluates the closure at the start of every call
        Params g = lg.gradient();
        double gNorm = g.norm(), lossBefore = lg.loss();
        List<Params> s = new ArrayList<>(state.steps()), y = new ArrayList<>(state.differences());
        long k = state.iterations();
        if (LineSearches.maxAbs(g) <= torch.toleranceGrad()) {
            return new SecondOrderStep<>(params, new State(s, y, params, lg, oracle, k),
                    new Report(lossBefore, lossBefore, gNorm, 0, evaluations, SearchStatus.STATIONARY, s.size(), false, 0));
        }
        Params x = params;
        double loss = lossBefore, t = 0;
        SearchStatus status = SearchStatus.NOT_DESCENT;
        int iterations = 0, used = s.size();
        while (iterations < torch.maxIter()) {
            iterations++;
            k++;
            Params d = direction(g, s, y);
            used = s.size();
            t = k == 1 ? Math.min(1, 1 / l1Norm(g)) * torch.lr() : torch.lr();
            if (g.dot(d) > -torch.toleranceChange()) {
                status = SearchStatus.NOT_DESCENT;
                t = 0;
                break;
            }
            double previousLoss = loss;
            LossAndGradient next;
            if (torch.strongWolfe()) {
                LineSearches.Wolfe ls = LineSearches.pytorchStrongWolfe(oracle, x, lg, d, t, c1, c2, torch.toleranceChange(), maxEvaluations);
                t = ls.step();
                x = ls.point();
                next = ls.atPoint();
                evaluations += ls.evaluations();
                status = SearchStatus.valueOf(ls.status().name());
            } else {
                x = x.axpy(t, d);
                next = oracle.lossAndGradient(x);
                // PyTorch evaluates here only when another iteration follows; the last point's
                // gradient is its next call's first evaluation, which is not counted in this one.
                if (iterations != torch.maxIter()) evaluations++;
                status = SearchStatus.FIXED_STEP;
            }
            Params step = d.scale(t), diff = next.gradient().sub(g);
            if (diff.dot(step) > PYTORCH_PAIR_THRESHOLD) {
                if (s.size() == memory) {
                    s.remove(0);
                    y.remove(0);
                }
                s.add(step);
                y.add(diff);
            }
            lg = next;
            g = next.gradient();
            loss = next.loss();
            if (iterations == torch.maxIter() || evaluations >= torch.maxEval()) break;
            if (LineSearches.maxAbs(g) <= torch.toleranceGrad()) break;
            if (LineSearches.maxAbs(step) <= torch.toleranceChange()) break;
            if (Math.abs(loss - previousLoss) < torch.toleranceChange()) break;
        }
        return new SecondOrderStep<>(x, new State(s, y, x, lg, oracle, k),
                new Report(lossBefore, loss, gNorm, t, evaluations, status, used, false, iterations));
    }

    private static double l1Norm(Params p) {
        double sum = 0;
        for (double v : p.flatten()) sum += Math.abs(v);
        return sum;
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
