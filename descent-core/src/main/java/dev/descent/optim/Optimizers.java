package dev.descent.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Gradient transformations and the named optimisers built from them.
 *
 * <p>Conventions (as Optax): every transformation maps gradients to updates that are
 * <em>added</em> to the parameters by {@link Updates#apply}; the learning rate is applied by
 * {@link #scaleByLearningRate}, which multiplies by −η. Named optimisers are one-line
 * {@link #chain}s of the building blocks, so, for example,
 * {@code adam(η) = chain(scaleByAdam(β₁, β₂, ε), scaleByLearningRate(η))}. Every hyper-parameter
 * is validated here, eagerly, with the bad value in the message; every default is one of the
 * constants below.
 *
 * <p>The seed's two parameterisations of momentum are both first-class: {@link #momentum}
 * (α, ε) and {@link #emaSgd} (β, δ), with exact conversions in {@link MomentumParams} and
 * {@link RunningAverageParams}. PyTorch's parameterisation of momentum is {@link #sgd}.
 */
public final class Optimizers {
    private Optimizers() {}

    /** Default Adam first-moment decay β₁ (Kingma &amp; Ba 2015; PyTorch). */
    public static final double ADAM_BETA1 = 0.9;
    /** Default Adam second-moment decay β₂. */
    public static final double ADAM_BETA2 = 0.999;
    /** Default Adam ε. */
    public static final double ADAM_EPS = 1e-8;
    /** Default AdamW decoupled weight decay (PyTorch's default). */
    public static final double ADAMW_WEIGHT_DECAY = 1e-2;
    /** Default RMSprop decay α of the squared-gradient average (PyTorch's default). */
    public static final double RMSPROP_DECAY = 0.99;
    /** Default RMSprop ε (PyTorch's default). */
    public static final double RMSPROP_EPS = 1e-8;
    /**
     * The constant PyTorch's {@code clip_grad_norm_} adds to the norm before dividing:
     * scale = min(1, c / (‖g‖ + 1e-6)).
     */
    public static final double CLIP_NORM_EPSILON = 1e-6;

    // ------------------------------------------------------------------ composition

    /**
     * Applies {@code transformations} in order, each to the previous one's updates; the state is
     * a {@link ChainState} holding each transformation's state in the same order.
     */
    public static GradientTransformation<ChainState> chain(GradientTransformation<?>... transformations) {
        if (transformations == null || transformations.length == 0) {
            throw new IllegalArgumentException("chain: needs at least one transformation, got none");
        }
        List<GradientTransformation<Object>> parts = new ArrayList<>();
        for (int i = 0; i < transformations.length; i++) {
            if (transformations[i] == null) throw new IllegalArgumentException("chain: transformation " + i + " is null");
            parts.add(Transforms.erase(transformations[i]));
        }
        return new Transforms.Chain(List.copyOf(parts));
    }

    /**
     * Applies {@code inner} only to the entries whose names satisfy {@code select}; the other
     * entries' incoming updates pass through unchanged (Optax's {@code masked}). The usual use:
     * {@code masked(name -> !name.endsWith("bias"), addDecayedWeights(1e-4))} decays weights
     * but not biases.
     */
    public static GradientTransformation<MaskedState> masked(Predicate<String> select, GradientTransformation<?> inner) {
        if (select == null) throw new IllegalArgumentException("masked: the name predicate is null");
        return new Transforms.Masked(select, Transforms.erase(inner));
    }

    /**
     * Parameter groups: each parameter gets the transformation of its label,
     * {@code byLabel.get(labelOf.apply(name))}, and each transformation sees only its own
     * entries (Optax's {@code multi_transform}; PyTorch's parameter groups). Every parameter must
     * have a label present in {@code byLabel}; this is checked by {@code init}. For example
     * {@code partition(Map.of("decay", adamw(1e-3), "no-decay", adam(1e-3)),
     * name -> name.endsWith("bias") ? "no-decay" : "decay")}.
     */
    public static GradientTransformation<PartitionState> partition(Map<String, ? extends GradientTransformation<?>> byLabel,
                                                                   Function<String, String> labelOf) {
        if (byLabel == null || byLabel.isEmpty()) throw new IllegalArgumentException("partition: needs at least one label, got none");
        if (labelOf == null) throw new IllegalArgumentException("partition: the labelling function is null");
        LinkedHashMap<String, GradientTransformation<Object>> m = new LinkedHashMap<>();
        byLabel.forEach((l, t) -> m.put(l, Transforms.erase(t)));
        return new Transforms.Partition(m, labelOf);
    }

    // ------------------------------------------------------------------ scaling

    /** u = c · g for a fixed finite factor c (any sign). */
    public static GradientTransformation<EmptyState> scale(double factor) {
        HyperParameters.finite("scale", "factor", factor);
        return new Transforms.Scale(factor);
    }

    /** u = −η g: the step that makes the updates descend (η ≥ 0). */
    public static GradientTransformation<EmptyState> scaleByLearningRate(double learningRate) {
        HyperParameters.nonNegative("scale by learning rate", "learning rate", learningRate);
        return new Transforms.Scale(-learningRate);
    }

    /**
     * u = −η(t) g with η from a schedule evaluated at the update count t (t = 0 first); a
     * schedule value that is negative or not finite fails the update naming the step.
     */
    public static GradientTransformation<CountState> scaleByLearningRate(Schedule learningRate) {
        if (learningRate == null) throw new IllegalArgumentException("scale by learning rate: schedule is null");
        return new Transforms.ScaleBySchedule(learningRate, true);
    }

    /** u = s(t) · g with s from a schedule (no negation: a multiplier, not a learning rate). */
    public static GradientTransformation<CountState> scaleBySchedule(Schedule schedule) {
        if (schedule == null) throw new IllegalArgumentException("scale by schedule: schedule is null");
        return new Transforms.ScaleBySchedule(schedule, false);
    }

    /**
     * u = g + λ θ: L2 regularisation added to the gradient (coupled weight decay). Before an
     * adaptive transform this is PyTorch's {@code weight_decay} for SGD, Adam and RMSprop; after
     * it (as in {@link #adamw}) it is decoupled weight decay.
     */
    public static GradientTransformation<EmptyState> addDecayedWeights(double weightDecay) {
        HyperParameters.nonNegative("add decayed weights", "weight decay", weightDecay);
        return new Transforms.AddDecayedWeights(weightDecay);
    }

    /** u = 0: freezes the parameters it is applied to (combine with {@link #partition}). */
    public static GradientTransformation<EmptyState> setToZero() {
        return new Transforms.SetToZero();
    }

    // ------------------------------------------------------------------ clipping

    /**
     * Clipping by global norm (Pascanu, Mikolov &amp; Bengio 2013), exactly as PyTorch's
     * {@code torch.nn.utils.clip_grad_norm_}: with ‖g‖ the Euclidean norm of all entries
     * together, u = g · min(1, c / (‖g‖ + 10⁻⁶)). It "fires" when that factor is below 1, which
     * (because of the 10⁻⁶) includes norms within 10⁻⁶ below c. The state, {@link ClipStats},
     * reports the last pre-clip norm and factor and counts how often and how hard it fired.
     *
     * <p>Differences from PyTorch: the norm is accumulated in float64 for float32 gradients; a
     * non-finite norm throws {@link ArithmeticException} (PyTorch's default silently multiplies
     * the gradient by NaN); the gradient is returned unchanged, not multiplied by 1.0, when the
     * factor is 1.
     */
    public static GradientTransformation<ClipStats> clipByGlobalNorm(double maxNorm) {
        HyperParameters.positive("clip by global norm", "max norm", maxNorm);
        return new Transforms.ClipByGlobalNorm(maxNorm);
    }

    /** u = clamp(g, −c, c) elementwise, as PyTorch's {@code clip_grad_value_}. */
    public static GradientTransformation<EmptyState> clipByValue(double maxAbs) {
        HyperParameters.positive("clip by value", "max absolute value", maxAbs);
        return new Transforms.ClipByValue(maxAbs);
    }

    // ------------------------------------------------------------------ momentum and averages

    /**
     * PyTorch's momentum buffer (Polyak 1964; Sutskever et al. 2013): b_t = μ b_{t−1} + g_t,
     * u = b_t, or with Nesterov u = g_t + μ b_t. Un-scaled: follow it with
     * {@link #scaleByLearningRate}. PyTorch's first step sets b_1 = g_1, which equals μ·0 + g_1
     * exactly, so trajectories agree (PyTorch's {@code dampening} is not offered: use
     * {@link #emaSgd} for a dampened average).
     */
    public static GradientTransformation<MomentumState> trace(double momentum, boolean nesterov) {
        HyperParameters.decayRate("trace", "momentum", momentum);
        return new Transforms.Trace(momentum, nesterov);
    }

    /**
     * Plain stochastic gradient descent: θ_t = θ_{t−1} − η g_t (Robbins &amp; Monro 1951).
     */
    public static GradientTransformation<EmptyState> sgd(double learningRate) {
        HyperParameters.nonNegative("sgd", "learning rate", learningRate);
        return new Transforms.Scale(-learningRate);
    }

    /**
     * PyTorch's {@code torch.optim.SGD} with momentum μ, optional Nesterov and coupled weight
     * decay λ: g ← g + λθ; b ← μ b + g; θ ← θ − η (b, or g + μ b with Nesterov). It is
     * {@code chain(addDecayedWeights(λ), trace(μ, nesterov), scaleByLearningRate(η))} (the weight
     * decay link is left out when λ = 0).
     */
    public static GradientTransformation<ChainState> sgd(double learningRate, double momentum, boolean nesterov, double weightDecay) {
        HyperParameters.nonNegative("sgd", "learning rate", learningRate);
        HyperParameters.decayRate("sgd", "momentum", momentum);
        HyperParameters.nonNegative("sgd", "weight decay", weightDecay);
        return weightDecay == 0
                ? chain(trace(momentum, nesterov), scaleByLearningRate(learningRate))
                : chain(addDecayedWeights(weightDecay), trace(momentum, nesterov), scaleByLearningRate(learningRate));
    }

    /**
     * {@link #sgd(double, double, boolean, double)} with a learning-rate schedule η(t):
     * {@code chain(addDecayedWeights(λ), trace(μ, nesterov), scaleByLearningRate(η(t)))}, where
     * the weight-decay link is left out when λ = 0 and the trace when μ = 0 (a trace with μ = 0
     * passes g through unchanged; leaving it out keeps no buffer).
     */
    public static GradientTransformation<ChainState> sgd(Schedule learningRate, double momentum, boolean nesterov, double weightDecay) {
        HyperParameters.decayRate("sgd", "momentum", momentum);
        HyperParameters.nonNegative("sgd", "weight decay", weightDecay);
        List<GradientTransformation<?>> parts = new ArrayList<>();
        if (weightDecay > 0) parts.add(addDecayedWeights(weightDecay));
        if (momentum > 0) parts.add(trace(momentum, nesterov));
        parts.add(scaleByLearningRate(learningRate));
        return chain(parts.toArray(new GradientTransformation<?>[0]));
    }

    /**
     * The seed's SGD with momentum (Polyak 1964; Rumelhart, Hinton &amp; Williams 1986):
     * v_t = α v_{t−1} + ε g_t, θ_t = θ_{t−1} − v_t, with v_0 = 0; the state holds v. Here the
     * learning rate ε is inside the velocity, unlike PyTorch's {@link #sgd(double, double, boolean,
     * double)} where b = v/ε (identical trajectories for a constant ε). SPEC §2.1: this equals
     * {@link #emaSgd} with β = α, δ = ε/(1−α) (see {@link MomentumParams#toRunningAverage()}).
     *
     * @param momentum     α in [0, 1)
     * @param learningRate ε ≥ 0
     */
    public static GradientTransformation<MomentumState> momentum(double momentum, double learningRate) {
        HyperParameters.decayRate("momentum", "momentum", momentum);
        HyperParameters.nonNegative("momentum", "learning rate", learningRate);
        return new Transforms.Momentum(momentum, learningRate, false);
    }

    /** {@link #momentum(double, double)} from its hyper-parameter record. */
    public static GradientTransformation<MomentumState> momentum(MomentumParams params) {
        return momentum(params.momentum(), params.learningRate());
    }

    /**
     * Nesterov's accelerated gradient in the seed's parameterisation, in the form that needs no
     * look-ahead gradient (Sutskever et al. 2013; Bengio, Boulanger-Lewandowski &amp; Pascanu 2013):
     * v_t = α v_{t−1} + ε g_t, θ_t = θ_{t−1} − (ε g_t + α v_t). Identical to PyTorch's
     * {@code SGD(nesterov=True)} with lr = ε, momentum = α.
     */
    public static GradientTransformation<MomentumState> nesterov(double momentum, double learningRate) {
        HyperParameters.decayRate("nesterov", "momentum", momentum);
        HyperParameters.nonNegative("nesterov", "learning rate", learningRate);
        return new Transforms.Momentum(momentum, learningRate, true);
    }

    /**
     * The seed's momentum with a learning-rate schedule ε(t): v_t = α v_{t−1} + ε(t) g_t,
     * θ_t = θ_{t−1} − v_t. For a {@link Schedules.Constant} this is the fused
     * {@link #momentum(double, double)}; otherwise the same recursion with ε(t) folded into the
     * gradient, {@code chain(scaleBySchedule(ε), trace(α), scale(−1))}.
     */
    public static GradientTransformation<?> momentum(double momentum, Schedule learningRate) {
        return momentumWithSchedule(momentum, learningRate, false);
    }

    /**
     * Nesterov's momentum (as {@link #nesterov(double, double)}) with a learning-rate schedule
     * ε(t): v_t = α v_{t−1} + ε(t) g_t, θ_t = θ_{t−1} − (ε(t) g_t + α v_t); fused for a
     * {@link Schedules.Constant}, else {@code chain(scaleBySchedule(ε), trace(α, true), scale(−1))}.
     */
    public static GradientTransformation<?> nesterov(double momentum, Schedule learningRate) {
        return momentumWithSchedule(momentum, learningRate, true);
    }

    private static GradientTransformation<?> momentumWithSchedule(double momentum, Schedule learningRate, boolean nesterov) {
        if (learningRate == null) throw new IllegalArgumentException((nesterov ? "nesterov" : "momentum") + ": schedule is null");
        if (learningRate instanceof Schedules.Constant c) return nesterov ? nesterov(momentum, c.value()) : momentum(momentum, c.value());
        return chain(scaleBySchedule(learningRate), trace(momentum, nesterov), scale(-1));
    }

    /**
     * An exponential running average of the incoming updates: v_t = β v_{t−1} + (1−β) g_t with
     * v_0 = 0, so v_t = Σ_{i≤t} β^{t−i}(1−β) g_i (SPEC §2.2); the output is v_t, or with
     * {@code debias} the bias-corrected v̂_t = v_t / (1 − β^t), unbiased when the g_i share a
     * mean (SPEC §2.3; Kingma &amp; Ba 2015, §3).
     *
     * @param decay β in [0, 1)
     */
    public static GradientTransformation<EmaState> ema(double decay, boolean debias) {
        HyperParameters.decayRate("ema", "decay", decay);
        return new Transforms.Ema(decay, debias);
    }

    /**
     * The seed's SGD on a running average: v_t = β v_{t−1} + (1−β) g_t, θ_t = θ_{t−1} − δ v_t
     * (or − δ v̂_t with v̂_t = v_t / (1 − β^t) when {@code debias}). It is
     * {@code chain(ema(β, debias), scaleByLearningRate(δ))}. Without bias correction it equals
     * {@link #momentum(double, double)} with α = β, ε = δ(1−β) (SPEC §2.1). This is PyTorch's
     * SGD with {@code dampening = momentum = β}, except that PyTorch's first step ignores
     * dampening.
     *
     * @param decay    β in [0, 1)
     * @param stepSize δ ≥ 0
     */
    public static GradientTransformation<ChainState> emaSgd(double decay, double stepSize, boolean debias) {
        HyperParameters.decayRate("ema sgd", "decay", decay);
        HyperParameters.nonNegative("ema sgd", "step size", stepSize);
        return chain(ema(decay, debias), scaleByLearningRate(stepSize));
    }

    /** {@link #emaSgd(double, double, boolean)} with a step-size schedule δ(t): {@code chain(ema(β, debias), scaleByLearningRate(δ(t)))}. */
    public static GradientTransformation<ChainState> emaSgd(double decay, Schedule stepSize, boolean debias) {
        return chain(ema(decay, debias), scaleByLearningRate(stepSize));
    }

    /** {@link #emaSgd(double, double, boolean)} from its hyper-parameter record. */
    public static GradientTransformation<ChainState> emaSgd(RunningAverageParams params, boolean debias) {
        return emaSgd(params.decay(), params.stepSize(), debias);
    }

    // ------------------------------------------------------------------ adaptive methods

    /**
     * Adam's direction (Kingma &amp; Ba 2015, Algorithm 1), un-scaled, with PyTorch 1.13's
     * operation order: m_t = β₁ m_{t−1} + (1−β₁) g_t, v_t = β₂ v_{t−1} + (1−β₂) g_t²,
     * u = m_t / (√v_t / √(1−β₂ᵗ) + ε) / (1−β₁ᵗ). Followed by {@code scaleByLearningRate(η)} this is
     * PyTorch's θ ← θ − η/(1−β₁ᵗ) · m_t / (√v_t/√(1−β₂ᵗ) + ε). Note ε is added to the
     * bias-corrected √v̂ (as PyTorch and Optax), not to √v as in the paper's "efficient" variant.
     *
     * @param b1  β₁ in [0, 1)
     * @param b2  β₂ in [0, 1)
     * @param eps ε &gt; 0
     */
    public static GradientTransformation<AdamState> scaleByAdam(double b1, double b2, double eps) {
        HyperParameters.decayRate("scale by adam", "beta1", b1);
        HyperParameters.decayRate("scale by adam", "beta2", b2);
        HyperParameters.positive("scale by adam", "eps", eps);
        return new Transforms.ScaleByAdam(b1, b2, eps);
    }

    /** Adam with the default β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
    public static GradientTransformation<ChainState> adam(double learningRate) {
        return adam(learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
    }

    /**
     * Adam (Kingma &amp; Ba 2015) = {@code chain(scaleByAdam(β₁, β₂, ε), scaleByLearningRate(η))};
     * matches {@code torch.optim.Adam} (see {@link #scaleByAdam}).
     */
    public static GradientTransformation<ChainState> adam(double learningRate, double b1, double b2, double eps) {
        HyperParameters.nonNegative("adam", "learning rate", learningRate);
        return chain(scaleByAdam(b1, b2, eps), scaleByLearningRate(learningRate));
    }

    /** Adam with a learning-rate schedule. */
    public static GradientTransformation<ChainState> adam(Schedule learningRate, double b1, double b2, double eps) {
        return chain(scaleByAdam(b1, b2, eps), scaleByLearningRate(learningRate));
    }

    /**
     * Adam with PyTorch's coupled {@code weight_decay} λ (L2 added to the gradient before the
     * moments): {@code chain(addDecayedWeights(λ), scaleByAdam(β₁, β₂, ε), scaleByLearningRate(η))}.
     * Prefer {@link #adamw} (Loshchilov &amp; Hutter 2019 show why).
     */
    public static GradientTransformation<ChainState> adam(double learningRate, double b1, double b2, double eps, double weightDecay) {
        HyperParameters.nonNegative("adam", "learning rate", learningRate);
        return chain(addDecayedWeights(weightDecay), scaleByAdam(b1, b2, eps), scaleByLearningRate(learningRate));
    }

    /**
     * Adam with a learning-rate schedule and PyTorch's coupled weight decay λ:
     * {@code chain(addDecayedWeights(λ), scaleByAdam(β₁, β₂, ε), scaleByLearningRate(η(t)))}, or
     * {@link #adam(Schedule, double, double, double)} when λ = 0.
     */
    public static GradientTransformation<ChainState> adam(Schedule learningRate, double b1, double b2, double eps, double weightDecay) {
        HyperParameters.nonNegative("adam", "weight decay", weightDecay);
        return weightDecay > 0 ? chain(addDecayedWeights(weightDecay), scaleByAdam(b1, b2, eps), scaleByLearningRate(learningRate))
                : adam(learningRate, b1, b2, eps);
    }

    /** AdamW with the defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0.01, decaying every entry. */
    public static GradientTransformation<ChainState> adamw(double learningRate) {
        return adamw(learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, ADAMW_WEIGHT_DECAY, name -> true);
    }

    /**
     * AdamW, Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019):
     * θ ← θ − η (Adam's direction + λθ) = {@code chain(scaleByAdam(β₁, β₂, ε),
     * masked(decay, addDecayedWeights(λ)), scaleByLearningRate(η))}, decaying only the entries
     * whose names satisfy {@code decay} (e.g. {@code name -> !name.endsWith("bias")}).
     * PyTorch's {@code AdamW} computes θ(1 − ηλ) first and then subtracts the Adam step, the same
     * update up to rounding; unlike the paper, and like PyTorch, the decay is multiplied by the
     * learning rate η (so a schedule scales it too).
     */
    public static GradientTransformation<ChainState> adamw(double learningRate, double b1, double b2, double eps,
                                                           double weightDecay, Predicate<String> decay) {
        HyperParameters.nonNegative("adamw", "learning rate", learningRate);
        return adamw(Schedules.constant(learningRate), b1, b2, eps, weightDecay, decay);
    }

    /** AdamW with a learning-rate schedule (the decay follows the schedule, as in PyTorch). */
    public static GradientTransformation<ChainState> adamw(Schedule learningRate, double b1, double b2, double eps,
                                                           double weightDecay, Predicate<String> decay) {
        HyperParameters.nonNegative("adamw", "weight decay", weightDecay);
        if (decay == null) throw new IllegalArgumentException("adamw: the weight-decay mask is null");
        return chain(scaleByAdam(b1, b2, eps), masked(decay, addDecayedWeights(weightDecay)), scaleByLearningRate(learningRate));
    }

    /**
     * RMSprop's direction (Hinton, Srivastava &amp; Swersky 2012, lecture 6e), as PyTorch:
     * s_t = α s_{t−1} + (1−α) g_t², u = g_t / (√s_t + ε); centred (Graves 2013):
     * m_t = α m_{t−1} + (1−α) g_t and u = g_t / (√(s_t − m_t²) + ε). Note ε is added outside the
     * square root (as PyTorch; Optax and TensorFlow add it inside).
     *
     * @param decay α in [0, 1)
     * @param eps   ε &gt; 0
     */
    public static GradientTransformation<RmsState> scaleByRms(double decay, double eps, boolean centered) {
        HyperParameters.decayRate("scale by rms", "decay", decay);
        HyperParameters.positive("scale by rms", "eps", eps);
        return new Transforms.ScaleByRms(decay, eps, centered);
    }

    /** RMSprop with PyTorch's defaults α = 0.99, ε = 1e-8, no momentum, not centred. */
    public static GradientTransformation<ChainState> rmsprop(double learningRate) {
        return rmsprop(learningRate, RMSPROP_DECAY, RMSPROP_EPS, 0, false);
    }

    /**
     * {@code torch.optim.RMSprop}: {@code chain(scaleByRms(α, ε, centred), scaleByLearningRate(η))},
     * and with momentum μ &gt; 0 {@code chain(scaleByRms(α, ε, centred), trace(μ, false),
     * scaleByLearningRate(η))}, i.e. b ← μ b + g/(√s + ε), θ ← θ − η b, exactly PyTorch's buffer.
     */
    public static GradientTransformation<ChainState> rmsprop(double learningRate, double decay, double eps,
                                                             double momentum, boolean centered) {
        HyperParameters.nonNegative("rmsprop", "learning rate", learningRate);
        HyperParameters.decayRate("rmsprop", "momentum", momentum);
        return momentum == 0
                ? chain(scaleByRms(decay, eps, centered), scaleByLearningRate(learningRate))
                : chain(scaleByRms(decay, eps, centered), trace(momentum, false), scaleByLearningRate(learningRate));
    }

    /**
     * {@code torch.optim.RMSprop} with a learning-rate schedule and coupled weight decay λ:
     * {@code chain(addDecayedWeights(λ), scaleByRms(α, ε, centred), trace(μ), scaleByLearningRate(η(t)))},
     * the weight-decay link left out when λ = 0 and the trace when μ = 0.
     */
    public static GradientTransformation<ChainState> rmsprop(Schedule learningRate, double decay, double eps, double momentum,
                                                             boolean centered, double weightDecay) {
        HyperParameters.decayRate("rmsprop", "momentum", momentum);
        HyperParameters.nonNegative("rmsprop", "weight decay", weightDecay);
        List<GradientTransformation<?>> parts = new ArrayList<>();
        if (weightDecay > 0) parts.add(addDecayedWeights(weightDecay));
        parts.add(scaleByRms(decay, eps, centered));
        if (momentum > 0) parts.add(trace(momentum, false));
        parts.add(scaleByLearningRate(learningRate));
        return chain(parts.toArray(new GradientTransformation<?>[0]));
    }
}
