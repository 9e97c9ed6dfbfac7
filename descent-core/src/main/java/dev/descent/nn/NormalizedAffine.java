package dev.descent.nn;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Primitive;
import dev.descent.autodiff.Var;
import dev.descent.tensor.DType;
import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.BinaryOp;
import dev.descent.tensor.kernel.Storage;

/**
 * A weight-normalised linear map as one primitive: inputs x [N, in], g [out], v [out, in] and,
 * optionally, b [out]; with n_j = ‖v_j‖, c_j = g_j/n_j and w_j = c_j v_j ({@link NormalizedWeight}),
 * <pre>
 *   y = x wᵀ + b = (x vᵀ) diag(c) + b
 * </pre>
 * computed in the second form: u = x vᵀ, then y_rj = u_rj c_j + b_j, so w is never formed. With ȳ
 * the cotangent, ȳ' = ȳ diag(c) and s_j = v_j·w̄_j = Σ_r ȳ_rj u_rj (w̄ = ȳᵀx):
 * x̄ = ȳ' v; ḡ_j = s_j/n_j; v̄_j = (ȳ'ᵀx)_j − (g_j s_j/n_j³) v_j (the projection of SPEC.md §4.2,
 * (ȳ'ᵀx)_j being c_j w̄_j); b̄ = Σ_rows ȳ. JVP: ẏ = ẋ wᵀ + x ẇᵀ + ḃ with ẇ from {@link NormalizedWeight}.
 *
 * <p>Why one primitive, in this form: composed, the forward pass wrote w (a new 1.6 MB array for
 * a [512, 784] layer, zeroed by the JVM first) and the backward pass formed w̄ and then read w̄ and
 * v again for the row dots s_j. Here the forward pass reads v once (the norms) and scales the
 * small [N, out] product; the backward pass takes s_j from the [N, out] arrays ȳ and u and makes
 * one pass over v and v̄. The result equals {@link WeightNorm#toPlain()}'s plain layer up to
 * rounding (c_j multiplies the sum instead of each term), not bit for bit. The fused backward runs
 * when nothing needs it to be differentiable; otherwise it is composed from
 * {@link NormalizedWeight} and matrix products, as in {@link RnnScan}.
 */
final class NormalizedAffine extends Primitive {
    private final NormalizedWeight normalized = new NormalizedWeight();
    /** c_j = g_j/n_j [out] and u = x vᵀ [N, out] of the last forward pass, for the backward pass. */
    private Tensor scales, product;

    @Override
    public String name() {
        return "weightNormAffine";
    }

    @Override
    public Tensor forward(Tensor[] in) {
        Tensor x = in[0], g = in[1], v = in[2], b = in.length == 4 ? in[3] : null;
        int n = x.dim(0), k = x.dim(1), m = v.dim(0);
        DType dtype = x.dtype();
        Tensor norms = normalized.norms(v);
        scales = Tensor.zeros(dtype, m);
        Storage ca = scales.storage(), na = norms.storage(), ga = g.storage();
        for (int j = 0; j < m; j++) ca.set(j, ga.get(j) / na.get(j));
        product = Tensor.zeros(dtype, n, m);
        Tensor y = Tensor.zeros(dtype, n, m);
        Storage ua = product.storage(), ya = y.storage();
        x.storage().gemm(false, true, n, m, k, 0, k, v.storage(), 0, k, ua, 0, m, false);
        scaleColumns(ua, ca, ya, n, m);
        if (b != null) Loops.addToRows(b.storage(), ya, 0, n, m);
        return y;
    }

