package dev.descent.optim;

import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The implementations behind {@link Optimizers}' factories. Hyper-parameters are validated by
 * the factories; these records trust them. Formulas and references are on the factories.
 */
final class Transforms {
    private Transforms() {}

    /**
     * A transformation that can add its own update, times a factor f, to the parameters in the
     * pass that computes it: θ' = θ + f·u, with the same rounding as computing u, then f·u (one
     * rounding), then θ + f·u. {@link Updates#step} uses it to skip materialising u.
     */
    interface AppliedInPass<S> extends GradientTransformation<S> {
        /**
         * θ + f·u and the next state, equal bit for bit to {@code update} followed by scaling
         * and applying. With {@code inPlace} the arrays of {@code params} and of the tensors of
         * {@code state} may receive the results (the caller donated them).
         */
        Step<S> updateAndApply(Params grads, S state, Params params, double factor, boolean inPlace);
    }

    /** A transformation that multiplies by a number known before the pass (u = c·g). */
    interface ScalarScale<S> extends GradientTransformation<S> {
        /** c for this state (validated). */
        double factorAt(S state);

        /** The state after one update. */
        S next(S state);
    }

    /**
     * The unfused path: u from {@code t}, then f·u when f ≠ 1, then θ + f·u (each a pass). What
     * every {@link AppliedInPass} must equal.
     */
    static <S> Step<S> updateThenApply(GradientTransformation<S> t, Params grads, S state, Params params, double factor) {
        Update<S> u = t.update(grads, state, params);
        Params scaled = factor == 1 ? u.updates() : Fused.scale("scale", u.updates(), factor);
        return new Step<>(Updates.apply(params, scaled), u.state());
    }

    /** u = c · g. */
    record Scale(double factor) implements ScalarScale<EmptyState>, AppliedInPass<EmptyState> {
        @Override public EmptyState init(Params params) { return EmptyState.INSTANCE; }
        @Override public Update<EmptyState> update(Params grads, EmptyState state, Params params) {
            return new Update<>(Fused.scale("scale", grads, factor), state);
        }
        @Override public double factorAt(EmptyState state) { return factor; }
        @Override public EmptyState next(EmptyState state) { return state; }
        @Override public Step<EmptyState> updateAndApply(Params grads, EmptyState state, Params params, double f, boolean inPlace) {
            if (f != 1) return updateThenApply(this, grads, state, params, f);
            requireParams("scale", params);
            return new Step<>(Fused.scaleAndApply("scale", grads, factor, params, inPlace), state);
        }
    }

    /** u = ±η(t) · g. */
    record ScaleBySchedule(Schedule schedule, boolean learningRate) implements ScalarScale<CountState>, AppliedInPass<CountState> {
        @Override public CountState init(Params params) { return new CountState(0); }
        @Override public Update<CountState> update(Params grads, CountState state, Params params) {
            return new Update<>(Fused.scale("scale by schedule", grads, factorAt(state)), next(state));
        }
        @Override public double factorAt(CountState state) {
            double v = schedule.valueAt(state.count());
            if (!Double.isFinite(v) || (learningRate && v < 0)) {
                throw new IllegalStateException((learningRate ? "learning-rate schedule" : "schedule") + " returned "
                        + v + " at step " + state.count());
            }
            return learningRate ? -v : v;
        }
        @Override public CountState next(CountState state) { return new CountState(state.count() + 1); }
        @Override public Step<CountState> updateAndApply(Params grads, CountState state, Params params, double f, boolean inPlace) {
            if (f != 1) return updateThenApply(this, grads, state, params, f);
            requireParams("scale by schedule", params);
            return new Step<>(Fused.scaleAndApply("scale by schedule", grads, factorAt(state), params, inPlace), next(state));
        }
    }

    /** u = g + λ θ. */
    record AddDecayedWeights(double weightDecay) implements GradientTransformation<EmptyState> {
        @Override public EmptyState init(Params params) { return EmptyState.INSTANCE; }
        @Override public Update<EmptyState> update(Params grads, EmptyState state, Params params) {
            requireParams("add decayed weights", params);
            double wd = weightDecay;
            return new Update<>(Fused.map("add decayed weights", (k, off, n, in, out) ->
                    k.addDecayedWeights(off, n, in[0], in[1], wd, out[0]), 1, grads, params)[0], state);
        }
    }

