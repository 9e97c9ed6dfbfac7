package dev.descent.autodiff;

import dev.descent.tensor.DType;
import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;

/**
 * A differentiable value: a {@link Tensor}, an optional forward-mode tangent, and (when gradients
 * are recorded) the {@link Primitive} and inputs that produced it.
 *
 * <p>Create leaves with {@link #parameter(Tensor)} (needs a gradient) or {@link #constant(Tensor)};
 * every operation below applies a primitive and returns a new Var. Recording happens when
 * gradient mode is on (see {@link Autodiff#noGrad()}) and some input needs a gradient; tangents
 * propagate whenever some input carries one, independently of recording.
 */
public final class Var {
    final Tensor value;
    final Tensor tangent;
    final Primitive op;
    final Var[] inputs;
    final boolean requiresGrad;

    Var(Tensor value, Tensor tangent, Primitive op, Var[] inputs, boolean requiresGrad) {
        this.value = value;
        this.tangent = tangent;
        this.op = op;
        this.inputs = inputs;
        this.requiresGrad = requiresGrad;
    }

    /** A leaf that needs a gradient. */
    public static Var parameter(Tensor value) {
        return new Var(value, null, null, null, true);
    }

    /** A leaf that needs a gradient and carries a forward-mode tangent (same shape and dtype). */
    public static Var parameter(Tensor value, Tensor tangent) {
        return new Var(value, checkTangent(value, tangent), null, null, true);
    }

    /** A leaf that needs no gradient. */
    public static Var constant(Tensor value) {
        return new Var(value, null, null, null, false);
    }

    /** A leaf that needs no gradient but carries a tangent (for {@link Autodiff#jvp}). */
    public static Var withTangent(Tensor value, Tensor tangent) {
        return new Var(value, checkTangent(value, tangent), null, null, false);
    }

    /** A float64 scalar constant. */
    public static Var scalar(DType dtype, double v) {
        return constant(Tensor.scalar(dtype, v));
    }

    private static Tensor checkTangent(Tensor value, Tensor tangent) {
        if (tangent == null) return null;
        if (!tangent.shape().equals(value.shape()) || tangent.dtype() != value.dtype()) {
            throw new IllegalArgumentException("tangent " + tangent.dtype() + tangent.shape()
                    + " does not match value " + value.dtype() + value.shape());
        }
        return tangent;
    }

