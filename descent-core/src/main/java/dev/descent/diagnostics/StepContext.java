package dev.descent.diagnostics;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.Params;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Everything a training loop knows about one optimisation step, handed to
 * {@link TrainingListener}s after the step.
 *
 * <p>Conventions: {@code gradients} are the raw gradients of the step's loss at
 * {@code paramsBefore} (before clipping or any other transformation); {@code updates} are what
 * was applied, {@code paramsAfter = paramsBefore + updates} (Optax's sign convention: an SGD
 * update is −η·g). The optional parts are what some diagnostics need: the clipping outcome, the
 * learning rate of the step (for the effective learning rate of weight-normalised layers), and
 * the loss as a deterministic function of the parameters on the step's batch (for curvature,
 * Hessian spectrum and quadratic-model diagnostics).
 *
 * @param step the step number, ≥ 0
 * @param loss the loss at paramsBefore (may be non-finite: that is what health checks look for)
 * @param paramsBefore θ_t
 * @param gradients ∇L(θ_t), before clipping
 * @param updates θ_{t+1} − θ_t as applied
 * @param paramsAfter θ_{t+1}
 * @param clip what clipping by global norm did, if the loop clips
 * @param learningRate η of the step, if meaningful
 * @param lossFunction the step's loss as a function of the parameters, if provided
 */
public record StepContext(long step, double loss, Params paramsBefore, Params gradients, Params updates,
                          Params paramsAfter, Optional<ClipInfo> clip, OptionalDouble learningRate,
                          Optional<Function<VarParams, Var>> lossFunction) {
    /** Validates the step number and that the four trees have the same names and shapes. */
    public StepContext {
        if (step < 0) throw new IllegalArgumentException("step context: step must be >= 0, got " + step);
        Objects.requireNonNull(paramsBefore, "paramsBefore");
        Objects.requireNonNull(clip, "clip");
        Objects.requireNonNull(learningRate, "learningRate");
        Objects.requireNonNull(lossFunction, "lossFunction");
        paramsBefore.checkCompatible("step context: gradients", Objects.requireNonNull(gradients, "gradients"));
        paramsBefore.checkCompatible("step context: updates", Objects.requireNonNull(updates, "updates"));
        paramsBefore.checkCompatible("step context: paramsAfter", Objects.requireNonNull(paramsAfter, "paramsAfter"));
        if (learningRate.isPresent() && !(learningRate.getAsDouble() > 0 && Double.isFinite(learningRate.getAsDouble()))) {
            throw new IllegalArgumentException("step context: learning rate must be finite and > 0, got " + learningRate.getAsDouble());
        }
    }

    /** A context without clipping information, learning rate or loss function. */
    public static StepContext of(long step, double loss, Params paramsBefore, Params gradients, Params updates, Params paramsAfter) {
        return new StepContext(step, loss, paramsBefore, gradients, updates, paramsAfter, Optional.empty(),
                OptionalDouble.empty(), Optional.empty());
    }

    /** This context with the step's clipping outcome. */
    public StepContext withClip(ClipInfo info) {
        return new StepContext(step, loss, paramsBefore, gradients, updates, paramsAfter, Optional.of(info), learningRate, lossFunction);
    }

    /** This context with the step's learning rate. */
    public StepContext withLearningRate(double eta) {
        return new StepContext(step, loss, paramsBefore, gradients, updates, paramsAfter, clip, OptionalDouble.of(eta), lossFunction);
    }

    /** This context with the step's loss as a function of the parameters. */
    public StepContext withLossFunction(Function<VarParams, Var> f) {
        return new StepContext(step, loss, paramsBefore, gradients, updates, paramsAfter, clip, learningRate,
                Optional.of(Objects.requireNonNull(f, "lossFunction")));
    }

    /** The loss function, or an exception naming the diagnostic that needed it. */
    Function<VarParams, Var> requireLossFunction(String diagnostic) {
        return lossFunction.orElseThrow(() -> new IllegalStateException("diagnostic '" + diagnostic
                + "' needs the step's loss function: pass it with StepContext.withLossFunction"));
    }
}
