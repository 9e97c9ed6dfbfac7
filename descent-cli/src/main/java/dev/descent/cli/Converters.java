package dev.descent.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converters that validate as they parse, so that a bad value is a usage error naming the
 * option and the value ({@code descent: Invalid value for option '--lr': must be a number > 0,
 * got '-0.1'}).
 */
public final class Converters {
    private Converters() {}

    private static double parseDouble(String s) {
        try {
            double v = Double.parseDouble(s.trim());
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not a finite number");
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not an integer");
        }
    }

    /** A number &gt; 0 (learning rates, clipping thresholds). */
    public static final class PositiveDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = parseDouble(s);
            if (!(v > 0)) throw new TypeConversionException("must be a number > 0, got '" + s + "'");
            return v;
        }
    }

    /** A number ≥ 0 (weight decay). */
    public static final class NonNegativeDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = parseDouble(s);
            if (!(v >= 0)) throw new TypeConversionException("must be a number >= 0, got '" + s + "'");
            return v;
        }
    }

    /** A number in [0, 1) (momentum, running-average coefficients). */
    public static final class UnitIntervalHalfOpen implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = parseDouble(s);
            if (!(v >= 0 && v < 1)) throw new TypeConversionException("must be a number in [0, 1), got '" + s + "'");
            return v;
        }
    }

    /** A number in (0, 1) (held-out fractions). */
    public static final class OpenUnitInterval implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = parseDouble(s);
            if (!(v > 0 && v < 1)) throw new TypeConversionException("must be a number in (0, 1), got '" + s + "'");
            return v;
        }
    }

    /** An integer ≥ 1 (batch sizes, hidden sizes, epochs). */
    public static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String s) {
            long v = parseLong(s);
            if (v < 1 || v > Integer.MAX_VALUE) throw new TypeConversionException("must be an integer >= 1, got '" + s + "'");
            return (int) v;
        }
    }

    /** An integer ≥ 1 that may exceed 2³¹ (step counts). */
    public static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String s) {
            long v = parseLong(s);
            if (v < 1) throw new TypeConversionException("must be an integer >= 1, got '" + s + "'");
            return v;
        }
    }

    /** A {@code --data} specification; see {@link DataSource#parse}. */
    public static final class DataSourceConverter implements ITypeConverter<DataSource> {
        @Override
        public DataSource convert(String s) {
            try {
                return DataSource.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