    @Override
    public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
        Tensor dx = t[0], dg = t[1], dv = t[2], db = in.length == 4 ? t[3] : null;
        if (dx == null && dg == null && dv == null && db == null) return null;
        Tensor weight = normalized.forward(new Tensor[] {in[1], in[2]});
        Tensor dw = dg == null && dv == null ? null : normalized.jvp(new Tensor[] {in[1], in[2]}, weight, new Tensor[] {dg, dv});
        return new Affine().jvp(new Tensor[] {in[0], weight, in.length == 4 ? in[3] : null}, out, new Tensor[] {dx, dw, db});
    }

    @Override
    public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
        boolean plain = !Autodiff.isRecording() && ct.tangent() == null;
        for (Var v : in) plain &= v.tangent() == null;
        return plain ? fusedVjp(in, ct.value(), need) : differentiableVjp(in, ct, need);
    }

    private Var[] fusedVjp(Var[] in, Tensor ct, boolean[] need) {
        Tensor x = in[0].value(), g = in[1].value(), v = in[2].value();
        int n = x.dim(0), k = x.dim(1), m = v.dim(0);
        DType dtype = x.dtype();
        Storage ca = ct.storage(), sa = scales.storage();
        Var[] res = new Var[in.length];
        // ȳ' = ȳ diag(c), the cotangent of x vᵀ.
        Storage scaled = dtype.allocate(n * m);
        scaleColumns(ca, sa, scaled, n, m);
        if (need[0]) {
            Tensor dx = Tensor.zeros(dtype, n, k);
            scaled.gemm(false, false, n, k, m, 0, m, v.storage(), 0, k, dx.storage(), 0, k, false);
            res[0] = Var.constant(dx);
        }
        if (need[1] || need[2]) {
            // s_j = Σ_r ȳ_rj u_rj; ḡ_j = s_j/n_j; v̄ = ȳ'ᵀx, then v̄_j −= (g_j s_j/n_j³) v_j row by row.
            Storage terms = dtype.allocate(n * m), dots = dtype.allocate(m);
            ca.binary(BinaryOp.MUL, 0, 1, product.storage(), 0, 1, terms, 0, n * m);
            Loops.columnSums(terms, 0, n, m, dots);
            Storage na = normalized.norms().storage(), ga = g.storage();
            if (need[1]) {
                Tensor dg = Tensor.zeros(dtype, m);
                Storage dga = dg.storage();
                for (int j = 0; j < m; j++) dga.set(j, dots.get(j) / na.get(j));
                res[1] = Var.constant(dg);
            }
            if (need[2]) {
                Tensor dv = Tensor.zeros(dtype, m, k);
                Storage dva = dv.storage(), va = v.storage();
                scaled.gemm(true, false, m, k, n, 0, m, x.storage(), 0, k, dva, 0, k, false);
                Loops.rowRanges(m, k, (from, to) -> { for (int j = from; j < to; j++) { double nj = na.get(j); dva.axpby(1, j * k, -ga.get(j) * dots.get(j) / (nj * nj * nj), va, j * k, dva, j * k, k); } });
                res[2] = Var.constant(dv);
            }
        }
        if (in.length == 4 && need[3]) res[3] = Var.constant(ct.sumTo(Shape.of(m)));
        return res;
    }

    /** out[r, j] = a[r, j] · c[j] for a row-major [rows, cols] block: a diagonal matrix on the right. */
    private static void scaleColumns(Storage a, Storage c, Storage out, int rows, int cols) {
        for (int r = 0; r < rows; r++) a.binary(BinaryOp.MUL, r * cols, 1, c, 0, 1, out, r * cols, cols);
    }

    /** The composition: w from {@link NormalizedWeight}, then the products of a linear layer's VJP. */
    private static Var[] differentiableVjp(Var[] in, Var ct, boolean[] need) {
        Var x = in[0], g = in[1], v = in[2];
        NormalizedWeight nw = new NormalizedWeight();
        Var w = Var.apply(nw, g, v);
        Var[] res = new Var[in.length];
        if (need[0]) res[0] = ct.matmul(w);
        if (need[1] || need[2]) {
            Var dw = ct.matmul(x, true, false);
            Var[] gv = nw.vjp(new Var[] {g, v}, w, dw, new boolean[] {need[1], need[2]});
            res[1] = gv[0];
            res[2] = gv[1];
        }
        if (in.length == 4 && need[3]) res[3] = ct.sumTo(in[3].shape());
        return res;
    }
}
