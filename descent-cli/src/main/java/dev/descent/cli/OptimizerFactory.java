package dev.descent.cli;

import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Schedule;
import dev.descent.optim.Schedules;
import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.Lbfgs;
import dev.descent.optim.second.Newton;
import dev.descent.train.TrainingOptimizer;
import dev.descent.train.TrainingSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Builds the optimiser of {@code descent train} from its options, and rejects options that do
 * not apply to the chosen optimiser (a usage error naming both) rather than ignoring them.
 *
 * <table>
 *   <caption>Optimisers and their options (defaults in brackets)</caption>
 *   <tr><th>--optimizer</th><th>update</th><th>options</th></tr>
 *   <tr><td>sgd</td><td>PyTorch's SGD: θ ← θ − η (g + λθ), or with momentum μ the buffer
 *       b ← μb + g</td><td>--lr [0.01], --momentum [0], --weight-decay [0]</td></tr>
 *   <tr><td>momentum</td><td>the seed's v ← αv + εg, θ ← θ − v</td><td>--momentum α [0.9], --lr ε [0.01]</td></tr>
 *   <tr><td>nesterov</td><td>v ← αv + εg, θ ← θ − (εg + αv)</td><td>--momentum α [0.9], --lr ε [0.01]</td></tr>
 *   <tr><td>ema-sgd</td><td>the seed's running average v ← βv + (1−β)g, θ ← θ − δv (or δv̂ with
 *       --debias)</td><td>--decay β [0.9], --lr δ [0.1], --debias</td></tr>
 *   <tr><td>adam, adamw</td><td>Kingma &amp; Ba 2015; Loshchilov &amp; Hutter 2019</td>
 *       <td>--lr [0.001], --beta1 [0.9], --beta2 [0.999], --eps [1e-8], --weight-decay [0; adamw 0.01]</td></tr>
 *   <tr><td>rmsprop</td><td>PyTorch's RMSprop</td><td>--lr [0.01], --decay α [0.99], --eps [1e-8],
 *       --momentum [0], --weight-decay [0]</td></tr>
 *   <tr><td>curvature-step</td><td>θ ← θ − ε* g with ε* = gᵀg / gᵀHg, Armijo fallback</td>
 *       <td>--lr = fallback step [1]</td></tr>
 *   <tr><td>newton</td><td>damped Newton, dense Hessian (at most 4096 parameters)</td><td>--damping λ₀ [0]</td></tr>
 *   <tr><td>hessian-free</td><td>Martens 2010, CG on Gauss-Newton products</td><td>--damping λ₀ [1], --cg-iterations [250],
 *       --structural-damping μ [0], --curvature-batch [the batch]</td></tr>
 *   <tr><td>lbfgs</td><td>L-BFGS, strong Wolfe line search</td><td>--memory [10]</td></tr>
 * </table>
 * First-order optimisers also take {@code --clip} (global norm, applied first) and a learning-rate
 * schedule ({@code --schedule}, {@code --warmup-steps}, …); second-order methods choose their own
 * steps and take neither.
 */
final class OptimizerFactory {
    private OptimizerFactory() {}

