package dev.descent.tensor.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions over contiguous rows of a float64 array (float32 twin generated).
 *
 * <p>Reductions over arbitrary axes are expressed by callers as a permutation that moves the
 * reduced axes last followed by a row reduction here, or as column accumulation with
 * {@link #accumulate}. Sums use a vector of partial sums (pairwise across lanes), which is both
 * faster and more accurate than a single running scalar.
 */
public final class ReduceF64 {
    private ReduceF64() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    /** Σ a[off .. off+n). */
    public static double sum(double[] a, int off, int n) {
        int i = 0;
        int upper = S.loopBound(n);
        double s = 0;
        if (upper > 0) {
            DoubleVector acc = DoubleVector.zero(S);
            for (; i < upper; i += S.length()) {
                acc = acc.add(DoubleVector.fromArray(S, a, off + i));
            }
            s = lanesInOrder(acc);
        }
        for (; i < n; i++) s += a[off + i];
        return s;
    }

    // NOTE: reduceLanes(ADD) may add lanes in a different order once C2 compiles it, so a sum
    // would depend on JIT timing; adding the lanes left to right keeps every run bit-identical.
    private static double lanesInOrder(DoubleVector acc) {
        double[] lanes = new double[S.length()];
        acc.intoArray(lanes, 0);
        double s = 0;
        for (double x : lanes) s += x;
        return s;
    }

    /** Σ a[ao+i]·b[bo+i] for i &lt; n. */
    public static double dot(double[] a, int ao, double[] b, int bo, int n) {
        int i = 0;
        int upper = S.loopBound(n);
        double s = 0;
        if (upper > 0) {
            DoubleVector acc = DoubleVector.zero(S);
            for (; i < upper; i += S.length()) {
                acc = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), acc);
            }
            s = lanesInOrder(acc);
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** max a[off .. off+n); -∞ when n = 0; NaN if any element is NaN. */
    public static double max(double[] a, int off, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double x = a[off + i];
            if (x > m || x != x) m = x;
            if (m != m) return m;
        }
        return m;
    }

    /** min a[off .. off+n); +∞ when n = 0; NaN if any element is NaN. */
    public static double min(double[] a, int off, int n) {
        double m = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double x = a[off + i];
            if (x < m || x != x) m = x;
            if (m != m) return m;
        }
        return m;
    }

    /** out[oo+j] += a[ao+j] for j &lt; n (column accumulation); {@code out} is modified. */
    public static void accumulate(double[] a, int ao, double[] out, int oo, int n) {
        for (int j = 0; j < n; j++) out[oo + j] += a[ao + j];
    }

    /**
     * Row reduction: for each of {@code rows} rows of length {@code cols} starting at
     * {@code off}, out[oo + r] = op(row r). Ops: 0 sum, 1 max, 2 min; {@code out} is modified.
     */
    public static void rows(int op, double[] a, int off, int rows, int cols, double[] out, int oo) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * cols;
            out[oo + r] = op == 0 ? sum(a, o, cols) : op == 1 ? max(a, o, cols) : min(a, o, cols);
        }
    }

    /**
     * log Σ_j exp(a_rj) per row, stabilised by the row maximum m: m + log Σ exp(a − m).
     * A row that is all −∞ gives −∞; {@code out} is modified.
     */
    public static void logSumExpRows(double[] a, int off, int rows, int cols, double[] out, int oo,
                                     double[] scratch) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * cols;
            double m = max(a, o, cols);
            if (m == Double.NEGATIVE_INFINITY || m != m || m == Double.POSITIVE_INFINITY) {
                out[oo + r] = m;
                continue;
            }
            for (int j = 0; j < cols; j++) scratch[j] = a[o + j] - m;
            ElementwiseF64.unary(ElementwiseF64.EXP, scratch, 0, scratch, 0, cols);
            out[oo + r] = m + (double) Math.log(sum(scratch, 0, cols));
        }
    }
}
