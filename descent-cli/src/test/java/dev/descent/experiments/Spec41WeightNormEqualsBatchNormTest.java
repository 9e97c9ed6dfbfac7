package dev.descent.experiments;

import static dev.descent.experiments.ExperimentAssertions.assertPassesWithPlots;
import static dev.descent.experiments.ExperimentAssertions.row;
import static dev.descent.experiments.ExperimentAssertions.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Spec41WeightNormEqualsBatchNormTest {
    @TempDir
    Path dir;

    /** SPEC.md §4.1: equal on the whitened batch, far apart on the raw one, for any seed. */
    @ParameterizedTest
    @ValueSource(longs = {0, 7})
    void everyRowPasses(long seed) {
        ExperimentRunner.Outcome o = run(new Spec41WeightNormEqualsBatchNorm(), seed, dir);
        assertPassesWithPlots(o, 1);
        assertEquals(4, o.rows().size());
        // The raw batch has means ~3 and correlated features: the two layers differ at O(1), not by rounding.
        assertTrue(Double.parseDouble(row(o, "info: raw").measured()) > 0.1);
    }

    /**
     * The whitening: (1/n) XᵀX = I and zero column means to rounding, even for an ill-conditioned
     * covariance (condition number 1e8 here) once applied twice: the first pass leaves about
     * κ·ε = 1e-8, the second works on a covariance within that of I and leaves a few ulps.
     */
    @Test
    void whiteningIsExactToRounding() {
        Rng rng = new Rng(3);
        int n = 200, d = 4;
        Tensor scales = Tensor.of(new double[] {1e-4, 1, 10, 1}, d);
        Tensor x = rng.normal(DType.F64, 0, 1, n, d).mul(scales).add(5);
        Tensor w = Spec41WeightNormEqualsBatchNorm.whiten(Spec41WeightNormEqualsBatchNorm.whiten(x));
        assertTrue(w.matmul(w, true, false).div(n).maxAbsDiff(Tensor.eye(DType.F64, d)) <= 1e-13);
        assertTrue(w.mean(0, false).maxAbs() <= 1e-14);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Spec41WeightNormEqualsBatchNorm.whiten(Tensor.ones(DType.F64, n, d)));
        assertTrue(e.getMessage().startsWith("whiten: covariance is not positive definite"), e.getMessage());
    }
}
