package dev.descent.optim.second;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedules;
import dev.descent.optim.TestProblems;
import dev.descent.optim.Update;
import dev.descent.optim.Updates;
import dev.descent.tensor.Params;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table-driven convergence test (Optax's style): every optimiser on a parabola, Rosenbrock's
 * function, L2-regularised logistic regression and a small tanh MLP, each row with its
 * hyper-parameters, its step budget and the tolerance it must reach on the optimality gap
 * f(θ) − f* (f* = 0 for the parabola and Rosenbrock, f* from Newton to machine precision for
 * the strongly convex logistic regression; for the non-convex MLP, whose global minimum is
 * unknown, the tolerance is on f itself).
 *
 * <p>The tolerances are what each method can promise in its budget: second-order methods reach
 * rounding level (1e-12) on the convex problems; first-order methods with a constant step
 * converge linearly on the parabola and logistic regression (1e-8) but only slowly along
 * Rosenbrock's curved valley (1e-2 in 2000 steps; 5e-2 for plain SGD, whose step is capped
 * by the curvature 2/L ≈ 2e-3 at the minimum); Adam, AdamW and RMSprop with constant steps hover at a
 * distance of order η from the minimum, so they are run with a cosine-decayed step.
 */
class ConvergenceTableTest {
    interface Method {
        Params run(TestProblems.Problem problem, int steps);
    }

    static Method firstOrder(Supplier<GradientTransformation<?>> make) {
        return (problem, steps) -> {
            @SuppressWarnings("unchecked")
            GradientTransformation<Object> opt = (GradientTransformation<Object>) make.get();
            GradientOracle oracle = Oracles.fromLoss(problem.loss());
            Params x = problem.start();
            Object state = opt.init(x);
            for (int k = 0; k < steps; k++) {
                Update<Object> u = opt.update(oracle.lossAndGradient(x).gradient(), state, x);
                x = Updates.apply(x, u.updates());
                state = u.state();
            }
            return x;
        };
    }

    static <O extends GradientOracle, S, R extends StepReport> Method secondOrder(SecondOrderOptimizer<O, S, R> method,
                                                                                  java.util.function.Function<TestProblems.Problem, O> oracle) {
        return (problem, steps) -> {
            O o = oracle.apply(problem);
            Params x = problem.start();
            S state = method.init(x);
            for (int k = 0; k < steps; k++) {
                SecondOrderStep<S, R> s = method.step(x, state, o);
                x = s.params();
                state = s.state();
            }
            return x;
        };
    }

    static ModelOracle modelOracle(TestProblems.Problem p) {
        return Oracles.fromModel(p.model(), p.outputLoss(), p.l2());
    }

    static final TestProblems.Problem PARABOLA = TestProblems.parabola(new double[] {1, 4, 10}, new double[] {1, -2, 0.5}, new double[] {0, 0, 0});
    static final TestProblems.Problem ROSENBROCK = TestProblems.rosenbrock();
    static final TestProblems.LogisticData LOGISTIC_DATA = TestProblems.logisticData(81, 100, 4, 1e-2);
    static final TestProblems.Problem LOGISTIC = TestProblems.logistic(LOGISTIC_DATA);
    static final TestProblems.Problem MLP = TestProblems.mlp(82, 2, 6, 24);
    static double logisticOptimum = Double.NaN;

    static double optimum(TestProblems.Problem p) {
        if (p == LOGISTIC) {
            if (Double.isNaN(logisticOptimum)) {
                Params x = secondOrder(Newton.withDefaults(), ConvergenceTableTest::modelOracle).run(LOGISTIC, 20);
                logisticOptimum = Oracles.fromLoss(LOGISTIC.loss()).loss(x);
            }
            return logisticOptimum;
        }
        return 0;
    }

