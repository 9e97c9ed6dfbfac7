package dev.descent.train;

import dev.descent.nn.Activation;
import dev.descent.nn.Rnn;
import dev.descent.optim.Optimizers;
import dev.descent.optim.second.CurvatureStep;
import dev.descent.optim.second.HessianFree;
import dev.descent.optim.second.Lbfgs;
import dev.descent.optim.second.Newton;
import dev.descent.tensor.DType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.DoublePredicate;
import java.util.function.Function;

/**
 * The specification of one training run: data, model, optimiser, learning-rate schedule, run
 * cadence and diagnostics, immutable and typed. Every default is a named constant of this class,
 * defined once; {@code descent train}, {@code descent diagnose} and other trainers consume it.
 *
 * <h2>Given and resolved</h2>
 * A spec holds what was <em>given</em>; a component that is null was not given and takes its
 * default. Some defaults depend on the data (an RNN for sequences, an MLP otherwise; 5 epochs of
 * a dataset) or on other choices (the learning rate of each optimiser), so
 * {@link #resolve(DataFacts, Set)} returns the spec with every default filled in, after checking
 * that the options fit together. The resolved spec's {@link #toJson()} is what a run directory
 * saves as {@code config.json} and every checkpoint carries, and {@link #fromJson} reads it back.
 *
 * <h2>Options</h2>
 * The flat view of a spec is its {@link #OPTIONS}: one entry per field, named as the long
 * command-line option without dashes ({@code lr}, {@code batch-size}) and as the key in JSON.
 * Each option parses and validates its text form once, for the command line and JSON alike, with
 * errors such as {@code Invalid value for option '--lr': must be a number > 0, got '-1'}.
 *
 * <h2>Layering</h2>
 * Sources are combined by {@link #layered(List)}, strongest first: a value given by a stronger
 * {@link Layer} hides the same option of weaker ones. A {@link Layer#yielding() yielding} layer
 * describes another run (a resumed checkpoint's configuration, the embedded default run): its
 * options are dropped silently by {@link #resolve} where a stronger choice makes them not apply
 * (the default run's {@code form} after {@code model lstm}), where the user's own would be errors.
 *
 * <h2>Adding an option</h2>
 * <ol>
 *   <li>add a component to the group record it belongs to (null meaning "not given"), with its
 *       default as a {@code DEFAULT_…} constant here if it has one;</li>
 *   <li>add one {@link Option} line to {@link #OPTIONS}: name, parameter label, parser (with its
 *       range), how a {@link Builder} sets it, how a spec reads it, and the help text; a fixed
 *       default is given once, as {@code .defaultsTo(DEFAULT_…)}, and the help text writes
 *       {@link Option#DEFAULT_PLACEHOLDER} where it goes (a default that depends on the data or
 *       other options is described in words, quoting the constants);</li>
 *   <li>set the field in {@link Builder#build()} and, if its default depends on other choices
 *       or it applies only to some of them, in {@link #resolve}.</li>
 * </ol>
 * The command line ({@code descent train --help} included), the JSON config and
 * {@code config.json} pick the new option up from {@link #OPTIONS}; nothing else lists them.
 *
 * <h2>Adding an optimiser</h2>
 * Once {@code dev.descent.optim.Optimizers} has it as a named optimiser taking a
 * {@code Schedule}: add its name to {@link #OPTIMIZERS} (and {@link #FIRST_ORDER} if it takes a
 * learning rate and schedule), its default rate to {@link #DEFAULT_LEARNING_RATE}, its name to the
 * options that apply to it in {@code APPLIES}, and one case to {@link OptimizerFactory#build}.
 * The help lists {@link #OPTIMIZERS} itself.
 *
 * @param data        what to train on
 * @param model       the model family and its shape
 * @param optimizer   the optimiser and its hyper-parameters
 * @param schedule    the learning-rate schedule of first-order optimisers
 * @param run         batch size, length, cadence of logs, evaluations and checkpoints, seed
 * @param diagnostics which diagnostics to compute and how often
 */
