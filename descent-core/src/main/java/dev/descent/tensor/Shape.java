package dev.descent.tensor;

import java.util.Arrays;

/**
 * An immutable tensor shape: a list of non-negative dimensions, row-major. The empty shape is a
 * scalar (one element); any zero dimension makes an empty tensor.
 */
public final class Shape {
    private final int[] dims;
    private final int size;

    /** A shape with the given dimensions; each must be ≥ 0 and the product must fit an int. */
    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    /** The scalar shape []. */
    public static final Shape SCALAR = new Shape(new int[0]);

    private Shape(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + ": negative dimension " + d);
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + ": more than 2^31 elements");
            }
        }
        this.dims = dims;
        this.size = (int) n;
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Dimension i; negative i counts from the end. */
    public int dim(int i) {
        return dims[axis(i)];
    }

    /** Total number of elements. */
    public int size() {
        return size;
    }

    /** A copy of the dimensions. */
    public int[] dims() {
        return dims.clone();
    }

    /** Normalises a possibly negative axis, failing with the shape in the message. */
    public int axis(int a) {
        int r = a < 0 ? a + dims.length : a;
        if (r < 0 || r >= dims.length) {
            throw new IllegalArgumentException("axis " + a + " out of range for shape " + this);
        }
        return r;
    }

    /** Row-major strides (in elements). */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Product of dims[from..to). */
    public int sizeBetween(int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) n *= dims[i];
        return n;
    }

    /** This shape with dimension {@code axis} replaced by {@code value}. */
    public Shape with(int axis, int value) {
        int[] d = dims.clone();
        d[axis(axis)] = value;
        return new Shape(d);
    }

    /**
     * The broadcast of two shapes (NumPy rules: align trailing dimensions; each pair must be equal
     * or contain a 1).
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da == db || db == 1) {
                out[i] = da;
            } else if (da == 1) {
                out[i] = db;
            } else {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b
                        + " cannot be broadcast (dimension " + da + " vs " + db + ")");
            }
        }
        return new Shape(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** "[32, 128]". */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
