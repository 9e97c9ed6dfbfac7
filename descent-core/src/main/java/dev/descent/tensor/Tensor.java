package dev.descent.tensor;

import dev.descent.tensor.kernel.BinaryOp;
import dev.descent.tensor.kernel.ReduceOp;
import dev.descent.tensor.kernel.Storage;
import dev.descent.tensor.kernel.StorageF32;
import dev.descent.tensor.kernel.StorageF64;
import dev.descent.tensor.kernel.UnaryOp;
import java.util.Arrays;

/**
 * A dense, row-major, contiguous, immutable n-dimensional array of float32 or float64.
 *
 * <p>Every operation returns a new tensor; none modifies its operands. Binary operations
 * broadcast with NumPy's rules and require equal dtypes (see {@link DType} for why there is no
 * promotion). Shape errors throw {@link IllegalArgumentException} naming the operation and both
 * shapes. The kernels live in {@code dev.descent.tensor.kernel}; this class validates and plans
 * the iteration, and its {@link Storage} (float32 or float64) runs the kernel of its dtype.
 *
 * <p>{@link #rawF32()} and {@link #rawF64()} expose the backing array without copying for
 * allocation-free code in other packages; callers must not modify it unless they created the
 * tensor with {@link #wrap(float[], int...)} / {@link #wrap(double[], int...)} and have not
 * shared it yet.
 */
public final class Tensor {
    private final Shape shape;
    private final DType dtype;
    private final Storage data;

    private Tensor(Shape shape, DType dtype, Storage data) {
        this.shape = shape;
        this.dtype = dtype;
        this.data = data;
    }

    // ---------------------------------------------------------------- creation

    /** A float64 tensor holding a copy of {@code data} in the given shape. */
    public static Tensor of(double[] data, int... shape) {
        return wrap(data.clone(), shape);
    }

    /** A float32 tensor holding a copy of {@code data} in the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return wrap(data.clone(), shape);
    }

    /** A float64 tensor that takes ownership of {@code data} (no copy). */
    public static Tensor wrap(double[] data, int... shape) {
        Shape s = Shape.of(shape);
        checkLength(data.length, s);
        return new Tensor(s, DType.F64, new StorageF64(data));
    }

    /** A float32 tensor that takes ownership of {@code data} (no copy). */
    public static Tensor wrap(float[] data, int... shape) {
        Shape s = Shape.of(shape);
        checkLength(data.length, s);
        return new Tensor(s, DType.F32, new StorageF32(data));
    }

    private static void checkLength(int length, Shape s) {
        if (length != s.size()) {
            throw new IllegalArgumentException("tensor: " + length + " values do not fill shape " + s
                    + " (" + s.size() + " elements)");
        }
    }

    /** A float64 scalar. */
    public static Tensor scalar(double v) {
        return wrap(new double[] {v});
    }

    /** A scalar of the given dtype. */
    public static Tensor scalar(DType dtype, double v) {
        return full(dtype, v);
    }

    /** A tensor filled with zeros. */
    public static Tensor zeros(DType dtype, int... shape) {
        Shape s = Shape.of(shape);
        return new Tensor(s, dtype, dtype.allocate(s.size()));
    }

