package dev.descent.optim.second;

import dev.descent.optim.HyperParameters;
import dev.descent.tensor.Params;

/**
 * Steepest descent with the curvature-optimal step (SPEC §3.2; LeCun, Simard &amp; Pearlmutter
 * 1993 estimate the same quantity online): from one gradient g and one Hessian-vector product,
 * the quadratic model f̂(θ − εg) = f − ε gᵀg + ½ ε² gᵀHg is minimised by ε* = gᵀg / gᵀHg when
 * gᵀHg &gt; 0, and θ ← θ − ε* g. H is never formed.
 *
 * <p>When gᵀHg ≤ 0 the model predicts unbounded decrease and cannot be trusted: the step falls
 * back to a backtracking (Armijo) line search from the configured {@code fallbackStep}. That
 * event is never hidden: the {@link Report} says which {@link Path} each step took, and the
 * {@link State} counts the fallbacks. With {@code safeguard} on (the default) a curvature step
 * that fails Armijo's sufficient-decrease test (possible on non-quadratic losses) is also
 * backtracked from ε*, and reported as {@link Path#CURVATURE_BACKTRACKED}; on a quadratic the
 * exact ε* always passes (it decreases f by ½ ε* gᵀg, and the test asks for c ε* gᵀg, c ≤ ½).
 */
public final class CurvatureStep implements SecondOrderOptimizer<CurvatureOracle, CurvatureStep.State, CurvatureStep.Report> {
    /** Default initial step of the fallback line search. */
    public static final double DEFAULT_FALLBACK_STEP = 1.0;
    /** Default Armijo constant c in f(θ − t g) ≤ f(θ) − c t gᵀg. */
    public static final double DEFAULT_ARMIJO = 1e-4;
    /** Default backtracking factor. */
    public static final double DEFAULT_SHRINK = 0.5;
    /** Default maximum number of halvings. */
    public static final int DEFAULT_MAX_BACKTRACKS = 40;

    private final double fallbackStep, armijo, shrink;
    private final int maxBacktracks;
    private final boolean safeguard;

    private CurvatureStep(double fallbackStep, double armijo, double shrink, int maxBacktracks, boolean safeguard) {
        this.fallbackStep = HyperParameters.positive("curvature step", "fallback step", fallbackStep);
        this.armijo = HyperParameters.openUnitInterval("curvature step", "armijo constant", armijo);
        if (armijo > 0.5) throw new IllegalArgumentException("curvature step: armijo constant must be <= 0.5 (so that ε* passes on quadratics), got " + armijo);
        this.shrink = HyperParameters.openUnitInterval("curvature step", "shrink factor", shrink);
        this.maxBacktracks = HyperParameters.atLeast("curvature step", "max backtracks", maxBacktracks, 1);
        this.safeguard = safeguard;
    }

    /** The defaults, with a fallback line search starting at {@code fallbackStep} (&gt; 0). */
    public static CurvatureStep withFallbackStep(double fallbackStep) {
        return new CurvatureStep(fallbackStep, DEFAULT_ARMIJO, DEFAULT_SHRINK, DEFAULT_MAX_BACKTRACKS, true);
    }

    /** The Armijo constant c ∈ (0, ½]. */
    public CurvatureStep withArmijo(double c) {
        return new CurvatureStep(fallbackStep, c, shrink, maxBacktracks, safeguard);
    }

    /** The backtracking factor in (0, 1) and the maximum number of reductions (≥ 1). */
    public CurvatureStep withBacktracking(double shrinkFactor, int maxReductions) {
        return new CurvatureStep(fallbackStep, armijo, shrinkFactor, maxReductions, safeguard);
    }

    /** Whether a curvature step that fails the Armijo test is backtracked (default true). */
    public CurvatureStep withSafeguard(boolean on) {
        return new CurvatureStep(fallbackStep, armijo, shrink, maxBacktracks, on);
    }

