package dev.descent.experiments;

import static dev.descent.experiments.ExperimentAssertions.describe;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.Activation;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Scope;
import dev.descent.optim.AdamState;
import dev.descent.optim.EmaState;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.RunningAverageParams;
import dev.descent.optim.Update;
import dev.descent.optim.second.CurvatureOracle;
import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.LossAndGradient;
import dev.descent.optim.second.QuadraticModel;
import dev.descent.optim.second.SecondOrderOptimizer;
import dev.descent.optim.second.SecondOrderStep;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proofs are proved: each plausible bug in a mechanism, injected through the experiment's seam
 * as a deliberately broken test double, makes the claim that covers it fail, at the row that
 * names it. The same experiments with the library's components pass (the per-claim tests).
 *
 * <p>Table: break → claim → rows that must fail. The first eleven are the breaks that the claims
 * already caught; the rest were not caught before the independent computations were added.
 */
class MutationTest {
    @TempDir
    Path dir;

    static Stream<Arguments> breaks() {
        return Stream.of(
                // --- caught before; re-proved here
                breakCase("EMA bias correction off by one step, 1/(1−β^(t+1))", "2.3",
                        () -> new Spec23BiasCorrection(MutationTest::emaCorrectedOneStepLate, Optimizers::scaleByAdam),
                        "mean of v_t/(1−β^t) matches μ"),
                breakCase("WN gradient without the projection (‖u‖ detached)", "4.2",
                        () -> new Spec42WeightNormGradientProjection(layer -> new BrokenWeightNorm(layer, Bug.PROJECTION_DROPPED)),
                        "layer 6 → 5: ‖autodiff − formula‖", "layer 6 → 5: max over units |uᵀ∇_u L|"),
                breakCase("WN gradient projected with the wrong coefficient (I − ½uuᵀ/‖u‖²)", "4.2",
                        () -> new Spec42WeightNormGradientProjection(layer -> new BrokenWeightNorm(layer, Bug.PROJECTION_HALVED)),
                        "layer 6 → 5: ‖autodiff − formula‖", "layer 5 → 3: max over units |uᵀ∇_u L|"),
                breakCase("momentum conversion inverted, δ = ε(1−α)", "2.1",
                        () -> new Spec21MomentumIsRunningAverage(Spec21MomentumIsRunningAverage.STEPS,
                                m -> new RunningAverageParams(m.momentum(), m.learningRate() * (1 - m.momentum()))),
                        "trajectories agree", "the conversion"),
                breakCase("momentum conversion off by 1e-8", "2.1",
                        () -> new Spec21MomentumIsRunningAverage(Spec21MomentumIsRunningAverage.STEPS, m -> {
                            RunningAverageParams r = m.toRunningAverage();
                            return new RunningAverageParams(r.decay(), r.stepSize() * (1 + 1e-8));
                        }),
                        "trajectories agree", "the conversion"),
                breakCase("pre-activation form uses Wᵀ", "1.1",
                        () -> new Spec11RnnForms(new BrokenRuns(false)),
                        "tanh: max |σ(h_t) − g_t|, t ≤ 200, both forms fused",
                        "tanh: max |g_t(scalar reference) − σ(h_t)|"),
                breakCase("ε* halved", "3.2", () -> new Spec32OptimalStep(new HalvedStep()), "ε* taken = gᵀg/gᵀAg"),
                breakCase("fallback not counted", "3.2", () -> new Spec32OptimalStep(new UncountedFallback()),
                        "non-convex (rotated double well): fallbacks counted", "every step with gᵀHg ≤ 0"),
                breakCase("Newton always damped, (H + 1e-3 I)", "3.3",
                        () -> new Spec33Newton(o -> new HessianDecorator(o, 1, 1e-3)),
                        "quadratic: ‖∇f‖ after one Newton step", "logistic regression: e_{k+1}/e_k² against C_k"),
                breakCase("Hessian-vector product scaled by 1.01", "3.1",
                        () -> new Spec31QuadraticModel(o -> new HessianDecorator(o, 1.01, 0), QuadraticModel::predict),
                        "exact on quadratics", "on the quadratics: gᵀHg"),
                breakCase("clipping removed", "1.3", () -> new Spec13ExplodingGradients(c -> Optimizers.scale(1)),
                        "clipped SGD: steps with a non-finite loss", "clipping enforces ‖u‖ ≤ c"),
                breakCase("WN forward divides by ‖u‖²", "4.1",
                        () -> new Spec41WeightNormEqualsBatchNorm(layer -> new BrokenWeightNorm(layer, Bug.FORWARD_SQUARED_NORM)),
                        "whitened inputs: max |WN(x) − BN(x)|", "WN(x) against g(uᵀx)/‖u‖ + b"),
                breakCase("quadratic model without its ½", "3.1",
                        () -> new Spec31QuadraticModel(o -> o,
                                (m, eps) -> m.loss() - eps * m.gradientNormSquared() + eps * eps * m.curvature()),
                        "exact on quadratics"),
                // --- not caught before
                breakCase("Adam's bias correction uses β₁^(t+1)", "2.3",
                        () -> new Spec23BiasCorrection(Optimizers::ema, MutationTest::adamCorrectedOneStepLate),
                        "Adam, constant g: debiased output"),
                breakCase("clipping threshold 100× too large", "1.3",
                        () -> new Spec13ExplodingGradients(c -> Optimizers.clipByGlobalNorm(100 * c)),
                        "clipping enforces ‖u‖ ≤ c", "gradients where clipping fired"),
                breakCase("tanh's forward-mode derivative 10% too large", "1.2",
                        () -> new Spec12VanishingGradients(Spec12VanishingGradients.DEFAULT_DELTA, 1, MutationTest::tanhDerivativeTooLarge),
                        "tanh: independent product"),
                breakCase("a bug in both RNN forms (bias added twice)", "1.1",
                        () -> new Spec11RnnForms(new BrokenRuns(true)),
                        "tanh: max |g_t(scalar reference) − g_t|", "tanh: max |g_t(scalar reference) − σ(h_t)|",
                        "identity: max |g_t(scalar reference) − g_t|"),
                breakCase("WN gradient without the projection, under training", "4.3",
                        () -> new Spec43WeightNormGrowth(layer -> new BrokenWeightNorm(layer, Bug.PROJECTION_DROPPED)),
                        "Pythagoras"),
                breakCase("WN loss not scale-invariant in u (forward divides by ‖u‖²), under training", "4.3",
                        () -> new Spec43WeightNormGrowth(layer -> new BrokenWeightNorm(layer, Bug.FORWARD_SQUARED_NORM)),
                        "rate η from u₀ equals rate 1 from u₀/√η"),
                breakCase("running average with β and 1−β swapped", "2.2",
                        () -> new Spec22AverageIsWeightedSum(MutationTest::swappedEma),
                        "emaSgd state (v_0 = 0) equals", "ema from v_0 ≠ 0 equals"));
    }

