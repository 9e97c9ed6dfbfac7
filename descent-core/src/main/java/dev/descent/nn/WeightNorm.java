package dev.descent.nn;

import dev.descent.autodiff.Var;
import dev.descent.tensor.Tensor;
import java.util.List;

/**
 * Weight normalisation as a parametrisation of a layer's weight (Salimans &amp; Kingma 2016): the
 * weight is computed, per output unit j (row j of a weight [out, ..]), as
 * <pre>
 *   w_j = g_j · v_j / ‖v_j‖
 * </pre>
 * from a scalar g_j and a direction v_j, which become the trained parameters. The gradient with
 * respect to v is the projection ∇_v L = (g/‖v‖)(I − v vᵀ/‖v‖²) ∇_w L, orthogonal to v (SPEC.md
 * §4.2); autodiff produces it from the formula above.
 *
 * <p>The wrapper replaces the wrapped layer's parameter {@code weight} (or any named weight) by
 * {@code weight_g} [out] and {@code weight_v} [same shape as the weight], PyTorch's names, and is
 * transparent to naming: wrapping {@code layers.0} gives {@code layers.0.weight_g},
 * {@code layers.0.weight_v}, {@code layers.0.bias}. The forward pass computes w and hands it to
 * the wrapped layer through {@link Scope#withOverride}, so any layer works unchanged.
 * <em>Difference from PyTorch</em>: PyTorch's {@code weight_norm} keeps g with the weight's rank
 * ([out, 1] for Linear); here g is [out].
 *
 * <p>{@link #wrap} starts from the existing weight (g = ‖w_j‖, v = w, so the function is
 * unchanged up to rounding); {@link #toPlain()} converts back; {@link #initFromData} is the
 * paper's data-dependent initialisation (§3).
 *
 * @param <M> the wrapped layer's type
 */
public final class WeightNorm<M extends Module> extends Module {
    private final M inner;
    private final String weightName, gName, vName;
    private boolean released;

    private WeightNorm(M inner, String weightName) {
        if (inner == null) throw new IllegalArgumentException("WeightNorm: layer is null");
        if (!inner.hasOwnParameter(weightName)) {
            throw new IllegalArgumentException("WeightNorm: " + inner.getClass().getSimpleName() + " has no own parameter '"
                    + weightName + "'");
        }
        Tensor w = inner.ownParameter(weightName);
        if (w.rank() < 2) {
            throw new IllegalArgumentException("WeightNorm: weight '" + weightName + "' must have rank >= 2 ([out, ..]), got " + w.shape());
        }
        inner.attach("WeightNorm(" + weightName + ")");
        this.inner = inner;
        this.weightName = weightName;
        this.gName = weightName + "_g";
        this.vName = weightName + "_v";
        addParameter(gName, rowNorms(w));
        addParameter(vName, w);
    }

    /** Weight-normalises a linear layer's {@code weight} [out, in]. */
    public static WeightNorm<Linear> wrap(Linear layer) {
        return new WeightNorm<>(layer, "weight");
    }

    /**
     * Weight-normalises {@code layer}'s own parameter {@code weightName} (rank ≥ 2, output units
     * along axis 0), e.g. an {@link Rnn}'s {@code W}.
     */
    public static <M extends Module> WeightNorm<M> wrap(M layer, String weightName) {
        return new WeightNorm<>(layer, weightName);
    }

    /** The wrapped layer. */
    public M inner() {
        return inner;
    }

    /** The name of the wrapped layer's parameter this wrapper replaces (its parameters are {@code <name>_g}, {@code <name>_v}). */
    public String weightName() {
        return weightName;
    }

    /** The current effective weight w = g · v/‖v‖. */
    public Tensor weight() {
        return weight(ownParameter(gName), ownParameter(vName));
    }

    /** ‖v_j‖ per output unit, [out] (for monitoring the growth of SPEC.md §4.3). */
    public Tensor directionNorms() {
        Tensor v = ownParameter(vName);
        return rowNorms(v);
    }

    /** w = g·v/‖v‖ per row: the same primitive, hence the same numbers, as the Var version. */
    static Tensor weight(Tensor g, Tensor v) {
        return NormalizedWeight.weight(g, v);
    }

