package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.data.Batch;
import dev.descent.data.CopyTask;
import dev.descent.data.Dataset;
import dev.descent.nn.Sequential;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Held-out figures against direct computation, baselines, and the objective's shape checks. */
class EvaluatorTest {
    @Test
    void classificationFiguresMatchADirectComputationWhateverTheChunking() {
        Dataset test = TestModels.blobs(37, 4);
        Sequential model = TestModels.mlp(2, 3, 2, true, 5, DType.F64);
        Tensor logits = model.eval().forward(test.features());
        model.train();
        int[] labels = test.labels();
        double ce = 0, correct = 0;
        for (int i = 0; i < labels.length; i++) {
            double a = logits.get(i, 0), b = logits.get(i, 1), m = Math.max(a, b);
            double lse = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
            ce += lse - logits.get(i, labels[i]);
            if ((b > a ? 1 : 0) == labels[i]) correct++;
        }
        for (int chunk : new int[] {1, 5, 1024}) {
            Evaluation e = new Evaluator(test, DType.F64, Baselines.of(test, test), chunk).evaluate(model, 3);
            // Same float64 terms summed in the same order: equal up to the rounding of log-sum-exp
            // computed two ways (a few ulps of values of order 1, times 37 terms).
            assertEquals(ce / labels.length, e.metric("cross-entropy"), 1e-13, "chunk " + chunk);
            assertEquals(correct / labels.length, e.metric("accuracy"), 0.0, "chunk " + chunk);
            assertEquals(3, e.step());
        }
        assertTrue(model.isTraining(), "the model is returned to training mode");
    }

    @Test
    void regressionMseAndTheMeanPredictorBaseline() {
        Dataset train = TestModels.wave(50, 1), test = TestModels.wave(20, 2);
        var baseline = Baselines.of(train, test);
        double mean = 0;
        for (int i = 0; i < 50; i++) mean += train.targets().getFlat(i) / 50;
        double mse = 0;
        for (int i = 0; i < 20; i++) mse += Math.pow(test.targets().getFlat(i) - mean, 2) / 20;
        assertEquals(mse, baseline.value(), 1e-15);
        assertEquals("mse", baseline.metric());
        Sequential model = TestModels.mlp(2, 3, 1, false, 5, DType.F32);
        Evaluation e = new Evaluator(test, DType.F32, baseline, 7).evaluate(model, 0);
        Tensor out = model.forward(test.features().to(DType.F32));
        double direct = 0;
        for (int i = 0; i < 20; i++) direct += Math.pow(out.getFlat(i) - test.targets().to(DType.F32).getFlat(i), 2) / 20;
        assertEquals(direct, e.metric("mse"), 1e-12);
        assertTrue(e.summary().startsWith("test mse "), e.summary());
    }

    @Test
    void perStepLabelsAreScoredPerStep() {
        CopyTask copy = new CopyTask(3);
        Dataset test = copy.generate(4, new Rng(1));
        // A "model" that outputs the one-hot inputs as logits gets exactly the steps where the
        // target equals the input: none of the last 10 (the inputs are blank there while the targets
        // are data), and of the first T + 10 only those whose input is blank.
        Evaluation e = new Evaluator(test, DType.F64, copy.trivialBaseline(), 3).evaluate(new Sequential(new TestModels.BufferPassCounter()), 0);
        Batch all = test.all();
        int steps = copy.steps(), hits = 0;
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < 4; b++) {
                int label = all.labels()[t * 4 + b];
                if (all.features().get(t, b, label) == 1.0) hits++;
            }
        }
        assertEquals((double) hits / (steps * 4), e.metric("accuracy"), 0.0);
    }

    @Test
    void shapeMismatchesNameBothShapes() {
        Dataset d = TestModels.wave(4, 1);
        Batch b = d.all();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Objective.MEAN_SQUARED_ERROR.loss(Var.constant(Tensor.zeros(DType.F64, 4, 2)), b));
        assertEquals("mean squared error: model output [4, 2] and targets [4, 1] differ in shape", e.getMessage());
        Batch c = TestModels.blobs(4, 1).all();
        e = assertThrows(IllegalArgumentException.class,
                () -> Objective.SOFTMAX_CROSS_ENTROPY.loss(Var.constant(Tensor.zeros(DType.F64, 3, 2)), c));
        assertEquals("cross-entropy: model output [3, 2] does not fit labels of shape [4] (expected [4, classes])", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Evaluator(d, DType.F64, new CopyTask(3).trivialBaseline(), 4));
    }
}
