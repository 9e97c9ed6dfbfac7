package dev.descent.train;

import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedule;
import dev.descent.optim.Schedules;
import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.Lbfgs;
import dev.descent.optim.second.Newton;
import java.util.OptionalDouble;

/**
 * Builds the optimiser of a resolved {@link TrainingSpec}: the named optimisers of
 * {@link Optimizers} (each taking the run's learning-rate {@link Schedule}) and of
 * {@code dev.descent.optim.second}. Hyper-parameters not given take the defaults of
 * {@link TrainingSpec} and {@link Optimizers}.
 *
 * <table>
 *   <caption>Optimisers and the options that apply to them</caption>
 *   <tr><th>optimizer</th><th>update</th><th>options</th></tr>
 *   <tr><td>sgd</td><td>PyTorch's SGD: θ ← θ − η (g + λθ), or with momentum μ the buffer
 *       b ← μb + g</td><td>lr, momentum, weight-decay</td></tr>
 *   <tr><td>momentum</td><td>the seed's v ← αv + εg, θ ← θ − v</td><td>momentum α, lr ε</td></tr>
 *   <tr><td>nesterov</td><td>v ← αv + εg, θ ← θ − (εg + αv)</td><td>momentum α, lr ε</td></tr>
 *   <tr><td>ema-sgd</td><td>the seed's running average v ← βv + (1−β)g, θ ← θ − δv (or δv̂ with
 *       debias)</td><td>decay β, lr δ, debias</td></tr>
 *   <tr><td>adam, adamw</td><td>Kingma &amp; Ba 2015; Loshchilov &amp; Hutter 2019</td>
 *       <td>lr, beta1, beta2, eps, weight-decay</td></tr>
 *   <tr><td>rmsprop</td><td>PyTorch's RMSprop</td><td>lr, decay α, eps, momentum, weight-decay</td></tr>
 *   <tr><td>curvature-step</td><td>θ ← θ − ε* g with ε* = gᵀg / gᵀHg, Armijo fallback</td>
 *       <td>lr = fallback step</td></tr>
 *   <tr><td>newton</td><td>damped Newton, dense Hessian (at most {@link Newton#DEFAULT_MAX_PARAMETERS} parameters)</td>
 *       <td>damping λ₀</td></tr>
 *   <tr><td>hessian-free</td><td>Martens 2010, CG on Gauss-Newton products</td><td>damping λ₀, cg-iterations,
 *       structural-damping μ (applied here), curvature-batch (applied by the trainer)</td></tr>
 *   <tr><td>lbfgs</td><td>L-BFGS, strong Wolfe line search</td><td>memory</td></tr>
 * </table>
 * First-order optimisers also take {@code clip} (global norm, applied first) and a learning-rate
 * schedule ({@link TrainingSpec.ScheduleSpec}); second-order methods choose their own steps and
 * take neither.
 */
public final class OptimizerFactory {
    private OptimizerFactory() {}

    /**
     * The optimiser of a resolved {@code spec} for a model of {@code parameterCount} trainable parameters.
     *
     * @throws IllegalArgumentException for inconsistent schedule options or newton on a model beyond its size limit
     */
    public static TrainingOptimizer build(TrainingSpec spec, long parameterCount) {
        return build(spec.optimizer(), spec.schedule(), spec.run().steps(), parameterCount);
    }

