package dev.descent.nn;

import dev.descent.autodiff.Primitive;
import dev.descent.autodiff.Var;
import dev.descent.tensor.Tensor;

/**
 * Loss functions (differentiable, each the mean over all examples, PyTorch's default
 * {@code reduction='mean'}) and metrics (plain numbers).
 */
public final class Losses {
    private Losses() {}

    /**
     * Mean squared error (1/N) Σ (p − y)² over all N elements; prediction and target must have
     * the same shape (PyTorch broadcasts with a warning; here a mismatch is an error).
     */
    public static Var meanSquaredError(Var prediction, Var target) {
        requireSameShape("meanSquaredError", prediction, target);
        return prediction.sub(target).square().mean();
    }

    /**
     * Softmax cross-entropy from logits z [N, C] and integer labels y_i ∈ [0, C):
     * (1/N) Σ_i (log Σ_c e^{z_ic} − z_{i,y_i}), computed through log-softmax, which subtracts the
     * row maximum and so never overflows (PyTorch's {@code cross_entropy}).
     */
    public static Var softmaxCrossEntropy(Var logits, int[] labels) {
        if (logits.rank() != 2) throw new IllegalArgumentException("softmaxCrossEntropy: logits must be [N, C], got " + logits.shape());
        if (labels.length != logits.dim(0)) {
            throw new IllegalArgumentException("softmaxCrossEntropy: " + labels.length + " labels for logits " + logits.shape());
        }
        return softmaxCrossEntropy(logits, Var.constant(Tensor.oneHot(logits.dtype(), labels, logits.dim(1))));
    }

    /**
     * Softmax cross-entropy from logits z [N, C] and target distributions q [N, C] (one-hot rows
     * or soft labels): −(1/N) Σ_i Σ_c q_ic log softmax(z_i)_c.
     */
    public static Var softmaxCrossEntropy(Var logits, Var targets) {
        if (logits.rank() != 2 || logits.dim(0) == 0) {
            throw new IllegalArgumentException("softmaxCrossEntropy: logits must be [N, C] with N >= 1, got " + logits.shape());
        }
        requireSameShape("softmaxCrossEntropy", logits, targets);
        return logits.logSoftmax(1).mul(targets).sum().neg().div(logits.dim(0));
    }

    /**
     * Binary cross-entropy from logits z and targets y ∈ [0, 1] (same shape), the mean of
     * ℓ(z, y) = −y log σ(z) − (1 − y) log(1 − σ(z)), evaluated as
     * max(z, 0) − z·y + log(1 + e^{−|z|}), which neither overflows nor loses accuracy for large
     * |z| (PyTorch's {@code binary_cross_entropy_with_logits}). ∂ℓ/∂z = σ(z) − y exactly,
     * including at z = 0.
     */
    public static Var binaryCrossEntropyWithLogits(Var logits, Var targets) {
        requireSameShape("binaryCrossEntropyWithLogits", logits, targets);
        return Var.apply(new BinaryCrossEntropyWithLogits(), logits, targets).mean();
    }

    /** The fraction of rows of logits [N, C] whose first maximal entry is at the label. */
    public static double accuracy(Tensor logits, int[] labels) {
        if (logits.rank() != 2 || logits.dim(0) == 0 || logits.dim(1) == 0) {
            throw new IllegalArgumentException("accuracy: logits must be [N, C] with N, C >= 1, got " + logits.shape());
        }
        int n = logits.dim(0), c = logits.dim(1);
        if (labels.length != n) throw new IllegalArgumentException("accuracy: " + labels.length + " labels for logits " + logits.shape());
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) if (logits.getFlat(i * c + j) > logits.getFlat(i * c + best)) best = j;
            if (best == labels[i]) correct++;
        }
        return (double) correct / n;
    }

    /** The fraction of elements where the prediction z &gt; 0 agrees with the target y ≥ 1/2. */
    public static double binaryAccuracy(Tensor logits, Tensor targets) {
        if (!logits.shape().equals(targets.shape()) || logits.size() == 0) {
            throw new IllegalArgumentException("binaryAccuracy: shapes " + logits.shape() + " and " + targets.shape()
                    + " must be equal and non-empty");
        }
        int correct = 0;
        for (int i = 0; i < logits.size(); i++) {
            if ((logits.getFlat(i) > 0) == (targets.getFlat(i) >= 0.5)) correct++;
        }
        return (double) correct / logits.size();
    }

    private static void requireSameShape(String op, Var a, Var b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": prediction " + a.shape() + " and target " + b.shape() + " differ in shape");
        }
    }

    /**
     * Elementwise ℓ(z, y) = max(z, 0) − z·y + log(1 + e^{−|z|}).
     * JVP: ℓ̇ = (σ(z) − y)·ż − z·ẏ. VJP: z̄ = ℓ̄·(σ(z) − y), ȳ = −ℓ̄·z.
     */
    // NOTE: composing relu, abs and log from primitives would give the subgradient −y at z = 0
    // (relu' and sign are 0 there) instead of the true derivative 1/2 − y; hence a primitive.
    static final class BinaryCrossEntropyWithLogits extends Primitive {
        @Override public String name() { return "binaryCrossEntropyWithLogits"; }

        @Override public Tensor forward(Tensor[] in) {
            Tensor z = in[0], y = in[1];
            return z.relu().sub(z.mul(y)).add(z.abs().neg().exp().log1p());
        }

        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            Tensor r = t[0] == null ? null : t[0].mul(in[0].sigmoid().sub(in[1]));
            if (t[1] != null) {
                Tensor ty = t[1].mul(in[0]).neg();
                r = r == null ? ty : r.add(ty);
            }
            return r;
        }

        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {need[0] ? ct.mul(in[0].sigmoid().sub(in[1])) : null,
                              need[1] ? ct.mul(in[0]).neg() : null};
        }
    }
}