    static Arguments row(String optimiser, TestProblems.Problem problem, int steps, double tolerance, Method method) {
        return Arguments.of(optimiser, problem.name(), problem, steps, tolerance, method);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // Plain SGD: stable for η < 2/L.
                row("sgd", PARABOLA, 300, 1e-10, firstOrder(() -> Optimizers.sgd(0.15))),
                row("sgd", ROSENBROCK, 2000, 5e-2, firstOrder(() -> Optimizers.sgd(1.5e-3))),
                row("sgd", LOGISTIC, 400, 1e-8, firstOrder(() -> Optimizers.sgd(2))),
                row("sgd", MLP, 1500, 5e-3, firstOrder(() -> Optimizers.sgd(0.2))),
                // The seed's momentum (α, ε).
                row("momentum", PARABOLA, 300, 1e-10, firstOrder(() -> Optimizers.momentum(0.5, 0.1))),
                row("momentum", ROSENBROCK, 2000, 1e-2, firstOrder(() -> Optimizers.momentum(0.9, 2e-4))),
                row("momentum", LOGISTIC, 300, 1e-8, firstOrder(() -> Optimizers.momentum(0.7, 1))),
                row("momentum", MLP, 1500, 5e-3, firstOrder(() -> Optimizers.momentum(0.9, 0.05))),
                // Nesterov in the seed's parameterisation.
                row("nesterov", PARABOLA, 300, 1e-10, firstOrder(() -> Optimizers.nesterov(0.5, 0.1))),
                row("nesterov", ROSENBROCK, 2000, 1e-2, firstOrder(() -> Optimizers.nesterov(0.9, 2e-4))),
                row("nesterov", LOGISTIC, 300, 1e-8, firstOrder(() -> Optimizers.nesterov(0.7, 1))),
                row("nesterov", MLP, 1500, 5e-3, firstOrder(() -> Optimizers.nesterov(0.9, 0.05))),
                // SGD on a bias-corrected running average (β, δ).
                row("emaSgd", PARABOLA, 300, 1e-10, firstOrder(() -> Optimizers.emaSgd(0.5, 0.2, true))),
                row("emaSgd", ROSENBROCK, 2000, 1e-2, firstOrder(() -> Optimizers.emaSgd(0.9, 2e-3, true))),
                row("emaSgd", LOGISTIC, 300, 1e-8, firstOrder(() -> Optimizers.emaSgd(0.7, 3, true))),
                row("emaSgd", MLP, 1500, 5e-3, firstOrder(() -> Optimizers.emaSgd(0.9, 0.5, true))),
                // Adaptive methods with a cosine-decayed step.
                row("adam", PARABOLA, 2000, 1e-8, firstOrder(() -> Optimizers.adam(Schedules.cosineDecay(0.1, 2000, 0), 0.9, 0.999, 1e-8))),
                row("adam", ROSENBROCK, 2000, 1e-2, firstOrder(() -> Optimizers.adam(Schedules.cosineDecay(0.05, 2000, 0), 0.9, 0.999, 1e-8))),
                row("adam", LOGISTIC, 2000, 1e-8, firstOrder(() -> Optimizers.adam(Schedules.cosineDecay(0.05, 2000, 0), 0.9, 0.999, 1e-8))),
                row("adam", MLP, 1500, 5e-3, firstOrder(() -> Optimizers.adam(Schedules.cosineDecay(0.02, 1500, 0), 0.9, 0.999, 1e-8))),
                // AdamW with a small decay, which moves the minimiser by O(λ): tolerances allow for it.
                row("adamw", PARABOLA, 2000, 1e-6, firstOrder(() -> Optimizers.adamw(Schedules.cosineDecay(0.1, 2000, 0), 0.9, 0.999, 1e-8, 1e-4, n -> true))),
                row("adamw", ROSENBROCK, 2000, 1e-2, firstOrder(() -> Optimizers.adamw(Schedules.cosineDecay(0.05, 2000, 0), 0.9, 0.999, 1e-8, 1e-4, n -> true))),
                row("adamw", LOGISTIC, 2000, 1e-6, firstOrder(() -> Optimizers.adamw(Schedules.cosineDecay(0.05, 2000, 0), 0.9, 0.999, 1e-8, 1e-4, n -> true))),
                row("adamw", MLP, 1500, 5e-3, firstOrder(() -> Optimizers.adamw(Schedules.cosineDecay(0.02, 1500, 0), 0.9, 0.999, 1e-8, 1e-4, n -> true))),
                row("rmsprop", PARABOLA, 2000, 1e-8, firstOrder(() -> Optimizers.chain(Optimizers.scaleByRms(0.99, 1e-8, false),
                        Optimizers.scaleByLearningRate(Schedules.cosineDecay(0.02, 2000, 0))))),
                row("rmsprop", ROSENBROCK, 2000, 1e-2, firstOrder(() -> Optimizers.chain(Optimizers.scaleByRms(0.99, 1e-8, false),
                        Optimizers.scaleByLearningRate(Schedules.cosineDecay(0.005, 4000, 0))))),
                row("rmsprop", LOGISTIC, 2000, 1e-8, firstOrder(() -> Optimizers.chain(Optimizers.scaleByRms(0.99, 1e-8, false),
                        Optimizers.scaleByLearningRate(Schedules.cosineDecay(0.02, 2000, 0))))),
                row("rmsprop", MLP, 1500, 5e-3, firstOrder(() -> Optimizers.chain(Optimizers.scaleByRms(0.99, 1e-8, false),
                        Optimizers.scaleByLearningRate(Schedules.cosineDecay(0.005, 3000, 0))))),
                // Second order.
                row("curvatureStep", PARABOLA, 100, 1e-12, secondOrder(CurvatureStep.withFallbackStep(1), p -> Oracles.fromLoss(p.loss()))),
                row("curvatureStep", ROSENBROCK, 1500, 1e-2, secondOrder(CurvatureStep.withFallbackStep(1), p -> Oracles.fromLoss(p.loss()))),
                row("curvatureStep", LOGISTIC, 100, 1e-12, secondOrder(CurvatureStep.withFallbackStep(1), p -> Oracles.fromLoss(p.loss()))),
                row("curvatureStep", MLP, 1000, 5e-3, secondOrder(CurvatureStep.withFallbackStep(1), p -> Oracles.fromLoss(p.loss()))),
                row("newton", PARABOLA, 1, 1e-14, secondOrder(Newton.withDefaults(), p -> Oracles.fromLoss(p.loss()))),
                row("newton", ROSENBROCK, 40, 1e-14, secondOrder(Newton.withDefaults(), p -> Oracles.fromLoss(p.loss()))),
                row("newton", LOGISTIC, 10, 1e-14, secondOrder(Newton.withDefaults(), p -> Oracles.fromLoss(p.loss()))),
                row("newton", MLP, 60, 5e-3, secondOrder(Newton.withDefaults(), p -> Oracles.fromLoss(p.loss()))),
                row("hessianFree", PARABOLA, 20, 1e-12, secondOrder(HessianFree.withDefaults(), ConvergenceTableTest::modelOracle)),
                row("hessianFree", ROSENBROCK, 60, 1e-12, secondOrder(HessianFree.withDefaults(), ConvergenceTableTest::modelOracle)),
                row("hessianFree", LOGISTIC, 30, 1e-12, secondOrder(HessianFree.withDefaults(), ConvergenceTableTest::modelOracle)),
                row("hessianFree", MLP, 40, 5e-3, secondOrder(HessianFree.withDefaults(), ConvergenceTableTest::modelOracle)),
                row("lbfgs", PARABOLA, 20, 1e-14, secondOrder(Lbfgs.withDefaults(), p -> Oracles.fromLoss(p.loss()))),
                row("lbfgs", ROSENBROCK, 60, 1e-14, secondOrder(Lbfgs.withDefaults(), p -> Oracles.fromLoss(p.loss()))),
                row("lbfgs", LOGISTIC, 40, 1e-14, secondOrder(Lbfgs.withDefaults(), p -> Oracles.fromLoss(p.loss()))),
                row("lbfgs", MLP, 200, 5e-3, secondOrder(Lbfgs.withDefaults(), p -> Oracles.fromLoss(p.loss()))));
    }

    @ParameterizedTest(name = "{0} on {1}: gap <= {4} in {3} steps")
    @MethodSource("table")
    void reachesItsToleranceWithinItsBudget(String optimiser, String problemName, TestProblems.Problem problem, int steps,
                                            double tolerance, Method method) {
        Params x = method.run(problem, steps);
        double f = Oracles.fromLoss(problem.loss()).loss(x);
        double gap = f - optimum(problem);
        assertTrue(Double.isFinite(gap) && gap <= tolerance, optimiser + " on " + problemName + ": gap " + gap + " > " + tolerance);
    }
}
