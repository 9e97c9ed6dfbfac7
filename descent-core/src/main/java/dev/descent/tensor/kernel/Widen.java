package dev.descent.tensor.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Widening of a vector to float64 lanes, by overload, for kernels whose float32 twin keeps a value
 * in float64 ({@code @KeepDouble}): {@code Widen.part(x, p)} is x itself for a
 * {@code DoubleVector} (p = 0 only) and part p of the float64 conversion of a {@code FloatVector}
 * (p ∈ {0, 1}: its lower and upper halves), so one source reads correctly in both twins.
 * Both species are the preferred ones of the other kernels (a second float species would make the
 * JIT's profiles of the shared vector methods bimorphic; see {@link VectorMath}).
 */
public final class Widen {
    private Widen() {}

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    /** x itself (float64 needs no widening). */
    public static DoubleVector part(DoubleVector x, int part) {
        return x;
    }

    /** Part {@code part} (0: lower half of the lanes, 1: upper half) of x converted exactly to float64. */
    public static DoubleVector part(FloatVector x, int part) {
        return (DoubleVector) x.convertShape(VectorOperators.F2D, D, part);
    }
}
