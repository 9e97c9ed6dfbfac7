package dev.descent.cli;

import dev.descent.nn.Activation;
import dev.descent.nn.ActivationLayer;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Init;
import dev.descent.nn.Linear;
import dev.descent.nn.MeanOnlyBatchNorm;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Sequential;
import dev.descent.nn.WeightNorm;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.train.TrainingSpec;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the models {@code descent train} offers from its options.
 *
 * <ul>
 *   <li><b>mlp</b>: Linear(in, h₁), [norm], σ, …, Linear(h_k, out). With {@code weight} every
 *       Linear is weight-normalised ({@link WeightNorm}) and initialised from data
 *       ({@link #initFromData}); {@code batch} puts a {@link BatchNorm}
 *       after each hidden Linear; {@code weight-mean-only} combines both as Salimans &amp; Kingma
 *       (2016, §2.2) do: weight-normalised Linears with {@link MeanOnlyBatchNorm} after each hidden
 *       one. Parameters are named {@code layers.i.*} as PyTorch's {@code nn.Sequential}.</li>
 *   <li><b>rnn</b>: the Elman {@link Rnn} in either form, with σ and the recurrent weight's
 *       initialiser, and a linear readout ({@link SequenceModel}).</li>
 *   <li><b>lstm</b>: an {@link dev.descent.nn.Lstm} and a linear readout.</li>
 * </ul>
 */
final class ModelFactory {
    private ModelFactory() {}

    /** The recurrent weight initialisers offered by {@code --init}. */
    static final String INIT_SYNTAX = "pytorch, orthogonal[:GAIN], identity[:GAIN], scaled-normal:SCALE, glorot or sparse[:RADIUS[:K]]";

    /** Spectral radius of {@code --init sparse} without one. */
    static final double DEFAULT_SPARSE_RADIUS = 1.1;

    /**
     * A multilayer perceptron {@code in → hidden… → out}.
     *
     * @throws IllegalArgumentException for an empty hidden list
     */
    static Sequential mlp(int in, List<Integer> hidden, int out, Activation activation, TrainingSpec.Norm norm, Rng rng, DType dtype) {
        List<Module> layers = new ArrayList<>();
        int width = in;
        for (int h : hidden) {
            layers.add(linear(width, h, norm, rng, dtype));
            if (norm == TrainingSpec.Norm.BATCH) layers.add(new BatchNorm(h, dtype));
            if (norm == TrainingSpec.Norm.WEIGHT_MEAN_ONLY) layers.add(new MeanOnlyBatchNorm(h, dtype));
            layers.add(new ActivationLayer(activation));
            width = h;
        }
        layers.add(linear(width, out, norm, rng, dtype));
        return new Sequential(layers.toArray(new Module[0]));
    }

    private static Module linear(int in, int out, TrainingSpec.Norm norm, Rng rng, DType dtype) {
        Linear l = new Linear(in, out, rng, dtype);
        return norm == TrainingSpec.Norm.WEIGHT || norm == TrainingSpec.Norm.WEIGHT_MEAN_ONLY ? WeightNorm.wrap(l) : l;
    }

    /**
     * The data-dependent initialisation of Salimans &amp; Kingma (2016, §3) for an MLP built by
     * {@link #mlp} with {@code --norm weight}: its weight-normalised Linears are initialised in
     * order, each on the outputs of the layers before it (already initialised) for the inputs
     * {@code x}, by {@link WeightNorm#initFromData} (g ← g/σ, b ← −μ/σ per unit, so that every
     * Linear's outputs have zero mean and unit variance on {@code x}; the directions v keep their
     * random draw). The result is a function of the parameters drawn before and of {@code x}
     * alone, so a run initialised from its first training batch is reproducible.
     *
     * @param x inputs [B, in], B ≥ 2, in the model's dtype
     * @throws IllegalArgumentException if a unit's outputs do not vary over {@code x}
     */
    static void initFromData(Sequential mlp, Tensor x) {
        Tensor h = x;
        for (int i = 0; i < mlp.size(); i++) {
            Module layer = mlp.get(i);
            if (layer instanceof WeightNorm<?> wn) {
                try {
                    wn.initFromData(h);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--norm weight: the data-dependent initialisation of layers." + i + " on the first "
                            + x.dim(0) + " training samples failed (" + e.getMessage().replaceFirst("^WeightNorm.initFromData: ", "")
                            + "); try a larger --batch-size", e);
                }
            }
            if (i + 1 < mlp.size()) h = layer.forward(h);
        }
    }

    /** An Elman RNN model. */
    static SequenceModel rnn(int in, int hidden, int out, boolean perStep, Activation activation, Rnn.Form form, Init recurrentInit,
                             Rng rng, DType dtype) {
        Rnn.Config config = Rnn.Config.of(in, hidden).withActivation(activation).withForm(form).withRecurrentInit(recurrentInit);
        return SequenceModel.rnn(config, out, perStep, rng, dtype);
    }

    /**
     * Parses {@code --init}: {@code pytorch} (U(±1/√H), the default), {@code orthogonal[:GAIN]}
     * (Saxe et al. 2014), {@code identity[:GAIN]} (Le et al. 2015), {@code scaled-normal:SCALE}
     * (spectral radius ≈ SCALE), {@code glorot} (Glorot &amp; Bengio 2010), {@code sparse[:RADIUS[:K]]}
     * (Martens 2010: K = 15 non-zero incoming weights per unit, W scaled to spectral radius
     * RADIUS = 1.1 by default; see {@link Init#sparse}).
     *
     * @throws IllegalArgumentException naming the bad text and the syntax
     */
    static Init recurrentInit(String spec, int hidden) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("sparse") || s.startsWith("sparse:")) {
            // sparse[:RADIUS[:K]]: Martens (2010) — K non-zero incoming weights per unit, W scaled to spectral radius RADIUS.
            String[] parts = s.split(":", -1);
            try {
                double radius = parts.length > 1 ? Double.parseDouble(parts[1]) : DEFAULT_SPARSE_RADIUS;
                int k = parts.length > 2 ? Integer.parseInt(parts[2]) : Init.SPARSE_CONNECTIONS;
                if (parts.length > 3 || !(radius > 0) || Double.isInfinite(radius) || k < 1) throw new NumberFormatException();
                return Init.sparse(k, radius);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--init: '" + spec + "' is not sparse[:RADIUS[:K]] with RADIUS > 0 and K >= 1");
            }
        }
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        Double arg = null;
        if (colon >= 0) {
            try {
                arg = Double.parseDouble(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--init: '" + s.substring(colon + 1) + "' in '" + spec + "' is not a number");
            }
            if (!(arg > 0) || arg.isInfinite()) throw new IllegalArgumentException("--init: the factor in '" + spec + "' must be > 0");
        }
        switch (name) {
            case "pytorch":
                if (arg != null) break;
                return Init.uniform(1 / Math.sqrt(hidden));
            case "orthogonal":
                return Init.orthogonal(arg == null ? 1 : arg);
            case "identity":
                return Init.identity(arg == null ? 1 : arg);
            case "scaled-normal":
                if (arg == null) break;
                return Init.scaledNormal(arg);
            case "glorot":
                if (arg != null) break;
                return Init.glorotUniform(1);
            default:
                break;
        }
        throw new IllegalArgumentException("--init: unknown initialiser '" + spec + "'; expected " + INIT_SYNTAX);
    }
}
