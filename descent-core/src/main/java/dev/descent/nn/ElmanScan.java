package dev.descent.nn;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Primitive;
import dev.descent.autodiff.Var;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.GemmF32;
import dev.descent.tensor.kernel.GemmF64;
import dev.descent.tensor.kernel.RecurrentF32;
import dev.descent.tensor.kernel.RecurrentF64;

/**
 * The whole Elman recurrence in activation form as one primitive (a fused "scan"):
 * <pre>
 *   g_t = σ(a_t),   a_t = g_{t−1} Wᵀ + p_t,   t = 1..T
 * </pre>
 * for a batch of row vectors, where p_t = x_t Uᵀ + b are the input projections computed for all
 * steps by one matrix product before the scan. Inputs: p [T, B, H], W [H, H], g_0 [B, H];
 * output: all states G [T, B, H].
 *
 * <p>Why fused: an unrolled recurrence records T × 3 primitives and allocates per step; the scan
 * writes every state into one [T, B, H] buffer and its reverse pass (backpropagation through
 * time) keeps one [T, B, H] buffer of δ_t = ∂L/∂a_t, then forms W̄ = Σ_t δ_tᵀ g_{t−1} as ONE
 * matrix product over all T·B rows instead of T small ones.
 *
 * <p>Rules: forward as above. JVP (the tangent recurrence):
 * ġ_t = σ'(a_t) ⊙ (ġ_{t−1} Wᵀ + g_{t−1} Ẇᵀ + ṗ_t). VJP (BPTT):
 * δ_t = σ'(a_t) ⊙ (Ḡ_t + δ_{t+1} W), p̄_t = δ_t, W̄ = Σ_t δ_tᵀ g_{t−1}, ḡ_0 = δ_1 W.
 * The fused VJP is used when its results need no further differentiation (no tangents present
 * and not recording, i.e. plain training); otherwise the same recursion is composed from
 * {@link Var} operations so that Hessian-vector products and double backward stay exact.
 */
public final class ElmanScan extends Primitive {
    private final int kind;

    /**
     * @param kind activation code from {@link RecurrentF64} (IDENTITY, TANH, SIGMOID, RELU)
     */
    public ElmanScan(int kind) {
        if (kind < 0 || kind > 3) throw new IllegalArgumentException("ElmanScan: unknown activation kind " + kind);
        this.kind = kind;
    }

    /** Applies the scan: all states [T, B, H] from projections p [T, B, H], W [H, H] and g0 [B, H]. */
    public static Var apply(int kind, Var projections, Var w, Var g0) {
        check(projections.value(), w.value(), g0.value());
        return Var.apply(new ElmanScan(kind), projections, w, g0);
    }

    private static void check(Tensor p, Tensor w, Tensor g0) {
        if (p.rank() != 3 || w.rank() != 2 || g0.rank() != 2 || w.dim(0) != w.dim(1) || p.dim(2) != w.dim(0)
                || g0.dim(0) != p.dim(1) || g0.dim(1) != w.dim(0)) {
            throw new IllegalArgumentException("elmanScan: projections " + p.shape() + ", W " + w.shape() + ", g0 " + g0.shape()
                    + ": expected [T, B, H], [H, H], [B, H]");
        }
        if (p.dtype() != w.dtype() || p.dtype() != g0.dtype()) {
            throw new IllegalArgumentException("elmanScan: dtypes " + p.dtype() + ", " + w.dtype() + ", " + g0.dtype() + " differ");
        }
    }

    @Override
    public String name() {
        return "elmanScan";
    }

    // ---------------------------------------------------------------- dtype dispatch (orchestration only)

    private static void gemm(boolean ta, boolean tb, int m, int n, int k, Object a, int ao, int lda, Object b, int bo, int ldb,
                             Object c, int co, int ldc, boolean acc) {
        if (c instanceof float[]) {
            GemmF32.gemm(ta, tb, m, n, k, (float[]) a, ao, lda, (float[]) b, bo, ldb, (float[]) c, co, ldc, acc);
        } else {
            GemmF64.gemm(ta, tb, m, n, k, (double[]) a, ao, lda, (double[]) b, bo, ldb, (double[]) c, co, ldc, acc);
        }
    }

    private void activate(Object x, int off, int n) {
        if (x instanceof float[]) RecurrentF32.activate(kind, (float[]) x, off, n);
        else RecurrentF64.activate(kind, (double[]) x, off, n);
    }

    private void derivative(Object y, int yo, Object d, int dOff, int n) {
        if (d instanceof float[]) RecurrentF32.multiplyByDerivative(kind, (float[]) y, yo, (float[]) d, dOff, n);
        else RecurrentF64.multiplyByDerivative(kind, (double[]) y, yo, (double[]) d, dOff, n);
    }

    private static Object raw(Tensor t) {
        return t.dtype() == DType.F32 ? t.rawF32() : t.rawF64();
    }

    private static Tensor fresh(DType dtype, int... dims) {
        return Tensor.zeros(dtype, dims);
    }

    // ---------------------------------------------------------------- rules

