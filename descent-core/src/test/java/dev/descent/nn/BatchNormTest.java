package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Batch statistics in training, running statistics in evaluation, and their update rule. */
class BatchNormTest {
    static final int F = 3;

    @Test
    void trainingNormalisesEachFeatureOverAllLeadingAxes() {
        BatchNorm bn = new BatchNorm(F, 0, 0.1, false, DType.F64);
        Rng rng = new Rng(1);
        for (int[] shape : new int[][] {{16, F}, {5, 4, F}}) {
            Tensor x = rng.normal(DType.F64, 3, 2, shape);
            Tensor y = bn.forward(x).reshape(-1, F);
            Tensor mean = y.mean(0, false), var = y.sub(mean).square().mean(0, false);
            // Exact normalisation in float64: mean 0 and biased variance 1 up to a few ulps.
            assertTrue(mean.maxAbs() <= 1e-15, "mean " + mean);
            assertTrue(var.sub(1).maxAbs() <= 1e-14, "var " + var);
        }
    }

    @Test
    void runningStatisticsAreTheExponentialAverageOfBatchStatistics() {
        double m = 0.3;
        BatchNorm bn = new BatchNorm(F, 1e-5, m, true, DType.F64);
        Rng rng = new Rng(2);
        int k = 6, n = 10;
        double[] mean = new double[F], var = new double[F];
        java.util.Arrays.fill(var, 1);
        for (int step = 1; step <= k; step++) {
            Tensor x = rng.normal(DType.F64, step, 1 + step, n, F);
            bn.applyUpdatingBuffers(VarParams.constants(bn.parameters()), Var.constant(x));
            // Closed form after this step: r_k = (1−m)^k r_0 + Σ_{i≤k} m(1−m)^{k−i} s_i, accumulated
            // here as that sum, with s_i the batch mean and the unbiased batch variance.
            for (int f = 0; f < F; f++) {
                double mu = 0, ss = 0;
                for (int i = 0; i < n; i++) mu += x.get(i, f);
                mu /= n;
                for (int i = 0; i < n; i++) ss += (x.get(i, f) - mu) * (x.get(i, f) - mu);
                mean[f] = (1 - m) * mean[f] + m * mu;
                var[f] = (1 - m) * var[f] + m * ss / (n - 1);
            }
        }
        Params b = bn.buffers();
        for (int f = 0; f < F; f++) {
            // Six float64 updates of O(10) values: agreement to 1e-13 relative.
            assertEquals(mean[f], b.get("running_mean").get(f), 1e-13 * Math.abs(mean[f]));
            assertEquals(var[f], b.get("running_var").get(f), 1e-13 * Math.abs(var[f]));
        }
    }

    @Test
    void buffersChangeOnlyInTrainingModeUnderAnUpdatingScope() {
        BatchNorm bn = new BatchNorm(F, DType.F64);
        Tensor x = new Rng(3).normal(DType.F64, 1, 1, 8, F);
        Params before = bn.buffers();
        bn.forward(x);
        bn.apply(VarParams.constants(bn.parameters()), Var.constant(x));
        assertEquals(0, bn.buffers().maxAbsDiff(before));
        bn.eval().applyUpdatingBuffers(VarParams.constants(bn.parameters()), Var.constant(x));
        assertEquals(0, bn.buffers().maxAbsDiff(before));
        bn.train().applyUpdatingBuffers(VarParams.constants(bn.parameters()), Var.constant(x));
        assertTrue(bn.buffers().maxAbsDiff(before) > 1e-3);
    }

    @Test
    void evaluationUsesTheRunningStatistics() {
        BatchNorm bn = new BatchNorm(F, 1e-5, 0.1, true, DType.F64);
        Rng rng = new Rng(4);
        bn.setBuffers(Params.of("running_mean", rng.normal(DType.F64, 0, 1, F), "running_var", rng.uniform(DType.F64, 0.5, 2, F)));
        bn.setParameters(Params.of("weight", rng.normal(DType.F64, 1, 0.5, F), "bias", rng.normal(DType.F64, 0, 1, F)));
        bn.eval();
        Tensor x = rng.normal(DType.F64, 0, 1, 4, F);
        Tensor y = bn.forward(x);
        Params p = bn.parameters(), b = bn.buffers();
        for (int i = 0; i < 4; i++) {
            for (int f = 0; f < F; f++) {
                double expect = (x.get(i, f) - b.get("running_mean").get(f)) / Math.sqrt(b.get("running_var").get(f) + 1e-5)
                        * p.get("weight").get(f) + p.get("bias").get(f);
                assertEquals(expect, y.get(i, f), 1e-14);
            }
        }
        // A single example is fine in evaluation mode but not in training mode.
        bn.forward(x.slice(0, 0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.train().forward(x.slice(0, 0, 1)));
        assertTrue(e.getMessage().contains("at least 2 values per feature"), e.getMessage());
    }

    @Test
    void meanOnlyBatchNormCentresAndTracksTheMean() {
        double m = 0.25;
        MeanOnlyBatchNorm bn = new MeanOnlyBatchNorm(F, m, DType.F64);
        Rng rng = new Rng(5);
        Tensor bias = rng.normal(DType.F64, 0, 1, F);
        bn.setParameters(Params.of("bias", bias));
        Tensor x1 = rng.normal(DType.F64, 2, 3, 7, F), x2 = rng.normal(DType.F64, -1, 3, 7, F);
        Tensor y = bn.forward(x1);
        // Training output: x − μ_B + β, so its batch mean is β.
        assertTrue(y.mean(0, false).maxAbsDiff(bias) <= 1e-14);
        bn.applyUpdatingBuffers(VarParams.constants(bn.parameters()), Var.constant(x1));
        bn.applyUpdatingBuffers(VarParams.constants(bn.parameters()), Var.constant(x2));
        Tensor expected = x1.mean(0, false).mul(m * (1 - m)).add(x2.mean(0, false).mul(m));
        assertTrue(bn.buffers().get("running_mean").maxAbsDiff(expected) <= 1e-15);
        bn.eval();
        Tensor z = bn.forward(x2);
        assertTrue(z.maxAbsDiff(x2.sub(expected).add(bias)) <= 1e-15);
    }

    @Test
    void hyperParametersAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm(0, DType.F64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm(2, -1e-3, 0.1, true, DType.F64));
        assertTrue(e.getMessage().contains("-0.001"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm(2, 1e-5, 1.5, true, DType.F64));
        assertThrows(IllegalArgumentException.class, () -> new MeanOnlyBatchNorm(2, Double.NaN, DType.F64));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> new BatchNorm(2, DType.F64).forward(Tensor.zeros(DType.F64, 4, 3)));
        assertTrue(shape.getMessage().contains("[4, 3]"), shape.getMessage());
    }
}
