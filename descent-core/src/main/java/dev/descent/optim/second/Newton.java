package dev.descent.optim.second;

import dev.descent.optim.HyperParameters;
import dev.descent.tensor.Params;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Exact (damped) Newton's method for small models (SPEC §3.3): setting the gradient of the
 * quadratic model to zero gives θ ← θ − H⁻¹g; here the step p solves (H + λI) p = −g.
 *
 * <ul>
 *   <li>H is built column by column from n Hessian-vector products (H e_j), in float64,
 *       symmetrised as ½(H + Hᵀ); n is limited to {@code maxParameters} (default 4096).</li>
 *   <li>The system is solved by a Cholesky factorisation (EJML), never by inverting. If the
 *       factorisation fails (H + λI is not positive definite), λ is raised, λ ← max(λ·increase,
 *       minimumDamping), and it is retried: Levenberg (1944), Marquardt (1963).</li>
 *   <li>Backtracking (Armijo) on θ + t p, t = 1, ½, ¼, … guarantees descent.</li>
 *   <li>λ adapts to the agreement ρ = (f(θ + p) − f(θ)) / (gᵀp + ½ pᵀHp) between the loss and the
 *       undamped model (Nocedal &amp; Wright §4.1): ρ &lt; ¼ or a backtracked step raises λ, ρ &gt; ¾
 *       lowers it, λ ← λ·decrease, and a λ below {@code minimumDamping} becomes 0 so that the
 *       last iterations are pure Newton steps and converge quadratically.</li>
 * </ul>
 * The default initial damping is 0 (pure Newton while H is positive definite).
 */
public final class Newton implements SecondOrderOptimizer<CurvatureOracle, Newton.State, Newton.Report> {
    /** Default initial λ. */
    public static final double DEFAULT_INITIAL_DAMPING = 0;
    /** Default smallest non-zero λ (the value λ jumps to from 0). */
    public static final double DEFAULT_MINIMUM_DAMPING = 1e-8;
    /** Default factor raising λ. */
    public static final double DEFAULT_INCREASE = 10;
    /** Default factor lowering λ. */
    public static final double DEFAULT_DECREASE = 0.1;
    /** Default largest number of parameters (the dense Hessian has n² entries). */
    public static final int DEFAULT_MAX_PARAMETERS = 4096;
    /** Default Armijo constant. */
    public static final double DEFAULT_ARMIJO = 1e-4;
    /** Default maximum number of step halvings. */
    public static final int DEFAULT_MAX_BACKTRACKS = 30;
    /** Most λ increases tried for one factorisation. */
    static final int MAX_FACTORISATION_ATTEMPTS = 100;

    private final double initialDamping, minimumDamping, increase, decrease, armijo;
    private final int maxParameters, maxBacktracks;

    private Newton(double initialDamping, double minimumDamping, double increase, double decrease, double armijo,
                   int maxParameters, int maxBacktracks) {
        this.initialDamping = HyperParameters.nonNegative("newton", "initial damping", initialDamping);
        this.minimumDamping = HyperParameters.positive("newton", "minimum damping", minimumDamping);
        this.increase = HyperParameters.greaterThanOne("newton", "damping increase", increase);
        this.decrease = HyperParameters.openUnitInterval("newton", "damping decrease", decrease);
        this.armijo = HyperParameters.openUnitInterval("newton", "armijo constant", armijo);
        this.maxParameters = HyperParameters.atLeast("newton", "max parameters", maxParameters, 1);
        this.maxBacktracks = HyperParameters.atLeast("newton", "max backtracks", maxBacktracks, 0);
    }

    /** Newton with the defaults above. */
    public static Newton withDefaults() {
        return new Newton(DEFAULT_INITIAL_DAMPING, DEFAULT_MINIMUM_DAMPING, DEFAULT_INCREASE, DEFAULT_DECREASE,
                DEFAULT_ARMIJO, DEFAULT_MAX_PARAMETERS, DEFAULT_MAX_BACKTRACKS);
    }

    /** Initial λ ≥ 0 and the smallest non-zero λ &gt; 0. */
    public Newton withDamping(double initial, double minimum) {
        return new Newton(initial, minimum, increase, decrease, armijo, maxParameters, maxBacktracks);
    }

    /** Factors raising (&gt; 1) and lowering (in (0, 1)) λ. */
    public Newton withDampingFactors(double increaseFactor, double decreaseFactor) {
        return new Newton(initialDamping, minimumDamping, increaseFactor, decreaseFactor, armijo, maxParameters, maxBacktracks);
    }

    /** The largest parameter count accepted (≥ 1). */
    public Newton withMaxParameters(int n) {
        return new Newton(initialDamping, minimumDamping, increase, decrease, armijo, n, maxBacktracks);
    }

    /**
     * The damping λ to use next and the number of steps so far.
     *
     * @param damping λ
     * @param steps   steps taken
     */
    public record State(double damping, long steps) {}

