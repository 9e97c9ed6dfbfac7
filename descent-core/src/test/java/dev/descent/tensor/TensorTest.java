package dev.descent.tensor;

import dev.descent.tensor.kernel.BinaryOp;
import dev.descent.tensor.kernel.ElementwiseF64;
import dev.descent.tensor.kernel.UnaryOp;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorTest {
    /** Naive broadcasting reference: index each operand by the aligned multi-index. */
    static double ref(Tensor t, int[] outIdx) {
        int lead = outIdx.length - t.rank();
        int[] idx = new int[t.rank()];
        for (int i = 0; i < idx.length; i++) idx[i] = t.dim(i) == 1 ? 0 : outIdx[i + lead];
        return t.get(idx);
    }

    @Property(tries = 200)
    void broadcastingMatchesTheNaiveDefinition(@ForAll @IntRange(min = 0, max = 3) int d0, @ForAll @IntRange(min = 1, max = 4) int d1,
                                               @ForAll @IntRange(min = 1, max = 5) int d2, @ForAll long seed) {
        Rng rng = new Rng(seed);
        int[][] patterns = {{d0, d1, d2}, {d1, d2}, {d2}, {1, d2}, {d1, 1}, {d0, 1, d2}, {1, 1, 1}, {}};
        int[] sa = patterns[rng.nextInt(patterns.length)], sb = patterns[rng.nextInt(patterns.length)];
        Tensor a = rng.normal(DType.F64, 0, 1, sa), b = rng.normal(DType.F64, 0, 1, sb);
        Shape out;
        try {
            out = Shape.broadcast("t", a.shape(), b.shape());
        } catch (IllegalArgumentException e) {
            return;
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX, BinaryOp.GT}) {
            for (DType dt : DType.values()) {
                Tensor r = Tensor.binary("op", op, a.to(dt), b.to(dt));
                assertEquals(out, r.shape());
                for (int i = 0; i < r.size(); i++) {
                    int[] idx = r.unravel(i);
                    double expected = ElementwiseF64.apply(op, ref(a.to(dt), idx), ref(b.to(dt), idx));
                    if (dt == DType.F32) expected = (float) expected;
                    assertEquals(expected, r.getFlat(i), Math.abs(expected) * 1e-6 + 1e-30, "op " + op + " " + a.shape() + " " + b.shape());
                }
            }
        }
    }

    @Test
    void unaryKernelsMatchScalarDefinitionsIncludingTails() {
        Rng rng = new Rng(1);
        for (int n : new int[] {0, 1, 7, 8, 15, 16, 17, 33, 129}) {
            Tensor x = rng.normal(DType.F64, 0, 3, n);
            Tensor pos = x.abs().add(0.1);
            // LOG1P below -1 is NaN in both paths, checked as such.
            for (UnaryOp op : UnaryOp.values()) {
                Tensor in = op == UnaryOp.LOG || op == UnaryOp.SQRT ? pos : x;
                for (DType dt : DType.values()) {
                    Tensor r = in.to(dt).unary(op);
                    for (int i = 0; i < n; i++) {
                        double v = in.to(dt).getFlat(i);
                        double e = ElementwiseF64.apply(op, v);
                        // Vector API transcendentals are within a few ulps of Math's.
                        if (Double.isNaN(e)) {
                            assertTrue(Double.isNaN(r.getFlat(i)), "op " + op + " x=" + v);
                            continue;
                        }
                        double tol = (dt == DType.F32 ? 4e-7 : 4e-16) * Math.max(1, Math.abs(e));
                        assertEquals(e, r.getFlat(i), tol, "op " + op + " n=" + n + " " + dt + " x=" + v);
                    }
                }
            }
        }
    }

    @Test
    void sigmoidIsStableAtExtremes() {
        Tensor x = Tensor.of(new double[] {-800, -40, 0, 40, 800}, 5);
        Tensor s = x.sigmoid();
        assertEquals(0.0, s.getFlat(0), 0);
        assertEquals(Math.exp(-40) / (1 + Math.exp(-40)), s.getFlat(1), 1e-30);
        assertEquals(0.5, s.getFlat(2), 0);
        assertEquals(1.0, s.getFlat(4), 0);
        Tensor f = x.to(DType.F32).sigmoid();
        assertEquals(0.0, f.getFlat(0), 0);
        assertEquals(1.0, f.getFlat(4), 0);
    }

    @Test
    void reductionsOverAxesMatchLoops() {
        Rng rng = new Rng(2);
        Tensor t = rng.normal(DType.F64, 0, 1, 3, 4, 5);
        Tensor s = t.sum(new int[] {0, 2}, false);
        assertArrayEquals(new int[] {4}, s.dims());
        for (int j = 0; j < 4; j++) {
            double acc = 0;
            for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) acc += t.get(i, j, k);
            assertEquals(acc, s.getFlat(j), 1e-12);
        }
        Tensor m = t.max(1, true);
        assertArrayEquals(new int[] {3, 1, 5}, m.dims());
        for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) {
            double mx = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < 4; j++) mx = Math.max(mx, t.get(i, j, k));
            assertEquals(mx, m.get(i, 0, k), 0);
        }
        assertEquals(t.sum().item(), t.sum(new int[] {0, 1, 2}, false).item(), 1e-12);
        assertEquals(t.mean().item() * 60, t.sum().item(), 1e-12);
        assertEquals(t.min(new int[] {-1}, false).get(2, 3), Math.min(t.get(2, 3, 0), t.min(new int[] {2}, false).get(2, 3)), 0);
    }

    @Test
    void zeroSizeShapesWork() {
        Tensor e = Tensor.zeros(DType.F32, 0, 3);
        assertEquals(0, e.size());
        assertArrayEquals(new int[] {0, 3}, e.add(Tensor.ones(DType.F32, 3)).dims());
        assertArrayEquals(new int[] {3}, e.sum(0, false).dims());
        assertEquals(0.0, e.sum(0, false).maxAbs(), 0);
        assertEquals(0.0, e.sum().item(), 0);
        assertArrayEquals(new int[] {0, 5}, e.matmul(Tensor.ones(DType.F32, 3, 5)).dims());
        Tensor z = Tensor.zeros(DType.F64, 2, 0).matmul(Tensor.zeros(DType.F64, 0, 4));
        assertArrayEquals(new int[] {2, 4}, z.dims());
        assertEquals(0.0, z.maxAbs(), 0);
        assertArrayEquals(new int[] {3, 0}, e.transpose().dims());
        assertArrayEquals(new int[] {2, 3}, Tensor.concat(0, e, Tensor.ones(DType.F32, 2, 3)).dims());
        assertArrayEquals(new int[] {0, 3}, e.slice(0, 0, 0).dims());
        assertArrayEquals(new int[] {0}, e.logSumExp(1, false).dims());
        assertEquals(Double.NEGATIVE_INFINITY, Tensor.zeros(DType.F64, 2, 0).logSumExp(1, false).getFlat(0), 0);
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F64, 2, 0).max(1, false));
    }

    @Test
    void softmaxAndLogSumExpAreStableForLargeLogits() {
        Tensor x = Tensor.of(new double[] {1000, 1001, 1002, -1000, 0, 1000}, 2, 3);
        Tensor lse = x.logSumExp(1, false);
        assertEquals(1002 + Math.log(Math.exp(-2) + Math.exp(-1) + 1), lse.getFlat(0), 1e-12);
        assertEquals(1000, lse.getFlat(1), 1e-12);
        Tensor sm = x.softmax(1);
        // softmax normalises by an explicit sum, so rows sum to 1 within n·u
        assertEquals(1.0, sm.sum(1, false).getFlat(0), 4e-16);
        assertEquals(1.0, sm.sum(1, false).getFlat(1), 4e-16);
        assertTrue(Double.isFinite(x.to(DType.F32).logSoftmax(1).sum().item()));
        Tensor col = x.logSumExp(0, true);
        assertArrayEquals(new int[] {1, 3}, col.dims());
        assertEquals(Math.log(Math.exp(-1000 - 1000) + 1) + 1000, col.getFlat(0), 1e-12);
    }

    @Test
    void shapeManipulationsAgreeWithIndexing() {
        Rng rng = new Rng(4);
        Tensor t = rng.normal(DType.F64, 0, 1, 2, 3, 4);
        Tensor p = t.permute(2, 0, 1);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
            assertEquals(t.get(i, j, k), p.get(k, i, j), 0);
        }
        Tensor s = t.slice(1, 1, 3);
        assertEquals(t.get(1, 2, 3), s.get(1, 1, 3), 0);
        Tensor g = t.gather(2, new int[] {3, 3, 0});
        assertEquals(t.get(1, 2, 3), g.get(1, 2, 1), 0);
        Tensor back = g.scatterAdd(2, new int[] {3, 3, 0}, t.shape());
        assertEquals(2 * t.get(0, 1, 3), back.get(0, 1, 3), 1e-15);
        assertEquals(0.0, back.get(0, 1, 2), 0);
        Tensor st = Tensor.stack(1, t, t.neg());
        assertArrayEquals(new int[] {2, 2, 3, 4}, st.dims());
        assertEquals(-t.get(1, 0, 2), st.get(1, 1, 0, 2), 0);
        assertArrayEquals(new int[] {6, 4}, t.reshape(-1, 4).dims());
        Tensor oh = Tensor.oneHot(DType.F32, new int[] {2, 0}, 3);
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, oh.toFloatArray());
        Tensor big = rng.normal(DType.F32, 0, 1, 70, 45);
        Tensor bt = big.transpose();
        assertEquals(big.get(69, 3), bt.get(3, 69), 0);
        assertEquals(0.0, bt.transpose().maxAbsDiff(big), 0);
    }

    @Test
    void matmulMatchesReferenceForBatchedAndTransposed() {
        Rng rng = new Rng(5);
        Tensor a = rng.normal(DType.F64, 0, 1, 3, 4, 5), b = rng.normal(DType.F64, 0, 1, 3, 6, 5);
        Tensor c = a.matmul(b, false, true);
        assertArrayEquals(new int[] {3, 4, 6}, c.dims());
        double acc = 0;
        for (int k = 0; k < 5; k++) acc += a.get(2, 1, k) * b.get(2, 4, k);
        assertEquals(acc, c.get(2, 1, 4), 1e-12);
        Tensor shared = rng.normal(DType.F64, 0, 1, 5, 2);
        Tensor d = a.matmul(shared);
        assertEquals(a.select(0, 1).matmul(shared).get(3, 1), d.get(1, 3, 1), 1e-14);
    }

    @Test
    void errorsNameTheOperationAndBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(DType.F32, 32, 128).matmul(Tensor.zeros(DType.F32, 64, 10)));
        assertEquals("matmul: [32, 128] x [64, 10]: inner dimensions 128 and 64 differ", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F64, 3, 4).add(Tensor.zeros(DType.F64, 5)));
        assertTrue(e.getMessage().startsWith("add: shapes [3, 4] and [5] cannot be broadcast"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F64, 3).mul(Tensor.zeros(DType.F32, 3)));
        assertTrue(e.getMessage().contains("float64") && e.getMessage().contains("float32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F64, 3, 4).reshape(5, 2));
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("[5, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.oneHot(DType.F32, new int[] {0, 7}, 3));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }

    @Test
    void checkFiniteReportsTheFirstBadValueAndItsPosition() {
        Tensor t = Tensor.of(new double[] {1, 2, 3, Double.NaN, 5, Double.POSITIVE_INFINITY}, 2, 3);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> t.checkFinite("weights"));
        assertEquals("weights: non-finite value NaN at index [1, 0] of shape [2, 3]", e.getMessage());
        Params p = Params.of("a", Tensor.ones(DType.F32, 2), "b", t);
        e = assertThrows(ArithmeticException.class, () -> p.checkFinite("gradient"));
        assertTrue(e.getMessage().startsWith("gradient 'b'"), e.getMessage());
    }

    @Test
    void rngIsDeterministicAndSplitsAreIndependent() {
        Rng a = new Rng(42), b = new Rng(42);
        assertEquals(a.nextLong(), b.nextLong());
        Rng c1 = a.split(), c2 = b.split();
        assertEquals(c1.nextDouble(), c2.nextDouble());
        assertTrue(a.nextLong() != c1.nextLong());
        // Moments of 100k normals: mean within 4 standard errors (4/sqrt(n)), variance within 4·sqrt(2/n).
        Tensor z = new Rng(7).normal(DType.F64, 0, 1, 100_000);
        double mean = z.mean().item();
        double var = z.sub(mean).square().mean().item();
        assertEquals(0, mean, 4 / Math.sqrt(1e5));
        assertEquals(1, var, 4 * Math.sqrt(2 / 1e5));
        Tensor u = new Rng(8).uniform(DType.F64, 2, 3, 100_000);
        assertEquals(2.5, u.mean().item(), 4 * Math.sqrt(1 / 12.0 / 1e5));
        int[] perm = new Rng(9).permutation(1000);
        boolean[] seen = new boolean[1000];
        for (int x : perm) seen[x] = true;
        for (boolean s : seen) assertTrue(s);
    }

    @Test
    void paramsVectorSpaceOperations() {
        Params p = Params.of("w", Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), "b", Tensor.of(new double[] {5}, 1));
        assertEquals(1 + 4 + 9 + 16 + 25, p.dot(p), 0);
        assertEquals(0.0, p.unflatten(p.flatten()).maxAbsDiff(p), 0);
        assertEquals(3.0, p.axpy(2, p).get("b").getFlat(0) / 5, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.add(Params.of("w", Tensor.zeros(DType.F64, 2, 3), "b", Tensor.zeros(DType.F64, 1))));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }
}
