package dev.descent.nn;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Primitive;
import dev.descent.autodiff.Var;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.Storage;

/**
 * Weight normalisation's reparameterisation as one primitive (Salimans &amp; Kingma 2016): from
 * g [out] and v [out, ..], the weight w [out, ..] with, for each row j (n_j = ‖v_j‖),
 * <pre>
 *   w_j = (g_j / n_j) · v_j
 * </pre>
 * JVP: ẇ_j = (ġ_j/n_j − g_j (v_j·v̇_j)/n_j³) · v_j + (g_j/n_j) · v̇_j.
 * VJP (w̄ the cotangent of w, s_j = v_j·w̄_j): ḡ_j = s_j/n_j, v̄_j = (g_j/n_j) · w̄_j − (g_j s_j/n_j³) · v_j,
 * i.e. the projection of SPEC.md §4.2, orthogonal to v_j.
 *
 * <p>Why a primitive: composed from square, sum, sqrt, div and broadcasting mul, the weight and
 * its gradient took a dozen passes over a [512, 784] weight and as many temporary tensors per
 * step; here the forward pass reads v twice (norms, then the scaling) and the backward pass
 * reads w̄ and v twice (row dots, then v̄). PyTorch fuses it the same way ({@code _weight_norm}).
 * As in {@link RnnScan}, the fused backward runs when nothing needs the backward pass to be
 * differentiable; otherwise the same formulas are written with {@link Var} operations, so that
 * Hessian-vector products and double backward see through them.
 */
final class NormalizedWeight extends Primitive {
    /** n_j = ‖v_j‖ per row, [out], from the forward pass. */
    private Tensor norms;

    @Override
    public String name() {
        return "weightNorm";
    }

    /** n_j = ‖v_j‖ of the last forward pass, [out]. */
    Tensor norms() {
        return norms;
    }

    /**
     * n_j = ‖v_j‖ for every row of v [out, ..] (rows split across the pool), without forming w;
     * also kept as {@link #norms()}, as the forward pass keeps them.
     */
    Tensor norms(Tensor v) {
        int rows = v.dim(0), cols = rows == 0 ? 0 : v.size() / rows;
        norms = Tensor.zeros(v.dtype(), rows);
        Storage va = v.storage(), na = norms.storage();
        Loops.rowRanges(rows, cols, (from, to) -> { for (int j = from; j < to; j++) na.set(j, Math.sqrt(va.dot(j * cols, va, j * cols, cols))); });
        return norms;
    }

    /** w = g·v/‖v‖ per row, as plain tensors. */
    static Tensor weight(Tensor g, Tensor v) {
        return new NormalizedWeight().forward(new Tensor[] {g, v});
    }

    @Override
    public Tensor forward(Tensor[] in) {
        Tensor g = in[0], v = in[1];
        int rows = v.dim(0), cols = rows == 0 ? 0 : v.size() / rows;
        Tensor w = Tensor.zeros(v.dtype(), v.dims());
        Storage va = v.storage(), ga = g.storage(), na = (norms(v)).storage(), wa = w.storage();
        Loops.rowRanges(rows, cols, (from, to) -> { for (int j = from; j < to; j++) va.scale(j * cols, ga.get(j) / na.get(j), wa, j * cols, cols); });
        return w;
    }

    @Override
    public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
        Tensor g = in[0], v = in[1], dg = t[0], dv = t[1];
        if (dg == null && dv == null) return null;
        int rows = v.dim(0), cols = rows == 0 ? 0 : v.size() / rows;
        Tensor dw = Tensor.zeros(v.dtype(), v.dims());
        Storage va = v.storage(), ga = g.storage(), na = norms.storage(), wa = dw.storage();
        Storage dga = dg == null ? null : dg.storage(), dva = dv == null ? null : dv.storage();
        for (int j = 0; j < rows; j++) {
            int o = j * cols;
            double n = na.get(j), gj = ga.get(j);
            double a = dga == null ? 0 : dga.get(j) / n;
            if (dva == null) {
                va.scale(o, a, wa, o, cols);
            } else {
                a -= gj * va.dot(o, dva, o, cols) / (n * n * n);
                va.axpby(a, o, gj / n, dva, o, wa, o, cols);
            }
        }
        return dw;
    }

    @Override
    public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
        boolean plain = !Autodiff.isRecording() && ct.tangent() == null && in[0].tangent() == null && in[1].tangent() == null;
        return plain ? fusedVjp(in, ct, need) : differentiableVjp(in, ct, need);
    }

    private Var[] fusedVjp(Var[] in, Var ctVar, boolean[] need) {
        Tensor g = in[0].value(), v = in[1].value(), ct = ctVar.value();
        int rows = v.dim(0), cols = rows == 0 ? 0 : v.size() / rows;
        DType dtype = v.dtype();
        Tensor dg = need[0] ? Tensor.zeros(dtype, rows) : null;
        Tensor dv = need[1] ? Tensor.zeros(dtype, v.dims()) : null;
        Storage va = v.storage(), ga = g.storage(), na = norms.storage(), ca = ct.storage();
        project(va, ga, na, ca, dg == null ? null : dg.storage(), dv == null ? null : dv.storage(), rows, cols);
        return new Var[] {dg == null ? null : Var.constant(dg), dv == null ? null : Var.constant(dv)};
    }

    /**
     * The VJP's row formulas from w̄ (array {@code wbar}, rows×cols): s_j = v_j·w̄_j, ḡ_j = s_j/n_j
     * into {@code dg} and v̄_j = (g_j/n_j) w̄_j − (g_j s_j/n_j³) v_j into {@code dv} (either may be
     * null; {@code dv} may be {@code wbar} itself: each row is read before it is written). Rows are
     * split across the pool ({@link Loops#rowRanges}).
     */
    static void project(Storage va, Storage ga, Storage na, Storage wbar, Storage dg, Storage dv, int rows, int cols) {
        Loops.rowRanges(rows, cols, (from, to) -> { for (int j = from; j < to; j++) { int o = j * cols; double n = na.get(j), gj = ga.get(j); double s = va.dot(o, wbar, o, cols); if (dg != null) dg.set(j, s / n); if (dv != null) wbar.axpby(gj / n, o, -gj * s / (n * n * n), va, o, dv, o, cols); } });
    }

    /** The same formulas with Var operations (tangents and recording flow through them). */
    private static Var[] differentiableVjp(Var[] in, Var ct, boolean[] need) {
        Var g = in[0], v = in[1];
        int[] axes = new int[v.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        int[] kept = new int[v.rank()];
        java.util.Arrays.fill(kept, 1);
        kept[0] = v.dim(0);
        Var norm = v.square().sum(axes, true).sqrt();
        Var s = v.mul(ct).sum(axes, true);
        Var gk = g.reshape(kept);
        Var dg = need[0] ? s.div(norm).reshape(v.dim(0)) : null;
        Var dv = need[1] ? ct.mul(gk.div(norm)).sub(v.mul(gk.mul(s).div(norm.mul(norm).mul(norm)))) : null;
        return new Var[] {dg, dv};
    }
}
