package dev.descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MatrixSpectraTest {
    /**
     * λ1(WᵀW) by power iteration against EJML's dense symmetric eigen-solver on WᵀW. The
     * iteration stops at relative residual 1e-12, which bounds the eigenvalue error by 1e-12
     * relative (Bauer–Fike for symmetric matrices); the dense solver is accurate to ~1e-15·λ1.
     * So 1e-8 relative is a wide margin; it must hold for square and rectangular W.
     */
    @Test
    void powerIterationMatchesTheExactEigenvalue() {
        Rng rng = new Rng(17);
        int[][] shapes = {{1, 1}, {2, 2}, {5, 5}, {8, 8}, {12, 7}, {6, 10}, {32, 32}};
        for (int[] s : shapes) {
            Tensor w = rng.normal(DType.F64, 0, 1, s[0], s[1]);
            double[][] gram = toRows(w.matmul(w, true, false));
            double[] exact = TestMatrices.symmetricEigenvalues(gram);
            double lambda1 = exact[exact.length - 1];
            MatrixSpectra.PowerIterationResult r = MatrixSpectra.gramLargestEigenvalue(w, 5);
            assertTrue(r.converged(), "shape " + s[0] + "x" + s[1] + " did not converge in " + r.iterations());
            assertEquals(lambda1, r.value(), 1e-8 * lambda1, "shape " + s[0] + "x" + s[1]);
            double sigma = MatrixSpectra.spectralNorm(w);
            assertEquals(Math.sqrt(lambda1), sigma, 1e-12 * sigma, "SVD norm vs √λ1, shape " + s[0] + "x" + s[1]);
        }
    }

    /** The regime test: δ = γ√λ1, vanishing guaranteed exactly when δ < 1. */
    @Test
    void regimeFollowsTheSpectralCondition() {
        Rng rng = new Rng(3);
        Tensor w = TestMatrices.withSpectralNorm(rng, 6, 3.6);
        RegimeAssessment sigmoid = GradientFlow.regime(w, RecurrentActivation.SIGMOID.gamma());
        assertEquals(0.9, sigmoid.delta(), 1e-10);
        assertEquals(FlowRegime.VANISHING_GUARANTEED, sigmoid.regime());
        RegimeAssessment tanh = GradientFlow.regime(w, RecurrentActivation.TANH.gamma());
        assertEquals(3.6, tanh.delta(), 1e-9);
        assertEquals(FlowRegime.POSSIBLE_EXPLOSION, tanh.regime());
        assertEquals(12.96, tanh.lambda1(), 1e-8 * 12.96);
    }

    @Test
    void zeroAndEmptyMatricesAndValidation() {
        assertEquals(0, MatrixSpectra.gramLargestEigenvalue(Tensor.zeros(DType.F64, 3, 3), 1).value());
        assertEquals(0, MatrixSpectra.spectralNorm(Tensor.zeros(DType.F64, 0, 3)));
        assertThrows(IllegalArgumentException.class, () -> MatrixSpectra.gramLargestEigenvalue(Tensor.zeros(DType.F64, 3), 1));
        assertThrows(IllegalArgumentException.class, () -> MatrixSpectra.gramLargestEigenvalue(Tensor.ones(DType.F64, 2, 2), 0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> GradientFlow.regime(Tensor.ones(DType.F64, 2, 2), 0));
    }

    private static double[][] toRows(Tensor m) {
        double[][] r = new double[m.dim(0)][m.dim(1)];
        for (int i = 0; i < r.length; i++) for (int j = 0; j < r[i].length; j++) r[i][j] = m.get(i, j);
        return r;
    }
}