    private static Arguments breakCase(String name, String claim, Supplier<Experiment> broken, String... failingRows) {
        return Arguments.of(name, claim, broken, List.of(failingRows));
    }

    @ParameterizedTest(name = "{0} → {1} fails")
    @MethodSource("breaks")
    void theClaimThatCoversTheBreakFails(String name, String claim, Supplier<Experiment> broken, List<String> failingRows) {
        Experiment e = broken.get();
        assertTrue(e.id().equals(claim), e.id());
        ExperimentRunner.Outcome o = ExperimentAssertions.run(e, 0, dir);
        assertNull(o.error(), "the broken experiment must fail by its rows, not by throwing: " + o.error());
        assertFalse(o.passed(), name + ": claim " + claim + " still passes:\n" + describe(o.rows()));
        for (String prefix : failingRows) {
            List<Row> matching = o.rows().stream().filter(r -> r.claim().startsWith(prefix)).collect(Collectors.toList());
            assertFalse(matching.isEmpty(), "no row starts with '" + prefix + "' in\n" + describe(o.rows()));
            assertTrue(matching.stream().noneMatch(Row::pass), name + ": row '" + prefix + "' passes:\n" + describe(matching));
        }
    }

    /**
     * Why 1.1 needed its reference rows: with a bug shared by both forms the old rows (the two
     * forms against each other) still pass; only the comparison with the scalar reference fails.
     */
    @Test
    void aBugSharedByBothFormsPassesTheFormAgainstFormRows() {
        ExperimentRunner.Outcome o = ExperimentAssertions.run(new Spec11RnnForms(new BrokenRuns(true)), 0, dir);
        for (Row r : o.rows()) {
            if (r.claim().contains("both forms fused") || r.claim().contains("step by step")) assertTrue(r.pass(), r.toString());
        }
        assertFalse(o.passed());
    }

