package dev.descent.nn;

import dev.descent.nn.kernel.ActivationF32;
import dev.descent.nn.kernel.ActivationF64;
import dev.descent.nn.kernel.BatchNormF32;
import dev.descent.nn.kernel.BatchNormF64;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.BinaryOp;
import dev.descent.tensor.kernel.ElementwiseF32;
import dev.descent.tensor.kernel.ElementwiseF64;
import dev.descent.tensor.kernel.GemmF32;
import dev.descent.tensor.kernel.GemmF64;
import dev.descent.tensor.kernel.ReduceF32;
import dev.descent.tensor.kernel.ReduceF64;
import dev.descent.tensor.kernel.UnaryOp;

/**
 * Dtype dispatch over the allocation-free kernels of {@code dev.descent.tensor.kernel}, so that
 * the fused loops of this package are written once for float32 and float64. Arrays are passed as
 * {@code Object} (a {@code float[]} or a {@code double[]}); every call writes only its output
 * argument.
 */
final class Raw {
    private Raw() {}


    /** The backing array of a tensor (no copy). */
    static Object array(Tensor t) {
        return t.dtype() == DType.F32 ? t.rawF32() : t.rawF64();
    }

    /** A new zero array of {@code n} elements. */
    static Object alloc(DType dtype, int n) {
        return dtype == DType.F32 ? new float[n] : new double[n];
    }

