package dev.descent.train;

import dev.descent.data.Cursor;
import dev.descent.io.Checkpoint;
import dev.descent.nn.Module;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link TrainingState}s as {@link Checkpoint} files, and back.
 *
 * <p>A checkpoint holds the model's parameters and buffers, the optimiser's state as tensors
 * (see {@link OptimizerStateCodec}), and as metadata the step, the run's seed, its configuration
 * (a JSON text, whatever the caller needs to rebuild model, data and optimiser) and the batch
 * stream's {@link Cursor} under {@value #CURSOR_EPOCH} and {@value #CURSOR_POSITION}. The cursor is
 * the whole random state of a run (see {@link TrainingState}); {@value #RANDOM_STATE} says so in
 * the file for readers. Writes are atomic ({@link Checkpoint#write}).
 */
public final class TrainingCheckpoints {
    private TrainingCheckpoints() {}

    /** Metadata key of the cursor's epoch. */
    public static final String CURSOR_EPOCH = "train.cursor.epoch";
    /** Metadata key of the cursor's position within the epoch. */
    public static final String CURSOR_POSITION = "train.cursor.position";
    /** Metadata key describing where the run's random state lives. */
    public static final String RANDOM_STATE = "train.random-state";
    private static final String RANDOM_STATE_TEXT = "the batch cursor (train.cursor.*); diagnostics derive their draws from seed and step";

    /**
     * The checkpoint of {@code model} at {@code state}: the state's parameters (with any frozen
     * parameters of the model), its buffers, the optimiser state, the step and cursor, with
     * {@code seed} and {@code configuration} (JSON) recorded.
     */
    public static Checkpoint of(Module model, TrainingState state, long seed, String configuration) {
        LinkedHashMap<String, Tensor> all = new LinkedHashMap<>(model.parameters().asMap());
        all.putAll(state.parameters().asMap());
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put(CURSOR_EPOCH, Long.toString(state.cursor().epoch()));
        extra.put(CURSOR_POSITION, Long.toString(state.cursor().position()));
        extra.put(RANDOM_STATE, RANDOM_STATE_TEXT);
        return new Checkpoint(Params.of(all), state.buffers(), OptimizerStateCodec.encode(state.optimizerState()),
                new Checkpoint.RunInfo(state.step(), seed, configuration, extra));
    }

    /** Writes {@link #of} to {@code file}, atomically. */
    public static void write(Path file, Module model, TrainingState state, long seed, String configuration) throws IOException {
        of(model, state, seed, configuration).write(file);
    }

    /**
     * Loads {@code checkpoint} into {@code model} and rebuilds the state to resume from with
     * {@code optimizer}.
     *
     * @param source names the checkpoint in error messages (e.g. its path)
     * @throws IllegalArgumentException if the checkpoint does not fit the model (naming the first
     *     mismatching parameter or buffer and both shapes), does not fit the optimiser (naming the
     *     entry), or lacks the cursor
     */
    public static TrainingState restore(Checkpoint checkpoint, String source, Module model, TrainingOptimizer optimizer) {
        checkFits(source, "parameter", checkpoint.parameters(), model.parameters());
        checkFits(source, "buffer", checkpoint.buffers(), model.buffers());
        Cursor cursor = new Cursor(longEntry(source, checkpoint, CURSOR_EPOCH), longEntry(source, checkpoint, CURSOR_POSITION));
        model.setParameters(checkpoint.parameters());
        model.setBuffers(checkpoint.buffers());
        Params trainable = model.trainable();
        Object state;
        try {
            state = OptimizerStateCodec.decode(optimizer.init(trainable), checkpoint.optimizerState(), trainable);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + " does not fit the " + optimizer.name() + " optimiser: " + e.getMessage(), e);
        }
        return new TrainingState(checkpoint.run().step(), trainable, model.buffers(), state, cursor);
    }

    private static void checkFits(String source, String kind, Params stored, Params model) {
        for (Map.Entry<String, Tensor> e : model.asMap().entrySet()) {
            if (!stored.contains(e.getKey())) {
                throw new IllegalArgumentException(source + " does not fit the model: it has no " + kind + " '" + e.getKey() + "' (model "
                        + e.getValue().dtype() + e.getValue().shape() + ")");
            }
            Tensor s = stored.get(e.getKey()), m = e.getValue();
            if (!s.shape().equals(m.shape()) || s.dtype() != m.dtype()) {
                throw new IllegalArgumentException(source + " does not fit the model: " + kind + " '" + e.getKey() + "' is " + s.dtype()
                        + s.shape() + " in the checkpoint but " + m.dtype() + m.shape() + " in the model");
            }
        }
        for (String name : stored.names()) {
            if (!model.contains(name)) {
                throw new IllegalArgumentException(source + " does not fit the model: the checkpoint's " + kind + " '" + name + "' ("
                        + stored.get(name).dtype() + stored.get(name).shape() + ") is not in the model");
            }
        }
    }

    private static long longEntry(String source, Checkpoint c, String key) {
        String v = c.run().extra().get(key);
        if (v == null) throw new IllegalArgumentException(source + ": not a training checkpoint (metadata " + key + " is missing)");
        try {
            long x = Long.parseLong(v);
            if (x < 0) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": metadata " + key + " is '" + v + "', not a count");
        }
    }
}
