package dev.descent.diagnostics;

import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Cheap per-step health checks of training, all O(number of parameters): gradient norms per
 * layer, update-to-parameter ratios per layer, and the first non-finite value.
 *
 * <p>A <em>layer</em> is the group of parameters sharing the name prefix before the last dot:
 * {@code encoder.layers.0.weight} and {@code encoder.layers.0.bias} form layer
 * {@code encoder.layers.0}; a name without a dot belongs to the root layer {@code ""}. Layers are
 * listed in the order of their first parameter.
 */
public final class TrainingHealth {
    private TrainingHealth() {}

    /** The layer of a parameter name: the prefix before the last dot, or "" when there is none. */
    public static String layerOf(String parameterName) {
        int dot = parameterName.lastIndexOf('.');
        return dot < 0 ? "" : parameterName.substring(0, dot);
    }

    /** √(Σ ‖t‖²) over each layer's tensors: per-layer Euclidean norms (gradients, parameters, updates). */
    public static Map<String, Double> normsByLayer(Params tree) {
        Map<String, Double> sq = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tree.asMap().entrySet()) {
            Tensor t = e.getValue();
            sq.merge(layerOf(e.getKey()), t.dot(t), Double::sum);
        }
        sq.replaceAll((k, v) -> Math.sqrt(v));
        return sq;
    }

    /**
     * ‖Δθ_layer‖ / ‖θ_layer‖ per layer, with θ the parameters before the step. A common rule of
     * thumb (Karpathy's "update/weight ratio") wants it around 1e-3 for SGD-like training; far
     * larger means the step rewrites the layer, far smaller that it barely learns. +∞ when a
     * layer of zero parameters receives a non-zero update, 0 when both are zero.
     */
    public static Map<String, Double> updateRatiosByLayer(Params before, Params updates) {
        before.checkCompatible("updateRatiosByLayer", updates);
        Map<String, Double> p = normsByLayer(before), u = normsByLayer(updates);
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : p.entrySet()) {
            double un = u.get(e.getKey()), pn = e.getValue();
            out.put(e.getKey(), un == 0 ? 0.0 : (pn == 0 ? Double.POSITIVE_INFINITY : un / pn));
        }
        return out;
    }

    /** The first NaN or infinity in the tree, in parameter order then row-major order. */
    public static Optional<NonFiniteValue> firstNonFinite(String source, Params tree) {
        for (Map.Entry<String, Tensor> e : tree.asMap().entrySet()) {
            Tensor t = e.getValue();
            int n = t.size();
            float[] f = t.rawF32();
            double[] d = t.rawF64();
            for (int i = 0; i < n; i++) {
                double v = f != null ? f[i] : d[i];
                if (!Double.isFinite(v)) return Optional.of(new NonFiniteValue(source, e.getKey(), t.unravel(i), v));
            }
        }
        return Optional.empty();
    }
}
