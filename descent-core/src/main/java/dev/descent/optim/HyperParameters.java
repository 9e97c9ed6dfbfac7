package dev.descent.optim;

/**
 * Eager validation of hyper-parameters, shared by every optimiser in {@code dev.descent.optim}
 * and {@code dev.descent.optim.second} and available to user-written transformations.
 *
 * <p>Every check returns its argument when valid and otherwise throws an
 * {@link IllegalArgumentException} whose one-line message names the operation, the
 * hyper-parameter, what it must be and the bad value, e.g.
 * {@code adam: learning rate must be a finite value >= 0, got -0.1}.
 */
public final class HyperParameters {
    private HyperParameters() {}

    /** A finite value ≥ 0 (learning rates, weight decay, step sizes). */
    public static double nonNegative(String op, String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw bad(op, what, "a finite value >= 0", v);
        return v;
    }

    /** A finite value &gt; 0 (eps, damping, norms). */
    public static double positive(String op, String what, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw bad(op, what, "a finite value > 0", v);
        return v;
    }

    /** A decay rate β in [0, 1). */
    public static double decayRate(String op, String what, double v) {
        if (!(v >= 0 && v < 1)) throw bad(op, what, "in [0, 1)", v);
        return v;
    }

    /** A factor strictly between 0 and 1 (shrink factors, Armijo and Wolfe constants). */
    public static double openUnitInterval(String op, String what, double v) {
        if (!(v > 0 && v < 1)) throw bad(op, what, "in (0, 1)", v);
        return v;
    }

    /** A factor in (0, 1] (warm-start decay, multiplicative schedules). */
    public static double fraction(String op, String what, double v) {
        if (!(v > 0 && v <= 1)) throw bad(op, what, "in (0, 1]", v);
        return v;
    }

    /** A finite factor &gt; 1 (damping increases). */
    public static double greaterThanOne(String op, String what, double v) {
        if (!(v > 1) || Double.isInfinite(v)) throw bad(op, what, "a finite value > 1", v);
        return v;
    }

    /** A finite value. */
    public static double finite(String op, String what, double v) {
        if (!Double.isFinite(v)) throw bad(op, what, "finite", v);
        return v;
    }

    /** An integer ≥ {@code min}. */
    public static int atLeast(String op, String what, int v, int min) {
        if (v < min) throw new IllegalArgumentException(op + ": " + what + " must be >= " + min + ", got " + v);
        return v;
    }

    private static IllegalArgumentException bad(String op, String what, String must, double v) {
        return new IllegalArgumentException(op + ": " + what + " must be " + must + ", got " + v);
    }
}
