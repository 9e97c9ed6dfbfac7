package dev.descent.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One weight-normalised layer's dynamics over one step, per output unit (row) i, for
 * {@code w_i = g_i · u_i/‖u_i‖} (Salimans &amp; Kingma 2016) and an update u → u + Δu:
 * ‖u_i‖, g_i, ‖Δu_i‖, the cosine between Δu_i and u_i, and the Pythagorean residual
 * {@code ‖u_i + Δu_i‖² − (‖u_i‖² + ‖Δu_i‖²) = 2⟨u_i, Δu_i⟩}. Under plain gradient descent the
 * gradient with respect to u is orthogonal to u (SPEC.md §4.2), so the cosine and the residual
 * vanish and ‖u‖ can only grow (§4.3); momentum, Adam or weight decay break the orthogonality,
 * and these numbers show by how much.
 *
 * @param layer the layer's name (the parameters' prefix without its trailing dot; "" at the root)
 * @param directionNorms ‖u_i‖ before the step
 * @param gains g_i
 * @param updateNorms ‖Δu_i‖
 * @param updateCosines ⟨Δu_i, u_i⟩ / (‖Δu_i‖ ‖u_i‖), 0 where Δu_i = 0
 * @param pythagoreanResiduals ‖u_i + Δu_i‖² − (‖u_i‖² + ‖Δu_i‖²), computed as written
 * @param learningRate η of the step when the training loop reported one
 */
public record WeightNormLayerStats(String layer, double[] directionNorms, double[] gains, double[] updateNorms,
                                   double[] updateCosines, double[] pythagoreanResiduals, OptionalDouble learningRate) {
    /** Checks lengths and copies the arrays. */
    public WeightNormLayerStats {
        int n = directionNorms.length;
        if (gains.length != n || updateNorms.length != n || updateCosines.length != n || pythagoreanResiduals.length != n) {
            throw new IllegalArgumentException("weight norm stats '" + layer + "': per-row arrays differ in length");
        }
        directionNorms = directionNorms.clone();
        gains = gains.clone();
        updateNorms = updateNorms.clone();
        updateCosines = updateCosines.clone();
        pythagoreanResiduals = pythagoreanResiduals.clone();
    }

    @Override public double[] directionNorms() { return directionNorms.clone(); }
    @Override public double[] gains() { return gains.clone(); }
    @Override public double[] updateNorms() { return updateNorms.clone(); }
    @Override public double[] updateCosines() { return updateCosines.clone(); }
    @Override public double[] pythagoreanResiduals() { return pythagoreanResiduals.clone(); }

    /** Number of output units (rows). */
    public int units() {
        return directionNorms.length;
    }

    /** ‖u_i + Δu_i‖², the squared norm after the step. */
    public double[] directionNormsSquaredAfter() {
        double[] out = new double[units()];
        for (int i = 0; i < out.length; i++) {
            out[i] = directionNorms[i] * directionNorms[i] + updateNorms[i] * updateNorms[i] + pythagoreanResiduals[i];
        }
        return out;
    }

    /** Each Pythagorean residual divided by ‖u_i + Δu_i‖² (0 where that is 0). */
    public double[] relativePythagoreanResiduals() {
        double[] after = directionNormsSquaredAfter(), out = new double[units()];
        for (int i = 0; i < out.length; i++) out[i] = after[i] == 0 ? 0 : pythagoreanResiduals[i] / after[i];
        return out;
    }

    /**
     * The effective learning rate η·|g_i|/‖u_i‖ of each row. Under plain gradient descent
     * {@code Δu = −η (g/‖u‖)(I − ûûᵀ) ∇_w L}, so this is the step size that the projected
     * w-gradient actually receives; it falls as ‖u‖ grows (SPEC.md §4.3).
     *
     * @throws IllegalStateException when the step reported no learning rate
     */
    public double[] effectiveLearningRates() {
        if (learningRate.isEmpty()) {
            throw new IllegalStateException("weight norm stats '" + layer + "': no learning rate was reported for this step");
        }
        double eta = learningRate.getAsDouble();
        double[] out = new double[units()];
        for (int i = 0; i < out.length; i++) out[i] = eta * Math.abs(gains[i]) / directionNorms[i];
        return out;
    }

    /** max_i |cos(Δu_i, u_i)|. */
    public double maxAbsUpdateCosine() {
        double m = 0;
        for (double c : updateCosines) m = Math.max(m, Math.abs(c));
        return m;
    }

    /** max_i |relative Pythagorean residual|. */
    public double maxAbsRelativePythagoreanResidual() {
        double m = 0;
        for (double r : relativePythagoreanResiduals()) m = Math.max(m, Math.abs(r));
        return m;
    }

    /** Plain values for metrics files: per-row arrays and their extremes. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", layer);
        m.put("directionNorms", directionNorms.clone());
        m.put("gains", gains.clone());
        m.put("updateNorms", updateNorms.clone());
        m.put("updateCosines", updateCosines.clone());
        m.put("pythagoreanResiduals", pythagoreanResiduals.clone());
        m.put("maxAbsUpdateCosine", maxAbsUpdateCosine());
        m.put("maxAbsRelativePythagoreanResidual", maxAbsRelativePythagoreanResidual());
        if (learningRate.isPresent()) {
            m.put("learningRate", learningRate.getAsDouble());
            m.put("effectiveLearningRates", effectiveLearningRates());
        }
        return m;
    }
}
