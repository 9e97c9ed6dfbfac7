package dev.descent.nn;

import dev.descent.autodiff.Primitive;
import dev.descent.autodiff.Var;
import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.Storage;

/**
 * A linear layer's map y = x Wᵀ + b as one primitive: inputs x [N, in], W [out, in], b [out];
 * output [N, out]. The bias is written into the output first and the product is accumulated onto
 * it by the GEMM (C ← C + x Wᵀ, as BLAS's β = 1 and PyTorch's {@code addmm}), so the layer makes
 * one [N, out] tensor and one pass instead of a product, a broadcast sum and two tensors.
 *
 * <p>JVP: ẏ = ẋ Wᵀ + x Ẇᵀ + ḃ. VJP: x̄ = ȳ W, W̄ = ȳᵀ x, b̄ = Σ_rows ȳ, written with {@link Var}
 * operations (matrix products and a sum), so the backward pass is differentiable as it stands.
 */
final class Affine extends Primitive {
    @Override
    public String name() {
        return "affine";
    }

    /** b in every row of a new [rows, b.size] tensor, or zeros when b is null. */
    private static Tensor rowsOf(Tensor b, Tensor like, int rows, int cols) {
        Tensor out = Tensor.zeros(like.dtype(), rows, cols);
        if (b != null) {
            Storage src = b.storage(), dst = out.storage();
            for (int r = 0; r < rows; r++) src.copyTo(0, dst, r * cols, cols);
        }
        return out;
    }

    @Override
    public Tensor forward(Tensor[] in) {
        return product(in[0], in[1], in[2]);
    }

    /** x Wᵀ + b (b may be null), the forward pass. */
    private static Tensor product(Tensor x, Tensor w, Tensor b) {
        int n = x.dim(0), k = x.dim(1), m = w.dim(0);
        Tensor out = rowsOf(b, x, n, m);
        x.storage().gemm(false, true, n, m, k, 0, k, w.storage(), 0, k, out.storage(), 0, m, b != null);
        return out;
    }

    @Override
    public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
        Tensor x = in[0], w = in[1], dx = t[0], dw = t[1], db = t[2];
        if (dx == null && dw == null && db == null) return null;
        int n = x.dim(0), k = x.dim(1), m = w.dim(0);
        Tensor r = rowsOf(db, x, n, m);
        Storage ra = r.storage();
        if (dx != null) dx.storage().gemm(false, true, n, m, k, 0, k, w.storage(), 0, k, ra, 0, m, true);
        if (dw != null) x.storage().gemm(false, true, n, m, k, 0, k, dw.storage(), 0, k, ra, 0, m, true);
        return r;
    }

    @Override
    public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
        return new Var[] {need[0] ? ct.matmul(in[1]) : null, need[1] ? ct.matmul(in[0], true, false) : null,
                need[2] ? ct.sumTo(Shape.of(in[2].dim(0))) : null};
    }

    /**
     * Tangents of the cotangents, by the product rule on the VJP's products, without the
     * products themselves: x̄' = ȳ'W + ȳẆ, W̄' = ȳ'ᵀx + ȳᵀẋ, b̄' = Σ_rows ȳ' (' the tangent).
     */
    @Override
    public Tensor vjpTangent(Var[] in, Var out, Var ct, int input) {
        Tensor dct = ct.tangent();
        if (input == 2) return dct == null ? null : dct.sumTo(Shape.of(in[2].dim(0)));
        Var other = in[input == 0 ? 1 : 0];
        Tensor dOther = other.tangent();
        if (dct == null && dOther == null) return null;
        return input == 0
                ? Tensor.matmulSum(dct, dct == null ? null : other.value(), dOther == null ? null : ct.value(), dOther, false, false)
                : Tensor.matmulSum(dct, dct == null ? null : other.value(), dOther == null ? null : ct.value(), dOther, true, false);
    }
}