    /** Which path a step took. */
    public enum Path {
        /** gᵀHg &gt; 0 and θ − ε* g was taken. */
        CURVATURE,
        /** gᵀHg &gt; 0 but ε* failed the sufficient-decrease test; backtracked from ε*. */
        CURVATURE_BACKTRACKED,
        /** gᵀHg ≤ 0: backtracking line search from the fallback step. */
        FALLBACK,
        /** g = 0: no step. */
        STATIONARY,
        /** No step size within the backtracking budget decreased the loss; no step. */
        NO_DECREASE
    }

    /**
     * Running counts.
     *
     * @param steps        steps taken so far
     * @param fallbacks    steps where gᵀHg ≤ 0 forced the fallback line search
     * @param backtracked  curvature steps that had to be backtracked
     * @param noDecrease   steps that found no decrease and did not move
     */
    public record State(long steps, long fallbacks, long backtracked, long noDecrease) {}

    /**
     * What one step did.
     *
     * @param path                which path it took
     * @param lossBefore          f(θ)
     * @param lossAfter           f(θ − ε g) (= lossBefore when no step was taken)
     * @param predictedLoss       the quadratic model's prediction f̂(θ − ε g) for the ε taken
     * @param gradientNormSquared gᵀg
     * @param curvature           gᵀHg
     * @param stepSize            ε taken (0 when none)
     * @param backtracks          step-size reductions made
     */
    public record Report(Path path, double lossBefore, double lossAfter, double predictedLoss, double gradientNormSquared,
                         double curvature, double stepSize, int backtracks) implements StepReport {}

    @Override
    public State init(Params params) {
        return new State(0, 0, 0, 0);
    }

    @Override
    public SecondOrderStep<State, Report> step(Params params, State state, CurvatureOracle oracle) {
        QuadraticModel model = QuadraticModel.alongGradient(oracle, params);
        double f0 = model.loss(), gg = model.gradientNormSquared(), gHg = model.curvature();
        Params descent = model.gradient().scale(-1);
        if (gg == 0) {
            return new SecondOrderStep<>(params, new State(state.steps() + 1, state.fallbacks(), state.backtracked(), state.noDecrease()),
                    new Report(Path.STATIONARY, f0, f0, f0, 0, gHg, 0, 0));
        }
        if (model.hasPositiveCurvature()) {
            double eps = model.optimalStep();
            Params next = params.axpy(eps, descent);
            double f = oracle.loss(next);
            if (!safeguard || (Double.isFinite(f) && f <= f0 - armijo * eps * gg)) {
                return new SecondOrderStep<>(next, new State(state.steps() + 1, state.fallbacks(), state.backtracked(), state.noDecrease()),
                        new Report(Path.CURVATURE, f0, f, model.predict(eps), gg, gHg, eps, 0));
            }
            LineSearches.Backtracking bt = LineSearches.armijo(oracle, params, f0, descent, -gg, eps * shrink, armijo, shrink, maxBacktracks - 1);
            return finish(params, state, model, descent, bt, Path.CURVATURE_BACKTRACKED, bt.backtracks() + 1);
        }
        LineSearches.Backtracking bt = LineSearches.armijo(oracle, params, f0, descent, -gg, fallbackStep, armijo, shrink, maxBacktracks);
        return finish(params, state, model, descent, bt, Path.FALLBACK, bt.backtracks());
    }

    private SecondOrderStep<State, Report> finish(Params params, State state, QuadraticModel model, Params descent,
                                                  LineSearches.Backtracking bt, Path path, int backtracks) {
        boolean fallback = path == Path.FALLBACK;
        State next = new State(state.steps() + 1, state.fallbacks() + (fallback ? 1 : 0),
                state.backtracked() + (path == Path.CURVATURE_BACKTRACKED ? 1 : 0), state.noDecrease() + (bt.accepted() ? 0 : 1));
        if (!bt.accepted()) {
            return new SecondOrderStep<>(params, next, new Report(Path.NO_DECREASE, model.loss(), model.loss(), model.loss(),
                    model.gradientNormSquared(), model.curvature(), 0, backtracks));
        }
        return new SecondOrderStep<>(params.axpy(bt.step(), descent), next, new Report(path, model.loss(), bt.loss(),
                model.predict(bt.step()), model.gradientNormSquared(), model.curvature(), bt.step(), backtracks));
    }
}