    static Var weight(Var g, Var v) {
        return Var.apply(new NormalizedWeight(), g, v);
    }

    private static Tensor rowNorms(Tensor w) {
        return w.square().sum(rowAxes(w.rank()), false).sqrt();
    }

    private static int[] rowAxes(int rank) {
        int[] axes = new int[rank - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        return axes;
    }

    @Override
    void visitSlots(String prefix, SlotVisitor visitor) {
        super.visitSlots(prefix, visitor);
        String hidden = qualify(prefix, weightName);
        inner.visitSlots(prefix, (name, slot, isBuffer) -> {
            if (isBuffer || !name.equals(hidden)) visitor.visit(name, slot, isBuffer);
        });
    }

    @Override
    void collectModules(List<Module> out) {
        super.collectModules(out);
        inner.collectModules(out);
    }

    @Override
    public Var apply(Scope scope, Var x) {
        requireActive();
        Var g = scope.parameter(this, gName), v = scope.parameter(this, vName);
        if (inner instanceof Linear lin && weightName.equals("weight")) {
            // The same function without forming w (NormalizedAffine): no weight-sized array in the forward pass.
            return lin.applyNormalized(scope, g, v, x);
        }
        return inner.apply(scope.withOverride(weightName, weight(g, v)), x);
    }

    /**
     * Converts back: writes w = g·v/‖v‖ into the wrapped layer's weight and returns that layer,
     * which computes the same function (for a wrapped Linear up to rounding: the wrapper computes
     * (x vᵀ)·c + b, the plain layer x (c v)ᵀ + b; see {@code NormalizedAffine}). This wrapper
     * cannot be used afterwards.
     */
    public M toPlain() {
        requireActive();
        inner.setOwnParameter(weightName, weight());
        released = true;
        inner.detach();
        return inner;
    }

    private void requireActive() {
        if (released) throw new IllegalStateException("WeightNorm: already converted with toPlain(); use the layer it returned");
    }

    /**
     * Data-dependent initialisation (Salimans &amp; Kingma 2016, §3) of a wrapped {@link Linear}
     * with a bias: with t = x wᵀ the pre-activations (without bias) of the batch x [.., in], and
     * μ[t], σ[t] their per-unit mean and standard deviation (biased, divisor n), sets
     * g ← g/σ[t] and b ← −μ[t]/σ[t], so that the layer's outputs on this batch have zero mean
     * and unit variance per unit.
     *
     * @throws IllegalStateException if the wrapped layer is not a Linear with a bias
     * @throws IllegalArgumentException if the batch has fewer than 2 rows or a unit has zero variance on it
     */
    public void initFromData(Tensor batch) {
        requireActive();
        if (!(inner instanceof Linear) || !((Linear) inner).hasBias() || !weightName.equals("weight")) {
            throw new IllegalStateException("WeightNorm.initFromData: needs a wrapped Linear with a bias, got "
                    + inner.getClass().getSimpleName());
        }
        Linear lin = (Linear) inner;
        if (batch.rank() < 1 || batch.dim(-1) != lin.inFeatures()) {
            throw new IllegalArgumentException("WeightNorm.initFromData: batch " + batch.shape() + " has "
                    + (batch.rank() < 1 ? "no" : batch.dim(-1)) + " features, expected " + lin.inFeatures());
        }
        Tensor x = batch.reshape(-1, lin.inFeatures());
        if (x.dim(0) < 2) throw new IllegalArgumentException("WeightNorm.initFromData: needs at least 2 rows, got " + batch.shape());
        Tensor g = ownParameter(gName).to(x.dtype());
        Tensor t = x.matmul(weight().to(x.dtype()), false, true);
        Tensor mean = t.mean(0, false);
        Tensor std = t.sub(mean).square().mean(0, false).sqrt();
        for (int j = 0; j < std.size(); j++) {
            if (!(std.getFlat(j) > 0)) {
                throw new IllegalArgumentException("WeightNorm.initFromData: unit " + j + " has standard deviation "
                        + std.getFlat(j) + " on the batch");
            }
        }
        setOwnParameter(gName, g.div(std).to(ownParameter(gName).dtype()));
        inner.setOwnParameter("bias", mean.neg().div(std).to(ownParameter(gName).dtype()));
    }
}
