package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.DiagonalPreconditioner;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.Lbfgs;
import dev.descent.optim.second.Newton;
import dev.descent.optim.second.Oracles;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad hyper-parameter fails at construction with the bad value in a one-line message. */
class HyperParameterValidationTest {

    static Stream<Arguments> badHyperParameters() {
        return Stream.of(
                bad("sgd learning rate", "-0.1", () -> Optimizers.sgd(-0.1)),
                bad("sgd momentum", "1.0", () -> Optimizers.sgd(0.1, 1.0, false, 0)),
                bad("sgd weight decay", "-0.01", () -> Optimizers.sgd(0.1, 0.9, false, -0.01)),
                bad("momentum α", "1.2", () -> Optimizers.momentum(1.2, 0.1)),
                bad("momentum ε", "-0.5", () -> Optimizers.momentum(0.9, -0.5)),
                bad("nesterov α", "-0.1", () -> Optimizers.nesterov(-0.1, 0.1)),
                bad("momentum params", "NaN", () -> new MomentumParams(Double.NaN, 0.1)),
                bad("running average params", "1.0", () -> new RunningAverageParams(1.0, 0.1)),
                bad("ema β = 1", "1.0", () -> Optimizers.ema(1.0, true)),
                bad("ema β < 0", "-0.2", () -> Optimizers.ema(-0.2, false)),
                bad("ema sgd δ", "-1.0", () -> Optimizers.emaSgd(0.9, -1.0, false)),
                bad("adam learning rate", "-0.001", () -> Optimizers.adam(-0.001)),
                bad("adam β1", "1.0", () -> Optimizers.adam(0.001, 1.0, 0.999, 1e-8)),
                bad("adam β2", "1.5", () -> Optimizers.scaleByAdam(0.9, 1.5, 1e-8)),
                bad("adam eps zero", "0.0", () -> Optimizers.scaleByAdam(0.9, 0.999, 0.0)),
                bad("adam eps negative", "-1.0E-8", () -> Optimizers.adam(0.001, 0.9, 0.999, -1e-8)),
                bad("adamw weight decay", "-0.1", () -> Optimizers.adamw(0.001, 0.9, 0.999, 1e-8, -0.1, n -> true)),
                bad("adamw learning rate", "-1.0", () -> Optimizers.adamw(-1.0)),
                bad("rmsprop learning rate", "-0.01", () -> Optimizers.rmsprop(-0.01)),
                bad("rmsprop α", "1.0", () -> Optimizers.rmsprop(0.01, 1.0, 1e-8, 0, false)),
                bad("rmsprop eps", "0.0", () -> Optimizers.scaleByRms(0.99, 0.0, false)),
                bad("rmsprop momentum", "-0.5", () -> Optimizers.rmsprop(0.01, 0.99, 1e-8, -0.5, false)),
                bad("clip max norm", "0.0", () -> Optimizers.clipByGlobalNorm(0.0)),
                bad("clip max norm infinite", "Infinity", () -> Optimizers.clipByGlobalNorm(Double.POSITIVE_INFINITY)),
                bad("clip by value", "-1.0", () -> Optimizers.clipByValue(-1.0)),
                bad("scale by learning rate", "-2.0", () -> Optimizers.scaleByLearningRate(-2.0)),
                bad("scale NaN", "NaN", () -> Optimizers.scale(Double.NaN)),
                bad("weight decay", "-0.3", () -> Optimizers.addDecayedWeights(-0.3)),
                bad("constant schedule", "-0.1", () -> Schedules.constant(-0.1)),
                bad("step schedule size", "0", () -> Schedules.stepDecay(0.1, 0, 0.5)),
                bad("step schedule gamma", "1.5", () -> Schedules.stepDecay(0.1, 10, 1.5)),
                bad("step schedule gamma zero", "0.0", () -> Schedules.stepDecay(0.1, 10, 0.0)),
                bad("cosine steps", "-5", () -> Schedules.cosineDecay(0.1, -5, 0)),
                bad("cosine final fraction", "2.0", () -> Schedules.cosineDecay(0.1, 10, 2.0)),
                bad("linear steps", "0", () -> Schedules.linear(0, 1, 0)),
                bad("warm-up steps", "0", () -> Schedules.linearWarmup(0, 0, Schedules.constant(1))),
                bad("warm-up start", "-1.0", () -> Schedules.linearWarmup(5, -1.0, Schedules.constant(1))),
                bad("curvature step fallback", "0.0", () -> CurvatureStep.withFallbackStep(0.0)),
                bad("curvature step armijo", "0.7", () -> CurvatureStep.withFallbackStep(1).withArmijo(0.7)),
                bad("curvature step shrink", "1.0", () -> CurvatureStep.withFallbackStep(1).withBacktracking(1.0, 10)),
                bad("newton initial damping", "-1.0", () -> Newton.withDefaults().withDamping(-1.0, 1e-8)),
                bad("newton minimum damping", "0.0", () -> Newton.withDefaults().withDamping(0, 0.0)),
                bad("newton damping increase", "0.5", () -> Newton.withDefaults().withDampingFactors(0.5, 0.1)),
                bad("newton max parameters", "0", () -> Newton.withDefaults().withMaxParameters(0)),
                bad("hessian-free damping zero", "0.0", () -> HessianFree.withDefaults().withInitialDamping(0.0)),
                bad("hessian-free damping negative", "-0.5", () -> HessianFree.withDefaults().withInitialDamping(-0.5)),
                bad("hessian-free cg decay", "1.5", () -> HessianFree.withDefaults().withConjugateGradient(1.5, 100, 5e-4)),
                bad("hessian-free cg iterations", "0", () -> HessianFree.withDefaults().withConjugateGradient(0.95, 0, 5e-4)),
                bad("hessian-free damping decrease", "1.2", () -> HessianFree.withDefaults().withDampingFactors(1.5, 1.2)),
                bad("structural damping weight", "0.0", () -> new HessianFree.StructuralDamping((at, v) -> v, 0.0)),
                bad("martens exponent", "0.0", () -> DiagonalPreconditioner.martens(p -> p, 0.0)),
                bad("lbfgs memory", "0", () -> Lbfgs.withDefaults().withMemory(0)),
                bad("lbfgs wolfe constants", "c1 = 0.9", () -> Lbfgs.withDefaults().withLineSearch(0.9, 0.5, 20)),
                bad("model oracle l2", "-0.01", () -> Oracles.fromModel(vp -> null, z -> z, -0.01)));
    }

    static Arguments bad(String what, String value, Supplier<Object> construct) {
        return Arguments.of(what, value, construct);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHyperParameters")
    void failsAtConstructionNamingTheBadValue(String what, String value, Supplier<Object> construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::get);
        assertTrue(e.getMessage().contains("got " + value), what + ": message '" + e.getMessage() + "' does not name " + value);
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
