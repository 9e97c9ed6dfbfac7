package dev.descent.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An immutable, ordered tree of named tensors with stable dotted names ({@code layers.0.weight}):
 * model parameters, their gradients, optimiser state, search directions.
 *
 * <p>It is a vector space: {@link #add}, {@link #scale}, {@link #dot}, {@link #norm} treat the
 * whole tree as one flat vector, which is what optimisers and conjugate gradient need. Binary
 * operations require the same names in the same order and the same shapes, and name the first
 * mismatch otherwise.
 */
public final class Params {
    private final LinkedHashMap<String, Tensor> entries;

    private Params(LinkedHashMap<String, Tensor> entries) {
        this.entries = entries;
    }

    /** The empty tree. */
    public static Params empty() {
        return new Params(new LinkedHashMap<>());
    }

    /** A tree with the entries of {@code map} in its iteration order. */
    public static Params of(Map<String, Tensor> map) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : map.entrySet()) {
            if (e.getValue() == null) throw new IllegalArgumentException("params: entry '" + e.getKey() + "' is null");
            m.put(e.getKey(), e.getValue());
        }
        return new Params(m);
    }

    /** A tree with alternating names and tensors: of("w", w, "b", b). */
    public static Params of(Object... nameTensorPairs) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < nameTensorPairs.length; i += 2) {
            m.put((String) nameTensorPairs[i], (Tensor) nameTensorPairs[i + 1]);
        }
        return new Params(m);
    }

    /** This tree plus (or with replaced) {@code name}. */
    public Params with(String name, Tensor t) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>(entries);
        m.put(name, t);
        return new Params(m);
    }

    /** The names in order. */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    /** An unmodifiable view of the entries. */
    public Map<String, Tensor> asMap() {
        return Collections.unmodifiableMap(entries);
    }

    /** The tensor called {@code name}; fails naming the known names if absent. */
    public Tensor get(String name) {
        Tensor t = entries.get(name);
        if (t == null) throw new IllegalArgumentException("params: no entry '" + name + "' (have " + entries.keySet() + ")");
        return t;
    }

    /** Whether {@code name} is present. */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** Number of entries. */
    public int count() {
        return entries.size();
    }

    /** Total number of scalar elements. */
    public long elementCount() {
        long n = 0;
        for (Tensor t : entries.values()) n += t.size();
        return n;
    }

    /** Every tensor mapped by {@code fn}. */
    public Params map(Function<Tensor, Tensor> fn) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        entries.forEach((k, v) -> m.put(k, fn.apply(v)));
        return new Params(m);
    }

    /** Entry-wise combination with {@code other} (same names and shapes). */
    public Params zip(Params other, BiFunction<Tensor, Tensor, Tensor> fn) {
        checkCompatible("zip", other);
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        entries.forEach((k, v) -> m.put(k, fn.apply(v, other.entries.get(k))));
        return new Params(m);
    }

    /** Throws naming the first difference in names or shapes. */
    public void checkCompatible(String op, Params other) {
        if (!entries.keySet().equals(other.entries.keySet())) {
            throw new IllegalArgumentException(op + ": parameter names differ: " + entries.keySet() + " vs " + other.entries.keySet());
        }
        for (Map.Entry<String, Tensor> e : entries.entrySet()) {
            Shape a = e.getValue().shape(), b = other.entries.get(e.getKey()).shape();
            if (!a.equals(b)) throw new IllegalArgumentException(op + ": '" + e.getKey() + "' has shapes " + a + " and " + b);
        }
    }

    /** this + other. */
    public Params add(Params other) { return zip(other, Tensor::add); }
    /** this − other. */
    public Params sub(Params other) { return zip(other, Tensor::sub); }
    /** s · this. */
    public Params scale(double s) { return map(t -> t.mul(s)); }
    /** this + s · other. */
    public Params axpy(double s, Params other) { return zip(other, (a, b) -> a.add(b.mul(s))); }
    /** Zeros of the same names, shapes and dtypes. */
    public Params zerosLike() { return map(Tensor::zerosLike); }
    /** Every tensor converted to {@code dtype}. */
    public Params to(DType dtype) { return map(t -> t.to(dtype)); }

    /** ⟨this, other⟩ over all entries, accumulated in float64. */
    public double dot(Params other) {
        checkCompatible("dot", other);
        double s = 0;
        for (Map.Entry<String, Tensor> e : entries.entrySet()) s += e.getValue().dot(other.entries.get(e.getKey()));
        return s;
    }

    /** Global Euclidean norm √⟨this, this⟩. */
    public double norm() {
        return Math.sqrt(dot(this));
    }

    /** max over entries of max |a − b|. */
    public double maxAbsDiff(Params other) {
        checkCompatible("maxAbsDiff", other);
        double m = 0;
        for (Map.Entry<String, Tensor> e : entries.entrySet()) {
            m = Math.max(m, e.getValue().maxAbsDiff(other.entries.get(e.getKey())));
        }
        return m;
    }

    /** All values concatenated in order as one float64 vector. */
    public double[] flatten() {
        double[] out = new double[Math.toIntExact(elementCount())];
        int p = 0;
        for (Tensor t : entries.values()) {
            for (int i = 0; i < t.size(); i++) out[p++] = t.getFlat(i);
        }
        return out;
    }

    /** The inverse of {@link #flatten()}: a tree like this one holding {@code values}. */
    public Params unflatten(double[] values) {
        if (values.length != elementCount()) {
            throw new IllegalArgumentException("unflatten: " + values.length + " values for " + elementCount() + " parameters");
        }
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        int p = 0;
        for (Map.Entry<String, Tensor> e : entries.entrySet()) {
            Tensor t = e.getValue();
            double[] part = java.util.Arrays.copyOfRange(values, p, p + t.size());
            p += t.size();
            m.put(e.getKey(), Tensor.wrap(part, t.dims()).to(t.dtype()));
        }
        return new Params(m);
    }

    /** Throws ArithmeticException naming the first non-finite value's parameter and position. */
    public void checkFinite(String what) {
        entries.forEach((k, v) -> v.checkFinite(what + " '" + k + "'"));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Params{");
        entries.forEach((k, v) -> sb.append(sb.length() > 7 ? ", " : "").append(k).append(": ").append(v.dtype()).append(v.shape()));
        return sb.append('}').toString();
    }
}
