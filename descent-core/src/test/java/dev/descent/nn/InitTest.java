package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Initialisers: orthogonality exactly, the distributions' scale statistically.
 *
 * <p>Statistical tolerances: for m i.i.d. samples the sample variance has relative standard
 * error √(2/m) (normal) or √(4/5·1/m) (uniform: Var(x²)/E[x²]² = 4/5); with m = 60 000 both
 * are below 0.6%, and the checks allow 5 standard errors (3%). The bounds of uniform draws are
 * checked exactly.
 */
class InitTest {
    static final int ROWS = 200, COLS = 300;

    static double variance(Tensor t) {
        double s = 0;
        for (int i = 0; i < t.size(); i++) s += t.getFlat(i) * t.getFlat(i);
        return s / t.size();
    }

    @Test
    void fansFollowPyTorch() {
        assertEquals(300, Init.fanIn(200, 300));
        assertEquals(200, Init.fanOut(200, 300));
        assertEquals(3 * 5 * 5, Init.fanIn(8, 3, 5, 5));
        assertEquals(8 * 5 * 5, Init.fanOut(8, 3, 5, 5));
        assertEquals(7, Init.fanIn(7));
        assertThrows(IllegalArgumentException.class, () -> Init.fanIn());
    }

    @Test
    void uniformRulesRespectTheirBoundsAndVariance() {
        Rng rng = new Rng(1);
        double glorot = Math.sqrt(6.0 / (ROWS + COLS)), he = Math.sqrt(2) * Math.sqrt(3.0 / COLS), torch = 1 / Math.sqrt(COLS);
        double[][] cases = {{glorot}, {he}, {torch}};
        Init[] inits = {Init.glorotUniform(1), Init.heUniform(Math.sqrt(2)), Init.pytorchDefault()};
        for (int c = 0; c < inits.length; c++) {
            double bound = cases[c][0];
            Tensor t = inits[c].create(rng, DType.F64, ROWS, COLS);
            assertTrue(t.maxAbs() <= bound, "bound " + c);
            assertEquals(bound * bound / 3, variance(t), 0.03 * bound * bound / 3, "variance " + c);
        }
    }

    @Test
    void normalRulesHaveTheirVariance() {
        Rng rng = new Rng(2);
        double[] expected = {2.0 / (ROWS + COLS), 2.0 / COLS, 0.81 / COLS, 0.04};
        Init[] inits = {Init.glorotNormal(1), Init.heNormal(Math.sqrt(2)), Init.scaledNormal(0.9), Init.normal(0.2)};
        for (int c = 0; c < inits.length; c++) {
            Tensor t = inits[c].create(rng, DType.F64, ROWS, COLS);
            assertEquals(expected[c], variance(t), 0.03 * expected[c], "rule " + c);
        }
    }

    @Test
    void orthogonalMatricesHaveOrthonormalRowsOrColumns() {
        Rng rng = new Rng(3);
        for (int[] shape : new int[][] {{6, 6}, {4, 7}, {7, 4}, {3, 2, 2}}) {
            Tensor q = Init.orthogonal(1.5).create(rng, DType.F64, shape).reshape(shape[0], -1);
            boolean wide = q.dim(0) <= q.dim(1);
            Tensor gram = wide ? q.matmul(q, false, true) : q.matmul(q, true, false);
            int n = gram.dim(0);
            // Householder QR in float64: orthonormal to ~n·ε.
            assertTrue(gram.maxAbsDiff(Tensor.eye(DType.F64, n).mul(2.25)) <= 1e-14, java.util.Arrays.toString(shape));
        }
        assertThrows(IllegalArgumentException.class, () -> Init.orthogonal(1).create(rng, DType.F64, 5));
    }

    @Test
    void identityAndConstants() {
        Tensor id = Init.identity(0.5).create(new Rng(4), DType.F64, 3, 4);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) assertEquals(i == j ? 0.5 : 0, id.get(i, j));
        assertThrows(IllegalArgumentException.class, () -> Init.identity(1).create(new Rng(4), DType.F64, 3));
        assertEquals(0, Init.zeros().create(new Rng(5), DType.F32, 2, 2).maxAbs());
        assertEquals(2.5, Init.constant(2.5).create(new Rng(5), DType.F64, 2).get(1));
    }

    @Test
    void drawsAreSeededAndDtypeIndependent() {
        Tensor a = Init.heNormal(1).create(new Rng(7), DType.F64, 5, 4);
        Tensor b = Init.heNormal(1).create(new Rng(7), DType.F64, 5, 4);
        Tensor c = Init.heNormal(1).create(new Rng(7), DType.F32, 5, 4);
        assertEquals(0, a.maxAbsDiff(b));
        assertEquals(0, a.to(DType.F32).maxAbsDiff(c));
    }

    @Test
    void hyperParametersAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.normal(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.glorotUniform(0));
        assertThrows(IllegalArgumentException.class, () -> Init.heNormal(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Init.scaledNormal(-0.5));
    }

    /**
     * Sparse: exactly k non-zeros per row, and spectral radius ρ. The radius is checked without
     * eigenvalues, by Gelfand's formula on A = W/ρ: ‖A^K‖₂ ≥ ρ(A)^K = 1 exactly (a norm bounds
     * the spectral radius; Frobenius bounds ‖·‖₂), while ‖A^K‖^{1/K} → ρ(A) = 1 from above,
     * within ln(cond)/K of it for a diagonalisable A (5% at K = 400 allows cond up to e^19).
     */
    @Test
    void sparseHasKConnectionsPerUnitAndTheRequestedSpectralRadius() {
        int n = 40, k = 15;
        double rho = 1.2;
        Tensor w = Init.sparse(k, rho).create(new Rng(9), DType.F64, n, n);
        for (int i = 0; i < n; i++) {
            int nonZero = 0;
            for (int j = 0; j < n; j++) if (w.get(i, j) != 0) nonZero++;
            assertEquals(k, nonZero, "row " + i);
        }
        double[][] a = new double[n][n], p = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i][j] = p[i][j] = w.get(i, j) / rho;
        int steps = 400;
        double logNorm = 0;
        for (int s = 1; s < steps; s++) {
            double[][] q = new double[n][n];
            for (int i = 0; i < n; i++) for (int m = 0; m < n; m++) {
                double v = p[i][m];
                if (v != 0) for (int j = 0; j < n; j++) q[i][j] += v * a[m][j];
            }
            // Renormalise to avoid overflow; keep the log of the factor.
            double f = 0;
            for (double[] r : q) for (double v : r) f += v * v;
            f = Math.sqrt(f);
            logNorm += Math.log(f);
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) p[i][j] = q[i][j] / f;
        }
        // The factors telescope: logNorm = ln ‖A^K‖_F up to the per-step rounding (~K·1e-15).
        double root = Math.exp(logNorm / steps);
        assertTrue(root >= 1 - 1e-9 && root <= 1.05, "||A^K||^(1/K) = " + root);
        assertThrows(IllegalArgumentException.class, () -> Init.sparse(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Init.sparse(3, 0));
        assertThrows(IllegalArgumentException.class, () -> Init.sparse(3, 1).create(new Rng(1), DType.F64, 3, 4));
        // Fewer units than k: every weight is non-zero.
        Tensor small = Init.sparse(k, 0.5).create(new Rng(2), DType.F64, 4, 4);
        for (int i = 0; i < 16; i++) assertTrue(small.getFlat(i) != 0);
        assertEquals(0.5, Init.spectralRadius(small.toDoubleArray(), 4), 1e-12);
    }
}
