package dev.descent.cli;

import java.util.List;
import java.util.Locale;

/**
 * A model's memory, estimated from the resolved options before anything is allocated, so that a
 * run that cannot fit fails at once with what to change rather than with an
 * {@link OutOfMemoryError} minutes later.
 *
 * <p>The estimate counts P parameters (from the layer sizes: an affine layer a → b has (a + 1)·b,
 * an RNN layer h·(in + h + 1), an LSTM layer 4h·(in + h + 2)) eight times: the parameters, the
 * gradient, two optimiser moments, and the new parameters, gradient and moments that coexist with
 * the old ones during a step. To that it adds the batch's activations: B × T × (every layer's
 * width) values, four times (forward values and their gradients, with temporaries). It is an
 * order-of-magnitude guard, not a measurement: it refuses only runs estimated above the JVM's
 * whole heap limit.
 */
final class MemoryEstimate {
    private MemoryEstimate() {}

    /** The largest safe Java array: no single tensor may hold more values. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * The estimate in bytes.
     *
     * @param kind "mlp", "rnn" or "lstm"
     * @param inputs features per sample (per step for sequences)
     * @param hidden the hidden sizes
     * @param outputs the output width (classes or regression targets)
     * @param steps time steps per sample (1 for an MLP)
     * @param batch the batch size
     * @param bytesPerValue 4 for float32, 8 for float64
     * @throws CommandFailure if one tensor would exceed the largest Java array
     */
    static long bytes(String kind, int inputs, List<Integer> hidden, int outputs, int steps, int batch, int bytesPerValue) {
        long params = 0, width = inputs + (long) outputs, largest = 0;
        long in = inputs;
        for (int h : hidden) {
            long layer = switch (kind) {
                case "rnn" -> h * (in + h + 1);
                case "lstm" -> 4L * h * (in + h + 2);
                default -> (in + 1) * h;
            };
            largest = Math.max(largest, kind.equals("lstm") ? 4L * h * Math.max(in, h) : h * Math.max(in, kind.equals("rnn") ? h : 1));
            params += layer;
            width += kind.equals("lstm") ? 6L * h : h;
            in = h;
        }
        params += (in + 1) * outputs;
        largest = Math.max(largest, in * outputs);
        if (largest > MAX_ARRAY) {
            throw new CommandFailure(String.format(Locale.ROOT, "one weight matrix of this model would hold %,d values, more than a Java array can"
                    + " (%,d); reduce --hidden%s", largest, MAX_ARRAY, outputs > 1000 ? " or the number of classes (" + outputs + ")" : ""));
        }
        long batchValues = (long) batch * steps * Math.max(1, inputs);
        if (batchValues > MAX_ARRAY) {
            throw new CommandFailure(String.format(Locale.ROOT, "--batch-size %d: a batch of %,d values is more than a Java array holds (%,d);"
                    + " use a smaller --batch-size", batch, batchValues, MAX_ARRAY));
        }
        double activations = 4.0 * batch * steps * width;
        return (long) Math.min(Long.MAX_VALUE, (8.0 * params + activations) * bytesPerValue);
    }

    /**
     * @throws CommandFailure if the estimate exceeds {@code maxHeap}, saying the estimate, the
     *     parameter count and what to change
     */
    static void check(String kind, int inputs, List<Integer> hidden, int outputs, int steps, int batch, int bytesPerValue, long maxHeap) {
        long need = bytes(kind, inputs, hidden, outputs, steps, batch, bytesPerValue);
        if (need <= maxHeap) return;
        throw new CommandFailure(String.format(Locale.ROOT, "this run needs about %s (a %s %d -> %s -> %d at batch %d) but the JVM may use %s;"
                + " reduce --hidden or --batch-size%s, or raise the limit (DESCENT_JAVA_OPTS=-Xmx...)", gib(need), kind, inputs, hidden, outputs,
                batch, gib(maxHeap), outputs > 1000 ? ", check the label column (" + outputs + " classes)" : ""));
    }

    static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.0f MB", bytes / (double) (1L << 20));
    }
}
