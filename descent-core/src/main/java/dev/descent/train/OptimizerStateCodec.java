package dev.descent.train;

import dev.descent.optim.StateTree;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Optimiser states as flat {@link Params} trees, for checkpoints, and back.
 *
 * <p>An optimiser state is a tree (see {@link StateTree}): leaves are counts, scalars,
 * parameter-shaped trees and tensors; inner nodes are states. This codec walks any such tree
 * without knowing its types: a {@link StateTree} names its own leaves, a record is walked
 * component by component ({@code long}/{@code int} components are counts, {@code double} ones
 * scalars, {@link Params} trees, {@link Tensor}s tensors, anything else a nested state), and an
 * enum constant stores nothing. A transformation written outside this library therefore
 * checkpoints as soon as its state is such a record.
 *
 * <p>Each leaf is named by its path: a child after a dot, a tree entry after a slash, e.g.
 * {@code 0.firstMoment/layers.0.weight} or {@code 0.count} (the first link of a chain is
 * {@code 0}). Trees and tensors keep their dtype; counts and scalars become float64 scalars,
 * exact for counts up to 2⁵³.
 *
 * <p>{@link #decode} rebuilds a state with the structure of a template (the optimiser's
 * {@code init} for the model being trained) from such a tree, checking that every entry exists
 * with the template's shape and dtype and that nothing is left over, so a checkpoint written by
 * a different optimiser or for a different model is rejected with the first mismatch named.
 * Decoding then encoding gives back the same tensors bit for bit.
 */
public final class OptimizerStateCodec {
    private OptimizerStateCodec() {}

    /** The largest count stored exactly as a float64. */
    private static final long EXACT = 1L << 53;

