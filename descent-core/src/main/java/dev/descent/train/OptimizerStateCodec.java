package dev.descent.train;

import dev.descent.optim.AdamState;
import dev.descent.optim.ChainState;
import dev.descent.optim.ClipStats;
import dev.descent.optim.CountState;
import dev.descent.optim.EmaState;
import dev.descent.optim.EmptyState;
import dev.descent.optim.MaskedState;
import dev.descent.optim.MomentumState;
import dev.descent.optim.PartitionState;
import dev.descent.optim.RmsState;
import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.Lbfgs;
import dev.descent.optim.second.Newton;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Optimiser states as flat {@link Params} trees, for checkpoints, and back.
 *
 * <p>Every state of {@code dev.descent.optim} and {@code dev.descent.optim.second} is an
 * immutable record of counts, scalars and parameter-shaped trees; composite states
 * ({@link ChainState}, {@link MaskedState}, {@link PartitionState}) nest them. {@link #encode}
 * walks that structure and names each leaf by its path: the i-th link of a chain is {@code i},
 * a record field by its name, a tree entry after a slash, e.g. {@code 0.firstMoment/layers.0.weight}
 * or {@code 0.count}. Trees keep their tensors (and dtype) as they are; counts and scalars become
 * float64 scalars, exact for counts below 2⁵³.
 *
 * <p>{@link #decode} rebuilds a state with the structure of a template (the optimiser's
 * {@code init} for the model being trained) from such a tree, checking that every entry exists
 * with the template's shape and dtype and that nothing is left over, so a checkpoint written by
 * a different optimiser or for a different model is rejected with the first mismatch named.
 * Decoding then encoding gives back the same tensors bit for bit.
 *
 * <p>Not stored: L-BFGS's cached loss and gradient at its last point (and the oracle that
 * computed it), which it re-evaluates when the oracle changes, as it does every training step.
 */
public final class OptimizerStateCodec {
    private OptimizerStateCodec() {}

    /** The largest count stored exactly as a float64. */
    private static final long EXACT = 1L << 53;

