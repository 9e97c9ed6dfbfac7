package dev.descent.optim.kernel;

import dev.descent.tensor.kernel.Storage;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The elementwise loops of the optimisers in {@code dev.descent.optim}, for float64 (the float32
 * twin is generated; see the package docs), so that a float32 update is computed in float32
 * arithmetic in one pass over the tensors, as PyTorch computes it, with no float64 scratch.
 *
 * <p>Every method reads elements {@code [off, off + n)} of its inputs and writes the same elements
 * of its outputs (documented "modified"), so that callers can split a tensor between threads; an
 * output may be the same array as an input (in-place update: each element is read before it is
 * written). The formulas, and the order of operations, are those documented on
 * the corresponding factories of {@code dev.descent.optim.Optimizers}; the vector loops perform
 * exactly the scalar tail's operations (no fused multiply-add), so results do not depend on where
 * an element falls.
 */
public final class OptimizerF64 extends OptimizerKernels {
    private OptimizerF64() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    /**
     * Adam (Kingma &amp; Ba 2015) with PyTorch 1.13's operation order:
     * m' = m·β₁ + (1−β₁)·g, v' = v·β₂ + (1−β₂)·g², u = m' / (√v' / √c₂ + ε) / c₁ with
     * c₁ = 1 − β₁ᵗ and √c₂ = √(1 − β₂ᵗ). Writes m', v' and either u ({@code p == null}) or the
     * applied step p + f·u ({@code p != null}); {@code mOut}, {@code vOut}, {@code out} are modified.
     * The constants 1 − β are arguments ({@code c1}, {@code c2}) so that callers compute them in
     * float64 and round once, as PyTorch does with its Python-float {@code alpha}.
     */
    public static void adam(int off, int n, double[] g, double[] m, double[] v, double beta1, double c1, double beta2, double c2,
                            double eps, double correction1, double sqrtCorrection2, double[] mOut, double[] vOut,
                            double[] out, double[] p, double f) {
        int i = off;
        int upper = off + S.loopBound(n), end = off + n;
        DoubleVector vb1 = DoubleVector.broadcast(S, beta1), vb2 = DoubleVector.broadcast(S, beta2);
        DoubleVector vc1 = DoubleVector.broadcast(S, c1), vc2 = DoubleVector.broadcast(S, c2);
        DoubleVector veps = DoubleVector.broadcast(S, eps), vcorr1 = DoubleVector.broadcast(S, correction1);
        DoubleVector vsc2 = DoubleVector.broadcast(S, sqrtCorrection2), vf = DoubleVector.broadcast(S, f);
        for (; i < upper; i += S.length()) {
            DoubleVector gi = DoubleVector.fromArray(S, g, i);
            DoubleVector nm = DoubleVector.fromArray(S, m, i).mul(vb1).add(vc1.mul(gi));
            DoubleVector nv = DoubleVector.fromArray(S, v, i).mul(vb2).add(vc2.mul(gi.mul(gi)));
            DoubleVector u = nm.div(nv.sqrt().div(vsc2).add(veps)).div(vcorr1);
            nm.intoArray(mOut, i);
            nv.intoArray(vOut, i);
            if (p == null) u.intoArray(out, i);
            else DoubleVector.fromArray(S, p, i).add(vf.mul(u)).intoArray(out, i);
        }
        for (; i < end; i++) {
            double gi = g[i];
            double nm = m[i] * beta1 + c1 * gi;
            double nv = v[i] * beta2 + c2 * (gi * gi);
            double u = nm / ((double) Math.sqrt(nv) / sqrtCorrection2 + eps) / correction1;
            mOut[i] = nm;
            vOut[i] = nv;
            out[i] = p == null ? u : p[i] + f * u;
        }
    }

    /**
     * RMSprop's direction (PyTorch's form): s' = s·α + (1−α)·g², u = g / (√s' + ε); centred
     * (a non-null {@code mg}): m' = mg·α + (1−α)·g and u = g / (√(s' − m'²) + ε). Writes s', m'
     * (when centred) and u, with {@code c} = 1 − α; {@code sOut}, {@code mgOut}, {@code out} are
     * modified.
     */
    public static void rms(int off, int n, double[] g, double[] s, double[] mg, double decay, double c, double eps,
                           double[] sOut, double[] mgOut, double[] out) {
        for (int i = off; i < off + n; i++) {
            double gi = g[i];
            double ns = s[i] * decay + c * (gi * gi);
            sOut[i] = ns;
            if (mg == null) {
                out[i] = gi / ((double) Math.sqrt(ns) + eps);
            } else {
                double nmg = mg[i] * decay + c * gi;
                mgOut[i] = nmg;
                out[i] = gi / ((double) Math.sqrt(ns - nmg * nmg) + eps);
            }
        }
    }

    /**
     * PyTorch's momentum buffer: b' = μ·b + g; u = b', or g + μ·b' with Nesterov. Writes b' and
     * u ({@code bOut}, {@code out} modified; they may be the same array when not Nesterov).
     */
    public static void trace(int off, int n, double[] g, double[] b, double mu, boolean nesterov, double[] bOut, double[] out) {
        for (int i = off; i < off + n; i++) {
            double nb = mu * b[i] + g[i];
            bOut[i] = nb;
            out[i] = nesterov ? g[i] + mu * nb : nb;
        }
    }

