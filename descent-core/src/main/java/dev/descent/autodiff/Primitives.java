package dev.descent.autodiff;

import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;

/**
 * The primitives. Each nested class is one primitive with its forward, JVP and VJP rules side by
 * side (see {@link Primitive} for the contract). Notation in the comments: x, y inputs, z output,
 * ẋ tangents, z̄ the output cotangent, x̄ input cotangents; ⊙ elementwise product; Σ↓ "sum down
 * to the input's shape" (the adjoint of broadcasting).
 */
public final class Primitives {
    private Primitives() {}

    static Tensor plus(Tensor a, Tensor b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.add(b);
    }

    static Var constant(Tensor t) {
        return Var.constant(t);
    }

    static int[] keepDimsShape(Shape s, int[] axes) {
        int[] d = s.dims();
        for (int a : axes) d[s.axis(a)] = 1;
        return d;
    }

    // ------------------------------------------------------------------ arithmetic

    /** z = x + y (broadcasting). ż = ẋ + ẏ; x̄ = Σ↓ z̄, ȳ = Σ↓ z̄. */
    public static final class Add extends Primitive {
        @Override public String name() { return "add"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].add(in[1]); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            Tensor r = plus(t[0], t[1]);
            return r == null ? null : r.broadcastTo(out.shape());
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {need[0] ? ct.sumTo(in[0].shape()) : null, need[1] ? ct.sumTo(in[1].shape()) : null};
        }
    }

    /** z = x − y. ż = ẋ − ẏ; x̄ = Σ↓ z̄, ȳ = −Σ↓ z̄. */
    public static final class Sub extends Primitive {
        @Override public String name() { return "sub"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].sub(in[1]); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            Tensor r = plus(t[0], t[1] == null ? null : t[1].neg());
            return r == null ? null : r.broadcastTo(out.shape());
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {need[0] ? ct.sumTo(in[0].shape()) : null, need[1] ? ct.neg().sumTo(in[1].shape()) : null};
        }
    }

    /** z = x ⊙ y. ż = ẋ⊙y + x⊙ẏ; x̄ = Σ↓(z̄⊙y), ȳ = Σ↓(z̄⊙x). */
    public static final class Mul extends Primitive {
        @Override public String name() { return "mul"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].mul(in[1]); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            Tensor r = plus(t[0] == null ? null : t[0].mul(in[1]), t[1] == null ? null : in[0].mul(t[1]));
            return r == null ? null : r.broadcastTo(out.shape());
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {need[0] ? ct.mul(in[1]).sumTo(in[0].shape()) : null,
                              need[1] ? ct.mul(in[0]).sumTo(in[1].shape()) : null};
        }
    }

    /** z = x / y. ż = ẋ/y − ẏ⊙z/y; x̄ = Σ↓(z̄/y), ȳ = −Σ↓(z̄⊙z/y). */
    public static final class Div extends Primitive {
        @Override public String name() { return "div"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].div(in[1]); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            Tensor r = plus(t[0] == null ? null : t[0].div(in[1]), t[1] == null ? null : t[1].mul(out).div(in[1]).neg());
            return r == null ? null : r.broadcastTo(out.shape());
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {need[0] ? ct.div(in[1]).sumTo(in[0].shape()) : null,
                              need[1] ? ct.mul(out).div(in[1]).neg().sumTo(in[1].shape()) : null};
        }
    }

    /** z = x^y (both tensors). ż = ẋ⊙y⊙x^(y−1) + ẏ⊙z⊙ln x; adjoints likewise. */
    public static final class Pow extends Primitive {
        @Override public String name() { return "pow"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].pow(in[1]); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            Tensor r = plus(t[0] == null ? null : t[0].mul(in[1]).mul(in[0].pow(in[1].sub(1))),
                            t[1] == null ? null : t[1].mul(out).mul(in[0].log()));
            return r == null ? null : r.broadcastTo(out.shape());
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {need[0] ? ct.mul(in[1]).mul(in[0].pow(in[1].sub(1))).sumTo(in[0].shape()) : null,
                              need[1] ? ct.mul(out).mul(in[0].log()).sumTo(in[1].shape()) : null};
        }
    }

    /** z = x^p for a constant p. ż = p x^(p−1) ẋ; x̄ = p x^(p−1) z̄. */
    public static final class PowScalar extends Primitive {
        private final double p;
        PowScalar(double p) { this.p = p; }
        @Override public String name() { return "pow(" + p + ")"; }
        @Override public Tensor forward(Tensor[] in) { return p == 2 ? in[0].square() : in[0].pow(p); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            return t[0].mul(in[0].pow(p - 1)).mul(p);
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            Var d = p == 2 ? in[0].mul(2) : in[0].pow(p - 1).mul(p);
            return new Var[] {ct.mul(d)};
        }
    }

    /** z = max(x, y) elementwise; the derivative goes to x where x ≥ y, else to y. */
    public static final class Maximum extends Primitive {
        private Tensor mask;
        @Override public String name() { return "maximum"; }
        @Override public Tensor forward(Tensor[] in) {
            Tensor z = in[0].maximum(in[1]);
            mask = in[0].ge(in[1]).broadcastTo(z.shape());
            return z;
        }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            Tensor zero = Tensor.zeros(out.dtype());
            return Tensor.where(mask, t[0] == null ? zero : t[0], t[1] == null ? zero : t[1]).broadcastTo(out.shape());
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            Var zero = Var.scalar(out.dtype(), 0);
            return new Var[] {need[0] ? Var.where(mask, ct, zero).sumTo(in[0].shape()) : null,
                              need[1] ? Var.where(mask, zero, ct).sumTo(in[1].shape()) : null};
        }
    }

    /** z = cond ? x : y with a constant mask. */
    public static final class Where extends Primitive {
        private final Tensor cond;
        Where(Tensor cond) { this.cond = cond; }
        @Override public String name() { return "where"; }
        @Override public Tensor forward(Tensor[] in) { return Tensor.where(cond, in[0], in[1]); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            Tensor zero = Tensor.zeros(out.dtype());
            return Tensor.where(cond, t[0] == null ? zero : t[0], t[1] == null ? zero : t[1]).broadcastTo(out.shape());
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            Var zero = Var.scalar(out.dtype(), 0);
            return new Var[] {need[0] ? Var.where(cond, ct, zero).sumTo(in[0].shape()) : null,
                              need[1] ? Var.where(cond, zero, ct).sumTo(in[1].shape()) : null};
        }
    }

    // ------------------------------------------------------------------ unary

    /** z = −x. */
    public static final class Neg extends Primitive {
        @Override public String name() { return "neg"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].neg(); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].neg(); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) { return new Var[] {ct.neg()}; }
    }

    /** z = eˣ. ż = z⊙ẋ; x̄ = z⊙z̄. */
    public static final class Exp extends Primitive {
        @Override public String name() { return "exp"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].exp(); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].mul(out); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) { return new Var[] {ct.mul(out)}; }
    }

    /** z = ln x. ż = ẋ/x; x̄ = z̄/x. */
    public static final class Log extends Primitive {
        @Override public String name() { return "log"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].log(); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].div(in[0]); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) { return new Var[] {ct.div(in[0])}; }
    }

    /** z = tanh x. ż = (1 − z²)⊙ẋ; x̄ = (1 − z²)⊙z̄. */
    public static final class Tanh extends Primitive {
        @Override public String name() { return "tanh"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].tanh(); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].mul(out.square().neg().add(1)); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {ct.mul(out.square().neg().add(1))};
        }
    }

    /** z = σ(x) = 1/(1+e^{−x}). ż = z(1 − z)⊙ẋ; x̄ = z(1 − z)⊙z̄. */
    public static final class Sigmoid extends Primitive {
        @Override public String name() { return "sigmoid"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].sigmoid(); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].mul(out.mul(out.neg().add(1))); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {ct.mul(out.mul(out.neg().add(1)))};
        }
    }

    /** z = max(x, 0). ż = 1[x&gt;0]⊙ẋ; x̄ = 1[x&gt;0]⊙z̄ (derivative 0 at 0, as PyTorch). */
    public static final class Relu extends Primitive {
        @Override public String name() { return "relu"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].relu(); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].maskedByPositive(in[0]); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {Var.apply(new PositiveMask(in[0].value()), ct)};
        }
    }

    /**
     * z = y ⊙ 1[x &gt; 0] for a constant x (relu's derivative applied to a cotangent or tangent),
     * linear in y: ż = ẏ ⊙ 1[x &gt; 0], ȳ = z̄ ⊙ 1[x &gt; 0]. One pass and one new tensor, where
     * {@code y.mul(x.step())} made two.
     */
    public static final class PositiveMask extends Primitive {
        private final Tensor x;
        PositiveMask(Tensor x) { this.x = x; }
        @Override public String name() { return "positiveMask"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].maskedByPositive(x); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].maskedByPositive(x); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {Var.apply(new PositiveMask(x), ct)};
        }
    }

    /** z = √x. ż = ẋ/(2z); x̄ = z̄/(2z). */
    public static final class Sqrt extends Primitive {
        @Override public String name() { return "sqrt"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].sqrt(); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].div(out.mul(2)); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) { return new Var[] {ct.div(out.mul(2))}; }
    }

    /** z = |x|. ż = sign(x)⊙ẋ. */
    public static final class Abs extends Primitive {
        @Override public String name() { return "abs"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].abs(); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].mul(in[0].sign()); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {ct.mul(constant(in[0].value().sign()))};
        }
    }

    /** z = x². ż = 2x⊙ẋ; x̄ = 2x⊙z̄. */
    public static final class Square extends Primitive {
        @Override public String name() { return "square"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].square(); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].mul(in[0]).mul(2); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) { return new Var[] {ct.mul(in[0]).mul(2)}; }
    }

    // ------------------------------------------------------------------ reductions

    /** z = Σ over axes. ż = Σ ẋ; x̄ = broadcast of z̄. */
    public static final class Sum extends Primitive {
        private final int[] axes;
        private final boolean keepDims;
        Sum(int[] axes, boolean keepDims) { this.axes = axes.clone(); this.keepDims = keepDims; }
        @Override public String name() { return "sum"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].sum(axes, keepDims); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].sum(axes, keepDims); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {ct.reshape(keepDimsShape(in[0].shape(), axes)).broadcastTo(in[0].shape())};
        }
    }

    /**
     * z = max (or min) over one axis. Where several elements attain the extremum the derivative is
     * shared equally among them (a valid subgradient; PyTorch's amax does the same).
     */
    public static final class MaxReduce extends Primitive {
        private final int axis;
        private final boolean keepDims, isMax;
        private Tensor weights;
        MaxReduce(int axis, boolean keepDims, boolean isMax) { this.axis = axis; this.keepDims = keepDims; this.isMax = isMax; }
        @Override public String name() { return isMax ? "max" : "min"; }
        @Override public Tensor forward(Tensor[] in) {
            Tensor kept = isMax ? in[0].max(axis, true) : in[0].min(axis, true);
            Tensor mask = in[0].eq(kept);
            weights = mask.div(mask.sum(axis, true));
            return keepDims ? kept : kept.reshape(removeAxis(in[0].shape(), axis));
        }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].mul(weights).sum(axis, keepDims); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {ct.reshape(keepDimsShape(in[0].shape(), new int[] {axis})).broadcastTo(in[0].shape())
                    .mul(constant(weights))};
        }
    }

    static int[] removeAxis(Shape s, int axis) {
        int a = s.axis(axis);
        int[] d = s.dims();
        int[] out = new int[d.length - 1];
        for (int i = 0, k = 0; i < d.length; i++) if (i != a) out[k++] = d[i];
        return out;
    }

    /** z = log Σ exp x over an axis. ż = Σ softmax(x)⊙ẋ; x̄ = softmax(x)⊙z̄, softmax = exp(x − z). */
    public static final class LogSumExp extends Primitive {
        private final int axis;
        private final boolean keepDims;
        LogSumExp(int axis, boolean keepDims) { this.axis = axis; this.keepDims = keepDims; }
        @Override public String name() { return "logsumexp"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].logSumExp(axis, keepDims); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            int[] keep = keepDimsShape(in[0].shape(), new int[] {axis});
            Tensor soft = in[0].sub(out.reshape(keep)).exp();
            return t[0].mul(soft).sum(axis, keepDims);
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            int[] keep = keepDimsShape(in[0].shape(), new int[] {axis});
            Var soft = in[0].sub(out.reshape(keep)).exp();
            return new Var[] {soft.mul(ct.reshape(keep))};
        }
    }

    // ------------------------------------------------------------------ linear algebra

    /**
     * Z = op(A)·op(B). Ż = Ȧ·B + A·Ḃ (with the same ops, one GEMM output); Ā = Z̄·op(B)ᵀ,
     * B̄ = op(A)ᵀ·Z̄ (transposed back as needed).
     */
    public static final class MatMul extends Primitive {
        private final boolean ta, tb;
        MatMul(boolean ta, boolean tb) { this.ta = ta; this.tb = tb; }
        @Override public String name() { return "matmul"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].matmul(in[1], ta, tb); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            if (t[0] == null && t[1] == null) return null;
            return Tensor.matmulSum(t[0], t[0] == null ? null : in[1], t[1] == null ? null : in[0], t[1], ta, tb);
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            Var a = in[0], b = in[1];
            Var da = null, db = null;
            if (need[0]) da = !ta ? ct.matmul(b, false, !tb) : b.matmul(ct, tb, true);
            if (need[1]) db = !tb ? a.matmul(ct, !ta, false) : ct.matmul(a, true, ta);
            return new Var[] {da, db};
        }
        /** The product rule applied to the VJP's own products, without forming the products themselves. */
        @Override public Tensor vjpTangent(Var[] in, Var out, Var ct, int input) {
            // Each cotangent is p(x, y) for a product p of two of (ct, a, b); its tangent is
            // p(ẋ, y) + p(x, ẏ), one GEMM output.
            Var x, y;
            boolean tx, ty;
            if (input == 0) {
                if (!ta) { x = ct; y = in[1]; tx = false; ty = !tb; } else { x = in[1]; y = ct; tx = tb; ty = true; }
            } else {
                if (!tb) { x = in[0]; y = ct; tx = !ta; ty = false; } else { x = ct; y = in[0]; tx = true; ty = ta; }
            }
            Tensor dx = x.tangent(), dy = y.tangent();
            if (dx == null && dy == null) return null;
            return Tensor.matmulSum(dx, dx == null ? null : y.value(), dy == null ? null : x.value(), dy, tx, ty);
        }
    }

    // ------------------------------------------------------------------ shapes

    /** Same data, new shape. */
    public static final class Reshape extends Primitive {
        private final int[] shape;
        Reshape(int[] shape) { this.shape = shape.clone(); }
        @Override public String name() { return "reshape"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].reshape(shape); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].reshape(out.dims()); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) { return new Var[] {ct.reshape(in[0].value().dims())}; }
    }

    /** Axes permuted; the adjoint applies the inverse permutation. */
    public static final class Permute extends Primitive {
        private final int[] perm;
        Permute(int[] perm) { this.perm = perm.clone(); }
        @Override public String name() { return "permute"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].permute(perm); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].permute(perm); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            int[] inv = new int[perm.length];
            for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
            return new Var[] {ct.permute(inv)};
        }
    }

    /** [start, end) along an axis; the adjoint pads with zeros. */
    public static final class Slice extends Primitive {
        private final int axis, start, end;
        Slice(int axis, int start, int end) { this.axis = axis; this.start = start; this.end = end; }
        @Override public String name() { return "slice"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].slice(axis, start, end); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].slice(axis, start, end); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {Var.apply(new Pad(axis, start, in[0].shape().dim(axis)), ct)};
        }
    }

    /** Zero padding along an axis: the input lands at [start, start+len) of a dimension of size full. */
    public static final class Pad extends Primitive {
        private final int axis, start, full;
        Pad(int axis, int start, int full) { this.axis = axis; this.start = start; this.full = full; }
        @Override public String name() { return "pad"; }
        @Override public Tensor forward(Tensor[] in) { return pad(in[0]); }
        private Tensor pad(Tensor x) {
            int a = x.shape().axis(axis);
            int len = x.dim(a);
            Tensor before = Tensor.zeros(x.dtype(), x.shape().with(a, start).dims());
            Tensor after = Tensor.zeros(x.dtype(), x.shape().with(a, full - start - len).dims());
            return Tensor.concat(a, before, x, after);
        }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return pad(t[0]); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {ct.slice(axis, start, start + in[0].shape().dim(axis))};
        }
    }

    /** Concatenation along an axis; the adjoint slices the cotangent back into parts. */
    public static final class Concat extends Primitive {
        private final int axis;
        Concat(int axis) { this.axis = axis; }
        @Override public String name() { return "concat"; }
        @Override public Tensor forward(Tensor[] in) { return Tensor.concat(axis, in); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) {
            Tensor[] parts = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) parts[i] = t[i] != null ? t[i] : Tensor.zerosLike(in[i]);
            return Tensor.concat(axis, parts);
        }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            Var[] r = new Var[in.length];
            int pos = 0;
            for (int i = 0; i < in.length; i++) {
                int len = in[i].shape().dim(axis);
                if (need[i]) r[i] = ct.slice(axis, pos, pos + len);
                pos += len;
            }
            return r;
        }
    }

    /** Rows selected by index along an axis; the adjoint scatters (adds) them back. */
    public static final class Gather extends Primitive {
        private final int axis;
        private final int[] indices;
        Gather(int axis, int[] indices) { this.axis = axis; this.indices = indices.clone(); }
        @Override public String name() { return "gather"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].gather(axis, indices); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].gather(axis, indices); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
            return new Var[] {Var.apply(new ScatterAdd(axis, indices, in[0].shape()), ct)};
        }
    }

    /** The adjoint of {@link Gather}: rows added into a zero tensor at the indices. */
    public static final class ScatterAdd extends Primitive {
        private final int axis;
        private final int[] indices;
        private final Shape target;
        ScatterAdd(int axis, int[] indices, Shape target) { this.axis = axis; this.indices = indices; this.target = target; }
        @Override public String name() { return "scatterAdd"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].scatterAdd(axis, indices, target); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].scatterAdd(axis, indices, target); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) { return new Var[] {ct.gather(axis, indices)}; }
    }

    /** Broadcast to a shape; the adjoint sums back down. */
    public static final class BroadcastTo extends Primitive {
        private final Shape target;
        BroadcastTo(Shape target) { this.target = target; }
        @Override public String name() { return "broadcastTo"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].broadcastTo(target); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].broadcastTo(target); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) { return new Var[] {ct.sumTo(in[0].shape())}; }
    }

    /** Sum down to a shape (adjoint of broadcasting); the adjoint broadcasts back up. */
    public static final class SumTo extends Primitive {
        private final Shape target;
        SumTo(Shape target) { this.target = target; }
        @Override public String name() { return "sumTo"; }
        @Override public Tensor forward(Tensor[] in) { return in[0].sumTo(target); }
        @Override public Tensor jvp(Tensor[] in, Tensor out, Tensor[] t) { return t[0].sumTo(target); }
        @Override public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) { return new Var[] {ct.broadcastTo(in[0].shape())}; }
    }
}
