package dev.descent.nn;

import dev.descent.nn.kernel.ActivationKernels;
import dev.descent.tensor.kernel.BinaryOp;
import dev.descent.tensor.kernel.Parallel;
import dev.descent.tensor.kernel.Storage;

/**
 * Helpers of the fused loops of this package over {@link Storage} (the kernels of a tensor's
 * dtype): row splitting between threads, column sums, and the forward and backward steps of an
 * activation. Nothing here depends on the dtype; every call writes only its output argument.
 */
final class Loops {
    private Loops() {}

    /** Adds the row vector v[0..cols) to each of {@code rows} rows of {@code target} starting at {@code off}; {@code target} is modified. */
    static void addToRows(Storage v, Storage target, int off, int rows, int cols) {
        target.addRows(off, v, 0, target, off, rows, cols);
    }

    /** out[j] += Σ_r a[off + r·cols + j] (column sums of a row-major block); {@code out} is modified. */
    static void sumRows(Storage a, int off, int rows, int cols, Storage out) {
        for (int r = 0; r < rows; r++) a.accumulate(off + r * cols, out, 0, cols);
    }

    /** Column sums of a [rows, cols] block at {@code off} into out[0..cols) (blocked; see ReduceF64#columnSums); {@code out} is modified. */
    static void columnSums(Storage a, int off, int rows, int cols, Storage out) {
        a.columnSums(off, rows, cols, out, 0, a.zeros(cols));
    }

    /** A piece of a row loop: rows [from, to). */
    @FunctionalInterface
    interface RowRange {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over rows [0, rows) of a rows×cols array, split into one contiguous range
     * per thread of {@link Parallel} when there are at least 2^16 elements (below that the
     * hand-off costs more than it saves). Rows must be independent; each row's result does not
     * depend on the split.
     */
    static void rowRanges(int rows, int cols, RowRange body) {
        int tasks = (long) rows * cols >= (1 << 16) ? Math.min(rows, Parallel.threads()) : 1;
        if (tasks <= 1) {
            body.run(0, rows);
            return;
        }
        Parallel.forEach(tasks, t -> body.run((int) ((long) t * rows / tasks), (int) ((long) (t + 1) * rows / tasks)));
    }

    /**
     * target ⊙= σ'(a), with σ'(a) computed from the activation outputs y = σ(a) at
     * {@code y[yo..yo+n)} (see {@link Activation}), in one pass; {@code target} is modified.
     */
    static void mulDerivativeFromOutput(Activation act, Storage y, int yo, Storage target, int to, int n) {
        addThenMulDerivative(act, target, to, null, 0, y, yo, target, to, n);
    }

    /**
     * out = (a + b) ⊙ σ'(x), σ' from the outputs y = σ(x) (b may be null), in one pass: one step
     * of backpropagation through an activation; {@code out} is modified (may alias a or b).
     */
    static void addThenMulDerivative(Activation act, Storage a, int ao, Storage b, int bo, Storage y, int yo, Storage out, int oo,
                                     int n) {
        if (act == Activation.IDENTITY) {
            if (b != null) a.binary(BinaryOp.ADD, ao, 1, b, bo, 1, out, oo, n);
            else if (a != out || ao != oo) a.copyTo(ao, out, oo, n);
            return;
        }
        ActivationKernels.of(out).mulActivationDerivative(act.kernelOp(), a, ao, b, bo, y, yo, out, oo, n);
    }

    /** y = σ(a) elementwise; {@code out} is modified (may alias a). */
    static void activate(Activation act, Storage a, int ao, Storage out, int oo, int n) {
        if (act == Activation.IDENTITY) {
            if (a != out || ao != oo) a.copyTo(ao, out, oo, n);
        } else {
            a.unary(act.kernelOp(), ao, out, oo, n);
        }
    }
}