    /**
     * The seed's momentum: v' = α·v + ε·g; u = −v', or −(ε·g + α·v') with Nesterov. Writes v' and
     * u ({@code vOut}, {@code out} modified).
     */
    public static void momentum(int off, int n, double[] g, double[] v, double alpha, double lr, boolean nesterov,
                                double[] vOut, double[] out) {
        for (int i = off; i < off + n; i++) {
            double nv = alpha * v[i] + lr * g[i];
            vOut[i] = nv;
            out[i] = nesterov ? -(lr * g[i] + alpha * nv) : -nv;
        }
    }

    /**
     * Exponential running average: v' = β·v + (1−β)·g; u = v'·k ({@code debias}, k = 1/(1−βᵗ))
     * or v', with {@code c} = 1 − β. Writes v' and u ({@code vOut}, {@code out} modified).
     */
    public static void ema(int off, int n, double[] g, double[] v, double beta, double c, boolean debias, double k,
                           double[] vOut, double[] out) {
        for (int i = off; i < off + n; i++) {
            double nv = beta * v[i] + c * g[i];
            vOut[i] = nv;
            out[i] = debias ? nv * k : nv;
        }
    }

    /** out = g + λ·p (coupled weight decay); {@code out} is modified. */
    public static void addDecayedWeights(int off, int n, double[] g, double[] p, double lambda, double[] out) {
        for (int i = off; i < off + n; i++) out[i] = g[i] + lambda * p[i];
    }

    /** out = clamp(g, −c, c); {@code out} is modified. */
    public static void clipByValue(int off, int n, double[] g, double c, double[] out) {
        for (int i = off; i < off + n; i++) out[i] = Math.max(-c, Math.min(c, g[i]));
    }

    /** out = s·g, or p + s·g when {@code p} is non-null (a scaled update applied in the same pass); {@code out} is modified. */
    public static void scale(int off, int n, double[] g, double s, double[] p, double[] out) {
        if (p == null) {
            for (int i = off; i < off + n; i++) out[i] = s * g[i];
        } else {
            for (int i = off; i < off + n; i++) out[i] = p[i] + s * g[i];
        }
    }

    /** out = p + u (applying updates); {@code out} is modified. */
    public static void add(int off, int n, double[] p, double[] u, double[] out) {
        for (int i = off; i < off + n; i++) out[i] = p[i] + u[i];
    }

    /** The float64 passes of {@link OptimizerKernels}. */
    public static final OptimizerF64 INSTANCE = new OptimizerF64();

    /** The array of a storage of this dtype, or null. */
    private static double[] a(Storage s) {
        return s == null ? null : (double[]) s.array();
    }

    @Override
    public void adam(int off, int n, Storage g, Storage m, Storage v, double beta1, double c1, double beta2, double c2, // @KeepDouble
                     double eps, double correction1, double sqrtCorrection2, Storage mOut, Storage vOut, Storage out, // @KeepDouble
                     Storage p, /*@KeepDouble*/ double f) {
        adam(off, n, a(g), a(m), a(v), (double) beta1, (double) c1, (double) beta2, (double) c2, (double) eps, (double) correction1,
                (double) sqrtCorrection2, a(mOut), a(vOut), a(out), a(p), (double) f);
    }

    @Override
    public void rms(int off, int n, Storage g, Storage s, Storage mg, double decay, double c, double eps, // @KeepDouble
                    Storage sOut, Storage mgOut, Storage out) {
        rms(off, n, a(g), a(s), a(mg), (double) decay, (double) c, (double) eps, a(sOut), a(mgOut), a(out));
    }

    @Override
    public void trace(int off, int n, Storage g, Storage b, /*@KeepDouble*/ double mu, boolean nesterov, Storage bOut, Storage out) {
        trace(off, n, a(g), a(b), (double) mu, nesterov, a(bOut), a(out));
    }

    @Override
    public void momentum(int off, int n, Storage g, Storage v, double alpha, double lr, boolean nesterov, // @KeepDouble
                         Storage vOut, Storage out) {
        momentum(off, n, a(g), a(v), (double) alpha, (double) lr, nesterov, a(vOut), a(out));
    }

    @Override
    public void ema(int off, int n, Storage g, Storage v, double beta, double c, boolean debias, double k, // @KeepDouble
                    Storage vOut, Storage out) {
        ema(off, n, a(g), a(v), (double) beta, (double) c, debias, (double) k, a(vOut), a(out));
    }

    @Override
    public void addDecayedWeights(int off, int n, Storage g, Storage p, /*@KeepDouble*/ double lambda, Storage out) {
        addDecayedWeights(off, n, a(g), a(p), (double) lambda, a(out));
    }

    @Override
    public void clipByValue(int off, int n, Storage g, /*@KeepDouble*/ double c, Storage out) {
        clipByValue(off, n, a(g), (double) c, a(out));
    }

    @Override
    public void scale(int off, int n, Storage g, /*@KeepDouble*/ double s, Storage p, Storage out) {
        scale(off, n, a(g), (double) s, a(p), a(out));
    }

    @Override
    public void add(int off, int n, Storage p, Storage u, Storage out) {
        add(off, n, a(p), a(u), a(out));
    }
}
