package dev.descent.optim.second;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.optim.HyperParameters;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.function.Function;

/**
 * Curvature oracles built by automatic differentiation ({@link Autodiff}): gradients by reverse
 * mode, Hessian-vector products by forward-over-reverse (Pearlmutter 1994), Gauss-Newton-vector
 * products by one JVP, one HVP of the output loss and one VJP (Schraudolph 2002). H and G are
 * never formed. The functions are evaluated on whatever data they close over: build one oracle
 * per batch.
 */
public final class Oracles {
    private Oracles() {}

    /** An oracle for a scalar loss of the parameters (loss, gradient, HVP). */
    public static CurvatureOracle fromLoss(Function<VarParams, Var> loss) {
        if (loss == null) throw new IllegalArgumentException("oracle: the loss function is null");
        return new CurvatureOracle() {
            @Override public double loss(Params at) {
                return evaluate(loss, at);
            }
            @Override public LossAndGradient lossAndGradient(Params at) {
                Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(loss, at);
                return new LossAndGradient(vg.value().item(), vg.grad());
            }
            @Override public Params hessianVectorProduct(Params at, Params v) {
                return Autodiff.hvp(loss, at, v);
            }
        };
    }

    /** {@link #fromModel(Function, Function, double)} without L2 regularisation. */
    public static ModelOracle fromModel(Function<VarParams, Var> model, Function<Var, Var> outputLoss) {
        return fromModel(model, outputLoss, 0);
    }

    /**
     * An oracle for f(θ) = L(model(θ)) + ½ λ ‖θ‖²: the loss, its gradient, Hessian-vector
     * products of f, and Gauss-Newton-vector products G v = Jᵀ H_L J v + λ v (the L2 term's
     * Hessian λI is exact and positive definite, so it joins the Gauss-Newton matrix).
     *
     * @param model      the model outputs z = model(θ) on the batch
     * @param outputLoss L(z), scalar, convex in z for G to be positive semi-definite
     * @param l2         λ ≥ 0
     */
    public static ModelOracle fromModel(Function<VarParams, Var> model, Function<Var, Var> outputLoss, double l2) {
        if (model == null || outputLoss == null) throw new IllegalArgumentException("oracle: model or output loss is null");
        HyperParameters.nonNegative("model oracle", "l2", l2);
        Function<VarParams, Var> total = vp -> {
            Var l = outputLoss.apply(model.apply(vp));
            if (l2 == 0) return l;
            Var penalty = null;
            for (Var p : vp.vars()) {
                Var s = p.square().sum();
                penalty = penalty == null ? s : penalty.add(s);
            }
            return penalty == null ? l : l.add(penalty.mul(0.5 * l2));
        };
        return new ModelOracle() {
            @Override public double loss(Params at) {
                return evaluate(total, at);
            }
            @Override public LossAndGradient lossAndGradient(Params at) {
                Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(total, at);
                return new LossAndGradient(vg.value().item(), vg.grad());
            }
            @Override public Params hessianVectorProduct(Params at, Params v) {
                return Autodiff.hvp(total, at, v);
            }
            @Override public Params gaussNewtonVectorProduct(Params at, Params v) {
                Params gv = Autodiff.gnvp(model, outputLoss, at, v);
                return l2 == 0 ? gv : gv.axpy(l2, v);
            }
        };
    }

    /**
     * The Gauss-Newton product of a penalty D(h(θ)) of intermediate quantities h (e.g. an RNN's
     * hidden states): v ↦ J_hᵀ H_D J_h v. With D(h) = ½ ‖h − h(θ₀)‖² this is J_hᵀ J_h v, the
     * curvature of "how much a step changes the hidden states" that structural damping adds
     * (Martens &amp; Sutskever 2011, §3.2; for logistic hidden units they use the cross-entropy
     * between old and new states, whose Hessian in the pre-activations is diag(σ(1−σ))).
     *
     * @param hidden  h(θ), e.g. all hidden states stacked into one tensor
     * @param penalty D as a function of h, convex; only its second derivative at h(θ) matters
     */
    public static CurvatureProduct gaussNewtonProduct(Function<VarParams, Var> hidden, Function<Var, Var> penalty) {
        if (hidden == null || penalty == null) throw new IllegalArgumentException("gauss-newton product: function is null");
        return (at, v) -> Autodiff.gnvp(hidden, penalty, at, v);
    }