    /** A tensor filled with ones. */
    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1, shape);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = zeros(dtype, shape);
        t.data.fill(value);
        return t;
    }

    /** The n×n identity matrix. */
    public static Tensor eye(DType dtype, int n) {
        Tensor t = zeros(dtype, n, n);
        for (int i = 0; i < n; i++) t.setRaw(i * n + i, 1);
        return t;
    }

    /** 0, 1, …, n−1 as a 1-D tensor. */
    public static Tensor arange(DType dtype, int n) {
        Tensor t = zeros(dtype, n);
        for (int i = 0; i < n; i++) t.setRaw(i, i);
        return t;
    }

    /** A zero tensor with the shape and dtype of {@code like}. */
    public static Tensor zerosLike(Tensor like) {
        return zeros(like.dtype, like.shape.dims());
    }

    /**
     * One-hot rows: result[i, labels[i]] = 1. Every label must lie in [0, classes).
     */
    public static Tensor oneHot(DType dtype, int[] labels, int classes) {
        Tensor t = zeros(dtype, labels.length, classes);
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            if (c < 0 || c >= classes) {
                throw new IllegalArgumentException("oneHot: label " + c + " at position " + i
                        + " outside [0, " + classes + ")");
            }
            t.setRaw(i * classes + c, 1);
        }
        return t;
    }

    // ---------------------------------------------------------------- accessors

    /** The shape. */
    public Shape shape() {
        return shape;
    }

    /** The dimensions (a copy). */
    public int[] dims() {
        return shape.dims();
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    public int size() {
        return shape.size();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.rank();
    }

    /** Dimension i (negative counts from the end). */
    public int dim(int i) {
        return shape.dim(i);
    }

    /** The backing float32 array, no copy; null for float64 (see class docs before modifying). */
    public float[] rawF32() {
        return data.array() instanceof float[] a ? a : null;
    }

    /** The backing float64 array, no copy; null for float32 (see class docs before modifying). */
    public double[] rawF64() {
        return data.array() instanceof double[] a ? a : null;
    }

    /**
     * The storage, no copy: the kernel entry points of this tensor's dtype, for allocation-free
     * code in other packages (the same rules as {@link #rawF64()} before modifying it).
     */
    public Storage storage() {
        return data;
    }

    /** A tensor of {@code shape} over {@code data} (no copy; the caller gives up the storage). */
    public static Tensor wrap(Storage data, int... shape) {
        Shape s = Shape.of(shape);
        checkLength(data.length(), s);
        return new Tensor(s, data instanceof StorageF32 ? DType.F32 : DType.F64, data);
    }

    /** Element at flat row-major index i, as a double. */
    public double getFlat(int i) {
        return data.get(i);
    }

    private void setRaw(int i, double v) {
        data.set(i, v);
    }

    /** Element at the given multi-index. */
    public double get(int... index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("get: index " + Arrays.toString(index) + " has rank "
                    + index.length + " but tensor shape is " + shape);
        }
        int flat = 0;
        int[] st = shape.strides();
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape.dim(i)) {
                throw new IllegalArgumentException("get: index " + Arrays.toString(index) + " out of bounds for shape " + shape);
            }
            flat += index[i] * st[i];
        }
        return getFlat(flat);
    }

    /** The single value of a one-element tensor. */
    public double item() {
        if (size() != 1) {
            throw new IllegalArgumentException("item: tensor of shape " + shape + " has " + size() + " elements, not 1");
        }
        return getFlat(0);
    }

    /** The values as a new double array. */
    public double[] toDoubleArray() {
        return data.toDoubles();
    }

    /** The values as a new float array (rounded when float64). */
    public float[] toFloatArray() {
        return data.toFloats();
    }

    /** This tensor converted to {@code target} (itself when already of that dtype). */
    public Tensor to(DType target) {
        if (target == dtype) return this;
        return target == DType.F64 ? wrap(toDoubleArray(), shape.dims()) : wrap(toFloatArray(), shape.dims());
    }

    /** A mutable copy of the data as a new tensor (for callers that will fill it). */
    public Tensor copy() {
        return new Tensor(shape, dtype, data.copy());
    }

    /**
     * Throws {@link ArithmeticException} naming the first non-finite value and its multi-index.
     *
     * @param name what the tensor is, for the message
     * @return this tensor, for chaining
     */
    public Tensor checkFinite(String name) {
        int n = size();
        for (int i = 0; i < n; i++) {
            double v = getFlat(i);
            if (!Double.isFinite(v)) {
                throw new ArithmeticException(name + ": non-finite value " + v + " at index "
                        + Arrays.toString(unravel(i)) + " of shape " + shape);
            }
        }
        return this;
    }

    /** The multi-index of flat position i. */
    public int[] unravel(int flat) {
        int[] idx = new int[shape.rank()];
        for (int a = shape.rank() - 1; a >= 0; a--) {
            int dim = shape.dim(a);
            if (dim > 0) {
                idx[a] = flat % dim;
                flat /= dim;
            }
        }
        return idx;
    }

    /** max |this − other| over all elements (shapes must match exactly). */
    public double maxAbsDiff(Tensor other) {
        requireSameShape("maxAbsDiff", other);
        double m = 0;
        for (int i = 0; i < size(); i++) {
            double diff = Math.abs(getFlat(i) - other.getFlat(i));
            if (diff > m || diff != diff) m = diff;
        }
        return m;
    }

    /** Max |x| over all elements (0 for an empty tensor). */
    public double maxAbs() {
        double m = 0;
        for (int i = 0; i < size(); i++) m = Math.max(m, Math.abs(getFlat(i)));
        return m;
    }

    /** Euclidean (Frobenius) norm, accumulated in float64. */
    public double norm() {
        return Math.sqrt(dot(this));
    }

    /**
     * Σ this·other over all elements, accumulated in float64 (shapes and dtypes must match):
     * float32 elements are widened exactly, so every product is exact; the sum is vectorised
     * with four vector partial sums ({@code ReduceF64.dotWide}).
     */
    public double dot(Tensor other) {
        requireSameShape("dot", other);
        requireSameDType("dot", this, other);
        return data.dotWide(0, other.data, 0, size());
    }

    private void requireSameShape(String op, Tensor other) {
        if (!shape.equals(other.shape)) {
            throw new IllegalArgumentException(op + ": shapes " + shape + " and " + other.shape + " differ");
        }
    }

    private static void requireSameDType(String op, Tensor a, Tensor b) {
        if (a.dtype != b.dtype) {
            throw new IllegalArgumentException(op + ": dtypes " + a.dtype + " and " + b.dtype
                    + " differ (convert explicitly with to(DType))");
        }
    }

    // ---------------------------------------------------------------- elementwise

    /** Elementwise a + b (broadcasting). */
    public Tensor add(Tensor b) { return binary("add", BinaryOp.ADD, this, b); }
    /** Elementwise a − b (broadcasting). */
    public Tensor sub(Tensor b) { return binary("sub", BinaryOp.SUB, this, b); }
    /** Elementwise a · b (broadcasting). */
    public Tensor mul(Tensor b) { return binary("mul", BinaryOp.MUL, this, b); }
    /** Elementwise a / b (broadcasting). */
    public Tensor div(Tensor b) { return binary("div", BinaryOp.DIV, this, b); }
    /** Elementwise a^b (broadcasting). */
    public Tensor pow(Tensor b) { return binary("pow", BinaryOp.POW, this, b); }
    /** Elementwise max(a, b) (broadcasting; NaN propagates). */
    public Tensor maximum(Tensor b) { return binary("maximum", BinaryOp.MAX, this, b); }
    /** Elementwise min(a, b) (broadcasting; NaN propagates). */
    public Tensor minimum(Tensor b) { return binary("minimum", BinaryOp.MIN, this, b); }
    /** 1 where a &gt; b, else 0. */
    public Tensor gt(Tensor b) { return binary("gt", BinaryOp.GT, this, b); }
    /** 1 where a ≥ b, else 0. */
    public Tensor ge(Tensor b) { return binary("ge", BinaryOp.GE, this, b); }
    /** 1 where a &lt; b, else 0. */
    public Tensor lt(Tensor b) { return binary("lt", BinaryOp.LT, this, b); }
    /** 1 where a ≤ b, else 0. */
    public Tensor le(Tensor b) { return binary("le", BinaryOp.LE, this, b); }
    /** 1 where a = b, else 0. */
    public Tensor eq(Tensor b) { return binary("eq", BinaryOp.EQ, this, b); }
    /** 1 where a ≠ b, else 0. */
    public Tensor ne(Tensor b) { return binary("ne", BinaryOp.NE, this, b); }

    /** a + s. */
    public Tensor add(double s) { return add(scalar(dtype, s)); }
    /** a − s. */
    public Tensor sub(double s) { return sub(scalar(dtype, s)); }
    /** a · s. */
    public Tensor mul(double s) { return mul(scalar(dtype, s)); }
    /** a / s. */
    public Tensor div(double s) { return div(scalar(dtype, s)); }
    /** a^p. */
    public Tensor pow(double p) { return pow(scalar(dtype, p)); }
    /** 1 where a &gt; s. */
    public Tensor gt(double s) { return gt(scalar(dtype, s)); }

    /** −a. */
    public Tensor neg() { return unary(UnaryOp.NEG); }
    /** e^a. */
    public Tensor exp() { return unary(UnaryOp.EXP); }
    /** ln a. */
    public Tensor log() { return unary(UnaryOp.LOG); }
    /** ln(1 + a), accurate for small a. */
    public Tensor log1p() { return unary(UnaryOp.LOG1P); }
    /** tanh a. */
    public Tensor tanh() { return unary(UnaryOp.TANH); }
    /** Logistic sigmoid 1/(1+e^{−a}), computed without overflow. */
    public Tensor sigmoid() { return unary(UnaryOp.SIGMOID); }
    /** max(a, 0). */
    public Tensor relu() { return unary(UnaryOp.RELU); }
    /** 1 where a &gt; 0, else 0 (the derivative of relu; 0 at 0). */
    public Tensor step() { return unary(UnaryOp.STEP); }
    /** √a. */
    public Tensor sqrt() { return unary(UnaryOp.SQRT); }
    /** |a|. */
    public Tensor abs() { return unary(UnaryOp.ABS); }
    /** sign(a) ∈ {−1, 0, 1}. */
    public Tensor sign() { return unary(UnaryOp.SIGN); }
    /** a². */
    public Tensor square() { return unary(UnaryOp.SQUARE); }
    /** 1/a. */
    public Tensor reciprocal() { return unary(UnaryOp.RECIPROCAL); }

    /**
     * This tensor where {@code x} &gt; 0 and 0 elsewhere: relu's derivative at x applied to this
     * tensor, in one pass (shapes and dtypes must be equal; NaN in x counts as not positive).
     */
    public Tensor maskedByPositive(Tensor x) {
        requireSameShape("maskedByPositive", x);
        requireSameDType("maskedByPositive", this, x);
        Tensor out = zeros(dtype, shape.dims());
        data.maskPositive(0, x.data, 0, out.data, 0, size());
        return out;
    }

    /** op applied elementwise (the public operations above are the named entry points). */
    Tensor unary(UnaryOp op) {
        Tensor out = zeros(dtype, shape.dims());
        data.unary(op, 0, out.data, 0, size());
        return out;
    }

    /** cond ≠ 0 ? a : b, all three broadcast together. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        requireSameDType("where", a, b);
        requireSameDType("where", cond, a);
        Shape s = Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        Tensor out = zeros(a.dtype, s.dims());
        Broadcast.plan(s, new Shape[] {cond.shape, a.shape, b.shape}).forEachRow((offs, oo, n, st) ->
                cond.data.where(offs[0], st[0], a.data, offs[1], st[1], b.data, offs[2], st[2], out.data, oo, n));
        return out;
    }

    /** Broadcasting binary op, {@code name} naming it in errors. */
    static Tensor binary(String name, BinaryOp op, Tensor a, Tensor b) {
        requireSameDType(name, a, b);
        Shape s = a.shape.equals(b.shape) ? a.shape : Shape.broadcast(name, a.shape, b.shape);
        Tensor out = zeros(a.dtype, s.dims());
        if (a.shape.equals(b.shape)) {
            kernelBinary(op, a, 0, 1, b, 0, 1, out, 0, s.size());
            return out;
        }
        Broadcast.plan(s, new Shape[] {a.shape, b.shape}).forEachRow(
                (offs, oo, n, st) -> kernelBinary(op, a, offs[0], st[0], b, offs[1], st[1], out, oo, n));
        return out;
    }

    private static void kernelBinary(BinaryOp op, Tensor a, int ao, int as, Tensor b, int bo, int bs,
                                     Tensor out, int oo, int n) {
        a.data.binary(op, ao, as, b.data, bo, bs, out.data, oo, n);
    }

    /** This tensor broadcast (copied) to {@code target}. */
    public Tensor broadcastTo(Shape target) {
        if (shape.equals(target)) return this;
        Shape s = Shape.broadcast("broadcastTo", shape, target);
        if (!s.equals(target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + shape + " cannot be broadcast to " + target);
        }
        return add(zeros(dtype, target.dims()));
    }

    /**
     * Sums this tensor down to {@code target}, the inverse of broadcasting: leading extra axes are
     * summed away and axes where target has 1 are summed with keepDims.
     */
    public Tensor sumTo(Shape target) {
        if (shape.equals(target)) return this;
        Shape check = Shape.broadcast("sumTo", target, shape);
        if (!check.equals(shape)) {
            throw new IllegalArgumentException("sumTo: shape " + shape + " cannot be reduced to " + target);
        }
        int lead = shape.rank() - target.rank();
        int[] axes = new int[shape.rank()];
        int na = 0;
        for (int i = 0; i < shape.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && shape.dim(i) != 1)) axes[na++] = i;
        }
        return sum(Arrays.copyOf(axes, na), true).reshape(target.dims());
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements, as a scalar tensor of this dtype. */
    public Tensor sum() {
        return scalar(dtype, data.sum(0, size()));
    }

    /** Mean of all elements (NaN for an empty tensor). */
    public Tensor mean() {
        return scalar(dtype, sum().item() / size());
    }

    /** Sum over {@code axes}; keepDims keeps them as size 1. */
    public Tensor sum(int[] axes, boolean keepDims) { return reduce("sum", ReduceOp.SUM, axes, keepDims); }
    /** Max over {@code axes}. */
    public Tensor max(int[] axes, boolean keepDims) { return reduce("max", ReduceOp.MAX, axes, keepDims); }
    /** Min over {@code axes}. */
    public Tensor min(int[] axes, boolean keepDims) { return reduce("min", ReduceOp.MIN, axes, keepDims); }
    /** Sum over one axis. */
    public Tensor sum(int axis, boolean keepDims) { return sum(new int[] {axis}, keepDims); }
    /** Max over one axis. */
    public Tensor max(int axis, boolean keepDims) { return max(new int[] {axis}, keepDims); }
    /** Min over one axis. */
    public Tensor min(int axis, boolean keepDims) { return min(new int[] {axis}, keepDims); }

    /** Mean over {@code axes}. */
    public Tensor mean(int[] axes, boolean keepDims) {
        int count = 1;
        for (int a : normaliseAxes("mean", axes)) count *= shape.dim(a);
        return sum(axes, keepDims).div(count);
    }

    /** Mean over one axis. */
    public Tensor mean(int axis, boolean keepDims) {
        return mean(new int[] {axis}, keepDims);
    }

    private boolean[] normaliseAxesMask(String op, int[] axes) {
        boolean[] mask = new boolean[shape.rank()];
        for (int a : axes) {
            int n = shape.axis(a);
            if (mask[n]) throw new IllegalArgumentException(op + ": axis " + a + " repeated in " + Arrays.toString(axes));
            mask[n] = true;
        }
        return mask;
    }

    private int[] normaliseAxes(String op, int[] axes) {
        boolean[] mask = normaliseAxesMask(op, axes);
        int[] out = new int[axes.length];
        int k = 0;
        for (int i = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
        return out;
    }

    private Tensor reduce(String name, ReduceOp op, int[] axes, boolean keepDims) {
        boolean[] mask = normaliseAxesMask(name, axes);
        int r = shape.rank();
        int[] outDims = new int[r];
        int[] keptDims = new int[r];
        int nk = 0;
        int reducedSize = 1;
        for (int i = 0; i < r; i++) {
            if (mask[i]) {
                outDims[i] = 1;
                reducedSize *= shape.dim(i);
            } else {
                outDims[i] = shape.dim(i);
                keptDims[nk++] = shape.dim(i);
            }
        }
        int[] finalDims = keepDims ? outDims : Arrays.copyOf(keptDims, nk);
        if (op != ReduceOp.SUM && reducedSize == 0 && Shape.of(finalDims).size() > 0) {
            throw new IllegalArgumentException(name + ": cannot reduce an empty axis of shape " + shape);
        }
        // A sum over one contiguous run of axes with something kept after it ([.., R.., K..]):
        // column sums of [outer, reduced, inner] blocks, no transposition.
        int first = -1, last = -1;
        boolean contiguous = true;
        for (int i = 0; i < r; i++) {
            if (!mask[i]) continue;
            if (first >= 0 && i != last + 1) contiguous = false;
            if (first < 0) first = i;
            last = i;
        }
        if (op == ReduceOp.SUM && contiguous && first >= 0 && last < r - 1 && reducedSize > 0) {
            int outer = shape.sizeBetween(0, first), inner = shape.sizeBetween(last + 1, r);
            Tensor out = zeros(dtype, finalDims);
            if (inner > 0) {
                Storage scratch = data.zeros(inner);
                for (int o = 0; o < outer; o++) {
                    data.columnSums(o * reducedSize * inner, reducedSize, inner, out.data, o * inner, scratch);
                }
            }
            return out;
        }
        // Move kept axes first and reduced axes last, then reduce rows.
        int[] perm = new int[r];
        int p = 0;
        for (int i = 0; i < r; i++) if (!mask[i]) perm[p++] = i;
        for (int i = 0; i < r; i++) if (mask[i]) perm[p++] = i;
        Tensor src = isIdentity(perm) ? this : permute(perm);
        int rows = src.size() / Math.max(reducedSize, 1);
        if (reducedSize == 0) rows = Shape.of(finalDims).size();
        Tensor out = zeros(dtype, finalDims);
        src.data.rows(op, 0, rows, reducedSize, out.data, 0);
        return out;
    }

    private static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    /** log Σ exp over {@code axis}, stabilised by the maximum. */
    public Tensor logSumExp(int axis, boolean keepDims) {
        int a = shape.axis(axis);
        Tensor src = a == rank() - 1 ? this : moveAxisLast(a);
        int cols = shape.dim(a);
        int rows = cols == 0 ? src.size() : src.size() / cols;
        int[] keep = shape.with(a, 1).dims();
        Tensor out = zeros(dtype, keep);
        if (cols == 0) {
            return full(dtype, Double.NEGATIVE_INFINITY, keepDims ? keep : removeAxis(shape.dims(), a));
        }
        src.data.logSumExpRows(0, rows, cols, out.data, 0, data.zeros(cols));
        return keepDims ? out : out.reshape(removeAxis(shape.dims(), a));
    }

    /**
     * Softmax over {@code axis}: e^(a − max a) / Σ e^(a − max a).
     */
    // NOTE: exp(a − logsumexp(a)) would lose ~|a|·u absolute accuracy in the subtraction for large
    // logits (5e-14 at |a| = 1000 in float64); normalising by the explicit sum keeps rows summing
    // to 1 within n·u.
    public Tensor softmax(int axis) {
        Tensor e = sub(max(axis, true)).exp();
        return e.div(e.sum(axis, true));
    }

    /** log-softmax over {@code axis}: a − logsumexp(a), stable for large logits. */
    public Tensor logSoftmax(int axis) {
        return sub(logSumExp(axis, true));
    }

    private Tensor moveAxisLast(int a) {
        int r = rank();
        int[] perm = new int[r];
        int p = 0;
        for (int i = 0; i < r; i++) if (i != a) perm[p++] = i;
        perm[r - 1] = a;
        return permute(perm);
    }

    private static int[] removeAxis(int[] dims, int a) {
        int[] out = new int[dims.length - 1];
        for (int i = 0, k = 0; i < dims.length; i++) if (i != a) out[k++] = dims[i];
        return out;
    }

    // ---------------------------------------------------------------- linear algebra

    /** Matrix product; see {@link #matmul(Tensor, boolean, boolean)}. */
    public Tensor matmul(Tensor b) {
        return matmul(b, false, false);
    }

    /**
     * op(A)·op(B) where op transposes the last two axes when its flag is set. Rank 2 × rank 2 is a
     * plain matrix product; rank 3 × rank 3 with equal leading dimension is a batched product;
     * rank 3 × rank 2 applies the same right operand to every batch entry.
     */
    public Tensor matmul(Tensor b, boolean transA, boolean transB) {
        return product(this, b, transA, transB, null);
    }

    /**
     * op(a1)·op(b1) + op(a2)·op(b2) with the same transpositions and shapes, the second product
     * accumulated onto the first by the GEMM (one result tensor, no separate sum): the JVP of a
     * matrix product, Ȧ·B + A·Ḃ. Either pair may be null (that term is zero), not both.
     */
    public static Tensor matmulSum(Tensor a1, Tensor b1, Tensor a2, Tensor b2, boolean transA, boolean transB) {
        if (a1 == null) return a2.matmul(b2, transA, transB);
        Tensor out = a1.matmul(b1, transA, transB);
        if (a2 != null) product(a2, b2, transA, transB, out);
        return out;
    }

    /** op(a)·op(b) into a new tensor, or accumulated onto {@code into} (same result shape required). */
    private static Tensor product(Tensor a, Tensor b, boolean transA, boolean transB, Tensor into) {
        requireSameDType("matmul", a, b);
        if (a.rank() < 2 || a.rank() > 3 || b.rank() < 2 || b.rank() > 3 || (a.rank() == 2 && b.rank() == 3)) {
            throw new IllegalArgumentException("matmul: " + a.shape + " x " + b.shape
                    + ": supported ranks are 2x2, 3x3 (batched) and 3x2");
        }
        int batch = a.rank() == 3 ? a.dim(0) : 1;
        if (b.rank() == 3 && b.dim(0) != batch) {
            throw new IllegalArgumentException("matmul: " + a.shape + " x " + b.shape + ": batch sizes "
                    + batch + " and " + b.dim(0) + " differ");
        }
        int ar = a.dim(-2), ac = a.dim(-1), br = b.dim(-2), bc = b.dim(-1);
        int m = transA ? ac : ar, k = transA ? ar : ac;
        int kb = transB ? bc : br, n = transB ? br : bc;
        if (k != kb) {
            throw new IllegalArgumentException("matmul: " + a.shape + (transA ? "ᵀ" : "") + " x " + b.shape
                    + (transB ? "ᵀ" : "") + ": inner dimensions " + k + " and " + kb + " differ");
        }
        Shape result = a.rank() == 3 ? Shape.of(batch, m, n) : Shape.of(m, n);
        if (into != null && (!into.shape.equals(result) || into.dtype != a.dtype)) {
            throw new IllegalArgumentException("matmulSum: products of shapes " + into.shape + " and " + result + " differ");
        }
        Tensor out = into != null ? into : zeros(a.dtype, result.dims());
        boolean accumulate = into != null;
        int aStride = ar * ac, bStride = b.rank() == 3 ? br * bc : 0, cStride = m * n;
        for (int i = 0; i < batch; i++) {
            a.data.gemm(transA, transB, m, n, k, i * aStride, ac, b.data, i * bStride, bc, out.data, i * cStride, n, accumulate);
        }
        return out;
    }

    // ---------------------------------------------------------------- shape manipulation

    /** Same data, new shape (one dimension may be −1 to infer it). */
    public Tensor reshape(int... newShape) {
        int[] dims = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: " + shape + " to " + Arrays.toString(newShape) + ": more than one -1");
                infer = i;
            } else {
                known *= dims[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + shape + " to " + Arrays.toString(newShape));
            }
            dims[infer] = (int) (size() / known);
        }
        Shape s = Shape.of(dims);
        if (s.size() != size()) {
            throw new IllegalArgumentException("reshape: cannot reshape " + shape + " (" + size() + " elements) to " + s
                    + " (" + s.size() + " elements)");
        }
        return new Tensor(s, dtype, data);
    }

    /** Transpose of a matrix (rank 2), or of the last two axes. */
    public Tensor transpose() {
        if (rank() < 2) throw new IllegalArgumentException("transpose: needs rank >= 2, got shape " + shape);
        int[] perm = new int[rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[rank() - 2] = rank() - 1;
        perm[rank() - 1] = rank() - 2;
        return permute(perm);
    }

    /** Axes reordered: result dim i = this dim perm[i]. */
    public Tensor permute(int... perm) {
        int r = rank();
        if (perm.length != r) {
            throw new IllegalArgumentException("permute: permutation " + Arrays.toString(perm) + " does not match shape " + shape);
        }
        boolean[] seen = new boolean[r];
        int[] outDims = new int[r];
        int[] st = shape.strides();
        int[] srcStride = new int[r];
        for (int i = 0; i < r; i++) {
            int p = perm[i];
            if (p < 0 || p >= r || seen[p]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation of " + r + " axes");
            }
            seen[p] = true;
            outDims[i] = shape.dim(p);
            srcStride[i] = st[p];
        }
        Tensor out = zeros(dtype, outDims);
        if (isIdentity(perm)) return copy();
        int n = out.size();
        if (n == 0) return out;
        if (r == 2) {
            int rows = outDims[0], cols = outDims[1];
            data.permute2d(rows, cols, srcStride[0], srcStride[1], out.data);
            return out;
        }
        int[] idx = new int[r];
        int src = 0;
        int last = outDims[r - 1];
        int lastStride = srcStride[r - 1];
        for (int o = 0; o < n; o += last) {
            data.copyStrided(src, lastStride, out.data, o, last);
            for (int a = r - 2; a >= 0; a--) {
                idx[a]++;
                src += srcStride[a];
                if (idx[a] < outDims[a]) break;
                src -= srcStride[a] * outDims[a];
                idx[a] = 0;
            }
        }
        return out;
    }

    /** Elements [start, end) along {@code axis}. */
    public Tensor slice(int axis, int start, int end) {
        int a = shape.axis(axis);
        int dim = shape.dim(a);
        if (start < 0 || end > dim || start > end) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") out of bounds for axis "
                    + axis + " of shape " + shape);
        }
        int outer = shape.sizeBetween(0, a), inner = shape.sizeBetween(a + 1, rank());
        Tensor out = zeros(dtype, shape.with(a, end - start).dims());
        int len = (end - start) * inner;
        for (int o = 0; o < outer; o++) {
            int srcOff = (o * dim + start) * inner;
            data.copyTo(srcOff, out.data, o * len, len);
        }
        return out;
    }

    /** Index {@code i} along {@code axis}, removing that axis. */
    public Tensor select(int axis, int i) {
        int a = shape.axis(axis);
        return slice(a, i, i + 1).reshape(removeAxis(shape.dims(), a));
    }

    /** Concatenation along {@code axis}; all other dimensions must agree. */
    public static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat: no tensors");
        Tensor first = parts[0];
        int a = first.shape.axis(axis);
        int total = 0;
        for (Tensor t : parts) {
            requireSameDType("concat", first, t);
            if (t.rank() != first.rank()) {
                throw new IllegalArgumentException("concat: shapes " + first.shape + " and " + t.shape + " differ in rank");
            }
            for (int i = 0; i < first.rank(); i++) {
                if (i != a && t.shape.dim(i) != first.shape.dim(i)) {
                    throw new IllegalArgumentException("concat: shapes " + first.shape + " and " + t.shape
                            + " differ outside axis " + axis);
                }
            }
            total += t.shape.dim(a);
        }
        Tensor out = zeros(first.dtype, first.shape.with(a, total).dims());
        int outer = first.shape.sizeBetween(0, a), inner = first.shape.sizeBetween(a + 1, first.rank());
        int rowLen = total * inner;
        int pos = 0;
        for (Tensor t : parts) {
            int len = t.shape.dim(a) * inner;
            for (int o = 0; o < outer; o++) {
                t.data.copyTo(o * len, out.data, o * rowLen + pos, len);
            }
            pos += len;
        }
        return out;
    }

    /** Stacks equal-shape tensors along a new axis. */
    public static Tensor stack(int axis, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("stack: no tensors");
        Shape s = parts[0].shape;
        int a = axis < 0 ? axis + s.rank() + 1 : axis;
        if (a < 0 || a > s.rank()) throw new IllegalArgumentException("stack: axis " + axis + " out of range for shape " + s);
        Tensor[] expanded = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].shape.equals(s)) {
                throw new IllegalArgumentException("stack: shapes " + s + " and " + parts[i].shape + " differ");
            }
            expanded[i] = parts[i].reshape(insertAxis(s.dims(), a));
        }
        return concat(a, expanded);
    }

    static int[] insertAxis(int[] dims, int a) {
        int[] out = new int[dims.length + 1];
        for (int i = 0, k = 0; i < out.length; i++) out[i] = i == a ? 1 : dims[k++];
        return out;
    }

    /** Rows selected along {@code axis} by {@code indices} (index_select); repeats allowed. */
    public Tensor gather(int axis, int[] indices) {
        int a = shape.axis(axis);
        int dim = shape.dim(a);
        int outer = shape.sizeBetween(0, a), inner = shape.sizeBetween(a + 1, rank());
        Tensor out = zeros(dtype, shape.with(a, indices.length).dims());
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= dim) {
                throw new IllegalArgumentException("gather: index " + indices[i] + " at position " + i
                        + " out of bounds for axis " + axis + " of shape " + shape);
            }
        }
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < indices.length; i++) {
                int src = (o * dim + indices[i]) * inner, dst = (o * indices.length + i) * inner;
                data.copyTo(src, out.data, dst, inner);
            }
        }
        return out;
    }

    /**
     * The adjoint of {@link #gather}: a tensor of {@code shape} with the rows of this tensor added
     * at {@code indices} along {@code axis} (repeated indices accumulate).
     */
    public Tensor scatterAdd(int axis, int[] indices, Shape target) {
        int a = target.axis(axis);
        int dim = target.dim(a);
        int outer = target.sizeBetween(0, a), inner = target.sizeBetween(a + 1, target.rank());
        if (!shape.equals(target.with(a, indices.length))) {
            throw new IllegalArgumentException("scatterAdd: source shape " + shape + " does not match target " + target
                    + " with " + indices.length + " indices on axis " + axis);
        }
        Tensor out = zeros(dtype, target.dims());
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < indices.length; i++) {
                int dst = (o * dim + indices[i]) * inner, src = (o * indices.length + i) * inner;
                data.accumulate(src, out.data, dst, inner);
            }
        }
        return out;
    }

    /** A short description: dtype, shape and up to 8 leading values. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(' ').append(shape).append(", [");
        int n = Math.min(size(), 8);
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append(getFlat(i));
        }
        if (size() > n) sb.append(", …");
        return sb.append("])").toString();
    }
}