    // ------------------------------------------------------------------ the broken components

    /** Optimizers.ema whose bias correction divides by 1 − β^(t+1) instead of 1 − β^t. */
    static GradientTransformation<EmaState> emaCorrectedOneStepLate(double decay, boolean debias) {
        GradientTransformation<EmaState> raw = Optimizers.ema(decay, false);
        return new GradientTransformation<>() {
            @Override
            public EmaState init(Params params) {
                return raw.init(params);
            }

            @Override
            public Update<EmaState> update(Params grads, EmaState state, Params params) {
                Update<EmaState> u = raw.update(grads, state, params);
                if (!debias) return u;
                long t = u.state().count();
                return new Update<>(u.updates().scale(1 / (1 - Math.pow(decay, t + 1))), u.state());
            }
        };
    }

    /** A running average that weights the old value by 1 − β and the new gradient by β. */
    static GradientTransformation<EmaState> swappedEma(double decay, boolean debias) {
        return new GradientTransformation<>() {
            @Override
            public EmaState init(Params params) {
                return new EmaState(params.zerosLike(), 0);
            }

            @Override
            public Update<EmaState> update(Params grads, EmaState state, Params params) {
                Params average = state.average().scale(1 - decay).axpy(decay, grads);
                return new Update<>(average, new EmaState(average, state.count() + 1));
            }
        };
    }

    /** Adam whose first-moment correction divides by 1 − β₁^(t+1). */
    static GradientTransformation<AdamState> adamCorrectedOneStepLate(double b1, double b2, double eps) {
        GradientTransformation<AdamState> adam = Optimizers.scaleByAdam(b1, b2, eps);
        return new GradientTransformation<>() {
            @Override
            public AdamState init(Params params) {
                return adam.init(params);
            }

            @Override
            public Update<AdamState> update(Params grads, AdamState state, Params params) {
                Update<AdamState> u = adam.update(grads, state, params);
                long t = u.state().count();
                return new Update<>(u.updates().scale((1 - Math.pow(b1, t)) / (1 - Math.pow(b1, t + 1))), u.state());
            }
        };
    }

    /**
     * The layer's step with tanh's forward-mode derivative 10% too large: y = t + 0.1·(t − stop(t))
     * has the value t = tanh(a) exactly and the tangent 1.1·tanh'(a)·ȧ.
     */
    static dev.descent.diagnostics.RecurrentStep tanhDerivativeTooLarge(Rnn rnn, VarParams params) {
        if (rnn.activation() != Activation.TANH) return (state, x) -> rnn.step(params, state, x);
        return (state, x) -> {
            Var a = state.matmul(params.get("W"), false, true).add(x.matmul(params.get("U"), false, true)).add(params.get("b"));
            Var t = a.tanh();
            return t.add(t.sub(t.detach()).mul(0.1));
        };
    }

    /** The layer run with altered parameters: the pre-activation form with Wᵀ, or both forms with the bias added twice. */
    static final class BrokenRuns implements Spec11RnnForms.LayerRuns {
        private final boolean both;

        BrokenRuns(boolean both) {
            this.both = both;
        }

        private VarParams broken(Rnn layer, VarParams params) {
            Params p = layer.parameters();
            if (both) return VarParams.constants(p.with("b", p.get("b").mul(2)));
            if (layer.config().form() == Rnn.Form.PRE_ACTIVATION) return VarParams.constants(p.with("W", p.get("W").transpose()));
            return params;
        }

        @Override
        public Tensor fused(Rnn layer, VarParams params, Tensor x, Tensor initial) {
            return Spec11RnnForms.LIBRARY.fused(layer, broken(layer, params), x, initial);
        }

        @Override
        public Var step(Rnn layer, VarParams params, Var state, Var input) {
            return Spec11RnnForms.LIBRARY.step(layer, broken(layer, params), state, input);
        }
    }

    /** Curvature steps of half the length, ε* / 2, when gᵀHg > 0 (the fallback as the library's). */
    static final class HalvedStep implements SecondOrderOptimizer<CurvatureOracle, CurvatureStep.State, CurvatureStep.Report> {
        private final CurvatureStep real = CurvatureStep.withFallbackStep(1);

        @Override
        public CurvatureStep.State init(Params params) {
            return real.init(params);
        }

