package dev.descent.interop;

import dev.descent.io.SafeTensors;
import dev.descent.io.SafeTensors.Dtype;
import dev.descent.io.SafeTensors.IntegerTensor;
import dev.descent.nn.Activation;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Lstm;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Sequential;
import dev.descent.nn.WeightNorm;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PyTorch state dicts of Descent models, both ways: {@link #export} gives the tensors PyTorch's
 * {@code model.load_state_dict} expects from the twin of a Descent model, {@link #load} puts a
 * PyTorch model's state dict into a Descent model. Files are safetensors files
 * ({@link SafeTensors}; from PyTorch, {@code safetensors.torch.save_file(model.state_dict(), f)}
 * writes one).
 *
 * <p>Names are module paths joined by dots, as both libraries make them; per layer:
 * <table>
 *   <caption>Descent layer → PyTorch twin</caption>
 *   <tr><th>Descent</th><th>PyTorch</th><th>tensors (PyTorch names)</th></tr>
 *   <tr><td>{@link Linear}</td><td>{@code nn.Linear}</td><td>{@code weight} [out, in], {@code bias} [out]</td></tr>
 *   <tr><td>{@link Rnn} (activation form, tanh or relu)</td><td>{@code nn.RNN(in, H, nonlinearity)}</td>
 *       <td>{@code weight_ih_l0} = U, {@code weight_hh_l0} = W, {@code bias_ih_l0} = b,
 *       {@code bias_hh_l0} = 0; loading sets b = bias_ih_l0 + bias_hh_l0</td></tr>
 *   <tr><td>{@link Lstm}</td><td>{@code nn.LSTM(in, H)}</td><td>{@code weight_ih_l0},
 *       {@code weight_hh_l0}, {@code bias_ih_l0} = bias, {@code bias_hh_l0} = 0; loading sums the biases</td></tr>
 *   <tr><td>{@link BatchNorm}</td><td>{@code nn.BatchNorm1d(F, eps, momentum, affine)}</td>
 *       <td>{@code weight}, {@code bias}, {@code running_mean}, {@code running_var},
 *       {@code num_batches_tracked} (int64 scalar, {@link BatchNorm#batchesTracked()})</td></tr>
 *   <tr><td>{@link WeightNorm} of a layer's weight {@code w}</td><td>{@code nn.utils.weight_norm(layer, name)}</td>
 *       <td>{@code <w>_g} with the weight's rank ([out, 1] for a Linear; Descent's g is [out])
 *       and {@code <w>_v}, where {@code <w>} is the twin's name of the weight</td></tr>
 *   <tr><td>{@link Sequential}, activation layers</td><td>{@code nn.Sequential}, {@code nn.Tanh}…</td>
 *       <td>none of their own; a Sequential's layers are {@code layers.i}</td></tr>
 * </table>
 * A Descent {@link Sequential} names its layers {@code layers.0}, {@code layers.1}, … (the names of
 * a PyTorch module holding an {@code nn.Sequential} in an attribute {@code layers}). With
 * {@code plainSequential}, the root Sequential's {@code layers.} prefix is dropped, giving the
 * names of a bare {@code nn.Sequential} ({@code 0.weight}); {@link #load} accepts either.
 *
 * <p>Refused, with the tensors named: a model holding a layer without a PyTorch twin
 * ({@code MeanOnlyBatchNorm}, an {@link Rnn} in pre-activation form or with another σ), and, on
 * loading, missing or unexpected names (PyTorch's {@code strict=True}), wrong shapes, a
 * non-integer or negative {@code num_batches_tracked}. Loaded values are converted to the
 * model's dtype, as PyTorch's {@code load_state_dict} copies into existing tensors (float64 to
 * float32 rounds; float16/bfloat16 and float32 into float64 are exact).
 */
public final class TorchStateDict {
    private TorchStateDict() {}

    /** How a PyTorch tensor relates to the Descent model. */
    private enum Kind {
        /** The same values and shape. */
        SAME,
        /** Weight norm's g: [out] in Descent, [out, 1, …] in PyTorch. */
        G,
        /** The input-side bias of an RNN/LSTM: b on export; b = this + the hidden-side bias on loading. */
        BIAS_IH,
        /** The hidden-side bias: zeros on export, added to b on loading. */
        BIAS_HH,
        /** BatchNorm's num_batches_tracked: an int64 scalar. */
        COUNTER
    }

    /** One PyTorch tensor: its name, what it is in the model, and its PyTorch shape. */
    private record Item(String torchName, Kind kind, String descentName, boolean buffer, int[] torchShape, BatchNorm counterOf) {}

    // ------------------------------------------------------------------ export

    /** The PyTorch state dict of {@code model}, with Descent's module paths as names. */
    public static SafeTensors.Contents export(Module model) {
        return export(model, false);
    }

    /**
     * The PyTorch state dict of {@code model}.
     *
     * @param plainSequential drop the root {@link Sequential}'s {@code layers.} prefix (names of a bare {@code nn.Sequential})
     * @throws IllegalArgumentException if a layer has no PyTorch twin
     */
    public static SafeTensors.Contents export(Module model, boolean plainSequential) {
        List<Item> items = plan(model, plainSequential);
        Map<String, Tensor> params = model.parameters().asMap(), buffers = model.buffers().asMap();
        LinkedHashMap<String, Tensor> floats = new LinkedHashMap<>();
        LinkedHashMap<String, IntegerTensor> ints = new LinkedHashMap<>();
        for (Item it : items) {
            Tensor t = it.kind() == Kind.COUNTER ? null : (it.buffer() ? buffers : params).get(it.descentName());
            switch (it.kind()) {
                case SAME, BIAS_IH -> floats.put(it.torchName(), t);
                case G -> floats.put(it.torchName(), t.reshape(it.torchShape()));
                case BIAS_HH -> floats.put(it.torchName(), Tensor.zeros(t.dtype(), t.dims()));
                case COUNTER -> ints.put(it.torchName(), IntegerTensor.of(Dtype.I64, new long[] {it.counterOf().batchesTracked()}));
            }
        }
        return new SafeTensors.Contents(floats, ints, Map.of(), Map.of());
    }

    /** Writes {@link #export(Module, boolean)} of {@code model} to {@code file} atomically, with {@code metadata}. */
    public static void write(Module model, boolean plainSequential, Path file, Map<String, String> metadata) throws IOException {
        SafeTensors.Contents c = export(model, plainSequential);
        SafeTensors.write(file, new SafeTensors.Contents(c.tensors(), c.integers(), c.dtypes(), metadata));
    }

    // ------------------------------------------------------------------ loading

    /**
     * Reads the safetensors file {@code file} and {@link #load(Module, SafeTensors.Contents) loads} it.
     *
     * @throws IllegalArgumentException naming the file and the bad names, shapes or values
     */
    public static void load(Module model, Path file) throws IOException {
        try {
            load(model, SafeTensors.read(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces every parameter and buffer of {@code model} (and the BatchNorm counters) with the
     * PyTorch state dict {@code stateDict}. Names must match exactly, with or without the root
     * Sequential's {@code layers.} prefix. Nothing changes when anything is refused.
     *
     * @throws IllegalArgumentException for missing or unexpected names, wrong shapes, or a bad counter
     */
    public static void load(Module model, SafeTensors.Contents stateDict) {
        Set<String> given = new LinkedHashSet<>(stateDict.dtypes().keySet());
        List<Item> items = plan(model, false);
        if (model instanceof Sequential && !names(items).equals(given)) {
            List<Item> plain = plan(model, true);
            if (names(plain).equals(given)) items = plain;
        }
        Set<String> expected = names(items);
        if (!expected.equals(given)) {
            Set<String> missing = new LinkedHashSet<>(expected), unexpected = new LinkedHashSet<>(given);
            missing.removeAll(given);
            unexpected.removeAll(expected);
            throw new IllegalArgumentException("the state dict does not fit the model: missing " + missing + ", unexpected " + unexpected);
        }
        Map<String, Tensor> params = new LinkedHashMap<>(model.parameters().asMap()), buffers = new LinkedHashMap<>(model.buffers().asMap());
        LinkedHashMap<String, Tensor> newParams = new LinkedHashMap<>(), newBuffers = new LinkedHashMap<>();
        Map<BatchNorm, Long> counters = new LinkedHashMap<>();
        for (Item it : items) {
            if (it.kind() == Kind.COUNTER) {
                IntegerTensor c = stateDict.integers().get(it.torchName());
                if (c == null || c.values().length != 1) {
                    throw new IllegalArgumentException("'" + it.torchName() + "' must be an integer scalar, got "
                            + (c == null ? stateDict.dtypes().get(it.torchName()) + " " + Arrays.toString(stateDict.tensors().get(it.torchName()).dims()) : c));
                }
                long v = c.values()[0];
                if (v < 0) throw new IllegalArgumentException("'" + it.torchName() + "' is " + v + ", must be >= 0");
                counters.put(it.counterOf(), v);
                continue;
            }
            Tensor t = stateDict.tensors().get(it.torchName());
            if (t == null) {
                throw new IllegalArgumentException("'" + it.torchName() + "' must be a floating-point tensor, got " + stateDict.dtypes().get(it.torchName()));
            }
            if (!Arrays.equals(t.dims(), it.torchShape())) {
                throw new IllegalArgumentException("'" + it.torchName() + "' has shape " + Arrays.toString(t.dims()) + ", the model needs "
                        + Arrays.toString(it.torchShape()));
            }
            Map<String, Tensor> current = it.buffer() ? buffers : params, target = it.buffer() ? newBuffers : newParams;
            DType dtype = current.get(it.descentName()).dtype();
            Tensor value = t.to(dtype);
            switch (it.kind()) {
                case SAME -> target.put(it.descentName(), value);
                case G -> target.put(it.descentName(), value.reshape(current.get(it.descentName()).dims()));
                case BIAS_IH, BIAS_HH -> target.merge(it.descentName(), value, Tensor::add);
                default -> throw new IllegalStateException(it.kind().name());
            }
        }
        model.setParameters(Params.of(newParams));
        model.setBuffers(Params.of(newBuffers));
        counters.forEach(BatchNorm::setBatchesTracked);
    }

    private static Set<String> names(List<Item> items) {
        Set<String> s = new LinkedHashSet<>();
        for (Item it : items) s.add(it.torchName());
        return s;
    }

    // ------------------------------------------------------------------ the mapping

    /** Every PyTorch tensor of {@code model}'s twin; refuses a model with tensors no twin holds. */
    private static List<Item> plan(Module model, boolean plainSequential) {
        Map<String, Tensor> params = model.parameters().asMap(), buffers = model.buffers().asMap();
        List<Item> items = new ArrayList<>();
        Set<String> covered = new LinkedHashSet<>();
        String strip = plainSequential && model instanceof Sequential ? "layers." : null;
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            String path = e.getKey();
            Module m = e.getValue();
            String torchPath = strip != null && path.startsWith(strip) ? path.substring(strip.length()) : path;
            Planner p = new Planner(path, torchPath, params, buffers, items, covered);
            Module leaf = m;
            String wrapped = null;
            if (m instanceof WeightNorm<?> wn) {
                leaf = wn.inner();
                wrapped = wn.weightName();
                String twin = twinWeightName(leaf, wrapped);
                Tensor v = params.get(qualify(path, wrapped + "_v"));
                int[] gShape = new int[v.rank()];
                Arrays.fill(gShape, 1);
                gShape[0] = v.dim(0);
                p.add(twin + "_g", Kind.G, wrapped + "_g", false, gShape);
                p.add(twin + "_v", Kind.SAME, wrapped + "_v", false, v.dims());
            }
            if (leaf instanceof Linear lin) {
                if (!"weight".equals(wrapped)) p.same("weight", "weight");
                if (lin.hasBias()) p.same("bias", "bias");
            } else if (leaf instanceof Rnn rnn) {
                Rnn.Config c = rnn.config();
                if (c.form() != Rnn.Form.ACTIVATION || (c.activation() != Activation.TANH && c.activation() != Activation.RELU)) {
                    throw new IllegalArgumentException("'" + (path.isEmpty() ? "(root)" : path) + "': an Rnn in " + c.form()
                            + " form with " + c.activation() + " has no PyTorch twin (nn.RNN is the activation form with tanh or relu)");
                }
                if (!"U".equals(wrapped)) p.same("weight_ih_l0", "U");
                if (!"W".equals(wrapped)) p.same("weight_hh_l0", "W");
                p.add("bias_ih_l0", Kind.BIAS_IH, "b", false, params.get(qualify(path, "b")).dims());
                p.add("bias_hh_l0", Kind.BIAS_HH, "b", false, params.get(qualify(path, "b")).dims());
            } else if (leaf instanceof Lstm) {
                if (!"weight_ih".equals(wrapped)) p.same("weight_ih_l0", "weight_ih");
                if (!"weight_hh".equals(wrapped)) p.same("weight_hh_l0", "weight_hh");
                p.add("bias_ih_l0", Kind.BIAS_IH, "bias", false, params.get(qualify(path, "bias")).dims());
                p.add("bias_hh_l0", Kind.BIAS_HH, "bias", false, params.get(qualify(path, "bias")).dims());
            } else if (leaf instanceof BatchNorm bn) {
                if (bn.affine()) {
                    p.same("weight", "weight");
                    p.same("bias", "bias");
                }
                p.add("running_mean", Kind.SAME, "running_mean", true, buffers.get(qualify(path, "running_mean")).dims());
                p.add("running_var", Kind.SAME, "running_var", true, buffers.get(qualify(path, "running_var")).dims());
                items.add(new Item(qualify(torchPath, "num_batches_tracked"), Kind.COUNTER, null, true, new int[0], bn));
            }
        }
        Set<String> left = new LinkedHashSet<>(params.keySet());
        left.addAll(buffers.keySet());
        left.removeAll(covered);
        if (!left.isEmpty()) {
            String first = left.iterator().next();
            throw new IllegalArgumentException("no PyTorch twin for " + left + " (held by " + owner(model, first).getClass().getSimpleName() + ")");
        }
        return items;
    }

    /** The twin's name of a layer's weight that weight norm wraps. */
    private static String twinWeightName(Module layer, String weight) {
        if (layer instanceof Rnn) return weight.equals("W") ? "weight_hh_l0" : weight.equals("U") ? "weight_ih_l0" : weight;
        if (layer instanceof Lstm) return weight + "_l0";
        return weight;
    }

    /** The module with the longest path that prefixes {@code name}. */
    private static Module owner(Module model, String name) {
        Module best = model;
        int bestLength = -1;
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            String p = e.getKey();
            if ((p.isEmpty() || name.startsWith(p + ".")) && p.length() > bestLength) {
                best = e.getValue();
                bestLength = p.length();
            }
        }
        return best instanceof WeightNorm<?> wn ? wn.inner() : best;
    }

    private static String qualify(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /** Adds the items of one module. */
    private record Planner(String path, String torchPath, Map<String, Tensor> params, Map<String, Tensor> buffers, List<Item> items,
                           Set<String> covered) {
        void same(String torchName, String descentName) {
            add(torchName, Kind.SAME, descentName, false, params.get(qualify(path, descentName)).dims());
        }

        void add(String torchName, Kind kind, String descentName, boolean buffer, int[] torchShape) {
            String full = qualify(path, descentName);
            if (!(buffer ? buffers : params).containsKey(full)) throw new IllegalStateException("no tensor '" + full + "'");
            items.add(new Item(qualify(torchPath, torchName), kind, full, buffer, torchShape, null));
            covered.add(full);
        }
    }
}
