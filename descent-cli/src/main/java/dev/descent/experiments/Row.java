package dev.descent.experiments;

import java.util.Locale;

/**
 * One checked figure: what is claimed, the measured figure, the bound it must meet (both as
 * text, as printed), and whether it met it.
 *
 * <p>The factories format numbers with {@link #format(double)} and decide {@code pass} by the
 * comparison they name; a NaN measurement never passes.
 */
public record Row(String claim, String measured, String bound, boolean pass) {
    /** Requires non-null texts. */
    public Row {
        if (claim == null || measured == null || bound == null) {
            throw new IllegalArgumentException("Row: claim, measured and bound must not be null");
        }
    }

    /** Passes iff {@code measured ≤ bound}; the bound prints as "≤ bound". */
    public static Row atMost(String claim, double measured, double bound) {
        return new Row(claim, format(measured), "≤ " + format(bound), measured <= bound);
    }

    /** Passes iff {@code measured < bound}; the bound prints as "&lt; bound". */
    public static Row lessThan(String claim, double measured, double bound) {
        return new Row(claim, format(measured), "< " + format(bound), measured < bound);
    }

    /** Passes iff {@code measured ≥ bound}; the bound prints as "≥ bound". */
    public static Row atLeast(String claim, double measured, double bound) {
        return new Row(claim, format(measured), "≥ " + format(bound), measured >= bound);
    }

    /** Passes iff {@code lo ≤ measured ≤ hi}; the bound prints as "[lo, hi]". */
    public static Row within(String claim, double measured, double lo, double hi) {
        return new Row(claim, format(measured), "[" + format(lo) + ", " + format(hi) + "]", measured >= lo && measured <= hi);
    }

    /** A yes/no property: measured "yes"/"no", bound "yes". */
    public static Row holds(String claim, boolean holds) {
        return new Row(claim, holds ? "yes" : "no", "yes", holds);
    }

    /**
     * A number as printed in tables: 4 significant digits, scientific notation below 1e-3 or from
     * 1e5 on (e.g. {@code 3.162e-11}, {@code 0.2500}, {@code 42.00}).
     */
    public static String format(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "∞" : "−∞";
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a < 1e-3 || a >= 1e5) return String.format(Locale.ROOT, "%.3e", v);
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