        @Override
        public SecondOrderStep<CurvatureStep.State, CurvatureStep.Report> step(Params params, CurvatureStep.State state,
                                                                                CurvatureOracle oracle) {
            QuadraticModel m = QuadraticModel.alongGradient(oracle, params);
            if (!m.hasPositiveCurvature()) return real.step(params, state, oracle);
            double eps = m.optimalStep() / 2;
            Params next = params.axpy(-eps, m.gradient());
            return new SecondOrderStep<>(next, new CurvatureStep.State(state.steps() + 1, state.fallbacks(), state.backtracked(),
                    state.noDecrease()), new CurvatureStep.Report(CurvatureStep.Path.CURVATURE, m.loss(), oracle.loss(next), m.predict(eps),
                    m.gradientNormSquared(), m.curvature(), eps, 0));
        }
    }

    /** The library's curvature step whose state forgets to count fallbacks. */
    static final class UncountedFallback implements SecondOrderOptimizer<CurvatureOracle, CurvatureStep.State, CurvatureStep.Report> {
        private final CurvatureStep real = CurvatureStep.withFallbackStep(1);

        @Override
        public CurvatureStep.State init(Params params) {
            return real.init(params);
        }

        @Override
        public SecondOrderStep<CurvatureStep.State, CurvatureStep.Report> step(Params params, CurvatureStep.State state,
                                                                                CurvatureOracle oracle) {
            SecondOrderStep<CurvatureStep.State, CurvatureStep.Report> s = real.step(params, state, oracle);
            CurvatureStep.State n = s.state();
            return new SecondOrderStep<>(s.params(), new CurvatureStep.State(n.steps(), state.fallbacks(), n.backtracked(), n.noDecrease()),
                    s.report());
        }
    }

    /** An oracle whose Hessian-vector products are (scale·H + damping·I) v. */
    static final class HessianDecorator implements CurvatureOracle {
        private final CurvatureOracle inner;
        private final double scale, damping;

        HessianDecorator(CurvatureOracle inner, double scale, double damping) {
            this.inner = inner;
            this.scale = scale;
            this.damping = damping;
        }

        @Override
        public double loss(Params at) {
            return inner.loss(at);
        }

        @Override
        public LossAndGradient lossAndGradient(Params at) {
            return inner.lossAndGradient(at);
        }

        @Override
        public Params hessianVectorProduct(Params at, Params v) {
            return inner.hessianVectorProduct(at, v).scale(scale).axpy(damping, v);
        }
    }

    enum Bug {
        /** w = g·u/stop(‖u‖): the forward pass is right, the gradient lacks the projection. */
        PROJECTION_DROPPED,
        /** w = g·u/(√‖u‖·√stop(‖u‖)): right forward pass, gradient (g/‖u‖)(I − ½uuᵀ/‖u‖²)∇_w L. */
        PROJECTION_HALVED,
        /** w = g·u/‖u‖²: a wrong forward pass whose loss is not invariant to the scale of u. */
        FORWARD_SQUARED_NORM
    }

    /** A weight-normalised Linear with one deliberate bug; parameters as WeightNorm's (weight_g, weight_v, bias). */
    static final class BrokenWeightNorm extends Module {
        private final Bug bug;
        private final boolean bias;
        private final int out;

        BrokenWeightNorm(Linear layer, Bug bug) {
            this.bug = bug;
            Tensor w = layer.parameters().get("weight");
            this.out = w.dim(0);
            addParameter("weight_g", w.square().sum(new int[] {1}, false).sqrt());
            addParameter("weight_v", w);
            this.bias = layer.hasBias();
            if (bias) addParameter("bias", layer.parameters().get("bias"));
        }

        @Override
        public Var apply(Scope scope, Var x) {
            Var g = scope.parameter(this, "weight_g"), v = scope.parameter(this, "weight_v");
            Var norm = v.square().sum(1, true).sqrt();
            Var divisor;
            switch (bug) {
                case PROJECTION_DROPPED: divisor = norm.detach(); break;
                case PROJECTION_HALVED: divisor = norm.sqrt().mul(norm.detach().sqrt()); break;
                default: divisor = norm.square();
            }
            Var w = v.mul(g.reshape(out, 1)).div(divisor);
            Var y = x.matmul(w, false, true);
            return bias ? y.add(scope.parameter(this, "bias")) : y;
        }
    }
}
