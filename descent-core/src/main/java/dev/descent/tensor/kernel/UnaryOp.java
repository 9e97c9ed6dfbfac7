package dev.descent.tensor.kernel;

/**
 * The elementwise unary operations of {@code ElementwiseF64.unary} (and its float32 twin); the
 * scalar definition of each is {@code ElementwiseF64.apply(UnaryOp, double)}.
 */
public enum UnaryOp {
    /** −x. */
    NEG,
    /** e^x (bit-reproducible; see {@link VectorMath}). */
    EXP,
    /** ln x. */
    LOG,
    /** tanh x (bit-reproducible; see {@link VectorMath}). */
    TANH,
    /** 1/(1 + e^{−x}), without overflow. */
    SIGMOID,
    /** max(x, 0); NaN maps to 0. */
    RELU,
    /** √x. */
    SQRT,
    /** |x|. */
    ABS,
    /** sign x ∈ {−1, 0, 1}. */
    SIGN,
    /** x². */
    SQUARE,
    /** 1/x. */
    RECIPROCAL,
    /** 1 where x &gt; 0, else 0 (relu's derivative; NaN maps to 0). */
    STEP,
    /** ln(1 + x), accurate for small x. */
    LOG1P,
    /** 1 where x is finite, else 0. */
    ISFINITE
}
