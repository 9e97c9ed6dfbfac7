package dev.descent.cli;

import dev.descent.nn.Activation;
import dev.descent.nn.Init;
import dev.descent.nn.Rnn;
import dev.descent.optim.second.HessianFree;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.train.OptimizerFactory;
import dev.descent.train.TrainingOptimizer;
import dev.descent.train.TrainingSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One method of the {@code descent longterm} grid: a model (the plain tanh Elman RNN in the
 * activation form of SPEC.md §1.1, or the LSTM as the gated reference) and how it is trained.
 * Every setting has a default (the command's defaults, chosen on the adding problem only; see
 * docs/longterm-results.md) and can be overridden with {@code --set METHOD.KEY=VALUE}.
 *
 * <table>
 *   <caption>Methods and their settings</caption>
 *   <tr><th>method</th><th>what</th><th>keys</th></tr>
 *   <tr><td>adam-clip</td><td>tanh RNN, Adam (Kingma &amp; Ba 2015) with global-norm clipping</td>
 *       <td>lr, clip, batch, init</td></tr>
 *   <tr><td>sgd-omega</td><td>tanh RNN, SGD with clipping and the regulariser Ω of Pascanu,
 *       Mikolov &amp; Bengio 2013</td><td>lr, momentum, clip, omega, batch, init</td></tr>
 *   <tr><td>hf</td><td>tanh RNN, Hessian-free with structural damping (Martens &amp; Sutskever
 *       2011): gradient on {@code batch} sequences, Gauss-Newton products on {@code curvature-batch}</td>
 *       <td>batch, curvature-batch, mu, damping, cg-iterations, init</td></tr>
 *   <tr><td>lstm</td><td>LSTM, Adam with clipping (the gated reference)</td><td>lr, clip, batch</td></tr>
 * </table>
 * {@code init} is any {@code --init} of {@code descent train} (see {@link ModelFactory#recurrentInit}),
 * e.g. {@code sparse[:RADIUS[:K]]}.
 *
 * @param name the method's name
 * @param settings key → value, every key of the method present (defaults filled in)
 */
record LongtermMethod(String name, Map<String, String> settings) {
    /** Every method, in grid order. */
    static final List<String> NAMES = List.of("adam-clip", "sgd-omega", "hf", "lstm");

    /** The default settings of each method. */
    static Map<String, String> defaults(String method) {
        Map<String, String> m = new LinkedHashMap<>();
        switch (method) {
            case "adam-clip" -> {
                m.put("lr", "0.001");
                m.put("clip", "1");
                m.put("batch", "50");
                m.put("init", "orthogonal");
            }
            case "sgd-omega" -> {
                m.put("lr", "0.01");
                m.put("momentum", "0.9");
                m.put("clip", "1");
                m.put("omega", "2");
                m.put("batch", "50");
                m.put("init", "orthogonal");
            }
            case "hf" -> {
                m.put("batch", "1000");
                m.put("curvature-batch", "200");
                m.put("mu", "0.03");
                m.put("damping", "1");
                m.put("cg-iterations", "100");
                m.put("init", "sparse:1.1");
            }
            case "lstm" -> {
                m.put("lr", "0.001");
                m.put("clip", "1");
                m.put("batch", "50");
            }
            default -> throw new IllegalArgumentException("unknown method '" + method + "'; expected one of " + String.join(", ", NAMES));
        }
        return m;
    }

    /**
     * The method with the defaults overridden by {@code overrides} (key → value for this method).
     *
     * @throws IllegalArgumentException naming the method, key and value for an unknown key or a
     *     bad value (negative μ or Ω weight, curvature batch larger than the batch, …)
     */
    static LongtermMethod of(String name, Map<String, String> overrides) {
        Map<String, String> s = defaults(name);
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (e.getKey().equals("omega") && !s.containsKey("omega")) {
                throw new IllegalArgumentException("--set " + name + ".omega: the flow regularizer needs an Elman recurrence; "
                        + (name.equals("lstm") ? "lstm is gated" : name + " has no omega") + " (use sgd-omega)");
            }
            if (!s.containsKey(e.getKey())) {
                throw new IllegalArgumentException("--set " + name + "." + e.getKey() + ": unknown key; " + name + " has "
                        + String.join(", ", s.keySet()));
            }
            s.put(e.getKey(), e.getValue().strip());
        }
        LongtermMethod m = new LongtermMethod(name, s);
        m.validate();
        return m;
    }

    private void validate() {
        for (String k : settings.keySet()) {
            switch (k) {
                case "lr", "clip", "damping" -> positive(k);
                case "momentum" -> {
                    double v = number(k);
                    if (!(v >= 0 && v < 1)) throw bad(k, "must be in [0, 1)");
                }
                case "omega", "mu" -> {
                    if (!(number(k) >= 0)) throw bad(k, "must be >= 0");
                }
                case "batch", "curvature-batch", "cg-iterations" -> integer(k);
                case "init" -> recurrentInit(8);
                default -> throw new IllegalStateException("longterm: key " + k + " has no rule");
            }
        }
        if (settings.containsKey("curvature-batch") && integer("curvature-batch") > integer("batch")) {
            throw bad("curvature-batch", "must not exceed the batch (" + integer("batch") + ")");
        }
    }

    private IllegalArgumentException bad(String key, String why) {
        return new IllegalArgumentException("--set " + name + "." + key + "=" + settings.get(key) + ": " + why);
    }

    double number(String key) {
        try {
            double v = Double.parseDouble(settings.get(key));
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw bad(key, "not a finite number");
        }
    }

    private double positive(String key) {
        double v = number(key);
        if (!(v > 0)) throw bad(key, "must be > 0");
        return v;
    }

    int integer(String key) {
        try {
            int v = Integer.parseInt(settings.get(key));
            if (v < 1) throw bad(key, "must be an integer >= 1");
            return v;
        } catch (NumberFormatException e) {
            throw bad(key, "not an integer");
        }
    }

    /** Sequences per gradient batch. */
    int batch() {
        return integer("batch");
    }

    /** Whether the model is the LSTM. */
    boolean gated() {
        return name.equals("lstm");
    }

    /** Weight of Ω (0 when the method has none). */
    double omega() {
        return settings.containsKey("omega") ? number("omega") : 0;
    }

    /** The recurrent weight initialiser: any {@code --init} of {@code descent train}, {@code sparse[:RADIUS[:K]]} included. */
    Init recurrentInit(int hidden) {
        String spec = settings.get("init");
        if (spec == null) return null;
        try {
            return ModelFactory.recurrentInit(spec, hidden);
        } catch (IllegalArgumentException e) {
            throw bad("init", e.getMessage());
        }
    }

    /** The model for a run: tanh RNN (activation form) or LSTM, with a linear readout to one output. */
    SequenceModel model(int inputs, int hidden, long seed, DType dtype) {
        Rng rng = new Rng(seed);
        if (gated()) return SequenceModel.lstm(inputs, hidden, 1, false, rng, dtype);
        Rnn.Config c = Rnn.Config.of(inputs, hidden).withActivation(Activation.TANH).withForm(Rnn.Form.ACTIVATION)
                .withRecurrentInit(recurrentInit(hidden));
        return SequenceModel.rnn(c, 1, false, rng, dtype);
    }

    /** The optimiser for a run (steps only sizes schedules; every method here uses a constant rate). */
    TrainingOptimizer optimizer() {
        if (name.equals("hf")) {
            HessianFree hf = HessianFree.withDefaults().withInitialDamping(number("damping"))
                    .withConjugateGradient(HessianFree.DEFAULT_CG_DECAY, integer("cg-iterations"), HessianFree.DEFAULT_PROGRESS_TOLERANCE)
                    .withStructuralDampingWeight(number("mu"));
            return new TrainingOptimizer.SecondOrder("hessian-free", hf);
        }
        boolean sgd = name.equals("sgd-omega");
        Double momentum = sgd ? number("momentum") : null;
        TrainingSpec.OptimizerSpec o = new TrainingSpec.OptimizerSpec(sgd ? "sgd" : "adam", number("lr"), momentum, null, null,
                null, null, null, null, number("clip"), null, null, null);
        return OptimizerFactory.build(o, new TrainingSpec.ScheduleSpec(null, null, null, null, null), Long.MAX_VALUE / 4, 0);
    }

    /** Samples per curvature batch (0 = none). */
    int curvatureBatch() {
        return settings.containsKey("curvature-batch") ? integer("curvature-batch") : 0;
    }
}
