package dev.descent.train;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.Params;

/**
 * What a {@link Trainer} trains: a differentiable function of named parameters, with optional
 * buffers (state that is not trained, such as batch-normalisation running statistics) and a
 * training/evaluation mode.
 *
 * <p>The forward pass is pure in the parameters: it reads them from the {@link VarParams} it is
 * given, so that gradients, Hessian-vector products and line searches can evaluate it at any
 * point. Only {@link #applyUpdatingBuffers} may change the buffers, and the trainer calls it
 * exactly once per training step.
 */
public interface TrainableModel {
    /** The current parameters under their dotted names. */
    Params parameters();

    /** Replaces every parameter (same names, shapes and dtypes). */
    void setParameters(Params parameters);

    /** The current buffers (the empty tree for a model without any). */
    Params buffers();

    /** Replaces every buffer (same names, shapes and dtypes). */
    void setBuffers(Params buffers);

    /** The forward pass with parameters from {@code params}; buffers are read, never written. */
    Var apply(VarParams params, Var input);

    /** The forward pass of a training step: as {@link #apply}, and buffers are updated from this batch. */
    Var applyUpdatingBuffers(VarParams params, Var input);

    /** Switches the whole model to training ({@code true}) or evaluation mode. */
    void setTraining(boolean training);
}