    /**
     * The optimiser for a run of {@code steps} steps on a model of {@code parameterCount} parameters.
     *
     * @throws IllegalArgumentException for an unknown schedule, inconsistent schedule options, or
     *     newton on a model beyond its size limit
     */
    static TrainingOptimizer build(TrainingSpec.OptimizerSpec o, TrainingSpec.ScheduleSpec sched, long steps, long parameterCount) {
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
        double lr = learningRate(o);
        Schedule schedule = schedule(sched, lr, steps);
        boolean constant = sched.name() == null || sched.name().equals("constant") && (sched.warmupSteps() == null || sched.warmupSteps() == 0);
        double wd = o.weightDecay() == null ? (name.equals("adamw") ? Optimizers.ADAMW_WEIGHT_DECAY : 0) : o.weightDecay();
        GradientTransformation<?> t;
        switch (name) {
            case "sgd": {
                double mu = o.momentum() == null ? 0 : o.momentum();
                List<GradientTransformation<?>> parts = new ArrayList<>();
                if (wd > 0) parts.add(Optimizers.addDecayedWeights(wd));
                if (mu > 0) parts.add(Optimizers.trace(mu, false));
                parts.add(Optimizers.scaleByLearningRate(schedule));
                t = Optimizers.chain(parts.toArray(new GradientTransformation<?>[0]));
                break;
            }
            case "momentum":
            case "nesterov": {
                double alpha = o.momentum() == null ? TrainingSpec.DEFAULT_MOMENTUM : o.momentum();
                boolean nesterov = name.equals("nesterov");
                // With a constant ε the library's fused seed-form update; otherwise the same recursion
                // with ε(t) folded into the gradient: v = αv + ε(t)g is trace(α) of ε(t)g.
                t = constant ? (nesterov ? Optimizers.nesterov(alpha, lr) : Optimizers.momentum(alpha, lr))
                        : Optimizers.chain(Optimizers.scaleBySchedule(schedule), Optimizers.trace(alpha, nesterov), Optimizers.scale(-1));
                break;
            }
            case "ema-sgd":
                t = Optimizers.chain(Optimizers.ema(o.decay() == null ? TrainingSpec.DEFAULT_EMA_DECAY : o.decay(), o.debiased()),
                        Optimizers.scaleByLearningRate(schedule));
                break;
            case "adam": {
                double b1 = o.beta1() == null ? Optimizers.ADAM_BETA1 : o.beta1(), b2 = o.beta2() == null ? Optimizers.ADAM_BETA2 : o.beta2();
                double eps = o.eps() == null ? Optimizers.ADAM_EPS : o.eps();
                t = wd > 0 ? Optimizers.chain(Optimizers.addDecayedWeights(wd), Optimizers.scaleByAdam(b1, b2, eps),
                        Optimizers.scaleByLearningRate(schedule)) : Optimizers.adam(schedule, b1, b2, eps);
                break;
            }
            case "adamw":
                t = Optimizers.adamw(schedule, o.beta1() == null ? Optimizers.ADAM_BETA1 : o.beta1(),
                        o.beta2() == null ? Optimizers.ADAM_BETA2 : o.beta2(), o.eps() == null ? Optimizers.ADAM_EPS : o.eps(), wd, n -> true);
                break;
            case "rmsprop": {
                double mu = o.momentum() == null ? 0 : o.momentum();
                List<GradientTransformation<?>> parts = new ArrayList<>();
                if (wd > 0) parts.add(Optimizers.addDecayedWeights(wd));
                parts.add(Optimizers.scaleByRms(o.decay() == null ? Optimizers.RMSPROP_DECAY : o.decay(),
                        o.eps() == null ? Optimizers.RMSPROP_EPS : o.eps(), false));
                if (mu > 0) parts.add(Optimizers.trace(mu, false));
                parts.add(Optimizers.scaleByLearningRate(schedule));
                t = Optimizers.chain(parts.toArray(new GradientTransformation<?>[0]));
                break;
            }
            default:
                throw new IllegalArgumentException("unknown optimiser '" + name + "'; expected one of " + String.join(", ", TrainingSpec.OPTIMIZERS));
        }
        if (o.clip() != null) t = Optimizers.chain(Optimizers.clipByGlobalNorm(o.clip()), t);
        return new TrainingOptimizer.FirstOrder(name, t, schedule, o.clip() == null ? OptionalDouble.empty() : OptionalDouble.of(o.clip()));
    }

    static double learningRate(TrainingSpec.OptimizerSpec o) {
        return o.learningRate() != null ? o.learningRate() : TrainingSpec.DEFAULT_LEARNING_RATE.get(o.name());
    }

    /**
     * The learning rate η(t) over a run of {@code steps} steps: {@code constant}; {@code step},
     * η·γ^⌊t/N⌋ (PyTorch's StepLR) with N = {@code --decay-every} [steps/3] and γ =
     * {@code --decay-factor} [0.1]; {@code cosine}, from η to α·η over the steps after the warm-up
     * (α = {@code --final-lr-fraction} [0]); {@code warmup}, constant after a linear warm-up of
     * {@code --warmup-steps} [steps/10]. {@code --warmup-steps W} adds a linear warm-up from 0 over
     * W steps to any schedule (Goyal et al. 2017).
     */
    static Schedule schedule(TrainingSpec.ScheduleSpec o, double lr, long steps) {
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
