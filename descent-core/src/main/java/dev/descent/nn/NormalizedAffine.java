package dev.descent.nn;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Primitive;
import dev.descent.autodiff.Var;
import dev.descent.tensor.DType;
import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;

/**
 * A weight-normalised linear map as one primitive: inputs x [N, in], g [out], v [out, in] and,
 * optionally, b [out]; with n_j = ‖v_j‖ and w_j = (g_j/n_j) v_j ({@link NormalizedWeight}),
 * <pre>
 *   y = x wᵀ + b
 * </pre>
 * computed exactly as {@link Affine} computes it from w, so that {@link WeightNorm#toPlain()}
 * keeps the function bit for bit. With ȳ the cotangent and w̄ = ȳᵀ x: x̄ = ȳ w;
 * ḡ_j = (v_j·w̄_j)/n_j; v̄_j = (g_j/n_j) w̄_j − (g_j (v_j·w̄_j)/n_j³) v_j (the projection of SPEC.md
 * §4.2); b̄ = Σ_rows ȳ. JVP: ẏ = ẋ wᵀ + x ẇᵀ + ḃ with ẇ from {@link NormalizedWeight}.
 *
 * <p>Why one primitive: composed, the backward pass formed w̄ (a new 1.6 MB array for a
 * [512, 784] layer, which the JVM zeroes before the GEMM writes it: 80 µs) and then v̄ (another);
 * here v̄ is computed over w̄ in place, w̄ being private to this pass. The fused backward runs when
 * nothing needs it to be differentiable; otherwise it is composed from {@link NormalizedWeight}
 * and matrix products, as in {@link RnnScan}.
 */
final class NormalizedAffine extends Primitive {
    private final NormalizedWeight normalized = new NormalizedWeight();
    private Tensor weight;

    @Override
    public String name() {
        return "weightNormAffine";
    }

    @Override
    public Tensor forward(Tensor[] in) {
        weight = normalized.forward(new Tensor[] {in[1], in[2]});
        return Affine.product(in[0], weight, in.length == 4 ? in[3] : null);
    }

    @Override
    public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
        Tensor dx = t[0], dg = t[1], dv = t[2], db = in.length == 4 ? t[3] : null;
        if (dx == null && dg == null && dv == null && db == null) return null;
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
        Object ca = Raw.array(ct);
        Var[] res = new Var[in.length];
        if (need[0]) {
            Tensor dx = Tensor.zeros(dtype, n, k);
            Raw.gemm(false, false, n, k, m, ca, 0, m, Raw.array(weight), 0, k, Raw.array(dx), 0, k, false);
            res[0] = Var.constant(dx);
        }
        if (need[1] || need[2]) {
            // w̄ = ȳᵀx, then row by row s = v_j·w̄_j, ḡ_j = s/n_j and v̄_j = (g_j/n_j) w̄_j − (g_j s/n_j³) v_j over w̄.
            Tensor dv = Tensor.zeros(dtype, m, k);
            Tensor dg = Tensor.zeros(dtype, m);
            Object dva = Raw.array(dv), dga = Raw.array(dg), va = Raw.array(v), ga = Raw.array(g), na = Raw.array(normalized.norms());
            Raw.gemm(true, false, m, k, n, ca, 0, m, Raw.array(x), 0, k, dva, 0, k, false);
            NormalizedWeight.project(va, ga, na, dva, dga, dva, m, k);
            if (need[1]) res[1] = Var.constant(dg);
            if (need[2]) res[2] = Var.constant(dv);
        }
        if (in.length == 4 && need[3]) res[3] = Var.constant(ct.sumTo(Shape.of(m)));
        return res;
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
