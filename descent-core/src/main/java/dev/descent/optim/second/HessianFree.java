package dev.descent.optim.second;

import dev.descent.optim.HyperParameters;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Hessian-free optimisation (Martens 2010, "Deep learning via Hessian-free optimization"): a
 * truncated Newton method on the Gauss-Newton matrix G, for models too large for exact Newton.
 *
 * <p>One step from θ with gradient g:
 * <ol>
 *   <li>Conjugate gradient minimises the damped quadratic model
 *       q(p) = gᵀp + ½ pᵀ B p with B = G + λI (+ μλ S with structural damping), using only
 *       products G v (one JVP, one HVP of the output loss, one VJP each). It is warm-started from
 *       the previous call's last iterate times {@code cgDecay} (0.95, §4.5); optionally
 *       preconditioned with a positive diagonal M (§4.7).</li>
 *   <li>CG stops on Martens' relative-progress criterion (§4.4): at iteration i, with
 *       k = max(10, ⌈0.1 i⌉), stop when i &gt; k, q(p_i) &lt; 0 and
 *       (q(p_i) − q(p_{i−k})) / q(p_i) &lt; k·ε (ε = 5·10⁻⁴), or after {@code maxCgIterations},
 *       or when the residual vanishes. q is tracked for free as ½ pᵀ(r + g), r = Bp + g.</li>
 *   <li>Backtracking over CG iterates (§4.6): iterates at i = ⌈1.3^j⌉ and the last are kept;
 *       starting from the last, walk back while the loss decreases and take the best.</li>
 *   <li>Levenberg-Marquardt damping (§4.1): ρ = (f(θ + p) − f(θ)) / (gᵀp + ½ pᵀGp) (the undamped
 *       model, one more G product); ρ &lt; ¼ → λ·3/2, ρ &gt; ¾ → λ·2/3.</li>
 *   <li>A backtracking line search on the rate α (Martens &amp; Sutskever 2012): the first
 *       α = 0.8^k with f(θ + αp) ≤ f(θ) + c α gᵀp (c = 10⁻²); if none, the step is rejected and
 *       reported.</li>
 * </ol>
 *
 * <p><b>Structural damping</b> (Martens &amp; Sutskever 2011, "Learning recurrent neural networks
 * with Hessian-free optimization", §3.2) is for RNNs, whose hidden states can change violently
 * under a step the quadratic model thinks small. It adds to the damped objective a penalty
 * μλ · D(h(θ + p), h(θ)) on the change of the hidden states h; Gauss-Newton-approximated, that
 * is an extra term μλ S p in B, S = J_hᵀ H_D J_h. The caller supplies S as a
 * {@link CurvatureProduct} (build it with {@link Oracles#gaussNewtonProduct}) and μ via
 * {@link StructuralDamping}; λ is the same adaptive λ as above, so the penalty grows and shrinks
 * with the trust in the model.
 *
 * <p>Structural damping whose S depends on the step's batch (an RNN's hidden states on the
 * curvature minibatch) comes from the curvature oracle instead: with
 * {@link #withStructuralDampingWeight} μ &gt; 0 the oracle must be a
 * {@link StructuralDampingOracle}, and each CG product G v + μλ S v is one joint pass.
 *
 * <p>Differences from the paper: the loss is evaluated on the oracle's batch only (pass a second
 * oracle to {@link #step(Params, State, GradientOracle, GaussNewtonOracle)} to use a smaller
 * curvature batch, as the paper does); the warm start uses the previous run's last iterate (as
 * the paper), not the iterate chosen by backtracking.
 */
public final class HessianFree implements SecondOrderOptimizer<GaussNewtonOracle, HessianFree.State, HessianFree.Report> {
    /** Default initial λ. */
    public static final double DEFAULT_INITIAL_DAMPING = 1.0;
    /** Martens' warm-start decay. */
    public static final double DEFAULT_CG_DECAY = 0.95;
    /** Default CG iteration limit. */
    public static final int DEFAULT_MAX_CG_ITERATIONS = 250;
    /** Martens' relative-progress tolerance ε. */
    public static final double DEFAULT_PROGRESS_TOLERANCE = 5e-4;
    /** Martens' damping increase (ρ &lt; ¼). */
    public static final double DEFAULT_DAMPING_INCREASE = 1.5;
    /** Martens' damping decrease (ρ &gt; ¾). */
    public static final double DEFAULT_DAMPING_DECREASE = 2.0 / 3.0;
    /** Armijo constant of the rate line search. */
    public static final double DEFAULT_ARMIJO = 1e-2;
    /** Rate reduction factor of the line search. */
    public static final double DEFAULT_RATE_SHRINK = 0.8;
    /** Maximum rate reductions. */
    public static final int DEFAULT_MAX_RATE_REDUCTIONS = 60;
    /** Ratio between the indices of saved CG iterates. */
    static final double SAVE_RATIO = 1.3;

    /**
     * Structural damping: the weight μ &gt; 0 and the product S v of the penalty's Gauss-Newton
     * matrix (Martens &amp; Sutskever 2011 use μ between 1/30 and 3).
     *
     * @param product S
     * @param weight  μ
     */
    public record StructuralDamping(CurvatureProduct product, double weight) {
        /** Validates μ and rejects a null product. */
        public StructuralDamping {
            Objects.requireNonNull(product, "product");
            HyperParameters.positive("structural damping", "weight", weight);
        }
    }

    private final double initialDamping, cgDecay, progressTolerance, dampingIncrease, dampingDecrease, armijo, rateShrink;
    private final int maxCgIterations, maxRateReductions;
    private final DiagonalPreconditioner preconditioner;
    private final StructuralDamping structuralDamping;
    /** μ of structural damping taken from a {@link StructuralDampingOracle} (0 = off). */
    private final double structuralWeight;

    private HessianFree(double initialDamping, double cgDecay, int maxCgIterations, double progressTolerance,
                        double dampingIncrease, double dampingDecrease, double armijo, double rateShrink, int maxRateReductions,
                        DiagonalPreconditioner preconditioner, StructuralDamping structuralDamping, double structuralWeight) {
        this.initialDamping = HyperParameters.positive("hessian-free", "initial damping", initialDamping);
        this.cgDecay = HyperParameters.nonNegative("hessian-free", "cg decay", cgDecay);
        if (cgDecay > 1) throw new IllegalArgumentException("hessian-free: cg decay must be in [0, 1], got " + cgDecay);
        this.maxCgIterations = HyperParameters.atLeast("hessian-free", "max cg iterations", maxCgIterations, 1);
        this.progressTolerance = HyperParameters.positive("hessian-free", "progress tolerance", progressTolerance);
        this.dampingIncrease = HyperParameters.greaterThanOne("hessian-free", "damping increase", dampingIncrease);
        this.dampingDecrease = HyperParameters.openUnitInterval("hessian-free", "damping decrease", dampingDecrease);
        this.armijo = HyperParameters.openUnitInterval("hessian-free", "armijo constant", armijo);
        this.rateShrink = HyperParameters.openUnitInterval("hessian-free", "rate shrink", rateShrink);
        this.maxRateReductions = HyperParameters.atLeast("hessian-free", "max rate reductions", maxRateReductions, 0);
        this.preconditioner = preconditioner;
        this.structuralDamping = structuralDamping;
        this.structuralWeight = HyperParameters.nonNegative("hessian-free", "structural damping weight", structuralWeight);
    }

    /** Hessian-free with Martens' defaults (above), no preconditioner, no structural damping. */
    public static HessianFree withDefaults() {
        return new HessianFree(DEFAULT_INITIAL_DAMPING, DEFAULT_CG_DECAY, DEFAULT_MAX_CG_ITERATIONS, DEFAULT_PROGRESS_TOLERANCE,
                DEFAULT_DAMPING_INCREASE, DEFAULT_DAMPING_DECREASE, DEFAULT_ARMIJO, DEFAULT_RATE_SHRINK,
                DEFAULT_MAX_RATE_REDUCTIONS, null, null, 0);
    }

    /** Initial λ &gt; 0. */
    public HessianFree withInitialDamping(double lambda) {
        return new HessianFree(lambda, cgDecay, maxCgIterations, progressTolerance, dampingIncrease, dampingDecrease, armijo,
                rateShrink, maxRateReductions, preconditioner, structuralDamping, structuralWeight);
    }

    /** CG warm-start decay in [0, 1] (0 = cold start), iteration limit ≥ 1 and progress tolerance ε &gt; 0. */
    public HessianFree withConjugateGradient(double decay, int maxIterations, double tolerance) {
        return new HessianFree(initialDamping, decay, maxIterations, tolerance, dampingIncrease, dampingDecrease, armijo,
                rateShrink, maxRateReductions, preconditioner, structuralDamping, structuralWeight);
    }

    /** Damping factors: increase &gt; 1 when ρ &lt; ¼, decrease in (0, 1) when ρ &gt; ¾. */
    public HessianFree withDampingFactors(double increase, double decrease) {
        return new HessianFree(initialDamping, cgDecay, maxCgIterations, progressTolerance, increase, decrease, armijo,
                rateShrink, maxRateReductions, preconditioner, structuralDamping, structuralWeight);
    }

    /** A diagonal preconditioner for CG. */
    public HessianFree withPreconditioner(DiagonalPreconditioner m) {
        if (m == null) throw new IllegalArgumentException("hessian-free: preconditioner is null");
        return new HessianFree(initialDamping, cgDecay, maxCgIterations, progressTolerance, dampingIncrease, dampingDecrease, armijo,
                rateShrink, maxRateReductions, m, structuralDamping, structuralWeight);
    }

    /** Structural damping μλ S (for RNNs). */
    public HessianFree withStructuralDamping(StructuralDamping damping) {
        if (damping == null) throw new IllegalArgumentException("hessian-free: structural damping is null");
        return new HessianFree(initialDamping, cgDecay, maxCgIterations, progressTolerance, dampingIncrease, dampingDecrease, armijo,
                rateShrink, maxRateReductions, preconditioner, damping, structuralWeight);
    }

    /**
     * Structural damping μλ S with S taken from the oracle of each step, which must then be a
     * {@link StructuralDampingOracle} (it knows the step's batch, whose hidden states S
     * penalises): the curvature products become G v + μλ S v from one joint pass. μ = 0 turns it
     * off. Martens &amp; Sutskever (2011) use μ between 1/30 and 3.
     *
     * @throws IllegalArgumentException for a negative μ
     */
    public HessianFree withStructuralDampingWeight(double mu) {
        return new HessianFree(initialDamping, cgDecay, maxCgIterations, progressTolerance, dampingIncrease, dampingDecrease, armijo,
                rateShrink, maxRateReductions, preconditioner, structuralDamping, mu);
    }

    /** μ of {@link #withStructuralDampingWeight} (0 when off). */
    public double structuralDampingWeight() {
        return structuralWeight;
    }

    /**
     * The state between steps.
     *
     * @param damping           λ for the next step
     * @param previousDirection the last CG iterate of the previous step (warm start)
     * @param steps             steps taken
     */
    public record State(double damping, Params previousDirection, long steps) {
        /** Rejects a null direction and a non-positive damping. */
        public State {
            Objects.requireNonNull(previousDirection, "previousDirection");
            HyperParameters.positive("hessian-free state", "damping", damping);
        }
    }

    /** Why CG stopped. */
    public enum CgStop {
        /** Martens' relative-progress criterion. */
        RELATIVE_PROGRESS,
        /** The iteration limit. */
        MAX_ITERATIONS,
        /** The residual vanished (the damped model was minimised exactly). */
        CONVERGED,
        /** pᵀBp ≤ 0 (B is not positive definite: a bad Gauss-Newton product). */
        NON_POSITIVE_CURVATURE
    }

    /**
     * What one step did.
     *
     * @param lossBefore    f(θ)
     * @param lossAfter     f(θ + α p) (= lossBefore when rejected)
     * @param damping       λ used in this step
     * @param nextDamping   λ for the next step
     * @param ratio         ρ for the chosen iterate
     * @param cgIterations  CG iterations run
     * @param cgStop        why CG stopped
     * @param chosenIterate the CG iteration whose p was chosen by backtracking
     * @param rate          the line-search rate α (0 when rejected)
     * @param accepted      whether the parameters moved
     */
    public record Report(double lossBefore, double lossAfter, double damping, double nextDamping, double ratio,
                         int cgIterations, CgStop cgStop, int chosenIterate, double rate, boolean accepted) implements StepReport {}

    @Override
    public State init(Params params) {
        return new State(initialDamping, params.zerosLike(), 0);
    }

    @Override
    public SecondOrderStep<State, Report> step(Params params, State state, GaussNewtonOracle oracle) {
        return step(params, state, oracle, oracle);
    }

    /**
     * One step with the loss and gradient from {@code gradientBatch} and the Gauss-Newton
     * products from {@code curvatureBatch} (Martens uses a larger batch for the gradient).
     */
    public SecondOrderStep<State, Report> step(Params params, State state, GradientOracle gradientBatch, GaussNewtonOracle curvatureBatch) {
        LossAndGradient lg = gradientBatch.lossAndGradient(params);
        Params g = lg.gradient();
        double f0 = lg.loss(), lambda = state.damping();
        Params diag = preconditioner == null ? null : preconditioner.diagonal(params, lg, lambda);
        if (diag != null) checkPositive(diag);
        CgResult cg = conjugateGradient(params, g, state.previousDirection().scale(cgDecay), lambda, diag, curvatureBatch);

        // Backtracking over the saved iterates: from the last, walk back while the loss decreases.
        int best = cg.saved.size() - 1;
        double bestLoss = gradientBatch.loss(params.add(cg.saved.get(best)));
        for (int j = best - 1; j >= 0; j--) {
            double f = gradientBatch.loss(params.add(cg.saved.get(j)));
            if (!(f < bestLoss) && Double.isFinite(bestLoss)) break;
            best = j;
            bestLoss = f;
        }
        Params p = cg.saved.get(best);
        double slope = g.dot(p);
        double predicted = slope + 0.5 * p.dot(curvatureBatch.gaussNewtonVectorProduct(params, p));
        double ratio = (bestLoss - f0) / predicted;
        double next = lambda;
        if (!(ratio >= 0.25)) next = lambda * dampingIncrease;
        else if (ratio > 0.75) next = lambda * dampingDecrease;

        double rate = 0, lossAfter = f0;
        if (Double.isFinite(bestLoss) && bestLoss <= f0 + armijo * slope) {
            rate = 1;
            lossAfter = bestLoss;
        } else if (slope < 0) {
            LineSearches.Backtracking bt = LineSearches.armijo(gradientBatch, params, f0, p, slope, rateShrink, armijo, rateShrink,
                    maxRateReductions - 1);
            if (bt.accepted()) {
                rate = bt.step();
                lossAfter = bt.loss();
            }
        }
        boolean accepted = rate > 0;
        if (!accepted) next = Math.max(next, lambda * dampingIncrease);
        Params out = accepted ? params.axpy(rate, p) : params;
        return new SecondOrderStep<>(out, new State(next, cg.last, state.steps() + 1),
                new Report(f0, lossAfter, lambda, next, ratio, cg.iterations, cg.stop, cg.savedAt.get(best), rate, accepted));
    }

    private static void checkPositive(Params diag) {
        for (var e : diag.asMap().entrySet()) {
            Tensor t = e.getValue();
            for (int i = 0; i < t.size(); i++) {
                if (!(t.getFlat(i) > 0)) {
                    throw new IllegalArgumentException("hessian-free: preconditioner entry " + i + " of '" + e.getKey()
                            + "' must be > 0, got " + t.getFlat(i));
                }
            }
        }
    }

    /** B v = G v + λ v (+ μλ S v). */
    Params dampedProduct(GaussNewtonOracle oracle, Params at, Params v, double lambda) {
        Params bv;
        if (structuralWeight > 0) {
            if (!(oracle instanceof StructuralDampingOracle so)) {
                throw new IllegalArgumentException("hessian-free: structural damping weight " + structuralWeight
                        + " needs a StructuralDampingOracle (a model with hidden states), got " + oracle.getClass().getSimpleName());
            }
            bv = so.gaussNewtonWithStructural(at, v, structuralWeight * lambda).axpy(lambda, v);
        } else {
            bv = oracle.gaussNewtonVectorProduct(at, v).axpy(lambda, v);
        }
        if (structuralDamping != null) bv = bv.axpy(structuralDamping.weight() * lambda, structuralDamping.product().apply(at, v));
        return bv;
    }

    private static final class CgResult {
        final List<Params> saved = new ArrayList<>();
        final List<Integer> savedAt = new ArrayList<>();
        Params last;
        int iterations;
        CgStop stop = CgStop.MAX_ITERATIONS;
    }

    /** Preconditioned CG on B p = −g from x0, keeping the iterates at ⌈1.3^j⌉ and the last. */
    private CgResult conjugateGradient(Params at, Params g, Params x0, double lambda, Params diag, GaussNewtonOracle oracle) {
        CgResult res = new CgResult();
        Params x = x0;
        Params r = x0.norm() == 0 ? g : dampedProduct(oracle, at, x0, lambda).add(g);
        Params y = diag == null ? r : r.zip(diag, Tensor::div);
        Params p = y.scale(-1);
        double ry = r.dot(y);
        double gNorm = g.norm();
        List<Double> objective = new ArrayList<>();
        objective.add(0.5 * x.dot(r.add(g)));
        double nextSave = 1;
        int i = 0;
        if (Math.sqrt(Math.abs(r.dot(r))) <= 1e-15 * Math.max(gNorm, Double.MIN_NORMAL)) res.stop = CgStop.CONVERGED;
        while (res.stop != CgStop.CONVERGED && i < maxCgIterations) {
            Params bp = dampedProduct(oracle, at, p, lambda);
            double pBp = p.dot(bp);
            if (!(pBp > 0)) {
                res.stop = CgStop.NON_POSITIVE_CURVATURE;
                break;
            }
            double alpha = ry / pBp;
            x = x.axpy(alpha, p);
            r = r.axpy(alpha, bp);
            i++;
            double phi = 0.5 * x.dot(r.add(g));
            objective.add(phi);
            if (i >= nextSave) {
                res.saved.add(x);
                res.savedAt.add(i);
                while (nextSave <= i) nextSave = Math.ceil(nextSave * SAVE_RATIO);
            }
            int k = Math.max(10, (int) Math.ceil(0.1 * i));
            if (i > k && phi < 0 && (phi - objective.get(i - k)) / phi < k * progressTolerance) {
                res.stop = CgStop.RELATIVE_PROGRESS;
                break;
            }
            if (Math.sqrt(r.dot(r)) <= 1e-15 * gNorm) {
                res.stop = CgStop.CONVERGED;
                break;
            }
            y = diag == null ? r : r.zip(diag, Tensor::div);
            double ryNext = r.dot(y);
            p = p.scale(ryNext / ry).sub(y);
            ry = ryNext;
        }
        if (res.savedAt.isEmpty() || res.savedAt.get(res.savedAt.size() - 1) != i) {
            res.saved.add(x);
            res.savedAt.add(i);
        }
        res.last = x;
        res.iterations = i;
        return res;
    }
}
