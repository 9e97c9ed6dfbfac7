package dev.descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingHealthTest {
    @Test
    void layersAreThePrefixBeforeTheLastDot() {
        assertEquals("encoder.layers.0", TrainingHealth.layerOf("encoder.layers.0.weight"));
        assertEquals("fc", TrainingHealth.layerOf("fc.weight_v"));
        assertEquals("", TrainingHealth.layerOf("bias"));
    }

    /** Per-layer norms partition the global norm: Σ_layers ‖g_layer‖² = ‖g‖² (to rounding, 1e-12). */
    @Test
    void layerNormsPartitionTheGlobalNorm() {
        Rng rng = new Rng(2);
        Params g = Params.of("a.weight", rng.normal(DType.F64, 0, 1, 3, 4), "a.bias", rng.normal(DType.F64, 0, 1, 3),
                "b.weight", rng.normal(DType.F32, 0, 2, 2, 3), "scale", rng.normal(DType.F64, 0, 1, 1));
        Map<String, Double> norms = TrainingHealth.normsByLayer(g);
        assertEquals(List.of("a", "b", ""), List.copyOf(norms.keySet()));
        double sum = 0;
        for (double v : norms.values()) sum += v * v;
        assertEquals(g.get("a.weight").dot(g.get("a.weight")) + g.get("a.bias").dot(g.get("a.bias")), norms.get("a") * norms.get("a"), 1e-12);
        assertEquals(Math.abs(g.get("scale").item()), norms.get(""), 1e-15);
        double global = 0;
        for (Tensor t : g.asMap().values()) global += t.dot(t);
        assertEquals(global, sum, 1e-12 * global);
    }

    @Test
    void updateRatiosCompareTheStepWithTheLayer() {
        Params before = Params.of("l.weight", Tensor.of(new double[] {3, 4}, 2), "m.weight", Tensor.zeros(DType.F64, 2),
                "n.weight", Tensor.zeros(DType.F64, 1));
        Params update = Params.of("l.weight", Tensor.of(new double[] {0.003, 0.004}, 2), "m.weight", Tensor.of(new double[] {1, 0}, 2),
                "n.weight", Tensor.zeros(DType.F64, 1));
        Map<String, Double> r = TrainingHealth.updateRatiosByLayer(before, update);
        assertEquals(1e-3, r.get("l"), 1e-15);
        assertEquals(Double.POSITIVE_INFINITY, r.get("m"));
        assertEquals(0.0, r.get("n"));
    }

    /** The first non-finite value is named by tree, parameter and multi-index, in both dtypes. */
    @Test
    void firstNonFiniteNamesTheParameterAndIndex() {
        double[] w = new double[6];
        w[5] = Double.POSITIVE_INFINITY;
        float[] v = new float[6];
        v[4] = Float.NaN;
        Params p = Params.of("ok", Tensor.ones(DType.F64, 3), "layer.weight", Tensor.of(v, 2, 3), "later", Tensor.of(w, 3, 2));
        NonFiniteValue found = TrainingHealth.firstNonFinite("gradients", p).orElseThrow();
        assertEquals("gradients", found.source());
        assertEquals("layer.weight", found.parameter());
        assertArrayEquals(new int[] {1, 1}, found.index());
        assertTrue(Double.isNaN(found.value()));
        assertEquals("NaN", found.toMap().get("value"));
        assertFalse(TrainingHealth.firstNonFinite("params", Params.of("x", Tensor.ones(DType.F32, 4))).isPresent());
    }

    /** Counts, fraction and "how hard" are exact functions of the recorded events. */
    @Test
    void clippingStatisticsCountAndMeasureTheEvents() {
        ClippingStatistics s = new ClippingStatistics();
        s.record(new ClipInfo(0.5, 1));
        s.record(new ClipInfo(4, 1));
        s.record(new ClipInfo(2, 1));
        s.record(new ClipInfo(Double.POSITIVE_INFINITY, 1));
        ClippingStatistics.Summary sum = s.summary();
        assertEquals(4, sum.steps());
        assertEquals(3, sum.clippedSteps());
        assertEquals(0.75, sum.clippedFraction());
        assertEquals(1, sum.nonFiniteNorms());
        assertEquals(4, sum.maxPreClipNorm());
        assertEquals((0.5 + 4 + 2) / 3, sum.meanPreClipNorm(), 1e-15);
        assertEquals(3, sum.meanClipRatio(), 1e-15);
        assertEquals(0.25, new ClipInfo(4, 1).scale());
        assertEquals(1, new ClipInfo(0.5, 1).scale());
        assertThrows(IllegalArgumentException.class, () -> new ClipInfo(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClipInfo(1, 0));
    }
}
