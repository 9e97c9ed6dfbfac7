package dev.descent.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Sums over a run of leading or middle axes take a column-sum path (no transposition); checked
 * against a float64 reference on shapes that cross the 32-row block of the blocked column sum,
 * in both dtypes, with keepDims either way, and through {@link Tensor#sumTo}. Tolerance: the
 * blocked sum adds at most 32 + ⌈rows/32⌉ terms in sequence per output, so its error is at most
 * (32 + ⌈rows/32⌉)·u·Σ|a| (u the unit roundoff), doubled for slack.
 */
class ReductionPathTest {
    private static double[] reference(Tensor t, int first, int last) {
        int[] d = t.dims();
        int outer = 1, red = 1, inner = 1;
        for (int i = 0; i < d.length; i++) {
            if (i < first) outer *= d[i]; else if (i <= last) red *= d[i]; else inner *= d[i];
        }
        double[] out = new double[outer * inner * 2]; // [sum, sum of |a|] interleaved
        for (int o = 0; o < outer; o++) {
            for (int r = 0; r < red; r++) {
                for (int j = 0; j < inner; j++) {
                    double v = t.getFlat((o * red + r) * inner + j);
                    out[2 * (o * inner + j)] += v;
                    out[2 * (o * inner + j) + 1] += Math.abs(v);
                }
            }
        }
        return out;
    }

    private static void check(DType dtype, int[] dims, int[] axes) {
        Tensor t = new Rng(dims.length * 31L + axes[0]).normal(dtype, 0, 1, dims);
        int first = axes[0], last = axes[axes.length - 1];
        double[] ref = reference(t, first, last);
        int rows = 1;
        for (int a : axes) rows *= dims[a];
        double u = dtype == DType.F32 ? Math.ulp(1.0f) / 2 : Math.ulp(1.0) / 2;
        double factor = 2 * (32 + Math.ceil(rows / 32.0)) * u;
        for (boolean keep : new boolean[] {false, true}) {
            Tensor s = t.sum(axes, keep);
            int[] expected = dims.clone();
            for (int a : axes) expected[a] = 1;
            if (!keep) {
                int[] k = new int[dims.length - axes.length];
                for (int i = 0, j = 0; i < dims.length; i++) if (i < first || i > last) k[j++] = dims[i];
                expected = k;
            }
            assertArrayEquals(expected, s.dims());
            for (int i = 0; i < s.size(); i++) {
                assertEquals(ref[2 * i], s.getFlat(i), factor * ref[2 * i + 1] + Double.MIN_VALUE, dtype + " " + java.util.Arrays.toString(dims) + " element " + i);
            }
        }
    }

    @Test
    void leadingAndMiddleAxesSumWithoutTransposing() {
        for (DType dt : DType.values()) {
            check(dt, new int[] {3, 4}, new int[] {0});
            check(dt, new int[] {100, 7}, new int[] {0});
            check(dt, new int[] {33, 64}, new int[] {0});
            check(dt, new int[] {2, 70, 5}, new int[] {1});
            check(dt, new int[] {4, 9, 3, 17}, new int[] {0, 1, 2});
            check(dt, new int[] {5, 6, 7}, new int[] {1, 2}); // a suffix: the row-reduction path
        }
    }

    @Test
    void sumToABiasShapeIsTheColumnSum() {
        Tensor ct = new Rng(5).normal(DType.F32, 0, 1, 128, 10);
        Tensor b = ct.sumTo(Shape.of(10));
        assertArrayEquals(new int[] {10}, b.dims());
        for (int j = 0; j < 10; j++) {
            double s = 0, abs = 0;
            for (int i = 0; i < 128; i++) {
                s += ct.get(i, j);
                abs += Math.abs(ct.get(i, j));
            }
            assertEquals(s, b.getFlat(j), 2 * (32 + 4) * Math.ulp(1.0f) / 2 * abs);
        }
    }

    @Test
    void emptyReducedAxesGiveZerosAndEmptyKeptAxesGiveEmpty() {
        Tensor empty = Tensor.zeros(DType.F64, 0, 5);
        assertArrayEquals(new int[] {5}, empty.sum(0, false).dims());
        assertEquals(0.0, empty.sum(0, false).maxAbs());
        Tensor none = Tensor.zeros(DType.F32, 4, 0);
        assertArrayEquals(new int[] {1, 0}, none.sum(0, true).dims());
    }
}
