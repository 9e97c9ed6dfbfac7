package dev.descent.diagnostics;

import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Finds the weight-normalised layers of a parameter tree and measures their dynamics over a step
 * (see {@link WeightNormLayerStats}).
 *
 * <p>Layers are recognised by PyTorch's naming convention for
 * {@code torch.nn.utils.weight_norm} (dim = 0): a pair {@code <prefix>weight_v} (the direction u,
 * [out, in…]) and {@code <prefix>weight_g} (the gains g, [out] or [out, 1, …]). Rows of u are
 * the output units. Only the default dim = 0 layout is recognised.
 */
public final class WeightNormDynamics {
    private WeightNormDynamics() {}

    /** Name suffix of the direction parameter u. */
    public static final String DIRECTION_SUFFIX = "weight_v";
    /** Name suffix of the gain parameter g. */
    public static final String GAIN_SUFFIX = "weight_g";

    /** The prefixes {@code p} such that both {@code p + "weight_v"} and {@code p + "weight_g"} exist, in order. */
    public static List<String> prefixes(Params params) {
        List<String> out = new ArrayList<>();
        for (String name : params.names()) {
            if (name.endsWith(DIRECTION_SUFFIX)) {
                String prefix = name.substring(0, name.length() - DIRECTION_SUFFIX.length());
                if (params.contains(prefix + GAIN_SUFFIX)) out.add(prefix);
            }
        }
        return out;
    }

    /**
     * Per-layer statistics of the step {@code before → before + updates} for every
     * weight-normalised layer.
     *
     * @param before parameters before the step
     * @param updates the applied change (after − before); same names and shapes
     * @param learningRate η of the step, if the loop has one (for the effective learning rate)
     */
    public static List<WeightNormLayerStats> measure(Params before, Params updates, OptionalDouble learningRate) {
        before.checkCompatible("weight norm: updates", updates);
        if (learningRate.isPresent() && !(learningRate.getAsDouble() > 0 && Double.isFinite(learningRate.getAsDouble()))) {
            throw new IllegalArgumentException("weight norm: learning rate must be finite and > 0, got " + learningRate.getAsDouble());
        }
        List<WeightNormLayerStats> out = new ArrayList<>();
        for (String prefix : prefixes(before)) {
            Tensor u = before.get(prefix + DIRECTION_SUFFIX), g = before.get(prefix + GAIN_SUFFIX);
            Tensor du = updates.get(prefix + DIRECTION_SUFFIX);
            if (u.rank() < 1 || g.size() != u.dim(0)) {
                throw new IllegalArgumentException("weight norm: '" + prefix + GAIN_SUFFIX + "' has shape " + g.shape()
                        + " but '" + prefix + DIRECTION_SUFFIX + "' has shape " + u.shape() + "; need " + (u.rank() < 1 ? "u of rank >= 1" : u.dim(0) + " gains"));
            }
            int rows = u.dim(0), cols = rows == 0 ? 0 : u.size() / rows;
            double[] norms = new double[rows], gains = new double[rows], dn = new double[rows], cos = new double[rows], res = new double[rows];
            for (int i = 0; i < rows; i++) {
                double uu = 0, dd = 0, ud = 0, nn = 0;
                for (int j = 0; j < cols; j++) {
                    double a = u.getFlat(i * cols + j), d = du.getFlat(i * cols + j), s = a + d;
                    uu += a * a;
                    dd += d * d;
                    ud += a * d;
                    nn += s * s;
                }
                norms[i] = Math.sqrt(uu);
                gains[i] = g.getFlat(i);
                dn[i] = Math.sqrt(dd);
                cos[i] = dd == 0 || uu == 0 ? 0 : ud / (norms[i] * dn[i]);
                res[i] = nn - (uu + dd);
            }
            String layer = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
            out.add(new WeightNormLayerStats(layer, norms, gains, dn, cos, res, learningRate));
        }
        return out;
    }
}
