package dev.descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.tensor.DType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HessianSpectrumTest {
    private static final SmallModels.Problem MLP = SmallModels.mlp(1, 16, 4, 6, 3, DType.F64); // n = 24+6+18+3 = 51
    private static final double[][] DENSE = Autodiff.denseHessian(MLP.loss(), MLP.params());
    private static final double[] EXACT = TestMatrices.symmetricEigenvalues(DENSE); // ascending

    /**
     * Lanczos from HVPs, stopped by its residual test after fewer than n steps, matches EJML's
     * dense eigen-decomposition of the autodiff Hessian. A residual r bounds the eigenvalue
     * error by r (and by r²/gap once separated); tolerance 1e-10·max|θ| makes 1e-6 relative safe
     * for eigenvalues within 1e4 of the largest.
     */
    @Test
    void lanczosMatchesDenseEigenvaluesAtBothEnds() {
        HessianOperator op = HessianOperator.of(MLP.loss(), MLP.params());
        int n = op.dimension(), k = 3;
        HessianEigenpairs top = HessianSpectrum.eigenvalues(op, k, EigenvalueOrder.LARGEST, 45, 1e-10, 7);
        HessianEigenpairs bottom = HessianSpectrum.eigenvalues(op, k, EigenvalueOrder.SMALLEST, 45, 1e-10, 7);
        assertTrue(top.converged() && bottom.converged());
        assertTrue(top.hessianVectorProducts() < n, "should converge before n = " + n + " steps: " + top.hessianVectorProducts());
        for (int i = 0; i < k; i++) {
            double exactTop = EXACT[n - 1 - i], exactBottom = EXACT[i];
            assertEquals(exactTop, top.values()[i], 1e-6 * Math.abs(exactTop), "top " + i);
            assertEquals(exactBottom, bottom.values()[i], 1e-6 * Math.abs(exactBottom), "bottom " + i);
        }
        // Ritz vectors are unit vectors with the reported residual ‖Hx − θx‖.
        double[] x = top.vectors()[0];
        double[] hx = op.multiply(x);
        double r = 0, norm = 0;
        for (int i = 0; i < n; i++) {
            r += Math.pow(hx[i] - top.values()[0] * x[i], 2);
            norm += x[i] * x[i];
        }
        assertEquals(1, norm, 1e-12);
        assertEquals(top.residualNorms()[0], Math.sqrt(r), 1e-9 * Math.abs(top.values()[0]));
    }

    /**
     * When the start's Krylov space is exhausted before k values are found (here 3 distinct
     * eigenvalues, k = 4), the process restarts in the orthogonal complement and finds repeated
     * eigenvalues with their multiplicity.
     */
    @Test
    void repeatedEigenvaluesAreFoundWithMultiplicityAfterBreakdown() {
        int n = 12;
        double[][] d = new double[n][n];
        double[] diag = {5, 3, 5, 1, 1, 3, 1, 5, 1, 1, 1, 1};
        for (int i = 0; i < n; i++) d[i][i] = diag[i];
        HessianEigenpairs top = HessianSpectrum.eigenvalues(HessianOperator.ofDense(d), 4, EigenvalueOrder.LARGEST, n, 1e-10, 3);
        assertTrue(top.converged());
        assertEquals(Arrays.toString(new double[] {5, 5, 5, 3}), Arrays.toString(round(top.values(), 1e-9)));
        HessianEigenpairs mag = HessianSpectrum.eigenvalues(HessianOperator.ofDense(d), 1, EigenvalueOrder.LARGEST_MAGNITUDE, n, 1e-10, 3);
        assertEquals(5, mag.values()[0], 1e-9);
    }

    /**
     * Hutchinson's estimate covers the exact trace within 3 standard errors, and the reported
     * standard error agrees with the theoretical one, √(2(‖H‖_F² − Σ H_ii²)/p): the sample
     * variance of p = 400 probes has relative error about √(2/p) ≈ 7%, so ±25% is ~3.5σ.
     */
    @Test
    void hutchinsonCoversTheExactTraceWithinThreeStandardErrors() {
        int n = DENSE.length, probes = 400;
        double exact = 0, frob = 0, diag2 = 0;
        for (int i = 0; i < n; i++) {
            exact += DENSE[i][i];
            diag2 += DENSE[i][i] * DENSE[i][i];
            for (int j = 0; j < n; j++) frob += DENSE[i][j] * DENSE[i][j];
        }
        TraceEstimate t = HessianSpectrum.trace(HessianOperator.ofDense(DENSE), probes, 11);
        assertTrue(Math.abs(t.trace() - exact) <= 3 * t.standardError(), t + " vs exact " + exact);
        double theory = Math.sqrt(2 * (frob - diag2) / probes);
        assertEquals(1, t.standardError() / theory, 0.25, "SE " + t.standardError() + " vs theory " + theory);
        // The autodiff operator gives the same estimate as the dense one (same probes), to rounding.
        TraceEstimate viaHvp = HessianSpectrum.trace(MLP.loss(), MLP.params(), 20, 5);
        TraceEstimate viaDense = HessianSpectrum.trace(HessianOperator.ofDense(DENSE), 20, 5);
        assertEquals(viaDense.trace(), viaHvp.trace(), 1e-10 * Math.abs(viaDense.trace()) + 1e-12);
    }

    /**
     * SLQ: the tabulated density integrates to 1 (trapezoidal rule on Gaussians with spacing
     * ≤ σ/2 is exact to ~1e-15, the tails beyond 8σ hold < 1e-15: 1e-6 is generous); its mean
     * equals the Hutchinson estimate of the same probes over n (an identity, 1e-12) and covers
     * tr(H)/n within 3 theoretical standard errors.
     */
    @Test
    void slqDensityIntegratesToOneAndHasTheTraceAsMean() {
        int n = DENSE.length, probes = 30;
        HessianOperator op = HessianOperator.ofDense(DENSE);
        SpectralDensity sd = HessianSpectrum.density(op, new HessianSpectrum.SlqOptions(probes, 25, 0.01, 2048), 13);
        assertEquals(1, sd.integral(), 1e-6);
        assertEquals(sd.mean(), sd.gridMean(), 1e-9 * Math.max(1, Math.abs(sd.mean())));
        double weightSum = 0;
        for (double w : sd.weights()) weightSum += w;
        assertEquals(1, weightSum, 1e-12);
        TraceEstimate sameProbes = HessianSpectrum.trace(op, probes, 13);
        assertEquals(sameProbes.trace() / n, sd.mean(), 1e-12 * Math.abs(sameProbes.trace() / n));
        double exact = 0, frob = 0, diag2 = 0;
        for (int i = 0; i < n; i++) {
            exact += DENSE[i][i];
            diag2 += DENSE[i][i] * DENSE[i][i];
            for (int j = 0; j < n; j++) frob += DENSE[i][j] * DENSE[i][j];
        }
        double se = Math.sqrt(2 * (frob - diag2) / probes) / n;
        assertTrue(Math.abs(sd.mean() - exact / n) <= 3 * se, "mean " + sd.mean() + " vs tr/n " + exact / n + " ± " + se);
    }

    /** With n Lanczos steps one probe's quadrature nodes are the eigenvalues themselves. */
    @Test
    void fullLengthSlqNodesAreTheEigenvalues() {
        int n = DENSE.length;
        SpectralDensity sd = HessianSpectrum.density(HessianOperator.ofDense(DENSE), new HessianSpectrum.SlqOptions(1, n, 0.01, 4096), 17);
        double[] nodes = sd.nodes();
        Arrays.sort(nodes);
        assertEquals(n, nodes.length);
        double scale = Math.max(Math.abs(EXACT[0]), Math.abs(EXACT[n - 1]));
        for (int i = 0; i < n; i++) assertEquals(EXACT[i], nodes[i], 1e-8 * scale, "node " + i);
    }

    @Test
    void validatesOptions() {
        assertThrows(IllegalArgumentException.class, () -> new HessianSpectrum.SlqOptions(0, 10, 0.01, 100));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HessianSpectrum.density(HessianOperator.ofDense(DENSE), new HessianSpectrum.SlqOptions(2, 10, 0.001, 100), 1));
        assertTrue(e.getMessage().contains("grid points"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HessianSpectrum.trace(HessianOperator.ofDense(DENSE), 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> HessianSpectrum.eigenvalues(HessianOperator.ofDense(DENSE), 0, EigenvalueOrder.LARGEST, 10, 1e-8, 1));
    }

    private static double[] round(double[] v, double q) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Math.round(v[i] / q) * q;
        return r;
    }
}