    /** C (+)= op(A)·op(B); see {@link GemmF64#gemm}. {@code c} is modified. */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, Object a, int ao, int lda, Object b, int bo, int ldb,
                     Object c, int co, int ldc, boolean accumulate) {
        if (c instanceof float[]) {
            GemmF32.gemm(ta, tb, m, n, k, (float[]) a, ao, lda, (float[]) b, bo, ldb, (float[]) c, co, ldc, accumulate);
        } else {
            GemmF64.gemm(ta, tb, m, n, k, (double[]) a, ao, lda, (double[]) b, bo, ldb, (double[]) c, co, ldc, accumulate);
        }
    }

    /** op(B) [k×n] packed once for {@link #gemmPacked} (see {@code GemmF64.packB}). */
    static Object packB(boolean tb, int k, int n, Object b, int bo, int ldb) {
        if (b instanceof float[]) return GemmF32.packB(tb, k, n, (float[]) b, bo, ldb);
        return GemmF64.packB(tb, k, n, (double[]) b, bo, ldb);
    }

    /** C (+)= op(A)·B with B from {@link #packB}; the same numbers as {@link #gemm} on the unpacked B. */
    static void gemmPacked(boolean ta, int m, int n, int k, Object a, int ao, int lda, Object packed, Object c, int co, int ldc,
                           boolean accumulate) {
        if (c instanceof float[]) {
            GemmF32.gemmPacked(ta, m, n, k, (float[]) a, ao, lda, (float[]) packed, (float[]) c, co, ldc, accumulate);
        } else {
            GemmF64.gemmPacked(ta, m, n, k, (double[]) a, ao, lda, (double[]) packed, (double[]) c, co, ldc, accumulate);
        }
    }

    /** out = op(a) elementwise; {@code out} is modified (may alias a). */
    static void unary(UnaryOp op, Object a, int ao, Object out, int oo, int n) {
        if (out instanceof float[]) ElementwiseF32.unary(op, (float[]) a, ao, (float[]) out, oo, n);
        else ElementwiseF64.unary(op, (double[]) a, ao, (double[]) out, oo, n);
    }

    /** out = a op b elementwise, contiguous; {@code out} is modified (may alias a or b). */
    static void binary(BinaryOp op, Object a, int ao, Object b, int bo, Object out, int oo, int n) {
        if (out instanceof float[]) ElementwiseF32.binary(op, (float[]) a, ao, 1, (float[]) b, bo, 1, (float[]) out, oo, n);
        else ElementwiseF64.binary(op, (double[]) a, ao, 1, (double[]) b, bo, 1, (double[]) out, oo, n);
    }

    /** out = (x − m)² per row of a [rows, cols] block (see {@code BatchNormF64.centredSquares}). */
    static void centredSquares(Object x, Object m, Object out, int rows, int cols) {
        if (out instanceof float[]) BatchNormF32.centredSquares((float[]) x, (float[]) m, (float[]) out, rows, cols);
        else BatchNormF64.centredSquares((double[]) x, (double[]) m, (double[]) out, rows, cols);
    }

    /** out = ((x − m) / s) · g + b per row, or (x − m) / s with g, b null (see {@code BatchNormF64.normalizedAffine}). */
    static void normalizedAffine(Object x, Object m, Object s, Object g, Object b, Object out, int rows, int cols) {
        if (out instanceof float[]) {
            BatchNormF32.normalizedAffine((float[]) x, (float[]) m, (float[]) s, (float[]) g, (float[]) b, (float[]) out, rows, cols);
        } else {
            BatchNormF64.normalizedAffine((double[]) x, (double[]) m, (double[]) s, (double[]) g, (double[]) b, (double[]) out, rows, cols);
        }
    }

    /** out = ((x − m) / s) · c per row of a [rows, cols] block (see {@code BatchNormF64.normalizedTimes}). */
    static void normalizedTimes(Object x, Object m, Object s, Object c, Object out, int rows, int cols) {
        if (out instanceof float[]) BatchNormF32.normalizedTimes((float[]) x, (float[]) m, (float[]) s, (float[]) c, (float[]) out, rows, cols);
        else BatchNormF64.normalizedTimes((double[]) x, (double[]) m, (double[]) s, (double[]) c, (double[]) out, rows, cols);
    }

    /** out = ((c − b) − ((x − m) / s) · k) · scale per row (see {@code BatchNormF64.normalizedInputGradient}). */
    static void normalizedInputGradient(Object x, Object m, Object s, Object c, Object b, Object k, Object scale, Object out,
                                        int rows, int cols) {
        if (out instanceof float[]) {
            BatchNormF32.normalizedInputGradient((float[]) x, (float[]) m, (float[]) s, (float[]) c, (float[]) b, (float[]) k,
                    (float[]) scale, (float[]) out, rows, cols);
        } else {
            BatchNormF64.normalizedInputGradient((double[]) x, (double[]) m, (double[]) s, (double[]) c, (double[]) b, (double[]) k,
                    (double[]) scale, (double[]) out, rows, cols);
        }
    }

    /** Adds the row vector v[0..cols) to each of {@code rows} rows of {@code target} starting at {@code off}; {@code target} is modified. */
    static void addToRows(Object v, Object target, int off, int rows, int cols) {
        addRows(target, off, v, target, off, rows, cols);
    }

    /** out[oo + r·cols + j] = a[ao + r·cols + j] + v[j] for every row r &lt; rows: one call per block. */
    static void addRows(Object a, int ao, Object v, Object out, int oo, int rows, int cols) {
        if (out instanceof float[]) ElementwiseF32.addRows((float[]) a, ao, (float[]) v, 0, (float[]) out, oo, rows, cols);
        else ElementwiseF64.addRows((double[]) a, ao, (double[]) v, 0, (double[]) out, oo, rows, cols);
    }

    /** out[j] += Σ_r a[off + r·cols + j] (column sums of a row-major block); {@code out} is modified. */
    static void sumRows(Object a, int off, int rows, int cols, Object out) {
        for (int r = 0; r < rows; r++) {
            if (out instanceof float[]) ReduceF32.accumulate((float[]) a, off + r * cols, (float[]) out, 0, cols);
            else ReduceF64.accumulate((double[]) a, off + r * cols, (double[]) out, 0, cols);
        }
    }

    /** A piece of a row loop: rows [from, to). */
    @FunctionalInterface
    interface RowRange {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over rows [0, rows) of a rows×cols array, split into one contiguous range
     * per thread of {@link dev.descent.tensor.kernel.Parallel} when there are at least 2^16
     * elements (below that the hand-off costs more than it saves). Rows must be independent; each
     * row's result does not depend on the split.
     */
    static void rowRanges(int rows, int cols, RowRange body) {
        int tasks = (long) rows * cols >= (1 << 16) ? Math.min(rows, dev.descent.tensor.kernel.Parallel.threads()) : 1;
        if (tasks <= 1) {
            body.run(0, rows);
            return;
        }
        dev.descent.tensor.kernel.Parallel.forEach(tasks, t -> body.run((int) ((long) t * rows / tasks), (int) ((long) (t + 1) * rows / tasks)));
    }

    /** Σ a[ao+i]·b[bo+i] for i &lt; n, in the arrays' precision (float32 partial sums for float32). */
    static double dot(Object a, int ao, Object b, int bo, int n) {
        if (a instanceof float[]) return ReduceF32.dot((float[]) a, ao, (float[]) b, bo, n);
        return ReduceF64.dot((double[]) a, ao, (double[]) b, bo, n);
    }

    /** out = s·a elementwise (s rounded to the dtype); {@code out} is modified (may alias a). */
    static void scale(Object a, int ao, double s, Object out, int oo, int n) {
        if (out instanceof float[]) ElementwiseF32.scale((float[]) a, ao, (float) s, (float[]) out, oo, n);
        else ElementwiseF64.scale((double[]) a, ao, s, (double[]) out, oo, n);
    }

    /** out = α·x + β·y elementwise (α, β rounded to the dtype); {@code out} is modified. */
    static void axpby(double alpha, Object x, int xo, double beta, Object y, int yo, Object out, int oo, int n) {
        if (out instanceof float[]) {
            ElementwiseF32.axpby((float) alpha, (float[]) x, xo, (float) beta, (float[]) y, yo, (float[]) out, oo, n);
        } else {
            ElementwiseF64.axpby(alpha, (double[]) x, xo, beta, (double[]) y, yo, (double[]) out, oo, n);
        }
    }

    /** Column sums of a [rows, cols] block at {@code off} into out[0..cols) (blocked; see ReduceF64#columnSums); {@code out} is modified. */
    static void columnSums(Object a, int off, int rows, int cols, Object out) {
        if (out instanceof float[]) ReduceF32.columnSums((float[]) a, off, rows, cols, (float[]) out, 0, new float[cols]);
        else ReduceF64.columnSums((double[]) a, off, rows, cols, (double[]) out, 0, new double[cols]);
    }

    /** Element i of an array as a double. */
    static double get(Object a, int i) {
        return a instanceof float[] ? ((float[]) a)[i] : ((double[]) a)[i];
    }

    /** Sets element i of an array (rounded to its dtype); {@code a} is modified. */
    static void set(Object a, int i, double v) {
        if (a instanceof float[]) ((float[]) a)[i] = (float) v;
        else ((double[]) a)[i] = v;
    }

    /** out[oo..oo+n) = a[ao..ao+n). */
    static void copy(Object a, int ao, Object out, int oo, int n) {
        System.arraycopy(a, ao, out, oo, n);
    }

    /**
     * target ⊙= σ'(a), with σ'(a) computed from the activation outputs y = σ(a) at
     * {@code y[yo..yo+n)} (see {@link Activation}), in one pass; {@code target} is modified.
     */
    static void mulDerivativeFromOutput(Activation act, Object y, int yo, Object target, int to, int n) {
        addThenMulDerivative(act, target, to, null, 0, y, yo, target, to, n);
    }

    /**
     * out = (a + b) ⊙ σ'(x), σ' from the outputs y = σ(x) (b may be null), in one pass: one step
     * of backpropagation through an activation; {@code out} is modified (may alias a or b).
     */
    static void addThenMulDerivative(Activation act, Object a, int ao, Object b, int bo, Object y, int yo, Object out, int oo, int n) {
        if (act == Activation.IDENTITY) {
            if (b != null) binary(BinaryOp.ADD, a, ao, b, bo, out, oo, n);
            else if (a != out || ao != oo) copy(a, ao, out, oo, n);
            return;
        }
        if (out instanceof float[]) {
            ActivationF32.mulActivationDerivative(act.kernelOp(), (float[]) a, ao, (float[]) b, bo, (float[]) y, yo, (float[]) out, oo, n);
        } else {
            ActivationF64.mulActivationDerivative(act.kernelOp(), (double[]) a, ao, (double[]) b, bo, (double[]) y, yo, (double[]) out, oo, n);
        }
    }

    /** y = σ(a) elementwise; {@code out} is modified (may alias a). */
    static void activate(Activation act, Object a, int ao, Object out, int oo, int n) {
        if (act == Activation.IDENTITY) {
            if (a != out || ao != oo) copy(a, ao, out, oo, n);
        } else {
            unary(act.kernelOp(), a, ao, out, oo, n);
        }
    }
}
