package dev.descent.optim;

/**
 * Learning-rate schedules. Every argument is validated here, at construction; the returned
 * schedules are pure functions of the update count t (t = 0 for the first update).
 *
 * <p>Differences from PyTorch: PyTorch's {@code lr_scheduler}s mutate the optimiser's learning
 * rate when {@code scheduler.step()} is called (usually once per epoch); here a schedule is a
 * function of the update count read by the optimiser itself, so "per epoch" schedules are
 * expressed in updates (multiply by the number of batches per epoch).
 */
public final class Schedules {
    private Schedules() {}

    /** η(t) = value; the schedule is a {@link Constant}, so optimisers can tell it from a varying one. */
    public static Schedule constant(double value) {
        HyperParameters.nonNegative("constant schedule", "value", value);
        return new Constant(value);
    }

    /**
     * The constant schedule η(t) = value. The named optimisers with a fused constant-rate kernel
     * ({@link Optimizers#momentum(double, Schedule)}, {@link Optimizers#nesterov(double, Schedule)})
     * use it for this schedule and a chain for any other.
     *
     * @param value η ≥ 0
     */
    public record Constant(double value) implements Schedule {
        /** Validates the value. */
        public Constant {
            HyperParameters.nonNegative("constant schedule", "value", value);
        }

        @Override
        public double valueAt(long step) {
            return value;
        }
    }

    /**
     * Step decay, PyTorch's {@code StepLR}: η(t) = η₀ · γ^⌊t / stepSize⌋.
     *
     * @param initial  η₀ ≥ 0
     * @param stepSize updates between decays, ≥ 1
     * @param gamma    γ in (0, 1]
     */
    public static Schedule stepDecay(double initial, int stepSize, double gamma) {
        HyperParameters.nonNegative("step decay schedule", "initial value", initial);
        HyperParameters.atLeast("step decay schedule", "step size", stepSize, 1);
        HyperParameters.fraction("step decay schedule", "gamma", gamma);
        return t -> initial * Math.pow(gamma, Math.floorDiv(t, (long) stepSize));
    }

    /**
     * Cosine decay (Loshchilov &amp; Hutter 2017, SGDR, without restarts), as Optax's
     * {@code cosine_decay_schedule}: η(t) = η₀ · ((1 − α) · ½ (1 + cos(π · min(t, T) / T)) + α),
     * so it falls from η₀ to α η₀ over T updates and stays there.
     *
     * <p><em>Difference from PyTorch's {@code CosineAnnealingLR}</em>: after T updates this
     * schedule stays at its floor, whereas PyTorch's keeps following the cosine (rising back to η₀
     * at 2T, period 2T); {@link #cosineAnnealing} is PyTorch's. PyTorch's {@code eta_min} is a
     * rate, not a fraction: use {@link #cosineDecayTo} (or α = eta_min / η₀).
     *
     * @param initial    η₀ ≥ 0
     * @param decaySteps T ≥ 1
     * @param finalFraction α in [0, 1]
     */
    public static Schedule cosineDecay(double initial, int decaySteps, double finalFraction) {
        HyperParameters.nonNegative("cosine schedule", "initial value", initial);
        HyperParameters.atLeast("cosine schedule", "decay steps", decaySteps, 1);
        if (!(finalFraction >= 0 && finalFraction <= 1)) {
            throw new IllegalArgumentException("cosine schedule: final fraction must be in [0, 1], got " + finalFraction);
        }
        return t -> {
            double progress = Math.min(t, (long) decaySteps) / (double) decaySteps;
            return initial * ((1 - finalFraction) * 0.5 * (1 + Math.cos(Math.PI * progress)) + finalFraction);
        };
    }

    /**
     * Cosine decay to a final <em>rate</em> η_min (PyTorch's {@code eta_min}), then constant:
     * η(t) = η_min + (η₀ − η_min) · ½ (1 + cos(π · min(t, T) / T)). Equal to
     * {@link #cosineDecay} with α = η_min / η₀ up to rounding, without the division (and defined
     * for η₀ = 0 or η_min &gt; η₀, which PyTorch allows too).
     *
     * @param initial    η₀ ≥ 0
     * @param decaySteps T ≥ 1
     * @param finalRate  η_min ≥ 0
     */
    public static Schedule cosineDecayTo(double initial, int decaySteps, double finalRate) {
        HyperParameters.nonNegative("cosine schedule", "initial value", initial);
        HyperParameters.atLeast("cosine schedule", "decay steps", decaySteps, 1);
        HyperParameters.nonNegative("cosine schedule", "final rate", finalRate);
        return t -> {
            double progress = Math.min(t, (long) decaySteps) / (double) decaySteps;
            return finalRate + (initial - finalRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }

    /**
     * PyTorch's {@code CosineAnnealingLR(optimizer, T_max, eta_min)} in its closed form (the
     * formula its documentation gives; PyTorch computes it recursively, which agrees to
     * rounding): η(t) = η_min + (η₀ − η_min) · ½ (1 + cos(π t / T_max)) for every t, so that
     * after T_max it rises again and is periodic with period 2 T_max (SGDR's restarts are
     * PyTorch's separate {@code CosineAnnealingWarmRestarts}). As elsewhere here, t counts
     * updates; PyTorch's t counts {@code scheduler.step()} calls.
     *
     * @param initial η₀ ≥ 0 (the optimiser's initial lr)
     * @param tMax    T_max ≥ 1
     * @param etaMin  η_min ≥ 0, a rate
     */
    public static Schedule cosineAnnealing(double initial, int tMax, double etaMin) {
        HyperParameters.nonNegative("cosine annealing schedule", "initial value", initial);
        HyperParameters.atLeast("cosine annealing schedule", "T_max", tMax, 1);
        HyperParameters.nonNegative("cosine annealing schedule", "eta_min", etaMin);
        return t -> etaMin + (initial - etaMin) * 0.5 * (1 + Math.cos(Math.PI * (t % (2L * tMax)) / tMax));
    }

    /**
     * Linear interpolation from {@code from} to {@code to} over {@code steps} updates, then
     * constant: η(t) = from + (to − from) · min(t, T) / T.
     */
    public static Schedule linear(double from, double to, int steps) {
        HyperParameters.nonNegative("linear schedule", "start value", from);
        HyperParameters.nonNegative("linear schedule", "end value", to);
        HyperParameters.atLeast("linear schedule", "steps", steps, 1);
        return t -> from + (to - from) * (Math.min(t, (long) steps) / (double) steps);
    }

    /**
     * Linear warm-up (Goyal et al. 2017) followed by {@code after}: for t &lt; W,
     * η(t) = s + (after(0) − s) · t / W; for t ≥ W, η(t) = after(t − W) (the following schedule
     * starts counting at the end of the warm-up, as Optax's {@code join_schedules}).
     *
     * @param warmupSteps W ≥ 1
     * @param startValue  s ≥ 0, the value at t = 0 (often 0)
     * @param after       the schedule after the warm-up
     */
    public static Schedule linearWarmup(int warmupSteps, double startValue, Schedule after) {
        HyperParameters.atLeast("warm-up schedule", "warm-up steps", warmupSteps, 1);
        HyperParameters.nonNegative("warm-up schedule", "start value", startValue);
        if (after == null) throw new IllegalArgumentException("warm-up schedule: the schedule after the warm-up is null");
        double peak = after.valueAt(0);
        return t -> t < warmupSteps ? startValue + (peak - startValue) * (t / (double) warmupSteps) : after.valueAt(t - warmupSteps);
    }
}