    /**
     * The optimiser {@code o} with schedule {@code sched} for a run of {@code steps} steps on a model of {@code parameterCount} parameters.
     *
     * @throws IllegalArgumentException for an unknown schedule, inconsistent schedule options, or
     *     newton on a model beyond its size limit
     */
    public static TrainingOptimizer build(TrainingSpec.OptimizerSpec o, TrainingSpec.ScheduleSpec sched, long steps, long parameterCount) {
        String name = o.name();
        switch (name) {
            case "curvature-step":
                return new TrainingOptimizer.SecondOrder(name, CurvatureStep.withFallbackStep(learningRate(o)));
            case "newton":
                if (parameterCount > Newton.DEFAULT_MAX_PARAMETERS) {
                    throw new IllegalArgumentException("--optimizer newton: the model has " + parameterCount + " parameters, more than the "
                            + Newton.DEFAULT_MAX_PARAMETERS + " exact Newton handles (its Hessian needs n Hessian-vector products and n^2"
                            + " doubles per step); use --optimizer hessian-free or a smaller model");
                }
                return new TrainingOptimizer.SecondOrder(name, Newton.withDefaults().withDamping(
                        o.damping() == null ? Newton.DEFAULT_INITIAL_DAMPING : o.damping(), Newton.DEFAULT_MINIMUM_DAMPING));
            case "hessian-free": {
                HessianFree hf = HessianFree.withDefaults().withInitialDamping(o.damping() == null ? TrainingSpec.DEFAULT_HF_DAMPING : o.damping());
                if (o.cgIterations() != null) {
                    hf = hf.withConjugateGradient(HessianFree.DEFAULT_CG_DECAY, o.cgIterations(), HessianFree.DEFAULT_PROGRESS_TOLERANCE);
                }
                if (o.structuralDamping() != null && o.structuralDamping() > 0) hf = hf.withStructuralDampingWeight(o.structuralDamping());
                return new TrainingOptimizer.SecondOrder(name, hf);
            }
            case "lbfgs":
                return new TrainingOptimizer.SecondOrder(name, Lbfgs.withDefaults().withMemory(o.memory() == null ? Lbfgs.DEFAULT_MEMORY : o.memory()));
            default:
                break;
        }
        Schedule schedule = schedule(sched, learningRate(o), steps);
        double wd = o.weightDecay() == null ? (name.equals("adamw") ? Optimizers.ADAMW_WEIGHT_DECAY : 0) : o.weightDecay();
        double momentum = o.momentum() == null ? (name.equals("momentum") || name.equals("nesterov") ? TrainingSpec.DEFAULT_MOMENTUM : 0)
                : o.momentum();
        double b1 = o.beta1() == null ? Optimizers.ADAM_BETA1 : o.beta1(), b2 = o.beta2() == null ? Optimizers.ADAM_BETA2 : o.beta2();
        GradientTransformation<?> t = switch (name) {
            case "sgd" -> Optimizers.sgd(schedule, momentum, false, wd);
            case "momentum" -> Optimizers.momentum(momentum, schedule);
            case "nesterov" -> Optimizers.nesterov(momentum, schedule);
            case "ema-sgd" -> Optimizers.emaSgd(o.decay() == null ? TrainingSpec.DEFAULT_EMA_DECAY : o.decay(), schedule, o.debiased());
            case "adam" -> Optimizers.adam(schedule, b1, b2, o.eps() == null ? Optimizers.ADAM_EPS : o.eps(), wd);
            case "adamw" -> Optimizers.adamw(schedule, b1, b2, o.eps() == null ? Optimizers.ADAM_EPS : o.eps(), wd, n -> true);
            case "rmsprop" -> Optimizers.rmsprop(schedule, o.decay() == null ? Optimizers.RMSPROP_DECAY : o.decay(),
                    o.eps() == null ? Optimizers.RMSPROP_EPS : o.eps(), momentum, false, wd);
            default -> throw new IllegalArgumentException("unknown optimiser '" + name + "'; expected one of " + String.join(", ", TrainingSpec.OPTIMIZERS));
        };
        if (o.clip() != null) t = Optimizers.chain(Optimizers.clipByGlobalNorm(o.clip()), t);
        return new TrainingOptimizer.FirstOrder(name, t, schedule, o.clip() == null ? OptionalDouble.empty() : OptionalDouble.of(o.clip()));
    }

    private static double learningRate(TrainingSpec.OptimizerSpec o) {
        return o.learningRate() != null ? o.learningRate() : TrainingSpec.DEFAULT_LEARNING_RATE.get(o.name());
    }

    /**
     * The learning rate η(t) over a run of {@code steps} steps: {@code constant}; {@code step},
     * η·γ^⌊t/N⌋ (PyTorch's StepLR) with N = {@code decay-every} (default steps /
     * {@link TrainingSpec#DEFAULT_STEP_DECAYS}) and γ = {@code decay-factor}; {@code cosine}, from η
     * to α·η over the steps after the warm-up (α = {@code final-lr-fraction}); {@code warmup},
     * constant after a linear warm-up of {@code warmup-steps} (default steps ·
     * {@link TrainingSpec#DEFAULT_WARMUP_FRACTION}). {@code warmup-steps W} adds a linear warm-up
     * from 0 over W steps to any schedule (Goyal et al. 2017). A constant rate is a
     * {@link Schedules.Constant}, which the optimisers with a fused constant-rate kernel use.
     *
     * @throws IllegalArgumentException for schedule options that do not fit the schedule or the run
     */
    public static Schedule schedule(TrainingSpec.ScheduleSpec o, double lr, long steps) {
        String name = o.name() == null ? TrainingSpec.DEFAULT_SCHEDULE : o.name();
        if ((o.decayEvery() != null || o.decayFactor() != null) && !name.equals("step")) {
            throw new IllegalArgumentException("--decay-every and --decay-factor apply to --schedule step only");
        }
        if (o.finalFraction() != null && !name.equals("cosine")) {
            throw new IllegalArgumentException("--final-lr-fraction applies to --schedule cosine only");
        }
        long warmup = o.warmupSteps() != null ? o.warmupSteps()
                : name.equals("warmup") ? Math.max(1, Math.round(TrainingSpec.DEFAULT_WARMUP_FRACTION * steps)) : 0;
        if (warmup >= steps && warmup > 0) {
            throw new IllegalArgumentException("--warmup-steps " + warmup + " leaves no steps of the " + steps + " to train after the warm-up");
        }
        int after = (int) Math.min(Integer.MAX_VALUE, steps - warmup);
        Schedule base = switch (name) {
            case "step" -> Schedules.stepDecay(lr, (int) Math.min(Integer.MAX_VALUE, o.decayEvery() != null ? o.decayEvery()
                    : Math.max(1, steps / TrainingSpec.DEFAULT_STEP_DECAYS)), o.decayFactor() != null ? o.decayFactor() : TrainingSpec.DEFAULT_DECAY_FACTOR);
            case "cosine" -> Schedules.cosineDecay(lr, Math.max(1, after), o.finalFraction() != null ? o.finalFraction() : TrainingSpec.DEFAULT_FINAL_LR_FRACTION);
            default -> Schedules.constant(lr);
        };
        return warmup > 0 ? Schedules.linearWarmup((int) Math.min(Integer.MAX_VALUE, warmup), 0, base) : base;
    }
}
