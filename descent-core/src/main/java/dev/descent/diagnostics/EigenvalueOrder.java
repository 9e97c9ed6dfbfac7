package dev.descent.diagnostics;

/** Which end of a symmetric spectrum {@link HessianSpectrum#eigenvalues} computes. */
public enum EigenvalueOrder {
    /** The largest eigenvalues, most positive first: the sharpest directions of a minimum. */
    LARGEST,
    /** The smallest eigenvalues, most negative first: negative curvature (saddles). */
    SMALLEST,
    /** The largest in absolute value first: what dominates stability of gradient descent. */
    LARGEST_MAGNITUDE;

    /** Whether eigenvalue a comes before b in this order. */
    int compare(double a, double b) {
        return switch (this) {
            case LARGEST -> Double.compare(b, a);
            case SMALLEST -> Double.compare(a, b);
            case LARGEST_MAGNITUDE -> Double.compare(Math.abs(b), Math.abs(a));
        };
    }
}
