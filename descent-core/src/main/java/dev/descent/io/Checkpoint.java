package dev.descent.io;

import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: a model's parameters and buffers, the optimiser's state tensors and the
 * run's metadata, stored as one {@link SafeTensors} file.
 *
 * <p>Layout. Tensor names carry a prefix saying what they are: {@code param/<name>} (e.g.
 * {@code param/layers.0.weight}), {@code buffer/<name>} ({@code buffer/bn.running_mean}) and
 * {@code optim/<name>} (the optimiser's state flattened to a {@link Params} tree by its owner).
 * Stripping {@code param/} gives PyTorch-style state-dict names (see {@code dev.descent.nn.Rnn}
 * and {@code dev.descent.nn.Lstm} for their parameter mapping). The {@code __metadata__} map
 * holds {@code descent.format} = {@value #FORMAT}, {@code descent.step}, {@code descent.seed}
 * (decimal integers), {@code descent.configuration} (a JSON text) and any extra entries, whose
 * keys must not start with {@code descent.}.
 *
 * <p>Writing is atomic and reading validates the whole file before allocating tensor data (see
 * {@link SafeTensors}).
 *
 * @param parameters the model's parameters (e.g. a module's parameters)
 * @param buffers the model's buffers (e.g. a module's buffers)
 * @param optimizerState the optimiser's state tensors (empty for none)
 * @param run the run's metadata
 */
public record Checkpoint(Params parameters, Params buffers, Params optimizerState, RunInfo run) {
    /** The value of {@code descent.format} this version writes and reads. */
    public static final String FORMAT = "descent-checkpoint-1";
    /** Name prefix of parameters. */
    public static final String PARAMETER_PREFIX = "param/";
    /** Name prefix of buffers. */
    public static final String BUFFER_PREFIX = "buffer/";
    /** Name prefix of optimiser state. */
    public static final String OPTIMIZER_PREFIX = "optim/";

    private static final String KEY_FORMAT = "descent.format", KEY_STEP = "descent.step", KEY_SEED = "descent.seed",
            KEY_CONFIGURATION = "descent.configuration";

    /**
     * What a run records beside its tensors.
     *
     * @param step the number of optimisation steps taken (≥ 0)
     * @param seed the run's seed
     * @param configuration the run's configuration as a JSON text
     * @param extra further string entries (keys must not start with {@code descent.})
     */
    public record RunInfo(long step, long seed, String configuration, Map<String, String> extra) {
        /** Validates the step, the configuration's JSON and the extra keys. */
        public RunInfo {
            if (step < 0) throw new IllegalArgumentException("checkpoint: step must be >= 0, got " + step);
            if (configuration == null) throw new IllegalArgumentException("checkpoint: configuration is null (use \"{}\")");
            try {
                Json.parse(configuration);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("checkpoint: configuration is not valid JSON: " + e.getMessage());
            }
            for (Map.Entry<String, String> e : extra.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) throw new IllegalArgumentException("checkpoint: null metadata entry");
                if (e.getKey().startsWith("descent.")) {
                    throw new IllegalArgumentException("checkpoint: metadata key '" + e.getKey() + "' uses the reserved prefix descent.");
                }
            }
            extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        }

        /** A run at {@code step} with {@code seed} and configuration JSON, no extra entries. */
        public static RunInfo of(long step, long seed, String configuration) {
            return new RunInfo(step, seed, configuration, Map.of());
        }
    }

    /** Requires every component. */
    public Checkpoint {
        if (parameters == null || buffers == null || optimizerState == null || run == null) {
            throw new IllegalArgumentException("checkpoint: parameters, buffers, optimizerState and run must not be null");
        }
    }

    /** Writes this checkpoint to {@code file} atomically. */
    public void write(Path file) throws IOException {
        LinkedHashMap<String, Tensor> all = new LinkedHashMap<>();
        parameters.asMap().forEach((k, v) -> all.put(PARAMETER_PREFIX + k, v));
        buffers.asMap().forEach((k, v) -> all.put(BUFFER_PREFIX + k, v));
        optimizerState.asMap().forEach((k, v) -> all.put(OPTIMIZER_PREFIX + k, v));
        LinkedHashMap<String, String> meta = new LinkedHashMap<>();
        meta.put(KEY_FORMAT, FORMAT);
        meta.put(KEY_STEP, Long.toString(run.step()));
        meta.put(KEY_SEED, Long.toString(run.seed()));
        meta.put(KEY_CONFIGURATION, run.configuration());
        meta.putAll(run.extra());
        SafeTensors.write(file, all, meta);
    }

    /**
     * Reads a checkpoint written by {@link #write} (or by any writer following the layout above).
     *
     * @throws MalformedCheckpointException if the file is not a valid safetensors file or not a
     *     Descent checkpoint (missing or bad {@code descent.*} entries, a tensor without a known prefix)
     */
    public static Checkpoint read(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        LinkedHashMap<String, Tensor> params = new LinkedHashMap<>(), buffers = new LinkedHashMap<>(), optim = new LinkedHashMap<>();
        for (String name : c.dtypes().keySet()) {
            Tensor value;
            try {
                value = c.asTensor(name); // an integer tensor (e.g. a step counter) as float64, where exact
            } catch (ArithmeticException e) {
                throw bad(file, e.getMessage());
            }
            if (name.startsWith(PARAMETER_PREFIX)) params.put(name.substring(PARAMETER_PREFIX.length()), value);
            else if (name.startsWith(BUFFER_PREFIX)) buffers.put(name.substring(BUFFER_PREFIX.length()), value);
            else if (name.startsWith(OPTIMIZER_PREFIX)) optim.put(name.substring(OPTIMIZER_PREFIX.length()), value);
            else throw bad(file, "tensor '" + Json.abbreviate(name) + "' has none of the prefixes param/, buffer/, optim/");
        }
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        String format = meta.remove(KEY_FORMAT);
        if (!FORMAT.equals(format)) {
            throw bad(file, "metadata " + KEY_FORMAT + " is " + (format == null ? "missing" : "'" + Json.abbreviate(format) + "'")
                    + ", expected '" + FORMAT + "'");
        }
        long step = longEntry(file, meta, KEY_STEP), seed = longEntry(file, meta, KEY_SEED);
        String configuration = meta.remove(KEY_CONFIGURATION);
        if (configuration == null) throw bad(file, "metadata " + KEY_CONFIGURATION + " is missing");
        for (String k : meta.keySet()) {
            if (k.startsWith("descent.")) throw bad(file, "unknown reserved metadata key '" + Json.abbreviate(k) + "'");
        }
        RunInfo run;
        try {
            run = new RunInfo(step, seed, configuration, meta);
        } catch (IllegalArgumentException e) {
            throw bad(file, e.getMessage());
        }
        return new Checkpoint(Params.of(params), Params.of(buffers), Params.of(optim), run);
    }

    private static long longEntry(Path file, Map<String, String> meta, String key) throws MalformedCheckpointException {
        String v = meta.remove(key);
        if (v == null) throw bad(file, "metadata " + key + " is missing");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(file, "metadata " + key + " is '" + Json.abbreviate(v) + "', not a decimal integer");
        }
    }

    private static MalformedCheckpointException bad(Path file, String message) {
        return new MalformedCheckpointException(file.getFileName() + ": " + message);
    }
}