    /** PyTorch's momentum buffer: b ← μ b + g; u = b, or g + μ b with Nesterov. */
    record Trace(double decay, boolean nesterov) implements GradientTransformation<MomentumState> {
        @Override public MomentumState init(Params params) { return new MomentumState(params.zerosLike()); }
        @Override public Update<MomentumState> update(Params grads, MomentumState state, Params params) {
            double mu = decay;
            boolean nest = nesterov;
            if (nest) {
                Params[] r = Fused.map("trace", (k, off, n, in, out) ->
                        k.trace(off, n, in[0], in[1], mu, true, out[0], out[1]), 2, grads, state.velocity());
                return new Update<>(r[1], new MomentumState(r[0]));
            }
            // Without Nesterov the update is the new buffer itself: one output, shared.
            Params nb = Fused.map("trace", (k, off, n, in, out) ->
                    k.trace(off, n, in[0], in[1], mu, false, out[0], out[0]), 1, grads, state.velocity())[0];
            return new Update<>(nb, new MomentumState(nb));
        }
    }

    /** The seed's momentum: v ← α v + ε g; u = −v (or −(ε g + α v) for Nesterov). */
    record Momentum(double momentum, double learningRate, boolean nesterov) implements GradientTransformation<MomentumState> {
        @Override public MomentumState init(Params params) { return new MomentumState(params.zerosLike()); }
        @Override public Update<MomentumState> update(Params grads, MomentumState state, Params params) {
            double a = momentum, e = learningRate;
            boolean nest = nesterov;
            Params[] r = Fused.map(nest ? "nesterov" : "momentum", (k, off, n, in, out) ->
                    k.momentum(off, n, in[0], in[1], a, e, nest, out[0], out[1]), 2, grads, state.velocity());
            return new Update<>(r[1], new MomentumState(r[0]));
        }
    }

    /** v ← β v + (1 − β) g; u = v or v / (1 − β^t). */
    record Ema(double decay, boolean debias) implements GradientTransformation<EmaState> {
        @Override public EmaState init(Params params) { return new EmaState(params.zerosLike(), 0); }
        @Override public Update<EmaState> update(Params grads, EmaState state, Params params) {
            double b = decay, c = 1 - decay;
            long t = state.count() + 1;
            double correction = debias ? 1 / (1 - Math.pow(decay, t)) : 1;
            boolean corrected = debias;
            Params[] r = Fused.map("ema", (k, off, n, in, out) ->
                    k.ema(off, n, in[0], in[1], b, c, corrected, correction, out[0], out[1]), 2, grads, state.average());
            return new Update<>(r[1], new EmaState(r[0], t));
        }
    }

    /** Adam's direction with PyTorch's operation order; see {@link Optimizers#scaleByAdam}. */
    record ScaleByAdam(double b1, double b2, double eps) implements AppliedInPass<AdamState> {
        @Override public AdamState init(Params params) { return new AdamState(0, params.zerosLike(), params.zerosLike()); }
        @Override public Update<AdamState> update(Params grads, AdamState state, Params params) {
            Params[] r = run(grads, state, null, 0, false);
            return new Update<>(r[2], new AdamState(state.count() + 1, r[0], r[1]));
        }
        @Override public Step<AdamState> updateAndApply(Params grads, AdamState state, Params params, double factor, boolean inPlace) {
            requireParams("scale by adam", params);
            Params[] r = run(grads, state, params, factor, inPlace);
            return new Step<>(r[2], new AdamState(state.count() + 1, r[0], r[1]));
        }
        /** m', v' and u (or p + f·u when params is non-null; into m, v, p when inPlace), in one pass. */
        private Params[] run(Params grads, AdamState state, Params params, double f, boolean inPlace) {
            long t = state.count() + 1;
            double beta1 = b1, beta2 = b2, c1 = 1 - b1, c2 = 1 - b2, epsilon = eps;
            double correction1 = 1 - Math.pow(b1, t);
            double sqrtCorrection2 = Math.sqrt(1 - Math.pow(b2, t));
            boolean apply = params != null;
            Fused.Kernel kernel = (k, off, n, in, out) -> k.adam(off, n, in[0], in[1], in[2], beta1, c1, beta2, c2, epsilon,
                    correction1, sqrtCorrection2, out[0], out[1], out[2], apply ? in[3] : null, f);
            return apply ? Fused.map("scale by adam", kernel, 3, inPlace ? new int[] {1, 2, 3} : null, grads, state.firstMoment(),
                            state.secondMoment(), params)
                    : Fused.map("scale by adam", kernel, 3, grads, state.firstMoment(), state.secondMoment());
        }
    }