    /** Applies {@code p} to {@code in}: forward value, tangent if any input has one, record if needed. */
    public static Var apply(Primitive p, Var... in) {
        Tensor[] vals = new Tensor[in.length];
        boolean anyTangent = false, anyGrad = false;
        for (int i = 0; i < in.length; i++) {
            vals[i] = in[i].value;
            anyTangent |= in[i].tangent != null;
            anyGrad |= in[i].requiresGrad;
        }
        Tensor out = p.forward(vals);
        Tensor tan = null;
        if (anyTangent) {
            Tensor[] tans = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) tans[i] = in[i].tangent;
            tan = p.jvp(vals, out, tans);
        }
        boolean record = anyGrad && Autodiff.isRecording();
        return new Var(out, tan, record ? p : null, record ? in : null, record);
    }

    /** The value. */
    public Tensor value() { return value; }
    /** The forward-mode tangent, or null (zero). */
    public Tensor tangent() { return tangent; }
    /** Whether a gradient flows to this value. */
    public boolean requiresGrad() { return requiresGrad; }
    /** The shape of the value. */
    public Shape shape() { return value.shape(); }
    /** The dtype of the value. */
    public DType dtype() { return value.dtype(); }
    /** Dimension i of the value. */
    public int dim(int i) { return value.dim(i); }
    /** Number of dimensions. */
    public int rank() { return value.rank(); }
    /** The same value cut off from the graph and from its tangent. */
    public Var detach() { return constant(value); }

    private Var c(double s) {
        return constant(Tensor.scalar(value.dtype(), s));
    }

    // ---- arithmetic (broadcasting)
    /** this + b. */ public Var add(Var b) { return apply(new Primitives.Add(), this, b); }
    /** this − b. */ public Var sub(Var b) { return apply(new Primitives.Sub(), this, b); }
    /** this · b. */ public Var mul(Var b) { return apply(new Primitives.Mul(), this, b); }
    /** this / b. */ public Var div(Var b) { return apply(new Primitives.Div(), this, b); }
    /** this^b (elementwise, b a tensor). */ public Var pow(Var b) { return apply(new Primitives.Pow(), this, b); }
    /** this + s. */ public Var add(double s) { return add(c(s)); }
    /** this − s. */ public Var sub(double s) { return sub(c(s)); }
    /** this · s. */ public Var mul(double s) { return mul(c(s)); }
    /** this / s. */ public Var div(double s) { return div(c(s)); }
    /** this^p for a constant exponent p. */ public Var pow(double p) { return apply(new Primitives.PowScalar(p), this); }
    /** elementwise max(this, b); ties send the gradient to this. */ public Var maximum(Var b) { return apply(new Primitives.Maximum(), this, b); }

    // ---- unary
    /** −this. */ public Var neg() { return apply(new Primitives.Neg(), this); }
    /** e^this. */ public Var exp() { return apply(new Primitives.Exp(), this); }
    /** ln this. */ public Var log() { return apply(new Primitives.Log(), this); }
    /** tanh this. */ public Var tanh() { return apply(new Primitives.Tanh(), this); }
    /** logistic sigmoid of this. */ public Var sigmoid() { return apply(new Primitives.Sigmoid(), this); }
    /** max(this, 0). */ public Var relu() { return apply(new Primitives.Relu(), this); }
    /** √this. */ public Var sqrt() { return apply(new Primitives.Sqrt(), this); }
    /** |this|. */ public Var abs() { return apply(new Primitives.Abs(), this); }
    /** this². */ public Var square() { return apply(new Primitives.Square(), this); }

    // ---- reductions
    /** Σ of all elements (scalar). */
    public Var sum() {
        int[] axes = new int[rank()];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        return sum(axes, false);
    }
    /** Σ over axes. */ public Var sum(int[] axes, boolean keepDims) { return apply(new Primitives.Sum(axes, keepDims), this); }
    /** Σ over one axis. */ public Var sum(int axis, boolean keepDims) { return sum(new int[] {axis}, keepDims); }
    /** Mean of all elements (scalar). */ public Var mean() { return sum().div(Math.max(1, value.size())); }
    /** Mean over axes. */
    public Var mean(int[] axes, boolean keepDims) {
        int count = 1;
        for (int a : axes) count *= value.shape().dim(a);
        return sum(axes, keepDims).div(count);
    }
    /** Mean over one axis. */ public Var mean(int axis, boolean keepDims) { return mean(new int[] {axis}, keepDims); }
    /** Max over one axis (ties share the gradient equally). */ public Var max(int axis, boolean keepDims) { return apply(new Primitives.MaxReduce(axis, keepDims, true), this); }
    /** Min over one axis (ties share the gradient equally). */ public Var min(int axis, boolean keepDims) { return apply(new Primitives.MaxReduce(axis, keepDims, false), this); }
    /** log Σ exp over axis, stable. */ public Var logSumExp(int axis, boolean keepDims) { return apply(new Primitives.LogSumExp(axis, keepDims), this); }
    /** this − logsumexp(this) over axis. */ public Var logSoftmax(int axis) { return sub(logSumExp(axis, true)); }
    /**
     * Softmax over axis, e^(x − m)/Σ e^(x − m) with m = max x treated as a constant: softmax is
     * shift-invariant, so detaching m changes no derivative and keeps rows summing to 1 within n·u.
     */
    public Var softmax(int axis) {
        Var e = sub(constant(value.max(axis, true))).exp();
        return e.div(e.sum(axis, true));
    }

    // ---- linear algebra
    /** Matrix product. */ public Var matmul(Var b) { return matmul(b, false, false); }
    /**
     * op(this)·op(b); ranks 2×2, 3×3 (batched) and 3×2 (shared right operand) as in
     * {@link Tensor#matmul(Tensor, boolean, boolean)}.
     */
    public Var matmul(Var b, boolean transA, boolean transB) {
        if (rank() == 3 && b.rank() == 2 && !transA) {
            int batch = dim(0), m = dim(1);
            return reshape(batch * m, dim(2)).matmul(b, false, transB).reshape(batch, m, -1);
        }
        return apply(new Primitives.MatMul(transA, transB), this, b);
    }

    // ---- shapes
    /** Same data, new shape (one dimension may be −1). */
    public Var reshape(int... shape) {
        return java.util.Arrays.equals(shape, value.dims()) ? this : apply(new Primitives.Reshape(shape), this);
    }
    /** Transpose of the last two axes. */
    public Var transpose() {
        int[] perm = new int[rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[rank() - 2] = rank() - 1;
        perm[rank() - 1] = rank() - 2;
        return permute(perm);
    }
    /** Axes reordered. */ public Var permute(int... perm) { return apply(new Primitives.Permute(perm), this); }
    /** [start, end) along axis. */ public Var slice(int axis, int start, int end) { return apply(new Primitives.Slice(axis, start, end), this); }
    /** Index i along axis, removing it. */
    public Var select(int axis, int i) {
        int a = value.shape().axis(axis);
        int[] dims = value.dims();
        int[] out = new int[dims.length - 1];
        for (int j = 0, k = 0; j < dims.length; j++) if (j != a) out[k++] = dims[j];
        return slice(a, i, i + 1).reshape(out);
    }
    /** Rows at indices along axis. */ public Var gather(int axis, int[] indices) { return apply(new Primitives.Gather(axis, indices), this); }
    /** Broadcast to shape (itself when the shape already matches). */
    public Var broadcastTo(Shape s) { return s.equals(shape()) ? this : apply(new Primitives.BroadcastTo(s), this); }
    /** Summed down to shape, the adjoint of broadcasting (itself when the shape already matches). */
    public Var sumTo(Shape s) { return s.equals(shape()) ? this : apply(new Primitives.SumTo(s), this); }

    /** Concatenation along axis. */
    public static Var concat(int axis, Var... parts) { return apply(new Primitives.Concat(axis), parts); }

    /** Stack along a new axis. */
    public static Var stack(int axis, Var... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("stack: no values");
        int r = parts[0].rank();
        int a = axis < 0 ? axis + r + 1 : axis;
        Var[] ex = new Var[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].shape().equals(parts[0].shape())) {
                throw new IllegalArgumentException("stack: shapes " + parts[0].shape() + " and " + parts[i].shape() + " differ");
            }
            int[] d = parts[i].value.dims();
            int[] nd = new int[r + 1];
            for (int j = 0, k = 0; j <= r; j++) nd[j] = j == a ? 1 : d[k++];
            ex[i] = parts[i].reshape(nd);
        }
        return concat(a, ex);
    }

    /** cond ≠ 0 ? a : b; cond is a constant mask. */
    public static Var where(Tensor cond, Var a, Var b) { return apply(new Primitives.Where(cond), a, b); }

    @Override
    public String toString() {
        return "Var(" + value + (tangent != null ? ", tangent" : "") + (requiresGrad ? ", grad" : "") + ")";
    }
}
