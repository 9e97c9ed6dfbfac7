package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.data.AddingTask;
import dev.descent.data.CopyTask;
import dev.descent.data.Dataset;
import dev.descent.nn.Module;
import dev.descent.nn.Scope;
import dev.descent.nn.Sequential;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The paired comparison of a model with the trivial baseline on the same held-out samples. */
class BaselineComparisonTest {
    /** Predicts {@code value} for every sequence of a [T, B, C] batch: [B, 1]. */
    static final class Constant extends Module {
        private final double value;

        Constant(double value) {
            this.value = value;
        }

        @Override
        public Var apply(Scope scope, Var x) {
            return Var.constant(Tensor.full(x.value().dtype(), value, x.value().dim(1), 1));
        }
    }

    /**
     * Logits = x + c with c_k = k/10 for the copy task's one-hot inputs: the cross-entropy of a
     * step depends on its target symbol, so it differs from sample to sample.
     */
    static final class Tilted extends Module {
        @Override
        public Var apply(Scope scope, Var x) {
            int k = x.value().dim(-1);
            double[] c = new double[k];
            for (int i = 0; i < k; i++) c[i] = i / 10.0;
            return x.add(Var.constant(Tensor.wrap(c, k).to(x.value().dtype())));
        }
    }

    @Test
    void meanAndStandardErrorOfThePerSampleDifferences() {
        // d = b − m = (1, 2, 0): mean 1, sample variance ((0)² + 1² + (−1)²)/2 = 1, s.e. 1/√3.
        Evaluation.Comparison c = Evaluation.Comparison.of(new double[] {1, 2, 3}, new double[] {2, 4, 3}, true);
        assertEquals(3, c.baselineOnSamples(), 1e-15);
        assertEquals(1, c.improvement(), 1e-15);
        assertEquals(1 / Math.sqrt(3), c.standardError(), 1e-15);
        assertFalse(c.significant(), "1 < 2/√3");
        // Higher is better (accuracy): d = m − b.
        Evaluation.Comparison a = Evaluation.Comparison.of(new double[] {1, 1, 1, 0}, new double[] {0.25, 0.25, 0.25, 0.25}, false);
        assertEquals(0.5, a.improvement(), 1e-15);
        assertEquals(0.25, a.standardError(), 1e-15); // d = (.75, .75, .75, −.25): s² = (3·.0625 + .5625)/3 = .25, s.e. √(.25/4)
        assertFalse(Evaluation.Comparison.of(new double[] {0}, new double[] {1}, true).significant(), "one sample: no standard error");
    }

    @Test
    void aConstantThatFitsTheTestSetIsStrictlyBetterButNotBeaten() {
        // The case: a test MSE a little under the adding task's 1/6. Predicting the test
        // targets' own mean ȳ instead of 1 lowers the MSE on these samples by exactly (ȳ − 1)²,
        // so the old strict rule calls it learning. Per sample d_i = (y_i − 1)² − (y_i − ȳ)² =
        // (ȳ − 1)(2y_i − 1 − ȳ), whose mean is (ȳ − 1)² and standard error 2|ȳ − 1| s_y/√n: the
        // ratio is |z|/2 with z = (ȳ − 1)/(s_y/√n) the sample mean's z-score, which exceeds 4
        // with probability 6e-5. Not significant: not beaten.
        AddingTask task = new AddingTask(10);
        int n = 2000;
        Dataset test = task.generate(n, new Rng(7));
        Tensor y = test.targets();
        double mean = 0, sq = 0;
        for (int i = 0; i < n; i++) mean += y.getFlat(i) / n;
        for (int i = 0; i < n; i++) sq += Math.pow(y.getFlat(i) - mean, 2);
        double sd = Math.sqrt(sq / (n - 1)), z = (mean - 1) / (sd / Math.sqrt(n));
        assertTrue(Math.abs(z) < 4, "z " + z);
        Evaluation e = new Evaluator(test, DType.F64, task.trivialBaseline(), 300).evaluate(new Sequential(new Constant(mean)), 0);
        Evaluation.Comparison c = e.comparison();
        assertTrue(c.improvement() > 0, "strictly better on these samples");
        assertEquals(Math.pow(mean - 1, 2), c.improvement(), 1e-12);
        assertEquals(c.baselineOnSamples() - e.metric("mse"), c.improvement(), 1e-12);
        // s_d = 2|ȳ − 1| s_y exactly (d is affine in y).
        assertEquals(2 * Math.abs(mean - 1) * sd / Math.sqrt(n), c.standardError(), 1e-12);
        assertFalse(e.beatsBaseline(), e.summary());
        assertTrue(e.summary().contains("NOT beaten, needs > 2 s.e."), e.summary());

        // The baseline's own prediction: every difference is 0, improvement 0, not beaten.
        Evaluation same = new Evaluator(test, DType.F64, task.trivialBaseline(), 300).evaluate(new Sequential(new Constant(1)), 0);
        assertEquals(0, same.comparison().improvement(), 0.0);
        assertEquals(0, same.comparison().standardError(), 0.0);
        assertFalse(same.beatsBaseline());
    }

    @Test
    void perStepLabelsAreGroupedByTheirSampleWhateverTheChunking() {
        // Chunks of one sample leave no doubt which rows belong to which sample; larger chunks of
        // time-major [T, B] rows must give the same per-sample figures, hence the same s.e.
        CopyTask copy = new CopyTask(3);
        Dataset test = copy.generate(9, new Rng(2));
        Sequential model = new Sequential(new Tilted());
        Evaluation one = new Evaluator(test, DType.F64, copy.trivialBaseline(), 1).evaluate(model, 0);
        Evaluation four = new Evaluator(test, DType.F64, copy.trivialBaseline(), 4).evaluate(model, 0);
        assertTrue(one.comparison().standardError() > 0);
        assertEquals(one.comparison().standardError(), four.comparison().standardError(), 1e-12);
        assertEquals(one.comparison().improvement(), four.comparison().improvement(), 1e-12);
        // The baseline's cross-entropy is the same on every copy sample.
        assertEquals(copy.trivialBaseline().value(), four.comparison().baselineOnSamples(), 1e-15);
        assertEquals(copy.trivialBaseline().value() - four.metric("cross-entropy"), four.comparison().improvement(), 1e-12);
    }
}
