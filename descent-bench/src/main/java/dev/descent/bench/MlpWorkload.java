package dev.descent.bench;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.data.FashionMnist;
import dev.descent.data.IdxReader;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.Relu;
import dev.descent.nn.Sequential;
import dev.descent.nn.WeightNorm;
import dev.descent.optim.ChainState;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Step;
import dev.descent.optim.Updates;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The peer suite's {@code mlp} workload: Fashion-MNIST, 784 → 512 → ReLU → 256 → ReLU → 10,
 * softmax cross-entropy, Adam (η = 10⁻³, β = (0.9, 0.999), ε = 10⁻⁸), batch 128 reshuffled every
 * epoch with the last batch of 96 kept, float32. The three variants of {@code --norm}:
 * <ul>
 *   <li>{@link Norm#NONE}: the plain network;</li>
 *   <li>{@link Norm#WEIGHT}: every Linear weight-normalised per output row (g = ‖v‖ at the start,
 *       so the initial function is the plain one), biases kept;</li>
 *   <li>{@link Norm#BATCH}: BatchNorm (ε = 10⁻⁵, momentum 0.1, affine) after each hidden Linear,
 *       before its ReLU; evaluation uses the running statistics.</li>
 * </ul>
 *
 * <p>Identical to {@code peer_torch.py}, not just alike: the three Linear layers take PyTorch's
 * {@code nn.Linear} initialisation drawn from {@link TorchGenerator} seeded like
 * {@code torch.manual_seed(seed)}, and each epoch's order is {@code torch.randperm(60000)} of a
 * generator seeded once with the seed, so both libraries start from the same weights and see the
 * same batches in the same order; losses then differ only by floating-point rounding.
 *
 * <p>The images stay unsigned bytes (47 MB rather than 188 MB as float32); each batch is gathered
 * and converted to float32 byte/255 (the peer's {@code uint8 / 255}, bit for bit) inside the
 * timed epoch, where the peer does its {@code index_select}.
 */
public final class MlpWorkload {
    /** The peer's {@code --norm} variants. */
    public enum Norm {
        /** No normalisation. */
        NONE("none"),
        /** Weight normalisation of every Linear. */
        WEIGHT("weight"),
        /** Batch normalisation after each hidden Linear. */
        BATCH("batch");

        private final String label;

        Norm(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }

        /** The variant called {@code s} (none, weight or batch). */
        public static Norm parse(String s) {
            for (Norm n : values()) if (n.label.equals(s)) return n;
            throw new IllegalArgumentException("unknown norm '" + s + "'; expected none, weight or batch");
        }
    }

    /** Layer sizes: 784 → 512 → 256 → 10. */
    public static final int[] SIZES = {784, 512, 256, 10};
    /** Minibatch size. */
    public static final int BATCH = 128;
    /** Adam's learning rate. */
    public static final double LEARNING_RATE = 1e-3;
    /** Rows per evaluation chunk (as the peer's {@code evaluate_mlp}). */
    static final int EVAL_CHUNK = 1000;

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(FLOATS.length() * 8));

    /** b/255 in float32 for every byte value b: the same correctly rounded quotients as numpy's {@code uint8 / 255}, by table. */
    private static final float[] SCALED = new float[256];

    static {
        for (int b = 0; b < 256; b++) SCALED[b] = b / 255f;
    }

    /** Images as unsigned bytes, row-major [count, 784], with their labels. */
    public record ByteImages(byte[] pixels, int[] labels, int features) {
        /** Validates the sizes. */
        public ByteImages {
            if (features <= 0 || pixels.length != (long) labels.length * features) {
                throw new IllegalArgumentException("ByteImages: " + pixels.length + " pixels for " + labels.length
                        + " labels of " + features + " features");
            }
        }

        /** Number of images. */
        public int count() {
            return labels.length;
        }

        /** Rows {@code order[from..to)} as float32 [to − from, features] with values byte/255. */
        public Tensor gather(int[] order, int from, int to) {
            int n = to - from, f = features;
            float[] x = new float[n * f];
            int l = BYTES.length(), upper = f - f % l;
            FloatVector divisor = FloatVector.broadcast(FLOATS, 255f);
            for (int r = 0; r < n; r++) {
                int src = order == null ? from + r : order[from + r];
                int s = src * f, d = r * f, j = 0;
                // 16 bytes at a time: widened to ints, made unsigned, converted, and divided by
                // 255 (a correctly rounded division, so exactly the quotients of the table below).
                for (; j < upper; j += l) {
                    IntVector v = (IntVector) ByteVector.fromArray(BYTES, pixels, s + j).convertShape(VectorOperators.B2I, INTS, 0);
                    ((FloatVector) v.and(0xFF).convertShape(VectorOperators.I2F, FLOATS, 0)).div(divisor).intoArray(x, d + j);
                }
                for (; j < f; j++) x[d + j] = SCALED[pixels[s + j] & 0xFF];
            }
            return Tensor.wrap(x, n, f);
        }

        /** Labels of rows {@code order[from..to)}. */
        public int[] labels(int[] order, int from, int to) {
            int[] y = new int[to - from];
            for (int r = 0; r < y.length; r++) y[r] = labels[order == null ? from + r : order[from + r]];
            return y;
        }

        /** The first {@code n} images. */
        public ByteImages head(int n) {
            return new ByteImages(java.util.Arrays.copyOf(pixels, n * features), java.util.Arrays.copyOf(labels, n), features);
        }
    }

    /** Fashion-MNIST's training and test sets as bytes. */
    public record Data(ByteImages train, ByteImages test) {}

    /** Reads Fashion-MNIST from {@code dir} (Debian's {@code dataset-fashion-mnist} layout) without converting it. */
    public static Data load(Path dir) throws IOException {
        return new Data(read(dir, "train"), read(dir, "t10k"));
    }

    private static ByteImages read(Path dir, String prefix) throws IOException {
        IdxReader.IdxArray images = IdxReader.readImages(locate(dir, prefix + "-images-idx3-ubyte"));
        int[] labels = IdxReader.readLabels(locate(dir, prefix + "-labels-idx1-ubyte"));
        int[] d = images.dims();
        return new ByteImages(images.data(), labels, d[1] * d[2]);
    }

    private static Path locate(Path dir, String base) throws IOException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path raw = dir.resolve(base);
        if (Files.isRegularFile(raw)) return raw;
        throw new java.nio.file.NoSuchFileException(gz.toString(), null,
                "Fashion-MNIST not found (apt-get install dataset-fashion-mnist, or pass --data-dir)");
    }

    /** The default data directory, where Debian installs Fashion-MNIST. */
    public static Path defaultDirectory() {
        return FashionMnist.DEFAULT_DIRECTORY;
    }

    /**
     * The network of {@code norm} with PyTorch's initialisation of its three Linear layers drawn
     * from {@code torch}, in order (all three variants start from the same Linear weights).
     */
    public static Sequential model(Norm norm, TorchGenerator torch) {
        List<Module> layers = new ArrayList<>();
        Rng unused = new Rng(0);
        for (int i = 0; i + 1 < SIZES.length; i++) {
            Linear lin = new Linear(SIZES[i], SIZES[i + 1], unused, DType.F32);
            Tensor[] wb = torch.linear(SIZES[i], SIZES[i + 1]);
            lin.setParameters(Params.of("weight", wb[0], "bias", wb[1]));
            layers.add(norm == Norm.WEIGHT ? WeightNorm.wrap(lin) : lin);
            if (i + 2 < SIZES.length) {
                if (norm == Norm.BATCH) layers.add(new BatchNorm(SIZES[i + 1], DType.F32));
                layers.add(new Relu());
            }
        }
        return new Sequential(layers.toArray(new Module[0]));
    }

    /** What a finished run measured. */
    public record Result(double[] epochTimesS, double[] trainLoss, double testAccuracy, double testLoss, int steps,
                         long parameters, JitWarmup.Result warmup) {}

    private final Norm norm;
    private final Data data;
    private final long seed;

    /** The workload of {@code norm} on {@code data}, seeded like the peer's {@code --seed}. */
    public MlpWorkload(Norm norm, Data data, long seed) {
        this.norm = norm;
        this.data = data;
        this.seed = seed;
    }

    /** One training run's state: model (with its buffers), parameters and optimiser state. */
    static final class Run {
        final Sequential model;
        final GradientTransformation<ChainState> optimizer = Optimizers.adam(LEARNING_RATE);
        Params params;
        ChainState state;

        Run(Sequential model) {
            this.model = model;
            // Copies: the in-place optimiser step then owns them, and the module keeps its initial values.
            this.params = model.parameters().map(Tensor::copy);
            this.state = optimizer.init(params);
        }

        /** One Adam step on (x, labels); returns the batch's mean loss. */
        double step(Tensor x, int[] labels) {
            Var xv = Var.constant(x);
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(
                    vp -> Losses.softmaxCrossEntropy(model.applyUpdatingBuffers(vp, xv), labels), params);
            Step<ChainState> s = Updates.stepInPlace(optimizer, vg.grad(), state, params);
            params = s.params();
            state = s.state();
            return vg.value().item();
        }
    }

    /**
     * Warms the JIT up on a throwaway copy of the network (its own initialisation and order, so
     * the measured run is untouched) for at least {@code warmupSeconds} and until compilation
     * settles ({@link JitWarmup}), then trains {@code epochs} timed epochs and evaluates on the
     * test set in evaluation mode.
     *
     * @param progress receives one line per epoch (may be null)
     */
    public Result run(int epochs, double warmupSeconds, java.io.PrintStream progress) {
        if (epochs < 1) throw new IllegalArgumentException("mlp: epochs must be >= 1, got " + epochs);
        if (!(warmupSeconds >= 0)) throw new IllegalArgumentException("mlp: warm-up seconds must be >= 0, got " + warmupSeconds);
        ByteImages train = data.train();
        int n = train.count();
        JitWarmup.Result jit = warmUp(warmupSeconds);

        Run run = new Run(model(norm, new TorchGenerator(seed)));
        TorchGenerator shuffle = new TorchGenerator(seed);
        double[] times = new double[epochs], losses = new double[epochs];
        int steps = 0;
        for (int e = 0; e < epochs; e++) {
            long start = System.nanoTime();
            int[] perm = shuffle.randperm(n);
            double lossSum = 0;
            for (int i = 0; i < n; i += BATCH) {
                int end = Math.min(n, i + BATCH);
                lossSum += run.step(train.gather(perm, i, end), train.labels(perm, i, end)) * (end - i);
                steps++;
            }
            times[e] = (System.nanoTime() - start) * 1e-9;
            losses[e] = lossSum / n;
            if (progress != null) {
                progress.println(String.format(Locale.ROOT, "descent mlp norm=%s epoch %d: %.3fs train_loss=%.4f",
                        norm, e + 1, times[e], losses[e]));
            }
        }
        double[] test = evaluate(run.model, run.params, data.test());
        return new Result(times, losses, test[0], test[1], steps, run.params.elementCount(), jit);
    }

    /** JIT warm-up on a throwaway network and order, in its own frame so that all of it is garbage afterwards. */
    private JitWarmup.Result warmUp(double seconds) {
        ByteImages train = data.train();
        int n = train.count();
        Run warm = new Run(model(norm, new TorchGenerator(seed + 7919)));
        int[] order = new TorchGenerator(seed + 7920).randperm(n);
        int[] next = {0};
        return JitWarmup.run(() -> {
            int i = next[0], end = Math.min(n, i + BATCH);
            warm.step(train.gather(order, i, end), train.labels(order, i, end));
            next[0] = end % n;
        }, seconds);
    }

    /** {accuracy, mean cross-entropy} of the model on {@code set}, in evaluation mode, in chunks of 1000. */
    static double[] evaluate(Module model, Params params, ByteImages set) {
        model.eval();
        long correct = 0;
        double lossSum = 0;
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            VarParams vp = VarParams.constants(params);
            for (int i = 0; i < set.count(); i += EVAL_CHUNK) {
                int end = Math.min(set.count(), i + EVAL_CHUNK);
                int[] labels = set.labels(null, i, end);
                Var logits = model.apply(vp, Var.constant(set.gather(null, i, end)));
                lossSum += Losses.softmaxCrossEntropy(logits, labels).value().item() * (end - i);
                correct += Math.round(Losses.accuracy(logits.value(), labels) * (end - i));
            }
        } finally {
            model.train();
        }
        return new double[] {(double) correct / set.count(), lossSum / set.count()};
    }
}
