package dev.descent.tensor.kernel;

/** The row reductions of {@code ReduceF64.rows} (and its float32 twin). */
public enum ReduceOp {
    /** Σ (vector partial sums; see {@code ReduceF64.sum}). */
    SUM,
    /** max, NaN propagating; −∞ for an empty row. */
    MAX,
    /** min, NaN propagating; +∞ for an empty row. */
    MIN
}
