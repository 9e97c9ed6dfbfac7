package dev.descent.tensor.kernel;

/**
 * The elements of a tensor: one array of one dtype, with the kernel entry points of
 * {@code dev.descent.tensor} over it. {@code StorageF64} is hand-written over a {@code double[]};
 * {@code StorageF32}, over a {@code float[]}, is generated from it (see the package docs), so the
 * choice of dtype is made once per operation, by which subclass receives the call, and the code
 * above the kernels never branches on dtype.
 *
 * <p>Every storage argument of a method must have the receiver's dtype (callers check dtypes
 * before calling; a mismatch is a {@link ClassCastException}). Methods write only the argument
 * documented as modified. Offsets and lengths are in elements.
 */
public abstract class Storage {
    /** Subclassed only by the two generated dtype classes. */
    Storage() {}

    /** Number of elements. */
    public abstract int length();

    /** The backing array, a {@code double[]} or a {@code float[]} (no copy). */
    public abstract Object array();

    /** A new zero storage of the same dtype and {@code n} elements. */
    public abstract Storage zeros(int n);

    /** A copy. */
    public abstract Storage copy();

    /** Element i, widened to double. */
    public abstract double get(int i);

    /** Sets element i to v rounded to this dtype; this storage is modified. */
    public abstract void set(int i, double v);

    /** Every element set to v rounded to this dtype; this storage is modified. */
    public abstract void fill(double v);

    /** The elements widened to a new double array. */
    public abstract double[] toDoubles();

    /** The elements rounded to a new float array. */
    public abstract float[] toFloats();

    /** out[oo..oo+n) = this[from..from+n); {@code out} is modified. */
    public abstract void copyTo(int from, Storage out, int oo, int n);

    /** out[oo+j] = this[from + j·stride] for j &lt; n; {@code out} is modified. */
    public abstract void copyStrided(int from, int stride, Storage out, int oo, int n);

    /**
     * out[i·cols + j] = this[i·s0 + j·s1] for i &lt; rows, j &lt; cols (a 2-D permutation, blocked so
     * that both sides stay cache-resident); {@code out} is modified.
     */
    public abstract void permute2d(int rows, int cols, int s0, int s1, Storage out);

    /** out = op(this) elementwise; see {@code ElementwiseF64.unary}. */
    public abstract void unary(UnaryOp op, int ao, Storage out, int oo, int n);

    /** out = this op b elementwise with strides in {0, 1}; see {@code ElementwiseF64.binary}. */
    public abstract void binary(BinaryOp op, int ao, int as, Storage b, int bo, int bs, Storage out, int oo, int n);

    /** out = this (the condition) ≠ 0 ? a : b; see {@code ElementwiseF64.where}. */
    public abstract void where(int co, int cs, Storage a, int ao, int as, Storage b, int bo, int bs, Storage out, int oo, int n);

    /** out = x &gt; 0 ? this : 0; see {@code ElementwiseF64.maskPositive}. */
    public abstract void maskPositive(int yo, Storage x, int xo, Storage out, int oo, int n);

    /** Σ this[off..off+n), in this dtype's arithmetic; see {@code ReduceF64.sum}. */
    public abstract double sum(int off, int n);

    /** Σ this[ao+i]·b[bo+i], accumulated in float64 whatever the dtype; see {@code ReduceF64.dotWide}. */
    public abstract double dotWide(int ao, Storage b, int bo, int n);

    /** out[oo..) = column sums of a [rows, cols] block at off; see {@code ReduceF64.columnSums}. */
    public abstract void columnSums(int off, int rows, int cols, Storage out, int oo, Storage scratch);

    /** out[oo + r] = op(row r) for rows of length cols at off; see {@code ReduceF64.rows}. */
    public abstract void rows(ReduceOp op, int off, int rows, int cols, Storage out, int oo);

    /** out[oo + r] = log Σ exp(row r); see {@code ReduceF64.logSumExpRows}. */
    public abstract void logSumExpRows(int off, int rows, int cols, Storage out, int oo, Storage scratch);

    /** out[oo..oo+n) += this[from..from+n); see {@code ReduceF64.accumulate}. */
    public abstract void accumulate(int from, Storage out, int oo, int n);

    /** C (+)= op(this)·op(B); see {@code GemmF64.gemm}. */
    public abstract void gemm(boolean transA, boolean transB, int m, int n, int k, int ao, int lda, Storage b, int bo, int ldb,
                              Storage c, int co, int ldc, boolean accumulate);

    /** v rounded to this dtype (widened back to double). */
    public abstract double round(double v);

    /** Σ this[ao+i]·b[bo+i] in this dtype's arithmetic (float32 partial sums for float32); see {@code ReduceF64.dot}. */
    public abstract double dot(int ao, Storage b, int bo, int n);

    /** out = s·this elementwise (s rounded to this dtype); see {@code ElementwiseF64.scale}. */
    public abstract void scale(int ao, double s, Storage out, int oo, int n);

    /** out = α·this + β·y (α, β rounded to this dtype); see {@code ElementwiseF64.axpby}. */
    public abstract void axpby(double alpha, int xo, double beta, Storage y, int yo, Storage out, int oo, int n);

    /** out[oo + r·cols + j] = this[ao + r·cols + j] + v[vo + j]; see {@code ElementwiseF64.addRows}. */
    public abstract void addRows(int ao, Storage v, int vo, Storage out, int oo, int rows, int cols);

    /** op(this) [k×n] packed once for {@link #gemmPacked}; see {@code GemmF64.packB}. */
    public abstract Storage packB(boolean transB, int k, int n, int bo, int ldb);

    /** C (+)= op(this)·B with B from {@link #packB}; see {@code GemmF64.gemmPacked}. */
    public abstract void gemmPacked(boolean transA, int m, int n, int k, int ao, int lda, Storage packed, Storage c, int co, int ldc,
                                    boolean accumulate);
}