    /** RMSprop's direction (Hinton 2012), PyTorch's form; see {@link Optimizers#scaleByRms}. */
    record ScaleByRms(double decay, double eps, boolean centered) implements GradientTransformation<RmsState> {
        @Override public RmsState init(Params params) {
            return new RmsState(params.zerosLike(), centered ? params.zerosLike() : Params.empty());
        }
        @Override public Update<RmsState> update(Params grads, RmsState state, Params params) {
            double a = decay, c = 1 - decay, epsilon = eps;
            if (centered) {
                Params[] r = Fused.map("scale by rms", (k, off, n, in, out) ->
                        k.rms(off, n, in[0], in[1], in[2], a, c, epsilon, out[0], out[1], out[2]),
                        3, grads, state.squareAverage(), state.gradientAverage());
                return new Update<>(r[2], new RmsState(r[0], r[1]));
            }
            Params[] r = Fused.map("scale by rms", (k, off, n, in, out) ->
                    k.rms(off, n, in[0], in[1], null, a, c, epsilon, out[0], null, out[1]), 2, grads, state.squareAverage());
            return new Update<>(r[1], new RmsState(r[0], Params.empty()));
        }
    }

    /** PyTorch's clip_grad_norm_: g · min(1, c / (‖g‖ + 1e-6)). */
    record ClipByGlobalNorm(double maxNorm) implements GradientTransformation<ClipStats> {
        @Override public ClipStats init(Params params) { return ClipStats.NONE; }
        @Override public Update<ClipStats> update(Params grads, ClipStats state, Params params) {
            double norm = grads.norm();
            if (!Double.isFinite(norm)) {
                throw new ArithmeticException("clip by global norm: the gradient's global norm is " + norm
                        + " (a non-finite gradient; find it with Params.checkFinite)");
            }
            double scale = Math.min(1.0, maxNorm / (norm + Optimizers.CLIP_NORM_EPSILON));
            Params out = scale < 1 ? Fused.scale("clip by global norm", grads, scale) : grads;
            return new Update<>(out, state.record(norm, scale));
        }
    }

    /** u = clamp(g, −c, c). */
    record ClipByValue(double maxAbs) implements GradientTransformation<EmptyState> {
        @Override public EmptyState init(Params params) { return EmptyState.INSTANCE; }
        @Override public Update<EmptyState> update(Params grads, EmptyState state, Params params) {
            double c = maxAbs;
            return new Update<>(Fused.map("clip by value", (k, off, n, in, out) ->
                    k.clipByValue(off, n, in[0], c, out[0]), 1, grads)[0], state);
        }
    }

    /** u = 0 (frozen parameters). */
    record SetToZero() implements GradientTransformation<EmptyState> {
        @Override public EmptyState init(Params params) { return EmptyState.INSTANCE; }
        @Override public Update<EmptyState> update(Params grads, EmptyState state, Params params) {
            return new Update<>(grads.zerosLike(), state);
        }
    }

    /** Applies each part to the previous part's updates. */
    record Chain(List<GradientTransformation<Object>> parts) implements AppliedInPass<ChainState> {
        @Override public ChainState init(Params params) {
            List<Object> states = new ArrayList<>(parts.size());
            for (GradientTransformation<Object> p : parts) states.add(p.init(params));
            return new ChainState(states);
        }
        @Override public Update<ChainState> update(Params grads, ChainState state, Params params) {
            if (state.states().size() != parts.size()) {
                throw new IllegalArgumentException("chain: state has " + state.states().size() + " entries for "
                        + parts.size() + " transformations");
            }
            Params u = grads;
            List<Object> next = new ArrayList<>(parts.size());
            for (int i = 0; i < parts.size(); i++) {
                Update<Object> r = parts.get(i).update(u, state.get(i), params);
                u = r.updates();
                next.add(r.state());
            }
            return new Update<>(u, new ChainState(next));
        }