    /** The state as a flat tree of named tensors. */
    public static Params encode(Object state) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        write("", state, out);
        return Params.of(out);
    }

    /**
     * A state with the structure of {@code template} holding the values of {@code stored}.
     *
     * @param template the optimiser's initial state for the current model
     * @param stored a tree written by {@link #encode}
     * @param parameters the model's parameters (the shape of trees whose number varies, such as
     *                   L-BFGS's memory)
     * @throws IllegalArgumentException naming the first missing, mis-shaped or unexpected entry
     */
    public static Object decode(Object template, Params stored, Params parameters) {
        Reader r = new Reader("", stored, parameters, new HashSet<>());
        Object s = r.read(template);
        Set<String> left = new HashSet<>(stored.names());
        left.removeAll(r.used);
        if (!left.isEmpty()) {
            List<String> sorted = new ArrayList<>(left);
            Collections.sort(sorted);
            throw new IllegalArgumentException("optimiser state: unexpected entry '" + sorted.get(0) + "' (" + left.size()
                    + " unexpected in all): the checkpoint was written by a different optimiser configuration");
        }
        return s;
    }

    private static String join(String path, String part) {
        return path.isEmpty() ? part : path + "." + part;
    }

    private static void write(String path, Object state, Map<String, Tensor> out) {
        Writer w = new Writer(path, out);
        if (state instanceof StateTree t) {
            t.write(w);
        } else if (state instanceof Enum<?>) {
            // a constant carries no values
        } else if (state instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) w.component(c.getName(), c.getType(), value(r, c));
        } else {
            throw new IllegalArgumentException("optimiser state: cannot store a " + (state == null ? "null" : state.getClass().getName())
                    + " in a checkpoint (a state is a record, an enum constant or a StateTree)");
        }
    }

    private static Object value(Record r, RecordComponent c) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException("optimiser state: cannot read " + r.getClass().getName() + "." + c.getName() + ": " + e, e);
        }
    }

    /** Writes the leaves of one node under its path. */
    private static final class Writer implements StateTree.Writer {
        final String path;
        final Map<String, Tensor> out;

        Writer(String path, Map<String, Tensor> out) {
            this.path = path;
            this.out = out;
        }

        void component(String name, Class<?> type, Object v) {
            if (type == long.class || type == int.class) count(name, ((Number) v).longValue());
            else if (type == double.class) scalar(name, (double) v);
            else if (v instanceof Params p) tree(name, p);
            else if (v instanceof Tensor t) tensor(name, t);
            else state(name, v);
        }

        @Override
        public void count(String name, long v) {
            String full = join(path, name);
            if (Math.abs(v) > EXACT) throw new IllegalArgumentException("optimiser state: count '" + full + "' = " + v + " exceeds 2^53");
            out.put(full, Tensor.scalar(DType.F64, v));
        }

        @Override
        public void scalar(String name, double v) {
            out.put(join(path, name), Tensor.scalar(DType.F64, v));
        }

        @Override
        public void tree(String name, Params p) {
            String full = join(path, name);
            for (Map.Entry<String, Tensor> e : p.asMap().entrySet()) out.put(full + "/" + e.getKey(), e.getValue());
        }

        @Override
        public void tensor(String name, Tensor t) {
            out.put(join(path, name), t);
        }

        @Override
        public void state(String name, Object child) {
            write(join(path, name), child, out);
        }
    }

    /** Reads the entries of one node by path, recording which were used. */
    private static final class Reader implements StateTree.Reader {
        final String path;
        final Params stored;
        final Params parameters;
        final Set<String> used;

        Reader(String path, Params stored, Params parameters, Set<String> used) {
            this.path = path;
            this.stored = stored;
            this.parameters = parameters;
            this.used = used;
        }

        Object read(Object template) {
            if (template instanceof StateTree t) return t.read(this);
            if (template instanceof Enum<?>) return template;
            if (template instanceof Record r) return readRecord(r);
            throw new IllegalArgumentException("optimiser state: cannot restore a " + (template == null ? "null" : template.getClass().getName())
                    + " from a checkpoint (a state is a record, an enum constant or a StateTree)");
        }

        private Object readRecord(Record template) {
            RecordComponent[] cs = template.getClass().getRecordComponents();
            Class<?>[] types = new Class<?>[cs.length];
            Object[] values = new Object[cs.length];
            for (int i = 0; i < cs.length; i++) {
                types[i] = cs[i].getType();
                String name = cs[i].getName();
                Object like = value(template, cs[i]);
                if (types[i] == long.class) values[i] = count(name);
                else if (types[i] == int.class) values[i] = Math.toIntExact(count(name));
                else if (types[i] == double.class) values[i] = scalar(name);
                else if (like instanceof Params p) values[i] = tree(name, p);
                else if (like instanceof Tensor t) values[i] = tensor(name, t);
                else values[i] = state(name, like);
            }
            try {
                Constructor<?> canonical = template.getClass().getDeclaredConstructor(types);
                canonical.setAccessible(true);
                return canonical.newInstance(values);
            } catch (ReflectiveOperationException e) {
                Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
                throw new IllegalArgumentException("optimiser state: cannot rebuild " + template.getClass().getName() + " at '" + path
                        + "': " + cause.getMessage(), cause);
            }
        }

        private String full(String name) {
            return join(path, name);
        }

        private Tensor entry(String full) {
            if (!stored.contains(full)) {
                throw new IllegalArgumentException("optimiser state: the checkpoint has no entry '" + full
                        + "': it was written by a different optimiser configuration");
            }
            return stored.get(full);
        }

        @Override
        public double scalar(String name) {
            String full = full(name);
            Tensor t = entry(full);
            if (t.size() != 1 || t.rank() != 0) {
                throw new IllegalArgumentException("optimiser state: entry '" + full + "' must be a scalar, got shape " + t.shape());
            }
            used.add(full);
            return t.item();
        }

        @Override
        public long count(String name) {
            double v = scalar(name);
            if (v != Math.rint(v) || Math.abs(v) > EXACT) {
                throw new IllegalArgumentException("optimiser state: entry '" + full(name) + "' must be an integer count, got " + v);
            }
            return (long) v;
        }

        @Override
        public Params tree(String name, Params like) {
            LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : like.asMap().entrySet()) {
                m.put(e.getKey(), matching(full(name) + "/" + e.getKey(), e.getValue()));
            }
            return Params.of(m);
        }

        @Override
        public Tensor tensor(String name, Tensor like) {
            return matching(full(name), like);
        }

        private Tensor matching(String full, Tensor want) {
            Tensor t = entry(full);
            if (!t.shape().equals(want.shape()) || t.dtype() != want.dtype()) {
                throw new IllegalArgumentException("optimiser state: entry '" + full + "' is " + t.dtype() + t.shape()
                        + " in the checkpoint but the model needs " + want.dtype() + want.shape());
            }
            used.add(full);
            return t;
        }

        @Override
        public Object state(String name, Object template) {
            return new Reader(full(name), stored, parameters, used).read(template);
        }

        @Override
        public Params parameters() {
            return parameters;
        }
    }
}