public record TrainingSpec(DataSpec data, ModelSpec model, OptimizerSpec optimizer, ScheduleSpec schedule, RunSpec run,
                           DiagnosticsSpec diagnostics) {

    // ------------------------------------------------------------------ defaults, each once

    /** Held-out fraction of a fixed dataset. */
    public static final double DEFAULT_TEST_FRACTION = 0.2;
    /** Hidden sizes of an MLP. */
    public static final List<Integer> DEFAULT_MLP_HIDDEN = List.of(128);
    /** Hidden size of an RNN or LSTM. */
    public static final int DEFAULT_RECURRENT_HIDDEN = 64;
    /** Recurrent weight initialisation of an RNN. */
    public static final String DEFAULT_INIT = "pytorch";
    /** The form of an RNN's recurrence. */
    public static final Rnn.Form DEFAULT_FORM = Rnn.Form.ACTIVATION;
    /** Normalisation of an MLP. */
    public static final Norm DEFAULT_NORM = Norm.NONE;
    /** Element type of parameters and data. */
    public static final DType DEFAULT_DTYPE = DType.F32;
    /** The optimiser. */
    public static final String DEFAULT_OPTIMIZER = "adam";
    /** Default learning rate (or step size) per optimiser that has one. */
    public static final Map<String, Double> DEFAULT_LEARNING_RATE = Map.of("sgd", 0.01, "momentum", 0.01, "nesterov", 0.01,
            "ema-sgd", 0.1, "adam", 0.001, "adamw", 0.001, "rmsprop", 0.01, "curvature-step", CurvatureStep.DEFAULT_FALLBACK_STEP);
    /** α of the seed's momentum and Nesterov. */
    public static final double DEFAULT_MOMENTUM = 0.9;
    /** β of ema-sgd. */
    public static final double DEFAULT_EMA_DECAY = 0.9;
    /** Initial damping λ₀ of Hessian-free. */
    public static final double DEFAULT_HF_DAMPING = HessianFree.DEFAULT_INITIAL_DAMPING;
    /** Initial damping λ₀ of Newton. */
    public static final double DEFAULT_NEWTON_DAMPING = Newton.DEFAULT_INITIAL_DAMPING;
    /** Most CG iterations per Hessian-free step. */
    public static final int DEFAULT_CG_ITERATIONS = HessianFree.DEFAULT_MAX_CG_ITERATIONS;
    /** Pairs kept by L-BFGS. */
    public static final int DEFAULT_LBFGS_MEMORY = Lbfgs.DEFAULT_MEMORY;
    /** The learning-rate schedule. */
    public static final String DEFAULT_SCHEDULE = "constant";
    /** Fraction of the steps spent warming up with {@code schedule warmup}. */
    public static final double DEFAULT_WARMUP_FRACTION = 0.1;
    /** Factor of {@code schedule step}, applied {@link #DEFAULT_STEP_DECAYS} times over the run. */
    public static final double DEFAULT_DECAY_FACTOR = 0.1;
    /** Decays of {@code schedule step} over a run. */
    public static final int DEFAULT_STEP_DECAYS = 3;
    /** Final rate of {@code schedule cosine} as a fraction of the initial one. */
    public static final double DEFAULT_FINAL_LR_FRACTION = 0.0;
    /** Minibatch size. */
    public static final int DEFAULT_BATCH_SIZE = 64;
    /** Steps of a synthetic task (fresh batches every step). */
    public static final long DEFAULT_TASK_STEPS = 1000;
    /** Epochs of a fixed dataset, when that gives at least {@link #MIN_DEFAULT_STEPS} steps. */
    public static final int DEFAULT_EPOCHS = 5;
    /**
     * The fewest steps a default-length run on a fixed dataset takes: on a small set,
     * {@link #DEFAULT_EPOCHS} epochs are few steps (20 on 300 rows in batches of 64) and leave the
     * model undertrained, so the default is this many steps instead.
     */
    public static final long MIN_DEFAULT_STEPS = 500;
    /** Evaluations per run by default. */
    public static final int DEFAULT_EVALUATIONS = 10;
    /** Checkpoints per run by default. */
    public static final int DEFAULT_CHECKPOINTS = 5;
    /** Diagnostic runs per run by default. */
    public static final int DEFAULT_DIAGNOSTIC_RUNS = 20;
    /** Training records logged per run at most, by default. */
    public static final int MAX_LOGGED_STEPS = 2000;
    /** Seed of every random draw. */
    public static final long DEFAULT_SEED = 0;

    /** The data of the embedded default run: the seed's RNN task, needing no downloads. */
    public static final String DEFAULT_RUN_DATA = "adding:30";

    /**
     * The embedded default run, the run of {@code descent train} with no data given anywhere: a
     * few seconds, and well below the trivial baseline's test MSE of 1/6 for every seed tried. The
     * orthogonal W shortens the plateau before a tanh RNN finds the two marked values; the
     * figures that chose it are in docs/performance.md, "The embedded default run".
     */
    public static final Map<String, Object> DEFAULT_RUN = defaultRun();

    private static Map<String, Object> defaultRun() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", DEFAULT_RUN_DATA);
        m.put("model", "rnn");
        m.put("hidden", List.of(64L));
        m.put("activation", "tanh");
        m.put("form", "act");
        m.put("init", "orthogonal");
        m.put("optimizer", "adam");
        m.put("lr", 0.003);
        m.put("schedule", "cosine");
        m.put("clip", 1.0);
        m.put("batch-size", 64L);
        m.put("steps", 2500L);
        return Collections.unmodifiableMap(m);
    }

    /** Every optimiser name, in help order. */
    public static final List<String> OPTIMIZERS = List.of("sgd", "momentum", "nesterov", "ema-sgd", "adam", "adamw", "rmsprop",
            "curvature-step", "newton", "hessian-free", "lbfgs");
    /** The first-order optimisers: they take a learning rate, a schedule and clipping. */
    public static final Set<String> FIRST_ORDER = Set.of("sgd", "momentum", "nesterov", "ema-sgd", "adam", "adamw", "rmsprop");
    /** The schedule names. */
    public static final List<String> SCHEDULES = List.of("constant", "step", "cosine", "warmup");

    /** Options that apply only to some optimisers: option → the optimisers it applies to. */
    private static final Map<String, Set<String>> APPLIES = applies();

    private static Map<String, Set<String>> applies() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        Set<String> lr = new LinkedHashSet<>(FIRST_ORDER);
        lr.add("curvature-step");
        m.put("lr", lr);
        m.put("momentum", Set.of("sgd", "momentum", "nesterov", "rmsprop"));
        m.put("decay", Set.of("ema-sgd", "rmsprop"));
        m.put("debias", Set.of("ema-sgd"));
        m.put("beta1", Set.of("adam", "adamw"));
        m.put("beta2", Set.of("adam", "adamw"));
        m.put("eps", Set.of("adam", "adamw", "rmsprop"));
        m.put("weight-decay", Set.of("sgd", "adam", "adamw", "rmsprop"));
        for (String o : List.of("clip", "schedule", "warmup-steps", "decay-every", "decay-factor", "final-lr-fraction")) m.put(o, FIRST_ORDER);
        m.put("damping", Set.of("newton", "hessian-free"));
        m.put("cg-iterations", Set.of("hessian-free"));
        m.put("memory", Set.of("lbfgs"));
        m.put("flow-regularizer", FIRST_ORDER);
        m.put("structural-damping", Set.of("hessian-free"));
        m.put("curvature-batch", Set.of("hessian-free"));
        return Collections.unmodifiableMap(m);
    }

    /** Whether {@code option} (a name such as {@code momentum}) applies to {@code optimizer}. */
    public static boolean applies(String option, String optimizer) {
        Set<String> to = APPLIES.get(option);
        return to == null || to.contains(optimizer);
    }

    // ------------------------------------------------------------------ the groups

    /** Model families. */
    public enum ModelKind {
        /** Multilayer perceptron. */
        MLP,
        /** Elman recurrent network. */
        RNN,
        /** Long short-term memory. */
        LSTM;

        /** The option spelling. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** MLP normalisation layers. */
    public enum Norm {
        /** None. */
        NONE("none"),
        /** Weight normalization (Salimans &amp; Kingma 2016). */
        WEIGHT("weight"),
        /** Batch normalization (Ioffe &amp; Szegedy 2015). */
        BATCH("batch"),
        /** Weight normalization with mean-only batch normalization (Salimans &amp; Kingma 2016, §2.2). */
        WEIGHT_MEAN_ONLY("weight-mean-only");

        private final String label;

        Norm(String label) {
            this.label = label;
        }

        /** The option spelling. */
        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * The data.
     *
     * @param source       a data source as the CLI spells it ({@code adding:30}, {@code csv:FILE,…}), null if not given
     * @param testFraction held-out fraction of a fixed dataset, in (0, 1)
     */
    public record DataSpec(String source, double testFraction) {
        /** Validates the fraction and that a given source is not blank. */
        public DataSpec {
            if (source != null && source.isBlank()) throw new IllegalArgumentException("data: the source is blank");
            check("test-fraction", testFraction, OPEN_UNIT);
        }
    }

    /**
     * The model.
     *
     * @param kind       mlp, rnn or lstm
     * @param hidden     hidden sizes (one for an RNN or LSTM), each ≥ 1
     * @param activation the nonlinearity (not for an LSTM)
     * @param norm       MLP normalisation
     * @param form       RNN form
     * @param init       RNN recurrent weight initialiser, as the CLI spells it
     * @param dtype      element type of parameters and data
     */
    public record ModelSpec(ModelKind kind, List<Integer> hidden, Activation activation, Norm norm, Rnn.Form form, String init,
                            DType dtype) {
        /** Copies {@code hidden} and checks each size is ≥ 1. */
        public ModelSpec {
            if (hidden != null) {
                hidden = List.copyOf(hidden);
                for (int h : hidden) if (h < 1) throw new IllegalArgumentException("hidden: sizes must be >= 1, got " + hidden);
            }
        }
    }

    /**
     * The optimiser and its hyper-parameters; which apply to which optimiser is in the help of
     * each option.
     *
     * @param name         one of {@link #OPTIMIZERS}
     * @param learningRate η (&gt; 0)
     * @param momentum     α or μ in [0, 1)
     * @param decay        β of ema-sgd or α of rmsprop, in [0, 1)
     * @param debias       ema-sgd: step along the bias-corrected average
     * @param beta1        Adam β₁ in [0, 1)
     * @param beta2        Adam β₂ in [0, 1)
     * @param eps          Adam/RMSprop ε &gt; 0
     * @param weightDecay  λ ≥ 0
     * @param clip         global-norm clipping threshold &gt; 0
     * @param damping      initial damping of newton and hessian-free, ≥ 0
     * @param cgIterations most CG iterations per hessian-free step, ≥ 1
     * @param memory       L-BFGS pairs, ≥ 1
     * @param flowRegularizer   weight ≥ 0 of the vanishing-gradient regulariser Ω (Pascanu et al. 2013), first-order, rnn
     * @param structuralDamping μ ≥ 0 of hessian-free's structural damping (Martens &amp; Sutskever 2011), rnn or lstm
     * @param curvatureBatch    samples ≥ 1 of hessian-free's curvature minibatch, at most the batch size
     */
    public record OptimizerSpec(String name, Double learningRate, Double momentum, Double decay, Boolean debias, Double beta1, Double beta2,
                                Double eps, Double weightDecay, Double clip, Double damping, Integer cgIterations, Integer memory,
                                Double flowRegularizer, Double structuralDamping, Integer curvatureBatch) {
        /** The spec without the recurrent-training options (Ω, structural damping, curvature batch). */
        public OptimizerSpec(String name, Double learningRate, Double momentum, Double decay, Boolean debias, Double beta1, Double beta2,
                             Double eps, Double weightDecay, Double clip, Double damping, Integer cgIterations, Integer memory) {
            this(name, learningRate, momentum, decay, debias, beta1, beta2, eps, weightDecay, clip, damping, cgIterations, memory,
                    null, null, null);
        }

        /** Validates every given value. */
        public OptimizerSpec {
            if (name != null && !OPTIMIZERS.contains(name)) {
                throw new IllegalArgumentException("unknown optimiser '" + name + "'; expected one of " + String.join(", ", OPTIMIZERS));
            }
            check("lr", learningRate, POSITIVE);
            check("momentum", momentum, HALF_OPEN_UNIT);
            check("decay", decay, HALF_OPEN_UNIT);
            check("beta1", beta1, HALF_OPEN_UNIT);
            check("beta2", beta2, HALF_OPEN_UNIT);
            check("eps", eps, POSITIVE);
            check("weight-decay", weightDecay, NON_NEGATIVE);
            check("clip", clip, POSITIVE);
            check("damping", damping, NON_NEGATIVE);
            if (cgIterations != null && cgIterations < 1) throw new IllegalArgumentException("cg-iterations must be >= 1, got " + cgIterations);
            if (memory != null && memory < 1) throw new IllegalArgumentException("memory must be >= 1, got " + memory);
            check("flow-regularizer", flowRegularizer, NON_NEGATIVE);
            check("structural-damping", structuralDamping, NON_NEGATIVE);
            if (curvatureBatch != null && curvatureBatch < 1) {
                throw new IllegalArgumentException("curvature-batch must be >= 1, got " + curvatureBatch);
            }
        }

        /** Whether this is a first-order optimiser (learning rate, schedule, clipping). */
        public boolean firstOrder() {
            return FIRST_ORDER.contains(name);
        }

        /** The bias correction of ema-sgd, false when not given. */
        public boolean debiased() {
            return debias != null && debias;
        }
    }

    /**
     * The learning-rate schedule of a first-order optimiser.
     *
     * @param name          one of {@link #SCHEDULES}
     * @param warmupSteps   linear warm-up from 0 over this many steps, ≥ 1
     * @param decayEvery    {@code step}: steps between decays, ≥ 1
     * @param decayFactor   {@code step}: the factor γ in (0, 1]
     * @param finalFraction {@code cosine}: final rate over the initial one, in [0, 1]
     */
    public record ScheduleSpec(String name, Long warmupSteps, Long decayEvery, Double decayFactor, Double finalFraction) {
        /** Validates every given value. */
        public ScheduleSpec {
            if (name != null && !SCHEDULES.contains(name)) {
                throw new IllegalArgumentException("unknown schedule '" + name + "'; expected one of " + String.join(", ", SCHEDULES));
            }
            check("warmup-steps", warmupSteps);
            check("decay-every", decayEvery);
            check("decay-factor", decayFactor, FRACTION);
            check("final-lr-fraction", finalFraction, UNIT);
        }
    }

    /**
     * Length and cadence of the run.
     *
     * @param batchSize       minibatch size ≥ 1
     * @param steps           training steps ≥ 1
     * @param epochs          epochs over a fixed dataset ≥ 1 (turned into steps by {@link #resolve})
     * @param logEvery        steps between training records
     * @param evalEvery       steps between evaluations
     * @param checkpointEvery steps between checkpoints
     * @param seed            seed of every random draw
     */
    public record RunSpec(Integer batchSize, Long steps, Integer epochs, Long logEvery, Long evalEvery, Long checkpointEvery, long seed) {
        /** Validates every given value. */
        public RunSpec {
            if (batchSize != null && batchSize < 1) throw new IllegalArgumentException("batch-size must be >= 1, got " + batchSize);
            if (epochs != null && epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            check("steps", steps);
            check("log-every", logEvery);
            check("eval-every", evalEvery);
            check("checkpoint-every", checkpointEvery);
        }
    }

    /**
     * Diagnostics computed during training.
     *
     * @param names diagnostic names (null: none)
     * @param every steps between diagnostic runs ≥ 1
     */
    public record DiagnosticsSpec(List<String> names, Long every) {
        /** Copies the names. */
        public DiagnosticsSpec {
            if (names != null) names = List.copyOf(names);
            check("every", every);
        }
    }

    // ------------------------------------------------------------------ ranges and parsers

    /** A range of a real-valued option, spelled in its messages. */
    private record Range(String text, DoublePredicate contains) {}

    private static final Range POSITIVE = new Range("a number > 0", v -> v > 0);
    private static final Range NON_NEGATIVE = new Range("a number >= 0", v -> v >= 0);
    private static final Range HALF_OPEN_UNIT = new Range("a number in [0, 1)", v -> v >= 0 && v < 1);
    private static final Range OPEN_UNIT = new Range("a number in (0, 1)", v -> v > 0 && v < 1);
    private static final Range FRACTION = new Range("a number in (0, 1]", v -> v > 0 && v <= 1);
    private static final Range UNIT = new Range("a number in [0, 1]", v -> v >= 0 && v <= 1);

    private static void check(String option, Double v, Range r) {
        if (v != null && !r.contains.test(v)) throw new IllegalArgumentException(option + " must be " + r.text + ", got " + v);
    }

    private static void check(String option, Long v) {
        if (v != null && v < 1) throw new IllegalArgumentException(option + " must be an integer >= 1, got " + v);
    }

    private static double finite(String s) {
        try {
            double v = Double.parseDouble(s.strip());
            if (Double.isFinite(v)) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + s + "' is not a finite number");
    }

    private static long integer(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an integer");
        }
    }

    private static Function<String, Object> real(Range r) {
        return s -> {
            double v = finite(s);
            if (!r.contains.test(v)) throw new IllegalArgumentException("must be " + r.text + ", got '" + s + "'");
            return v;
        };
    }

    private static final Function<String, Object> POSITIVE_LONG = s -> {
        long v = integer(s);
        if (v < 1) throw new IllegalArgumentException("must be an integer >= 1, got '" + s + "'");
        return v;
    };

    private static final Function<String, Object> POSITIVE_INT = s -> {
        long v = integer(s);
        if (v < 1 || v > Integer.MAX_VALUE) throw new IllegalArgumentException("must be an integer >= 1, got '" + s + "'");
        return (int) v;
    };

    private static final Function<String, Object> TEXT = s -> {
        if (s.isBlank()) throw new IllegalArgumentException("must not be blank");
        return s.strip();
    };

    private static final Function<String, Object> BOOLEAN = s -> switch (s.strip().toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw new IllegalArgumentException("expected true or false, got '" + s + "'");
    };

    private static Function<String, Object> oneOf(List<String> names, String what) {
        return s -> {
            String n = s.strip().toLowerCase(Locale.ROOT);
            if (!names.contains(n)) throw new IllegalArgumentException("unknown " + what + " '" + s + "'; expected one of " + String.join(", ", names));
            return n;
        };
    }

    private static Object modelKind(String s) {
        for (ModelKind k : ModelKind.values()) if (k.toString().equalsIgnoreCase(s.strip())) return k;
        throw new IllegalArgumentException("unknown model '" + s + "'; expected mlp, rnn or lstm");
    }

    private static Object norm(String s) {
        for (Norm n : Norm.values()) if (n.label.equalsIgnoreCase(s.strip())) return n;
        throw new IllegalArgumentException("unknown normalisation '" + s + "'; expected none, weight, batch or weight-mean-only");
    }

    private static Object activation(String s) {
        for (Activation a : Activation.values()) if (a.name().equalsIgnoreCase(s.strip())) return a;
        throw new IllegalArgumentException("unknown activation '" + s + "'; expected tanh, sigmoid, relu or identity");
    }

    private static Object form(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "act", "activation" -> Rnn.Form.ACTIVATION;
            case "pre", "pre-activation" -> Rnn.Form.PRE_ACTIVATION;
            default -> throw new IllegalArgumentException("unknown RNN form '" + s + "'; expected act or pre");
        };
    }

    private static Object dtype(String s) {
        return DType.parse(s.strip());
    }

    /** The JSON value of a typed option value: numbers, booleans, strings and lists as such, enums by their spelling. */
    private static Object json(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) return v;
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) out.add(json(o));
            return Collections.unmodifiableList(out);
        }
        if (v instanceof Rnn.Form f) return f == Rnn.Form.ACTIVATION ? "act" : "pre";
        if (v instanceof Activation a) return a.name().toLowerCase(Locale.ROOT);
        return v.toString(); // ModelKind, Norm and DType print their option spelling
    }

    // ------------------------------------------------------------------ the options

    /** How an option takes values on a command line. */
    public enum Arity {
        /** One value. */
        ONE,
        /** A comma-separated list of values. */
        LIST,
        /** A flag that may take {@code true} or {@code false}. */
        FLAG
    }

    /**
     * One option of a spec: its name (the long command-line option without dashes, and the JSON
     * key), how it is parsed and where it lives in the spec.
     *
     * @param name        e.g. {@code batch-size}
     * @param label       the parameter label of its help, e.g. {@code B}
     * @param arity       how many values it takes
     * @param parser      text (one element, for a list) to typed value; throws
     *                    {@link IllegalArgumentException} with a message such as
     *                    {@code must be a number > 0, got '-1'}
     * @param setter      stores a typed value in a builder
     * @param getter       the typed value of a spec, or null
     * @param description  the help text; {@value #DEFAULT_PLACEHOLDER} in it stands for
     *                     {@link #defaultText()} (picocli's placeholder, filled by the CLI's
     *                     default-value provider)
     * @param defaultValue the default, one of the {@code DEFAULT_…} constants, where it depends
     *                     neither on the data nor on other options; else null (the help text
     *                     then says how {@link #resolve} chooses it)
     */
    public record Option(String name, String label, Arity arity, Function<String, Object> parser, BiConsumer<Builder, Object> setter,
                         Function<TrainingSpec, Object> getter, String description, Object defaultValue) {
        /** What a help text writes where the default goes. */
        public static final String DEFAULT_PLACEHOLDER = "${DEFAULT-VALUE}";

        /** This option with {@code value}, a {@code DEFAULT_…} constant, as its fixed default. */
        Option defaultsTo(Object value) {
            return new Option(name, label, arity, parser, setter, getter, description, value);
        }

        /**
         * The default as the command line writes it ({@code 64}, {@code 1e-8}, {@code float32},
         * {@code act}), or null when it depends on the data or other options.
         */
        public String defaultText() {
            if (defaultValue == null) return null;
            Object v = json(defaultValue);
            return v instanceof Double d ? num(d) : String.valueOf(v);
        }

        /**
         * Parses {@code value}, a JSON value (string, number, boolean, or a list of them for a
         * list option) or its text.
         *
         * @throws IllegalArgumentException {@code Invalid value for option '--NAME': …}
         */
        public Object parse(Object value) {
            List<?> items = arity == Arity.LIST && value instanceof List<?> l ? l : List.of(value == null ? NULL : value);
            List<String> texts = new ArrayList<>();
            for (Object item : items) {
                if (item instanceof String || item instanceof Number || item instanceof Boolean) {
                    texts.add(item.toString());
                } else if (item instanceof Enum<?> || item instanceof DType) {
                    texts.add(json(item).toString());
                } else {
                    throw new IllegalArgumentException("option '" + name + "' needs a number, string, boolean" + (arity == Arity.LIST
                            ? " or list" : "") + ", got " + (item == NULL ? "null" : item instanceof List ? "a list" : "an object"));
                }
            }
            try {
                if (arity != Arity.LIST) return parser.apply(texts.get(0));
                List<Object> out = new ArrayList<>();
                for (String text : texts) for (String part : text.split(",", -1)) out.add(parser.apply(part));
                return List.copyOf(out);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid value for option '--" + name + "': " + e.getMessage(), e);
            }
        }

        /** The JSON value of this option in {@code spec}, or null if not set. */
        public Object jsonValue(TrainingSpec spec) {
            return json(getter.apply(spec));
        }
    }

    /** {@code names} as help text, "a, b, c or d". */
    private static String listed(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) sb.append(i == names.size() - 1 ? " or " : ", ");
            sb.append(names.get(i));
        }
        return sb.toString();
    }

    /** A default as help text: {@code 0.9}, {@code 0}, {@code 1e-8}. */
    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        String t = Double.toString(v);
        int e = t.indexOf('E');
        return e < 0 ? t : t.substring(0, e).replaceFirst("\\.0$", "") + "e" + t.substring(e + 1);
    }

    /** Stands for a JSON null in {@link Option#parse}. */
    private static final Object NULL = new Object();

    private static Option option(String name, String label, Function<String, Object> parser, BiConsumer<Builder, Object> setter,
                                 Function<TrainingSpec, Object> getter, String description) {
        return new Option(name, label, Arity.ONE, parser, setter, getter, description, null);
    }

    /** Shorthand for the help texts: where the default goes. */
    private static final String DEFAULT = Option.DEFAULT_PLACEHOLDER;

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object v) {
        return (List<T>) v;
    }

    /**
     * Every option, in help and {@code config.json} order. A fixed default is the option's
     * {@link Option#defaultValue()}, which the help text shows through
     * {@link Option#DEFAULT_PLACEHOLDER}; help texts of defaults that depend on the data or on
     * other options quote the constants. Either way a default is written once.
     */
    public static final List<Option> OPTIONS = List.of(
            option("data", "SOURCE", TEXT, (b, v) -> b.data = (String) v, s -> s.data.source,
                    "Training data (default: the embedded run's " + DEFAULT_RUN_DATA + "); see below."),
            option("test-fraction", "F", real(OPEN_UNIT), (b, v) -> b.testFraction = (Double) v, s -> s.data.testFraction,
                    "Held-out fraction for CSV data (default: " + DEFAULT + ").").defaultsTo(DEFAULT_TEST_FRACTION),
            option("model", "KIND", TrainingSpec::modelKind, (b, v) -> b.kind = (ModelKind) v, s -> s.model.kind,
                    "mlp, rnn or lstm (default: rnn for sequences, mlp otherwise)."),
            new Option("hidden", "SIZES", Arity.LIST, POSITIVE_INT, (b, v) -> b.hidden = list(v), s -> s.model.hidden,
                    "Hidden sizes, e.g. 512,256 for an MLP (default " + DEFAULT_MLP_HIDDEN.get(0) + ") or " + DEFAULT_RECURRENT_HIDDEN
                            + " for an RNN/LSTM (default).", null),
            option("activation", "NAME", TrainingSpec::activation, (b, v) -> b.activation = (Activation) v, s -> s.model.activation,
                    "tanh, sigmoid, relu or identity (default: tanh for rnn, relu for mlp)."),
            option("norm", "KIND", TrainingSpec::norm, (b, v) -> b.norm = (Norm) v, s -> s.model.norm,
                    "MLP normalisation: none, weight (initialised from the first batch), batch or weight-mean-only (default " + DEFAULT
                            + ").").defaultsTo(DEFAULT_NORM),
            option("form", "FORM", TrainingSpec::form, (b, v) -> b.form = (Rnn.Form) v, s -> s.model.form,
                    "RNN form: act (g_t = σ(W g_{t-1} + U x_t + b)) or pre (h_t = W σ(h_{t-1}) + U x_t + b) (default " + DEFAULT
                            + ").").defaultsTo(DEFAULT_FORM),
            option("init", "INIT", TEXT, (b, v) -> b.init = (String) v, s -> s.model.init,
                    "RNN recurrent weight init: pytorch, orthogonal[:GAIN], identity[:GAIN], scaled-normal:SCALE, glorot or sparse[:RADIUS[:K]] (default "
                            + DEFAULT + ").").defaultsTo(DEFAULT_INIT),
            option("optimizer", "NAME", oneOf(OPTIMIZERS, "optimiser"), (b, v) -> b.optimizer = (String) v, s -> s.optimizer.name,
                    listed(OPTIMIZERS) + " (default " + DEFAULT + ").").defaultsTo(DEFAULT_OPTIMIZER),
            option("lr", "RATE", real(POSITIVE), (b, v) -> b.lr = (Double) v, s -> s.optimizer.learningRate,
                    "Learning rate (> 0): η, the seed's ε for momentum, δ for ema-sgd, the fallback step of curvature-step (default: "
                            + num(DEFAULT_LEARNING_RATE.get("adam")) + " for adam and adamw, " + num(DEFAULT_LEARNING_RATE.get("sgd"))
                            + " for sgd, momentum, nesterov and rmsprop, " + num(DEFAULT_LEARNING_RATE.get("ema-sgd")) + " for ema-sgd, "
                            + num(DEFAULT_LEARNING_RATE.get("curvature-step")) + " for curvature-step)."),
            option("momentum", "ALPHA", real(HALF_OPEN_UNIT), (b, v) -> b.momentum = (Double) v, s -> s.optimizer.momentum,
                    "Momentum in [0, 1): α of momentum/nesterov (default " + num(DEFAULT_MOMENTUM) + "), μ of sgd and rmsprop (default 0)."),
            option("decay", "BETA", real(HALF_OPEN_UNIT), (b, v) -> b.decay = (Double) v, s -> s.optimizer.decay,
                    "Running-average decay in [0, 1): β of ema-sgd (default " + num(DEFAULT_EMA_DECAY) + "), α of rmsprop (default "
                            + num(Optimizers.RMSPROP_DECAY) + ")."),
            new Option("debias", "BOOL", Arity.FLAG, BOOLEAN, (b, v) -> b.debias = (Boolean) v, s -> s.optimizer.debias,
                    "ema-sgd: step along the bias-corrected average v/(1-β^t).", null),
            option("beta1", "B1", real(HALF_OPEN_UNIT), (b, v) -> b.beta1 = (Double) v, s -> s.optimizer.beta1,
                    "Adam β1 (default " + DEFAULT + ").").defaultsTo(Optimizers.ADAM_BETA1),
            option("beta2", "B2", real(HALF_OPEN_UNIT), (b, v) -> b.beta2 = (Double) v, s -> s.optimizer.beta2,
                    "Adam β2 (default " + DEFAULT + ").").defaultsTo(Optimizers.ADAM_BETA2),
            option("eps", "EPS", real(POSITIVE), (b, v) -> b.eps = (Double) v, s -> s.optimizer.eps,
                    "Adam/RMSprop ε (default " + DEFAULT + ").").defaultsTo(Optimizers.ADAM_EPS),
            option("weight-decay", "LAMBDA", real(NON_NEGATIVE), (b, v) -> b.weightDecay = (Double) v, s -> s.optimizer.weightDecay,
                    "Weight decay (>= 0): coupled for sgd, adam, rmsprop (default 0); decoupled for adamw (default "
                            + num(Optimizers.ADAMW_WEIGHT_DECAY) + ")."),
            option("clip", "NORM", real(POSITIVE), (b, v) -> b.clip = (Double) v, s -> s.optimizer.clip,
                    "Clip gradients to this global L2 norm (> 0)."),
            option("schedule", "NAME", oneOf(SCHEDULES, "schedule"), (b, v) -> b.schedule = (String) v, s -> s.schedule.name,
                    "Learning-rate schedule: " + listed(SCHEDULES) + " (default " + DEFAULT + ").").defaultsTo(DEFAULT_SCHEDULE),
            option("warmup-steps", "N", POSITIVE_LONG, (b, v) -> b.warmupSteps = (Long) v, s -> s.schedule.warmupSteps,
                    "Linear warm-up from 0 over N steps before the schedule (default for warmup: steps/"
                            + Math.round(1 / DEFAULT_WARMUP_FRACTION) + ")."),
            option("decay-every", "N", POSITIVE_LONG, (b, v) -> b.decayEvery = (Long) v, s -> s.schedule.decayEvery,
                    "step schedule: multiply the rate by --decay-factor every N steps (default steps/" + DEFAULT_STEP_DECAYS + ")."),
            option("decay-factor", "GAMMA", real(FRACTION), (b, v) -> b.decayFactor = (Double) v, s -> s.schedule.decayFactor,
                    "step schedule: the factor, in (0, 1] (default " + DEFAULT + ").").defaultsTo(DEFAULT_DECAY_FACTOR),
            option("final-lr-fraction", "F", real(UNIT), (b, v) -> b.finalFraction = (Double) v, s -> s.schedule.finalFraction,
                    "cosine schedule: the final rate as a fraction of the initial one, in [0, 1] (default " + DEFAULT
                            + ").").defaultsTo(DEFAULT_FINAL_LR_FRACTION),
            option("damping", "LAMBDA", real(NON_NEGATIVE), (b, v) -> b.damping = (Double) v, s -> s.optimizer.damping,
                    "Initial damping λ of newton (default " + num(DEFAULT_NEWTON_DAMPING) + ") and hessian-free (default "
                            + num(DEFAULT_HF_DAMPING) + ", must be > 0)."),
            option("cg-iterations", "N", POSITIVE_INT, (b, v) -> b.cgIterations = (Integer) v, s -> s.optimizer.cgIterations,
                    "hessian-free: most CG iterations per step (default " + DEFAULT + ").").defaultsTo(DEFAULT_CG_ITERATIONS),
            option("memory", "M", POSITIVE_INT, (b, v) -> b.memory = (Integer) v, s -> s.optimizer.memory,
                    "lbfgs: pairs kept (default " + DEFAULT + ").").defaultsTo(DEFAULT_LBFGS_MEMORY),
            option("flow-regularizer", "WEIGHT", real(NON_NEGATIVE), (b, v) -> b.flowRegularizer = (Double) v,
                    s -> s.optimizer.flowRegularizer,
                    "rnn, first-order: add WEIGHT x Pascanu et al.'s vanishing-gradient regulariser Omega to the loss (default 0)."),
            option("structural-damping", "MU", real(NON_NEGATIVE), (b, v) -> b.structuralDamping = (Double) v,
                    s -> s.optimizer.structuralDamping,
                    "hessian-free on rnn/lstm: structural damping mu (Martens & Sutskever 2011), penalising hidden-state change (default 0)."),
            option("curvature-batch", "N", POSITIVE_INT, (b, v) -> b.curvatureBatch = (Integer) v, s -> s.optimizer.curvatureBatch,
                    "hessian-free: Gauss-Newton products on the first N samples of each batch (default: the whole batch)."),
            option("batch-size", "B", POSITIVE_INT, (b, v) -> b.batchSize = (Integer) v, s -> s.run.batchSize,
                    "Minibatch size (>= 1; default " + DEFAULT + ").").defaultsTo(DEFAULT_BATCH_SIZE),
            option("steps", "N", POSITIVE_LONG, (b, v) -> b.steps = (Long) v, s -> s.run.steps,
                    "Training steps (>= 1; default " + DEFAULT_TASK_STEPS + " for tasks; for a dataset " + DEFAULT_EPOCHS
                            + " epochs, or " + MIN_DEFAULT_STEPS + " steps if that is more)."),
            option("epochs", "N", POSITIVE_INT, (b, v) -> b.epochs = (Integer) v, s -> s.run.epochs,
                    "Epochs over a fixed dataset (>= 1)."),
            option("log-every", "N", POSITIVE_LONG, (b, v) -> b.logEvery = (Long) v, s -> s.run.logEvery,
                    "Write a training record every N steps (default: at most " + MAX_LOGGED_STEPS + " records)."),
            option("eval-every", "N", POSITIVE_LONG, (b, v) -> b.evalEvery = (Long) v, s -> s.run.evalEvery,
                    "Evaluate on held-out data every N steps and at the end (default: " + DEFAULT_EVALUATIONS + " times)."),
            option("checkpoint-every", "N", POSITIVE_LONG, (b, v) -> b.checkpointEvery = (Long) v, s -> s.run.checkpointEvery,
                    "Write a checkpoint every N steps and at the end (default: " + DEFAULT_CHECKPOINTS + " times)."),
            new Option("diagnostics", "LIST", Arity.LIST, TEXT, (b, v) -> b.diagnostics = list(v), s -> s.diagnostics.names,
                    "Diagnostics to compute, e.g. gradient-flow,curvature,weight-norm.", null),
            option("every", "K", POSITIVE_LONG, (b, v) -> b.every = (Long) v, s -> s.diagnostics.every,
                    "Run the diagnostics every K steps (default: " + DEFAULT_DIAGNOSTIC_RUNS + " times per run)."),
            option("seed", "N", TrainingSpec::integer, (b, v) -> b.seed = (Long) v, s -> s.run.seed,
                    "Seed of every random draw (default: " + DEFAULT + ").").defaultsTo(DEFAULT_SEED),
            option("dtype", "TYPE", TrainingSpec::dtype, (b, v) -> b.dtype = (DType) v, s -> s.model.dtype,
                    "float32 or float64 (default " + DEFAULT + ").").defaultsTo(DEFAULT_DTYPE));

    private static final Map<String, Option> BY_NAME = byName();

    private static Map<String, Option> byName() {
        Map<String, Option> m = new LinkedHashMap<>();
        for (Option o : OPTIONS) {
            if (o.description().contains(Option.DEFAULT_PLACEHOLDER) != (o.defaultValue() != null)) {
                throw new IllegalStateException("option '" + o.name() + "': the help text must quote the default exactly when it has one");
            }
            m.put(o.name(), o);
        }
        return Collections.unmodifiableMap(m);
    }

    /** The option called {@code name} (without dashes), or null. */
    public static Option option(String name) {
        return BY_NAME.get(name);
    }

    // ------------------------------------------------------------------ building

    /** The spec with nothing given: every value takes its default. */
    public static final TrainingSpec NONE = builder().build();

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this spec's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        for (Option o : OPTIONS) {
            Object v = o.getter().apply(this);
            if (v != null) o.setter().accept(b, v);
        }
        return b;
    }

    /**
     * Builds specs option by option. Values go through the option's parser, so a builder
     * accepts exactly what the command line and JSON accept:
     * {@code TrainingSpec.builder().set("data", "adding:100").set("lr", 0.001).set("hidden", List.of(128)).build()}.
     */
    public static final class Builder {
        String data;
        double testFraction = DEFAULT_TEST_FRACTION;
        ModelKind kind;
        List<Integer> hidden;
        Activation activation;
        Norm norm;
        Rnn.Form form;
        String init;
        DType dtype;
        String optimizer;
        Double lr, momentum, decay, beta1, beta2, eps, weightDecay, clip, damping;
        Boolean debias;
        Integer cgIterations, memory, curvatureBatch;
        Double flowRegularizer, structuralDamping;
        String schedule;
        Long warmupSteps, decayEvery;
        Double decayFactor, finalFraction;
        Integer batchSize, epochs;
        Long steps, logEvery, evalEvery, checkpointEvery;
        List<String> diagnostics;
        Long every;
        long seed = DEFAULT_SEED;

        private Builder() {}

        /**
         * Sets option {@code name} from a JSON value or its text (a typed value such as an
         * {@link Activation} or {@link DType} also works).
         *
         * @throws IllegalArgumentException for an unknown option or a bad value
         */
        public Builder set(String name, Object value) {
            Option o = BY_NAME.get(name);
            if (o == null) throw new IllegalArgumentException("unknown option '" + name + "' (known: " + String.join(", ", BY_NAME.keySet()) + ")");
            o.setter().accept(this, o.parse(value));
            return this;
        }

        /** Unsets option {@code name} (back to "not given"). */
        public Builder clear(String name) {
            Option o = BY_NAME.get(name);
            if (o == null) throw new IllegalArgumentException("unknown option '" + name + "'");
            if (name.equals("seed")) seed = DEFAULT_SEED;
            else if (name.equals("test-fraction")) testFraction = DEFAULT_TEST_FRACTION;
            else o.setter().accept(this, null);
            return this;
        }

        /**
         * The spec.
         *
         * @throws IllegalArgumentException if a value is out of range
         */
        public TrainingSpec build() {
            return new TrainingSpec(new DataSpec(data, testFraction), new ModelSpec(kind, hidden, activation, norm, form, init, dtype),
                    new OptimizerSpec(optimizer, lr, momentum, decay, debias, beta1, beta2, eps, weightDecay, clip, damping, cgIterations, memory,
                            flowRegularizer, structuralDamping, curvatureBatch),
                    new ScheduleSpec(schedule, warmupSteps, decayEvery, decayFactor, finalFraction),
                    new RunSpec(batchSize, steps, epochs, logEvery, evalEvery, checkpointEvery, seed), new DiagnosticsSpec(diagnostics, every));
        }
    }

    /** Requires every group. */
    public TrainingSpec {
        if (data == null || model == null || optimizer == null || schedule == null || run == null || diagnostics == null) {
            throw new IllegalArgumentException("training spec: a group is null");
        }
    }

    /** This spec with option {@code name} set from a JSON value or its text. */
    public TrainingSpec with(String name, Object value) {
        return toBuilder().set(name, value).build();
    }

    /** This spec with the data replaced. */
    public TrainingSpec withData(DataSpec d) {
        return new TrainingSpec(d, model, optimizer, schedule, run, diagnostics);
    }

    /** This spec with the model replaced. */
    public TrainingSpec withModel(ModelSpec m) {
        return new TrainingSpec(data, m, optimizer, schedule, run, diagnostics);
    }

    /** This spec with the optimiser replaced. */
    public TrainingSpec withOptimizer(OptimizerSpec o) {
        return new TrainingSpec(data, model, o, schedule, run, diagnostics);
    }

    /** This spec with the schedule replaced. */
    public TrainingSpec withSchedule(ScheduleSpec s) {
        return new TrainingSpec(data, model, optimizer, s, run, diagnostics);
    }

    /** This spec with the run cadence replaced. */
    public TrainingSpec withRun(RunSpec r) {
        return new TrainingSpec(data, model, optimizer, schedule, r, diagnostics);
    }

    /** This spec with the diagnostics replaced. */
    public TrainingSpec withDiagnostics(DiagnosticsSpec d) {
        return new TrainingSpec(data, model, optimizer, schedule, run, d);
    }

    // ------------------------------------------------------------------ JSON

    /**
     * The options set in this spec as JSON values by name, in {@link #OPTIONS} order: for a
     * resolved spec, {@code config.json}. Write it with {@code dev.descent.io.Json.writeObject}.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Option o : OPTIONS) {
            Object v = o.jsonValue(this);
            if (v != null) m.put(o.name(), v);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * The spec of a JSON object of options by name (a {@code --config} file, a saved
     * {@code config.json} or a checkpoint's configuration).
     *
     * @param source names the JSON in errors
     * @throws IllegalArgumentException {@code SOURCE: unknown option …} or {@code SOURCE: Invalid value …}
     */
    public static TrainingSpec fromJson(Map<String, ?> json, String source) {
        return layered(List.of(new Layer(source, json, false))).spec();
    }

    // ------------------------------------------------------------------ layering

    /**
     * One source of options.
     *
     * @param source   names it in errors ({@code run.json}, {@code the command line})
     * @param values   options by name: JSON values (string, number, boolean, list) or their text
     * @param yielding whether its options describe another run and yield where they do not
     *                 apply (see {@link TrainingSpec})
     */
    public record Layer(String source, Map<String, ?> values, boolean yielding) {
        /** Copies the values. */
        public Layer {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }
    }

    /**
     * A spec combined from layers, with the options that came from yielding layers.
     *
     * @param spec     the given values
     * @param yielding names of the options a yielding layer set
     */
    public record Layered(TrainingSpec spec, Set<String> yielding) {
        /** Copies the set. */
        public Layered {
            yielding = Set.copyOf(yielding);
        }
    }

    /**
     * Combines {@code layers}, strongest first: each option takes its value from the first layer
     * that gives it.
     *
     * @throws IllegalArgumentException naming the layer, for an unknown option or a bad value
     */
    public static Layered layered(List<Layer> layers) {
        Builder b = builder();
        Set<String> given = new HashSet<>(), yielding = new HashSet<>();
        for (Layer layer : layers) {
            for (Map.Entry<String, ?> e : layer.values().entrySet()) {
                Option o = BY_NAME.get(e.getKey());
                if (o == null) {
                    throw new IllegalArgumentException(layer.source() + ": unknown option '" + e.getKey() + "' (known: "
                            + String.join(", ", BY_NAME.keySet()) + ")");
                }
                if (!given.add(e.getKey())) continue; // a stronger layer gave it
                try {
                    o.setter().accept(b, o.parse(e.getValue()));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(layer.source() + ": " + ex.getMessage(), ex);
                }
                if (layer.yielding()) yielding.add(e.getKey());
            }
        }
        try {
            return new Layered(b.build(), yielding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(layers.isEmpty() ? e.getMessage() : layers.get(0).source() + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ resolving

    /**
     * What {@link #resolve} needs to know about the data.
     *
     * @param description names the data in messages ({@code the adding task (T = 30)})
     * @param sequential  whether samples are sequences (RNN/LSTM) rather than fixed-size (MLP)
     * @param taskName    the synthetic task's name, or null for a fixed dataset
     * @param trainSize   training samples of a fixed dataset (ignored for a task)
     */
    public record DataFacts(String description, boolean sequential, String taskName, long trainSize) {}

    /**
     * This spec with every default resolved for {@code data}, after checking that the options
     * fit each other and the data; options named in {@code yielding} are dropped where they do
     * not apply. The result reproduces the run: resolving it again gives it back.
     *
     * @throws IllegalArgumentException with a usage message ({@code --form applies to --model rnn only})
     */
    public TrainingSpec resolve(DataFacts facts, Set<String> yielding) {
        Builder b = toBuilder();
        boolean sequential = facts.sequential();
        ModelKind kind = b.kind != null ? b.kind : sequential ? ModelKind.RNN : ModelKind.MLP;
        b.kind = kind;
        if (kind == ModelKind.MLP && sequential) {
            throw new IllegalArgumentException("--model mlp needs fixed-size samples, but " + facts.description()
                    + " gives sequences; use --model rnn or lstm");
        }
        if (kind != ModelKind.MLP && !sequential) {
            throw new IllegalArgumentException("--model " + kind + " needs sequence data (a synthetic task), but " + facts.description()
                    + " gives fixed-size samples");
        }
        if (kind != ModelKind.MLP && yielding.contains("norm")) b.norm = null;
        if (kind != ModelKind.RNN && yielding.contains("form")) b.form = null;
        if (kind != ModelKind.RNN && yielding.contains("init")) b.init = null;
        if (kind == ModelKind.LSTM && yielding.contains("activation")) b.activation = null;
        if (kind != ModelKind.MLP && b.norm != null && b.norm != Norm.NONE) throw new IllegalArgumentException("--norm applies to --model mlp only");
        if (kind != ModelKind.RNN && b.form != null) throw new IllegalArgumentException("--form applies to --model rnn only");
        if (kind != ModelKind.RNN && b.init != null) throw new IllegalArgumentException("--init applies to --model rnn only");
        if (kind == ModelKind.LSTM && b.activation != null) {
            throw new IllegalArgumentException("--activation does not apply to --model lstm (its gates are fixed)");
        }
        if (b.hidden == null) b.hidden = kind == ModelKind.MLP ? DEFAULT_MLP_HIDDEN : List.of(DEFAULT_RECURRENT_HIDDEN);
        if (kind != ModelKind.MLP && b.hidden.size() != 1) {
            throw new IllegalArgumentException("--model " + kind + " takes one hidden size, got " + b.hidden);
        }
        if (kind == ModelKind.MLP && b.norm == null) b.norm = DEFAULT_NORM;
        if (kind == ModelKind.RNN) {
            if (b.form == null) b.form = DEFAULT_FORM;
            if (b.init == null) b.init = DEFAULT_INIT;
        }
        if (kind != ModelKind.LSTM && b.activation == null) b.activation = kind == ModelKind.RNN ? Activation.TANH : Activation.RELU;
        if (b.dtype == null) b.dtype = DEFAULT_DTYPE;
        if (b.batchSize == null) b.batchSize = DEFAULT_BATCH_SIZE;
        if (b.steps != null && b.epochs != null) throw new IllegalArgumentException("give --steps or --epochs, not both");
        if (facts.taskName() != null && b.epochs != null) {
            throw new IllegalArgumentException("--epochs needs a fixed dataset; the " + facts.taskName()
                    + " task generates fresh batches, so give --steps");
        }
        if (b.steps == null) {
            if (facts.taskName() != null) {
                b.steps = DEFAULT_TASK_STEPS;
            } else {
                long perEpoch = (facts.trainSize() + b.batchSize - 1) / b.batchSize;
                b.steps = b.epochs != null ? perEpoch * b.epochs : defaultDatasetSteps(perEpoch);
            }
        }
        b.epochs = null;
        if (b.optimizer == null) b.optimizer = DEFAULT_OPTIMIZER;
        String opt = b.optimizer;
        for (String option : APPLIES.keySet()) {
            if (!APPLIES.get(option).contains(opt) && yielding.contains(option)) BY_NAME.get(option).setter().accept(b, null);
        }
        Map<String, Boolean> given = new LinkedHashMap<>();
        given.put("lr", b.lr != null);
        given.put("momentum", b.momentum != null);
        given.put("decay", b.decay != null);
        given.put("debias", b.debias != null && b.debias);
        given.put("beta1", b.beta1 != null);
        given.put("beta2", b.beta2 != null);
        given.put("eps", b.eps != null);
        given.put("weight-decay", b.weightDecay != null);
        given.put("clip", b.clip != null);
        given.put("schedule", b.schedule != null && !b.schedule.equals("constant"));
        given.put("warmup-steps", b.warmupSteps != null);
        given.put("decay-every", b.decayEvery != null);
        given.put("decay-factor", b.decayFactor != null);
        given.put("final-lr-fraction", b.finalFraction != null);
        given.put("damping", b.damping != null);
        given.put("cg-iterations", b.cgIterations != null);
        given.put("memory", b.memory != null);
        given.put("flow-regularizer", b.flowRegularizer != null && b.flowRegularizer > 0);
        given.put("structural-damping", b.structuralDamping != null && b.structuralDamping > 0);
        given.put("curvature-batch", b.curvatureBatch != null);
        for (Map.Entry<String, Boolean> e : given.entrySet()) {
            Set<String> to = APPLIES.get(e.getKey());
            if (e.getValue() && !to.contains(opt)) {
                List<String> names = new ArrayList<>();
                for (String n : OPTIMIZERS) if (to.contains(n)) names.add(n);
                throw new IllegalArgumentException("--" + e.getKey() + " does not apply to --optimizer " + opt + " (it applies to "
                        + String.join(", ", names) + ")");
            }
        }
        if (opt.equals("hessian-free") && b.damping != null && b.damping == 0) {
            throw new IllegalArgumentException("--damping must be > 0 for hessian-free, got 0");
        }
        if (b.flowRegularizer != null && b.flowRegularizer > 0 && kind != ModelKind.RNN) {
            throw new IllegalArgumentException("--flow-regularizer needs a model with an Elman recurrence (--model rnn), not --model " + kind);
        }
        if (b.structuralDamping != null && b.structuralDamping > 0 && kind == ModelKind.MLP) {
            throw new IllegalArgumentException("--structural-damping needs a model with hidden states (--model rnn or lstm), not --model mlp");
        }
        if (b.curvatureBatch != null && b.curvatureBatch > b.batchSize) {
            throw new IllegalArgumentException("--curvature-batch " + b.curvatureBatch + " exceeds the batch size " + b.batchSize);
        }
        boolean firstOrder = FIRST_ORDER.contains(opt);
        if (b.lr == null && DEFAULT_LEARNING_RATE.containsKey(opt)) b.lr = DEFAULT_LEARNING_RATE.get(opt);
        if (firstOrder && b.schedule == null) b.schedule = DEFAULT_SCHEDULE;
        if (b.every != null && b.diagnostics == null) throw new IllegalArgumentException("--every needs --diagnostics");
        long steps = b.steps;
        if (b.logEvery == null) b.logEvery = Math.max(1, (steps + MAX_LOGGED_STEPS - 1) / MAX_LOGGED_STEPS);
        if (b.evalEvery == null) b.evalEvery = Math.max(1, steps / DEFAULT_EVALUATIONS);
        if (b.checkpointEvery == null) b.checkpointEvery = Math.max(1, steps / DEFAULT_CHECKPOINTS);
        if (b.diagnostics != null && b.every == null) b.every = Math.max(1, steps / DEFAULT_DIAGNOSTIC_RUNS);
        return b.build();
    }

    /**
     * The default length of a run on a fixed dataset with {@code perEpoch} batches per epoch:
     * {@link #DEFAULT_EPOCHS} epochs, or at least {@link #MIN_DEFAULT_STEPS} steps (whole epochs)
     * on a small set.
     */
    public static long defaultDatasetSteps(long perEpoch) {
        long epochs = Math.max(DEFAULT_EPOCHS, (MIN_DEFAULT_STEPS + perEpoch - 1) / perEpoch);
        return perEpoch * epochs;
    }
}
