package dev.descent.diagnostics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first NaN or infinity found in a training quantity: where it is (which tensor of which
 * parameter tree, at which multi-index) and what it is.
 *
 * @param source what was scanned: "loss", "gradients", "updates", "params"
 * @param parameter the parameter's name ("" for the loss)
 * @param index the multi-index within the tensor (empty for the loss)
 * @param value the value (NaN, +∞ or −∞)
 */
public record NonFiniteValue(String source, String parameter, int[] index, double value) {
    /** Copies the index. */
    public NonFiniteValue {
        index = index.clone();
    }

    @Override
    public int[] index() {
        return index.clone();
    }

    /** Plain values for metrics files (the value as the string "NaN", "Infinity" or "-Infinity", since JSON has no such numbers). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("parameter", parameter);
        m.put("index", index.clone());
        m.put("value", Double.toString(value));
        return m;
    }

    @Override
    public String toString() {
        return "non-finite " + value + " in " + source + (parameter.isEmpty() ? "" : " '" + parameter + "'")
                + (index.length == 0 ? "" : " at " + Arrays.toString(index));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NonFiniteValue n && source.equals(n.source) && parameter.equals(n.parameter)
                && Arrays.equals(index, n.index) && Double.compare(value, n.value) == 0;
    }

    @Override
    public int hashCode() {
        return (source.hashCode() * 31 + parameter.hashCode()) * 31 + Arrays.hashCode(index);
    }
}
