package dev.descent.optim.second;

import dev.descent.tensor.Params;

/**
 * A {@link GaussNewtonOracle} for a model with hidden states h(θ) (an RNN) that also gives the
 * structural-damping matrix S = J_hᵀ H_D J_h of a penalty D on the change of the hidden states
 * (Martens &amp; Sutskever 2011, §3.2), and both products at once: G v + w·S v costs one forward
 * pass carrying tangents and one reverse pass through the model, not two of each, because the
 * model outputs and the hidden states come from the same pass (see {@link Oracles#withHiddenStates}). Hessian-free
 * uses it when structural damping is on ({@link HessianFree#withStructuralDampingWeight}).
 */
public interface StructuralDampingOracle extends GaussNewtonOracle {
    /** S(θ) v. */
    Params structuralProduct(Params at, Params v);

    /** G(θ) v + weight · S(θ) v, by one joint Gauss-Newton product. */
    Params gaussNewtonWithStructural(Params at, Params v, double weight);
}
