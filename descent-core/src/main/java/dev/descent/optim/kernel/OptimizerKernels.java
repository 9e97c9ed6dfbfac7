package dev.descent.optim.kernel;

import dev.descent.tensor.kernel.Storage;
import dev.descent.tensor.kernel.StorageF32;

/**
 * The optimiser passes of {@code OptimizerF64} (formulas and operation order there) over
 * {@link Storage}s of one dtype, so that {@code dev.descent.optim} writes each update once for
 * both dtypes: {@link #of} picks {@code OptimizerF64} or its generated twin {@code OptimizerF32}
 * once per tensor, and each pass forwards the arrays to the static loop of that dtype.
 * Hyper-parameters are given in float64 and rounded once to the dtype (as PyTorch rounds its
 * Python floats), inside the pass. Storage arguments may be null where the loop allows a null array.
 */
public abstract class OptimizerKernels {
    OptimizerKernels() {}

    /** The passes for the dtype of {@code s}. */
    public static OptimizerKernels of(Storage s) {
        return s instanceof StorageF32 ? OptimizerF32.INSTANCE : OptimizerF64.INSTANCE;
    }

    /** Adam; see {@code OptimizerF64.adam(int, int, double[], ...)}. */
    public abstract void adam(int off, int n, Storage g, Storage m, Storage v, double beta1, double c1, double beta2, double c2,
                              double eps, double correction1, double sqrtCorrection2, Storage mOut, Storage vOut, Storage out,
                              Storage p, double f);

    /** RMSprop's direction (centred when {@code mg} is non-null); see {@code OptimizerF64.rms}. */
    public abstract void rms(int off, int n, Storage g, Storage s, Storage mg, double decay, double c, double eps,
                             Storage sOut, Storage mgOut, Storage out);

    /** PyTorch's momentum buffer; see {@code OptimizerF64.trace}. */
    public abstract void trace(int off, int n, Storage g, Storage b, double mu, boolean nesterov, Storage bOut, Storage out);

    /** The seed's momentum; see {@code OptimizerF64.momentum}. */
    public abstract void momentum(int off, int n, Storage g, Storage v, double alpha, double lr, boolean nesterov,
                                  Storage vOut, Storage out);

    /** Exponential running average; see {@code OptimizerF64.ema}. */
    public abstract void ema(int off, int n, Storage g, Storage v, double beta, double c, boolean debias, double k,
                             Storage vOut, Storage out);

    /** out = g + λ·p; see {@code OptimizerF64.addDecayedWeights}. */
    public abstract void addDecayedWeights(int off, int n, Storage g, Storage p, double lambda, Storage out);

    /** out = clamp(g, −c, c); see {@code OptimizerF64.clipByValue}. */
    public abstract void clipByValue(int off, int n, Storage g, double c, Storage out);

    /** out = s·g, or p + s·g with p non-null; see {@code OptimizerF64.scale}. */
    public abstract void scale(int off, int n, Storage g, double s, Storage p, Storage out);

    /** out = p + u; see {@code OptimizerF64.add}. */
    public abstract void add(int off, int n, Storage p, Storage u, Storage out);
}
