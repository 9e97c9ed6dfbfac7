package dev.descent.bench;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.Losses;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.function.Function;

/**
 * The peer suite's workloads, defined once for JMH and the side-by-side harness.
 */
public final class Workloads {
    private Workloads() {}

    /** Layer sizes of the peer's MLP: 784 → 512 → 256 → 10. */
    public static final int[] MLP_SIZES = {784, 512, 256, 10};

    /**
     * The MLP's parameters with PyTorch's nn.Linear default initialisation: weight [out, in] and
     * bias [out] both ~ U(−1/√in, 1/√in), layers in order, names {@code layers.i.weight/bias}.
     */
    public static Params mlpParams(Rng rng, DType dtype) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < MLP_SIZES.length; i++) {
            int in = MLP_SIZES[i], out = MLP_SIZES[i + 1];
            double bound = 1 / Math.sqrt(in);
            m.put("layers." + i + ".weight", rng.uniform(dtype, -bound, bound, out, in));
            m.put("layers." + i + ".bias", rng.uniform(dtype, -bound, bound, out));
        }
        return Params.of(m);
    }

    /**
     * The MLP's parameters exactly as {@code peer_torch.py}'s {@code build_mlp} draws them after
     * {@code torch.manual_seed(seed)} (pass {@code new TorchGenerator(seed)}), same names as
     * {@link #mlpParams}.
     */
    public static Params torchMlpParams(TorchGenerator torch) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < MLP_SIZES.length; i++) {
            Tensor[] wb = torch.linear(MLP_SIZES[i], MLP_SIZES[i + 1]);
            m.put("layers." + i + ".weight", wb[0]);
            m.put("layers." + i + ".bias", wb[1]);
        }
        return Params.of(m);
    }

    /** Logits of the plain MLP (Linear → ReLU → Linear → ReLU → Linear), y = x Wᵀ + b per layer. */
    public static Var mlpLogits(VarParams p, Var x) {
        Var h = x;
        int layers = MLP_SIZES.length - 1;
        for (int i = 0; i < layers; i++) {
            h = h.matmul(p.get("layers." + i + ".weight"), false, true).add(p.get("layers." + i + ".bias"));
            if (i + 1 < layers) h = h.relu();
        }
        return h;
    }

    /** Mean softmax cross-entropy of the MLP on (x, one-hot labels). */
    public static Function<VarParams, Var> mlpLoss(Tensor x, Tensor oneHot) {
        Var xv = Var.constant(x), yv = Var.constant(oneHot);
        return p -> Losses.softmaxCrossEntropy(mlpLogits(p, xv), yv);
    }

    /** A deterministic stand-in batch of 128 "images" in [0, 1) and labels, when Fashion-MNIST is absent. */
    public static Tensor[] syntheticBatch(Rng rng, DType dtype, int batch) {
        Tensor x = rng.uniform(dtype, 0, 1, batch, 784);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(10);
        return new Tensor[] {x, Tensor.oneHot(dtype, labels, 10)};
    }
}