    @Override
    public Tensor forward(Tensor[] in) {
        Tensor p = in[0], w = in[1], g0 = in[2];
        int steps = p.dim(0), batch = p.dim(1), h = p.dim(2), step = batch * h;
        Tensor out = p.copy();
        Object o = raw(out), wr = raw(w);
        for (int t = 0; t < steps; t++) {
            if (t == 0) gemm(false, true, batch, h, h, raw(g0), 0, h, wr, 0, h, o, 0, h, true);
            else gemm(false, true, batch, h, h, o, (t - 1) * step, h, wr, 0, h, o, t * step, h, true);
            activate(o, t * step, step);
        }
        return out;
    }

    @Override
    public Tensor jvp(Tensor[] in, Tensor out, Tensor[] tan) {
        Tensor w = in[1], g0 = in[2];
        int steps = out.dim(0), batch = out.dim(1), h = out.dim(2), step = batch * h;
        Tensor dg = tan[0] != null ? tan[0].copy() : fresh(out.dtype(), steps, batch, h);
        Object d = raw(dg), o = raw(out), wr = raw(w);
        for (int t = 0; t < steps; t++) {
            if (t > 0) gemm(false, true, batch, h, h, d, (t - 1) * step, h, wr, 0, h, d, t * step, h, true);
            else if (tan[2] != null) gemm(false, true, batch, h, h, raw(tan[2]), 0, h, wr, 0, h, d, 0, h, true);
            if (tan[1] != null) {
                Object prev = t == 0 ? raw(g0) : o;
                gemm(false, true, batch, h, h, prev, t == 0 ? 0 : (t - 1) * step, h, raw(tan[1]), 0, h, d, t * step, h, true);
            }
            derivative(o, t * step, d, t * step, step);
        }
        return dg;
    }

    @Override
    public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
        boolean tangents = ct.tangent() != null || out.tangent() != null;
        for (Var v : in) tangents |= v.tangent() != null;
        if (tangents || Autodiff.isRecording()) {
            return composedVjp(in, out, ct, need);
        }
        Tensor w = in[1].value(), g0 = in[2].value(), g = out.value();
        int steps = g.dim(0), batch = g.dim(1), h = g.dim(2), step = batch * h;
        Tensor delta = ct.value().copy();
        Object d = raw(delta), o = raw(g), wr = raw(w);
        for (int t = steps - 1; t >= 0; t--) {
            if (t < steps - 1) gemm(false, false, batch, h, h, d, (t + 1) * step, h, wr, 0, h, d, t * step, h, true);
            derivative(o, t * step, d, t * step, step);
        }
        Var pBar = need[0] ? Var.constant(delta) : null;
        Var wBar = null, g0Bar = null;
        if (need[1]) {
            Tensor wb = fresh(g.dtype(), h, h);
            if (steps > 1) gemm(true, false, h, h, (steps - 1) * batch, d, step, h, o, 0, h, raw(wb), 0, h, false);
            gemm(true, false, h, h, batch, d, 0, h, raw(g0), 0, h, raw(wb), 0, h, true);
            wBar = Var.constant(wb);
        }
        if (need[2]) {
            Tensor gb = fresh(g.dtype(), batch, h);
            if (steps > 0) gemm(false, false, batch, h, h, d, 0, h, wr, 0, h, raw(gb), 0, h, false);
            g0Bar = Var.constant(gb);
        }
        return new Var[] {pBar, wBar, g0Bar};
    }

    /** The same BPTT recursion from Var operations, differentiable again (HVPs, double backward). */
    private Var[] composedVjp(Var[] in, Var out, Var ct, boolean[] need) {
        Var w = in[1], g0 = in[2];
        int steps = out.dim(0);
        Var[] delta = new Var[steps];
        Var next = null;
        for (int t = steps - 1; t >= 0; t--) {
            Var s = ct.select(0, t);
            if (next != null) s = s.add(next.matmul(w));
            delta[t] = s.mul(derivativeVar(out.select(0, t)));
            next = delta[t];
        }
        Var pBar = null, wBar = null, g0Bar = null;
        if (steps == 0) {
            return new Var[] {need[0] ? Var.constant(Tensor.zerosLike(in[0].value())) : null,
                              need[1] ? Var.constant(Tensor.zerosLike(w.value())) : null,
                              need[2] ? Var.constant(Tensor.zerosLike(g0.value())) : null};
        }
        if (need[0]) pBar = Var.stack(0, delta);
        if (need[1]) {
            for (int t = 0; t < steps; t++) {
                Var prev = t == 0 ? g0 : out.select(0, t - 1);
                Var term = delta[t].matmul(prev, true, false);
                wBar = wBar == null ? term : wBar.add(term);
            }
        }
        if (need[2]) g0Bar = delta[0].matmul(w);
        return new Var[] {pBar, wBar, g0Bar};
    }

    private Var derivativeVar(Var y) {
        switch (kind) {
            case RecurrentF64.TANH: return y.square().neg().add(1);
            case RecurrentF64.SIGMOID: return y.mul(y.neg().add(1));
            case RecurrentF64.RELU: return Var.constant(y.value().gt(0));
            default: return Var.constant(Tensor.ones(y.dtype()));
        }
    }
}