        /**
         * Runs the parts, letting the last one that computes something apply its update in its
         * own pass: [.., A, scale by c] becomes A applied with factor c (when A is
         * {@link AppliedInPass}), [.., A] becomes A applied with factor f; otherwise the unfused path.
         */
        @Override public Step<ChainState> updateAndApply(Params grads, ChainState state, Params params, double factor, boolean inPlace) {
            int k = parts.size();
            if (state.states().size() != k) {
                throw new IllegalArgumentException("chain: state has " + state.states().size() + " entries for " + k
                        + " transformations");
            }
            GradientTransformation<Object> last = parts.get(k - 1);
            boolean foldScale = factor == 1 && k >= 2 && last instanceof ScalarScale && parts.get(k - 2) instanceof AppliedInPass;
            int fused = foldScale ? k - 2 : last instanceof AppliedInPass ? k - 1 : -1;
            if (fused < 0) return updateThenApply(this, grads, state, params, factor);
            Params u = grads;
            List<Object> next = new ArrayList<>(k);
            for (int i = 0; i < fused; i++) {
                Update<Object> r = parts.get(i).update(u, state.get(i), params);
                u = r.updates();
                next.add(r.state());
            }
            @SuppressWarnings("unchecked")
            AppliedInPass<Object> applier = (AppliedInPass<Object>) parts.get(fused);
            double f = factor;
            if (foldScale) {
                @SuppressWarnings("unchecked")
                ScalarScale<Object> scale = (ScalarScale<Object>) last;
                f = scale.factorAt(state.get(k - 1));
            }
            Step<Object> s = applier.updateAndApply(u, state.get(fused), params, f, inPlace);
            next.add(s.state());
            if (foldScale) {
                @SuppressWarnings("unchecked")
                ScalarScale<Object> scale = (ScalarScale<Object>) last;
                next.add(scale.next(state.get(k - 1)));
            }
            return new Step<>(s.params(), new ChainState(next));
        }
    }

    /** The inner transformation on the entries whose names are selected; the rest pass through. */
    record Masked(Predicate<String> select, GradientTransformation<Object> inner) implements GradientTransformation<MaskedState> {
        @Override public MaskedState init(Params params) {
            return new MaskedState(inner.init(subset(params, select)));
        }
        @Override public Update<MaskedState> update(Params grads, MaskedState state, Params params) {
            Update<Object> r = inner.update(subset(grads, select), state.inner(), params == null ? null : subset(params, select));
            LinkedHashMap<String, Tensor> merged = new LinkedHashMap<>();
            for (String name : grads.names()) merged.put(name, select.test(name) ? r.updates().get(name) : grads.get(name));
            return new Update<>(Params.of((Map<String, Tensor>) merged), new MaskedState(r.state()));
        }
    }

    /** One transformation per label; each sees only its own entries. */
    record Partition(Map<String, GradientTransformation<Object>> byLabel, Function<String, String> labelOf)
            implements GradientTransformation<PartitionState> {
        private String label(String name) {
            String l = labelOf.apply(name);
            if (l == null || !byLabel.containsKey(l)) {
                throw new IllegalArgumentException("partition: parameter '" + name + "' has label " + (l == null ? "null" : "'" + l + "'")
                        + ", which has no transformation (labels: " + byLabel.keySet() + ")");
            }
            return l;
        }
        @Override public PartitionState init(Params params) {
            for (String name : params.names()) label(name);
            LinkedHashMap<String, Object> states = new LinkedHashMap<>();
            byLabel.forEach((l, t) -> states.put(l, t.init(subset(params, n -> label(n).equals(l)))));
            return new PartitionState(states);
        }
        @Override public Update<PartitionState> update(Params grads, PartitionState state, Params params) {
            LinkedHashMap<String, Object> states = new LinkedHashMap<>();
            Map<String, Tensor> updates = new LinkedHashMap<>();
            byLabel.forEach((l, t) -> {
                Object s = state.states().get(l);
                if (s == null) throw new IllegalArgumentException("partition: state has no entry for label '" + l + "'");
                Predicate<String> mine = n -> label(n).equals(l);
                Update<Object> r = t.update(subset(grads, mine), s, params == null ? null : subset(params, mine));
                updates.putAll(r.updates().asMap());
                states.put(l, r.state());
            });
            LinkedHashMap<String, Tensor> ordered = new LinkedHashMap<>();
            for (String name : grads.names()) ordered.put(name, updates.get(name));
            return new Update<>(Params.of((Map<String, Tensor>) ordered), new PartitionState(states));
        }
    }

    static Params subset(Params p, Predicate<String> select) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : p.asMap().entrySet()) if (select.test(e.getKey())) m.put(e.getKey(), e.getValue());
        return Params.of((Map<String, Tensor>) m);
    }

    static void requireParams(String op, Params params) {
        if (params == null) throw new IllegalArgumentException(op + ": needs the current parameters, got null");
    }

    @SuppressWarnings("unchecked")
    static GradientTransformation<Object> erase(GradientTransformation<?> t) {
        if (t == null) throw new IllegalArgumentException("null transformation");
        return (GradientTransformation<Object>) t;
    }
}