    /**
     * An oracle for f(θ) = L(z(θ)) whose model also exposes hidden states h(θ), computed in the
     * same forward pass ({@code modelAndHidden} returns {z, h}): the loss, gradient and
     * Gauss-Newton products of {@link #fromModel}, plus the structural-damping products
     * S v = J_hᵀ H_D J_h v of the penalty D(h) ({@link StructuralDampingOracle}). The joint product
     * G v + w S v is one Gauss-Newton product of the stacked output (z, h) under the loss
     * L(z) + w·D(h), whose Hessian is block-diagonal (H_L, w·H_D), so it is exactly
     * Jzᵀ H_L Jz v + w·J_hᵀ H_D J_h v at the cost of one forward pass carrying tangents and one
     * reverse pass through the model ({@link Autodiff#linearize}).
     *
     * @param modelAndHidden θ ↦ {z, h}
     * @param outputLoss L(z), scalar and convex
     * @param hiddenPenalty D(h), scalar and convex, e.g. ½‖h − h(θ₀)‖²/B; only its Hessian matters
     */
    public static StructuralDampingOracle withHiddenStates(Function<VarParams, Var[]> modelAndHidden, Function<Var, Var> outputLoss,
                                                           Function<Var, Var> hiddenPenalty) {
        return withHiddenStates(modelAndHidden, outputLoss, hiddenPenalty, Double.NaN);
    }

    /**
     * {@link #withHiddenStates(Function, Function, Function)} for the squared-error penalty
     * D(h) = ½ c ‖h − h(θ₀)‖² (what Martens &amp; Sutskever 2011 use for non-logistic units), whose
     * Hessian c·I is known: the joint product then scales the hidden tangent by c instead of
     * differentiating D twice over the [T, B, H] states (docs/performance.md, "Gauss-Newton
     * products on the tanh RNN").
     *
     * @param c the penalty's curvature per hidden value, &gt; 0 (e.g. 1/B to average over sequences)
     */
    public static StructuralDampingOracle withSquaredHiddenPenalty(Function<VarParams, Var[]> modelAndHidden, Function<Var, Var> outputLoss,
                                                                   double c) {
        HyperParameters.positive("structural damping", "hidden-state curvature", c);
        return withHiddenStates(modelAndHidden, outputLoss, h -> h.square().sum().mul(0.5 * c), c);
    }

    private static StructuralDampingOracle withHiddenStates(Function<VarParams, Var[]> modelAndHidden, Function<Var, Var> outputLoss,
                                                            Function<Var, Var> hiddenPenalty, double knownCurvature) {
        if (modelAndHidden == null || outputLoss == null || hiddenPenalty == null) {
            throw new IllegalArgumentException("oracle: model, output loss or hidden penalty is null");
        }
        Function<VarParams, Var> model = vp -> modelAndHidden.apply(vp)[0];
        Function<VarParams, Var> hidden = vp -> modelAndHidden.apply(vp)[1];
        ModelOracle plain = fromModel(model, outputLoss);
        return new StructuralDampingOracle() {
            @Override public double loss(Params at) {
                return plain.loss(at);
            }
            @Override public LossAndGradient lossAndGradient(Params at) {
                return plain.lossAndGradient(at);
            }
            @Override public Params gaussNewtonVectorProduct(Params at, Params v) {
                return plain.gaussNewtonVectorProduct(at, v);
            }
            @Override public Params structuralProduct(Params at, Params v) {
                return Autodiff.gnvp(hidden, hiddenPenalty, at, v);
            }
            @Override public Params gaussNewtonWithStructural(Params at, Params v, double weight) {
                if (weight == 0) return plain.gaussNewtonVectorProduct(at, v);
                // One forward pass carrying tangents gives z, h, Jz v and J_h v; the loss and the
                // penalty are differentiated twice on their own (small or known) inputs; one
                // reverse pass sums Jzᵀ(H_L Jz v) + w·J_hᵀ(H_D J_h v).
                Autodiff.Linearization lin = Autodiff.linearize(modelAndHidden, at, v);
                if (lin.size() != 2) {
                    throw new IllegalArgumentException("structural damping: the model must return {outputs, hidden states}, got "
                            + lin.size() + " values");
                }
                Tensor cz = Autodiff.lossHvp("structural damping", outputLoss, lin.value(0), lin.tangent(0));
                Tensor ch = Double.isNaN(knownCurvature)
                        ? Autodiff.lossHvp("structural damping", hiddenPenalty, lin.value(1), lin.tangent(1)).mul(weight)
                        : lin.tangent(1).mul(weight * knownCurvature);
                return lin.transpose(cz, ch);
            }
        };
    }

    static double evaluate(Function<VarParams, Var> f, Params at) {
        Autodiff.NoGrad scope = Autodiff.noGrad();
        try {
            Var out = f.apply(VarParams.constants(at));
            if (out.value().size() != 1) {
                throw new IllegalArgumentException("oracle: the loss must be a scalar, got shape " + out.shape());
            }
            return out.value().item();
        } finally {
            scope.close();
        }
    }
}
