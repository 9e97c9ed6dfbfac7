package dev.descent.tensor.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.DoubleVector; // @KeepDouble: dotWide's float64 accumulators, in both twins
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
    /** The accumulators' species of {@link #dotWide}: float64 lanes in every twin. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED; // @KeepDouble
    /** Float64 vectors per vector of this dtype: 1 here, 2 in the float32 twin. */
    private static final int PARTS = /*@KeepDouble*/ Double.BYTES / Double.BYTES;

    /** Σ a[off .. off+n). */
    // NOTE: four vector accumulators, not one: a single one makes every addition wait for the
    // previous (latency-bound; docs/performance.md, "Sums: four vector accumulators"); the
    // partial sums are combined pairwise, which also keeps the rounding error lower.
    public static double sum(double[] a, int off, int n) {
        int i = 0, l = S.length();
        int upper4 = n - n % (4 * l), upper = S.loopBound(n);
        double s = 0;
        if (upper > 0) {
            DoubleVector acc0 = DoubleVector.zero(S), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (; i < upper4; i += 4 * l) {
                acc0 = acc0.add(DoubleVector.fromArray(S, a, off + i));
                acc1 = acc1.add(DoubleVector.fromArray(S, a, off + i + l));
                acc2 = acc2.add(DoubleVector.fromArray(S, a, off + i + 2 * l));
                acc3 = acc3.add(DoubleVector.fromArray(S, a, off + i + 3 * l));
            }
            for (; i < upper; i += l) acc0 = acc0.add(DoubleVector.fromArray(S, a, off + i));
            // Lanes added left to right, written out here: reduceLanes(ADD) may add them in another
            // order once C2 compiles it (results would depend on JIT timing), and a helper method
            // taking the vector may not be inlined, which boxes it.
            double[] lanes = new double[l];
            acc0.add(acc1).add(acc2.add(acc3)).intoArray(lanes, 0);
            for (double x : lanes) s += x;
        }
        for (; i < n; i++) s += a[off + i];
        return s;
    }

    /** Σ a[ao+i]·b[bo+i] for i &lt; n (fused multiply-adds into four partial sums, as {@link #sum}). */
    public static double dot(double[] a, int ao, double[] b, int bo, int n) {
        int i = 0, l = S.length();
        int upper4 = n - n % (4 * l), upper = S.loopBound(n);
        double s = 0;
        if (upper > 0) {
            DoubleVector acc0 = DoubleVector.zero(S), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (; i < upper4; i += 4 * l) {
                acc0 = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), acc0);
                acc1 = DoubleVector.fromArray(S, a, ao + i + l).fma(DoubleVector.fromArray(S, b, bo + i + l), acc1);
                acc2 = DoubleVector.fromArray(S, a, ao + i + 2 * l).fma(DoubleVector.fromArray(S, b, bo + i + 2 * l), acc2);
                acc3 = DoubleVector.fromArray(S, a, ao + i + 3 * l).fma(DoubleVector.fromArray(S, b, bo + i + 3 * l), acc3);
            }
            for (; i < upper; i += l) acc0 = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), acc0);
            double[] lanes = new double[l];
            acc0.add(acc1).add(acc2.add(acc3)).intoArray(lanes, 0);
            for (double x : lanes) s += x;
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /**
     * Σ a[ao+i]·b[bo+i] for i &lt; n accumulated in float64 whatever the dtype: each element is
     * widened (exactly) to float64, so each product is exact in the float32 twin, and the sums are
     * {@link #dot}'s four vector partial sums of float64 lanes. For float64 this is {@link #dot}
     * operation for operation (same bits).
     */
    public static /*@KeepDouble*/ double dotWide(double[] a, int ao, double[] b, int bo, int n) {
        int i = 0, l = S.length();
        int upper4 = n - n % (4 * l), upper = S.loopBound(n);
        double s = 0; // @KeepDouble
        if (upper > 0) {
            DoubleVector acc0 = DoubleVector.zero(D), acc1 = acc0, acc2 = acc0, acc3 = acc0; // @KeepDouble
            for (; i < upper4; i += 4 * l) {
                DoubleVector x0 = DoubleVector.fromArray(S, a, ao + i), y0 = DoubleVector.fromArray(S, b, bo + i);
                DoubleVector x1 = DoubleVector.fromArray(S, a, ao + i + l), y1 = DoubleVector.fromArray(S, b, bo + i + l);
                DoubleVector x2 = DoubleVector.fromArray(S, a, ao + i + 2 * l), y2 = DoubleVector.fromArray(S, b, bo + i + 2 * l);
                DoubleVector x3 = DoubleVector.fromArray(S, a, ao + i + 3 * l), y3 = DoubleVector.fromArray(S, b, bo + i + 3 * l);
                for (int p = 0; p < PARTS; p++) {
                    acc0 = Widen.part(x0, p).fma(Widen.part(y0, p), acc0);
                    acc1 = Widen.part(x1, p).fma(Widen.part(y1, p), acc1);
                    acc2 = Widen.part(x2, p).fma(Widen.part(y2, p), acc2);
                    acc3 = Widen.part(x3, p).fma(Widen.part(y3, p), acc3);
                }
            }
            for (; i < upper; i += l) {
                DoubleVector x0 = DoubleVector.fromArray(S, a, ao + i), y0 = DoubleVector.fromArray(S, b, bo + i);
                for (int p = 0; p < PARTS; p++) acc0 = Widen.part(x0, p).fma(Widen.part(y0, p), acc0);
            }
            double[] lanes = new double[D.length()]; // @KeepDouble
            acc0.add(acc1).add(acc2.add(acc3)).intoArray(lanes, 0);
            for (double x : lanes) s += x; // @KeepDouble
        }
        for (; i < n; i++) s += (double) a[ao + i] * b[bo + i]; // @KeepDouble: the product of two widened floats is exact
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
    // NOTE: written with the Vector API because C2 (JDK 17) does not vectorise the plain loop: the
    // read-modify-write of out next to a load from another array of the same type defeats its
    // alias analysis (docs/performance.md, "Column accumulation").
    public static void accumulate(double[] a, int ao, double[] out, int oo, int n) {
        int j = 0;
        int upper = S.loopBound(n);
        for (; j < upper; j += S.length()) {
            DoubleVector.fromArray(S, out, oo + j).add(DoubleVector.fromArray(S, a, ao + j)).intoArray(out, oo + j);
        }
        for (; j < n; j++) out[oo + j] += a[ao + j];
    }

    /** Rows summed directly into the output before a partial sum is started (see {@link #columnSums}). */
    static final int COLUMN_BLOCK = 32;

    /**
     * Column sums of a row-major block: out[oo + j] = Σ_r a[off + r·cols + j] for j &lt; cols,
     * r &lt; rows; {@code out} is modified and {@code scratch} (at least {@code cols} long when
     * rows &gt; {@value #COLUMN_BLOCK}) is overwritten. The reduction of leading axes (a bias
     * gradient is the column sum of the output cotangent), done as contiguous row additions
     * instead of transposing first. Rows are added in blocks of {@value #COLUMN_BLOCK} whose
     * partial sums are then added, so the rounding error grows as 32 + rows/32 additions rather
     * than as rows.
     */
    public static void columnSums(double[] a, int off, int rows, int cols, double[] out, int oo, double[] scratch) {
        for (int j = 0; j < cols; j++) out[oo + j] = 0;
        for (int r0 = 0; r0 < rows; r0 += COLUMN_BLOCK) {
            int r1 = Math.min(rows, r0 + COLUMN_BLOCK);
            if (rows <= COLUMN_BLOCK) {
                for (int r = r0; r < r1; r++) accumulate(a, off + r * cols, out, oo, cols);
            } else {
                System.arraycopy(a, off + r0 * cols, scratch, 0, cols);
                for (int r = r0 + 1; r < r1; r++) accumulate(a, off + r * cols, scratch, 0, cols);
                accumulate(scratch, 0, out, oo, cols);
            }
        }
    }

    /**
     * Row reduction: for each of {@code rows} rows of length {@code cols} starting at
     * {@code off}, out[oo + r] = op(row r); {@code out} is modified.
     */
    public static void rows(ReduceOp op, double[] a, int off, int rows, int cols, double[] out, int oo) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * cols;
            out[oo + r] = op == ReduceOp.SUM ? sum(a, o, cols) : op == ReduceOp.MAX ? max(a, o, cols) : min(a, o, cols);
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
            ElementwiseF64.unary(UnaryOp.EXP, scratch, 0, scratch, 0, cols);
            out[oo + r] = m + (double) Math.log(sum(scratch, 0, cols));
        }
    }
}