    /**
     * What one step did.
     *
     * @param lossBefore           f(θ)
     * @param lossAfter            f(θ + t p)
     * @param gradientNorm         ‖g‖ at θ
     * @param damping              λ used for the accepted factorisation
     * @param factorisationFailures Cholesky failures (each raised λ) before it succeeded
     * @param stepScale            t (1 for a full Newton step, 0 when rejected)
     * @param backtracks           halvings of t
     * @param ratio                ρ, actual over predicted reduction for the full step
     * @param accepted             whether the parameters moved
     */
    public record Report(double lossBefore, double lossAfter, double gradientNorm, double damping, int factorisationFailures,
                         double stepScale, int backtracks, double ratio, boolean accepted) implements StepReport {}

    @Override
    public State init(Params params) {
        return new State(initialDamping, 0);
    }

    private void checkSize(Params at) {
        long count = at.elementCount();
        if (count > maxParameters) {
            throw new IllegalArgumentException("newton: " + count + " parameters exceed the limit of " + maxParameters
                    + " (the dense Hessian needs n HVPs and n² doubles; use HessianFree)");
        }
    }

    /** The dense symmetric Hessian at θ from n HVPs, row-major n×n. */
    public double[] denseHessian(CurvatureOracle oracle, Params at) {
        checkSize(at);
        int n = (int) at.elementCount();
        double[] h = new double[n * n];
        double[] e = new double[n];
        for (int j = 0; j < n; j++) {
            e[j] = 1;
            double[] col = oracle.hessianVectorProduct(at, at.unflatten(e)).flatten();
            e[j] = 0;
            for (int i = 0; i < n; i++) h[i * n + j] = col[i];
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0.5 * (h[i * n + j] + h[j * n + i]);
                h[i * n + j] = s;
                h[j * n + i] = s;
            }
        }
        for (int k = 0; k < h.length; k++) {
            if (!Double.isFinite(h[k])) throw new ArithmeticException("newton: Hessian entry (" + k / n + ", " + k % n + ") is " + h[k]);
        }
        return h;
    }

    @Override
    public SecondOrderStep<State, Report> step(Params params, State state, CurvatureOracle oracle) {
        checkSize(params);
        LossAndGradient lg = oracle.lossAndGradient(params);
        double f0 = lg.loss();
        double[] g = lg.gradient().flatten();
        int n = g.length;
        double gNorm = norm(g);
        if (gNorm == 0) {
            return new SecondOrderStep<>(params, new State(state.damping(), state.steps() + 1),
                    new Report(f0, f0, 0, state.damping(), 0, 0, 0, Double.NaN, false));
        }
        double[] h = denseHessian(oracle, params);
        double lambda = state.damping();
        int failures = 0;
        double[] p = null;
        while (p == null) {
            p = solveDamped(h, g, n, lambda);
            if (p == null) {
                if (++failures > MAX_FACTORISATION_ATTEMPTS) {
                    throw new ArithmeticException("newton: H + λI not positive definite after " + failures + " damping increases (λ = " + lambda + ")");
                }
                lambda = Math.max(lambda * increase, minimumDamping);
            }
        }
        double slope = dot(g, p);
        double predicted = slope + 0.5 * quadratic(h, p, n);
        Params direction = lg.gradient().unflatten(p);
        LineSearches.Backtracking bt = LineSearches.armijo(oracle, params, f0, direction, slope, 1, armijo, 0.5, maxBacktracks);
        double ratio = bt.accepted() && bt.backtracks() == 0 ? (bt.loss() - f0) / predicted : Double.NaN;
        double next;
        if (!bt.accepted() || bt.backtracks() > 0 || !(ratio >= 0.25)) {
            next = Math.max(lambda * increase, minimumDamping);
        } else if (ratio > 0.75) {
            next = lambda * decrease < minimumDamping ? 0 : lambda * decrease;
        } else {
            next = lambda;
        }
        Params out = bt.accepted() ? params.axpy(bt.step(), direction) : params;
        return new SecondOrderStep<>(out, new State(next, state.steps() + 1),
                new Report(f0, bt.accepted() ? bt.loss() : f0, gNorm, lambda, failures, bt.step(), bt.backtracks(), ratio, bt.accepted()));
    }

    /** p with (H + λI) p = −g by Cholesky, or null when H + λI is not positive definite. */
    static double[] solveDamped(double[] h, double[] g, int n, double lambda) {
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        System.arraycopy(h, 0, a.data, 0, n * n);
        for (int i = 0; i < n; i++) a.data[i * n + i] += lambda;
        LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.chol(n);
        if (!chol.setA(a)) return null;
        DMatrixRMaj b = new DMatrixRMaj(n, 1);
        for (int i = 0; i < n; i++) b.data[i] = -g[i];
        DMatrixRMaj x = new DMatrixRMaj(n, 1);
        chol.solve(b, x);
        for (double v : x.data) if (!Double.isFinite(v)) return null;
        return x.data;
    }

    private static double quadratic(double[] h, double[] p, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < n; j++) row += h[i * n + j] * p[j];
            s += p[i] * row;
        }
        return s;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }
}
