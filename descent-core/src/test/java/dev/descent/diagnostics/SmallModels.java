package dev.descent.diagnostics;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;

/** Small models built directly from Var operations, shared by the diagnostics tests. */
final class SmallModels {
    private SmallModels() {}

    /** A tanh MLP in→hidden→out with squared error on a fixed random batch: its parameters and loss. */
    record Problem(Params params, Function<VarParams, Var> loss) {}

    static Problem mlp(long seed, int batch, int in, int hidden, int out, DType dtype) {
        Rng rng = new Rng(seed);
        Tensor x = rng.normal(dtype, 0, 1, batch, in), y = rng.normal(dtype, 0, 1, batch, out);
        Params p = Params.of("layer1.weight", rng.normal(dtype, 0, 1 / Math.sqrt(in), hidden, in),
                "layer1.bias", rng.normal(dtype, 0, 0.1, hidden),
                "layer2.weight", rng.normal(dtype, 0, 1 / Math.sqrt(hidden), out, hidden),
                "layer2.bias", rng.normal(dtype, 0, 0.1, out));
        Function<VarParams, Var> loss = vp -> {
            Var h = Var.constant(x).matmul(vp.get("layer1.weight"), false, true).add(vp.get("layer1.bias")).tanh();
            Var z = h.matmul(vp.get("layer2.weight"), false, true).add(vp.get("layer2.bias"));
            return z.sub(Var.constant(y)).square().mean();
        };
        return new Problem(p, loss);
    }
}