    /** The state as a flat tree of named tensors. */
    public static Params encode(Object state) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        encode("", state, out);
        return Params.of(out);
    }

    /**
     * A state with the structure of {@code template} holding the values of {@code stored}.
     *
     * @param template the optimiser's initial state for the current model
     * @param stored a tree written by {@link #encode}
     * @param parameters the model's parameters (the shape of L-BFGS's variable-length memory)
     * @throws IllegalArgumentException naming the first missing, mis-shaped or unexpected entry
     */
    public static Object decode(Object template, Params stored, Params parameters) {
        Reader r = new Reader(stored, parameters);
        Object s = r.decode("", template);
        Set<String> left = new HashSet<>(stored.names());
        left.removeAll(r.used);
        if (!left.isEmpty()) {
            List<String> sorted = new ArrayList<>(left);
            java.util.Collections.sort(sorted);
            throw new IllegalArgumentException("optimiser state: unexpected entry '" + sorted.get(0) + "' (" + left.size()
                    + " unexpected in all): the checkpoint was written by a different optimiser configuration");
        }
        return s;
    }

    private static String join(String path, String part) {
        return path.isEmpty() ? part : path + "." + part;
    }

    private static void scalar(String name, double v, Map<String, Tensor> out) {
        out.put(name, Tensor.scalar(DType.F64, v));
    }

    private static void count(String name, long v, Map<String, Tensor> out) {
        if (Math.abs(v) > EXACT) throw new IllegalArgumentException("optimiser state: count '" + name + "' = " + v + " exceeds 2^53");
        scalar(name, v, out);
    }

    private static void tree(String name, Params p, Map<String, Tensor> out) {
        for (Map.Entry<String, Tensor> e : p.asMap().entrySet()) out.put(name + "/" + e.getKey(), e.getValue());
    }

    private static void encode(String path, Object s, Map<String, Tensor> out) {
        if (s instanceof ChainState c) {
            for (int i = 0; i < c.states().size(); i++) encode(join(path, Integer.toString(i)), c.get(i), out);
        } else if (s instanceof MaskedState m) {
            encode(join(path, "masked"), m.inner(), out);
        } else if (s instanceof PartitionState p) {
            for (Map.Entry<String, Object> e : p.states().entrySet()) encode(join(path, e.getKey()), e.getValue(), out);
        } else if (s instanceof AdamState a) {
            count(join(path, "count"), a.count(), out);
            tree(join(path, "firstMoment"), a.firstMoment(), out);
            tree(join(path, "secondMoment"), a.secondMoment(), out);
        } else if (s instanceof MomentumState m) {
            tree(join(path, "velocity"), m.velocity(), out);
        } else if (s instanceof EmaState e) {
            count(join(path, "count"), e.count(), out);
            tree(join(path, "average"), e.average(), out);
        } else if (s instanceof RmsState r) {
            tree(join(path, "squareAverage"), r.squareAverage(), out);
            tree(join(path, "gradientAverage"), r.gradientAverage(), out);
        } else if (s instanceof CountState c) {
            count(join(path, "count"), c.count(), out);
        } else if (s instanceof EmptyState) {
            // nothing to store
        } else if (s instanceof ClipStats c) {
            count(join(path, "steps"), c.steps(), out);
            count(join(path, "clippedSteps"), c.clippedSteps(), out);
            scalar(join(path, "lastPreClipNorm"), c.lastPreClipNorm(), out);
            scalar(join(path, "lastScale"), c.lastScale(), out);
            scalar(join(path, "largestPreClipNorm"), c.largestPreClipNorm(), out);
            scalar(join(path, "sumOfScalesWhenClipped"), c.sumOfScalesWhenClipped(), out);
        } else if (s instanceof CurvatureStep.State c) {
            count(join(path, "steps"), c.steps(), out);
            count(join(path, "fallbacks"), c.fallbacks(), out);
            count(join(path, "backtracked"), c.backtracked(), out);
            count(join(path, "noDecrease"), c.noDecrease(), out);
        } else if (s instanceof Newton.State n) {
            scalar(join(path, "damping"), n.damping(), out);
            count(join(path, "steps"), n.steps(), out);
        } else if (s instanceof HessianFree.State h) {
            scalar(join(path, "damping"), h.damping(), out);
            tree(join(path, "previousDirection"), h.previousDirection(), out);
            count(join(path, "steps"), h.steps(), out);
        } else if (s instanceof Lbfgs.State l) {
            count(join(path, "memory"), l.steps().size(), out);
            for (int i = 0; i < l.steps().size(); i++) {
                tree(join(path, "steps." + i), l.steps().get(i), out);
                tree(join(path, "differences." + i), l.differences().get(i), out);
            }
            count(join(path, "iterations"), l.iterations(), out);
        } else {
            throw new IllegalArgumentException("optimiser state: cannot store a " + (s == null ? "null" : s.getClass().getName())
                    + " in a checkpoint");
        }
    }

    /** Reads entries by path, recording which were used. */
    private static final class Reader {
        final Params stored;
        final Params parameters;
        final Set<String> used = new HashSet<>();

        Reader(Params stored, Params parameters) {
            this.stored = stored;
            this.parameters = parameters;
        }

        double scalar(String name) {
            if (!stored.contains(name)) throw missing(name);
            Tensor t = stored.get(name);
            if (t.size() != 1 || t.rank() != 0) {
                throw new IllegalArgumentException("optimiser state: entry '" + name + "' must be a scalar, got shape " + t.shape());
            }
            used.add(name);
            return t.item();
        }

        long count(String name) {
            double v = scalar(name);
            if (v != Math.rint(v) || Math.abs(v) > EXACT) {
                throw new IllegalArgumentException("optimiser state: entry '" + name + "' must be an integer count, got " + v);
            }
            return (long) v;
        }

        Params tree(String name, Params like) {
            LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : like.asMap().entrySet()) {
                String full = name + "/" + e.getKey();
                if (!stored.contains(full)) throw missing(full);
                Tensor t = stored.get(full), want = e.getValue();
                if (!t.shape().equals(want.shape()) || t.dtype() != want.dtype()) {
                    throw new IllegalArgumentException("optimiser state: entry '" + full + "' is " + t.dtype() + t.shape()
                            + " in the checkpoint but the model needs " + want.dtype() + want.shape());
                }
                used.add(full);
                m.put(e.getKey(), t);
            }
            return Params.of(m);
        }

        IllegalArgumentException missing(String name) {
            return new IllegalArgumentException("optimiser state: the checkpoint has no entry '" + name
                    + "': it was written by a different optimiser configuration");
        }

        Object decode(String path, Object t) {
            if (t instanceof ChainState c) {
                List<Object> states = new ArrayList<>();
                for (int i = 0; i < c.states().size(); i++) states.add(decode(join(path, Integer.toString(i)), c.get(i)));
                return new ChainState(states);
            } else if (t instanceof MaskedState m) {
                return new MaskedState(decode(join(path, "masked"), m.inner()));
            } else if (t instanceof PartitionState p) {
                LinkedHashMap<String, Object> states = new LinkedHashMap<>();
                for (Map.Entry<String, Object> e : p.states().entrySet()) states.put(e.getKey(), decode(join(path, e.getKey()), e.getValue()));
                return new PartitionState(states);
            } else if (t instanceof AdamState a) {
                return new AdamState(count(join(path, "count")), tree(join(path, "firstMoment"), a.firstMoment()),
                        tree(join(path, "secondMoment"), a.secondMoment()));
            } else if (t instanceof MomentumState m) {
                return new MomentumState(tree(join(path, "velocity"), m.velocity()));
            } else if (t instanceof EmaState e) {
                return new EmaState(tree(join(path, "average"), e.average()), count(join(path, "count")));
            } else if (t instanceof RmsState r) {
                return new RmsState(tree(join(path, "squareAverage"), r.squareAverage()),
                        tree(join(path, "gradientAverage"), r.gradientAverage()));
            } else if (t instanceof CountState) {
                return new CountState(count(join(path, "count")));
            } else if (t instanceof EmptyState) {
                return t;
            } else if (t instanceof ClipStats) {
                return new ClipStats(count(join(path, "steps")), count(join(path, "clippedSteps")), scalar(join(path, "lastPreClipNorm")),
                        scalar(join(path, "lastScale")), scalar(join(path, "largestPreClipNorm")),
                        scalar(join(path, "sumOfScalesWhenClipped")));
            } else if (t instanceof CurvatureStep.State) {
                return new CurvatureStep.State(count(join(path, "steps")), count(join(path, "fallbacks")), count(join(path, "backtracked")),
                        count(join(path, "noDecrease")));
            } else if (t instanceof Newton.State) {
                return new Newton.State(scalar(join(path, "damping")), count(join(path, "steps")));
            } else if (t instanceof HessianFree.State h) {
                return new HessianFree.State(scalar(join(path, "damping")), tree(join(path, "previousDirection"), h.previousDirection()),
                        count(join(path, "steps")));
            } else if (t instanceof Lbfgs.State) {
                long memory = count(join(path, "memory"));
                List<Params> steps = new ArrayList<>(), differences = new ArrayList<>();
                for (int i = 0; i < memory; i++) {
                    steps.add(tree(join(path, "steps." + i), parameters));
                    differences.add(tree(join(path, "differences." + i), parameters));
                }
                return new Lbfgs.State(steps, differences, null, null, null, count(join(path, "iterations")));
            }
            throw new IllegalArgumentException("optimiser state: cannot restore a " + (t == null ? "null" : t.getClass().getName())
                    + " from a checkpoint");
        }
    }
}
