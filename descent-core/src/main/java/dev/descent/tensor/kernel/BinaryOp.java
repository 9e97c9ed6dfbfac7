package dev.descent.tensor.kernel;

/**
 * The elementwise binary operations of {@code ElementwiseF64.binary} (and its float32 twin); the
 * scalar definition of each is {@code ElementwiseF64.apply(BinaryOp, double, double)}.
 * Comparisons give 1 or 0.
 */
public enum BinaryOp {
    /** x + y. */
    ADD,
    /** x − y. */
    SUB,
    /** x · y. */
    MUL,
    /** x / y. */
    DIV,
    /** max(x, y), NaN propagating. */
    MAX,
    /** min(x, y), NaN propagating. */
    MIN,
    /** x^y. */
    POW,
    /** x &gt; y. */
    GT,
    /** x ≥ y. */
    GE,
    /** x &lt; y. */
    LT,
    /** x ≤ y. */
    LE,
    /** x = y. */
    EQ,
    /** x ≠ y. */
    NE
}
