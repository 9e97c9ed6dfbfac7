package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Loss values against their definitions, their stability at extreme logits, and the metrics. */
class LossesTest {
    static Var c(Tensor t) {
        return Var.constant(t);
    }

    @Test
    void meanSquaredErrorIsTheMeanOverAllElements() {
        Tensor p = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), y = Tensor.of(new double[] {0, 2, 5, 4}, 2, 2);
        assertEquals((1 + 0 + 4 + 0) / 4.0, Losses.meanSquaredError(c(p), c(y)).value().item(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.meanSquaredError(c(p), c(Tensor.zeros(DType.F64, 2, 1))));
        assertTrue(e.getMessage().contains("[2, 2] and target [2, 1]"), e.getMessage());
    }

    @Test
    void softmaxCrossEntropyMatchesItsDefinitionAndIsStable() {
        Rng rng = new Rng(1);
        Tensor z = rng.normal(DType.F64, 0, 2, 6, 4);
        int[] labels = {0, 1, 2, 3, 3, 1};
        double expected = 0;
        for (int i = 0; i < 6; i++) {
            double s = 0;
            for (int j = 0; j < 4; j++) s += Math.exp(z.get(i, j));
            expected += Math.log(s) - z.get(i, labels[i]);
        }
        expected /= 6;
        // Direct evaluation is accurate for these O(1) logits: agreement to rounding.
        assertEquals(expected, Losses.softmaxCrossEntropy(c(z), labels).value().item(), 1e-14);
        Tensor oneHot = Tensor.oneHot(DType.F64, labels, 4);
        assertEquals(expected, Losses.softmaxCrossEntropy(c(z), c(oneHot)).value().item(), 1e-14);
        // Logits of 1e4 overflow exp but not log-softmax: CE([1e4, 0], 0) = log(1 + e^{−1e4}) = 0, label 1 gives 1e4.
        Tensor big = Tensor.of(new double[] {1e4, 0, 1e4, 0}, 2, 2);
        assertEquals(0, Losses.softmaxCrossEntropy(c(big.slice(0, 0, 1)), new int[] {0}).value().item(), 0);
        assertEquals(1e4 / 2, Losses.softmaxCrossEntropy(c(big), new int[] {0, 1}).value().item(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> Losses.softmaxCrossEntropy(c(z), new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> Losses.softmaxCrossEntropy(c(z), new int[] {0, 1, 2, 3, 4, 0}));
    }

    @Test
    void binaryCrossEntropyFromLogitsIsStableAndHasTheExactGradientAtZero() {
        Tensor z = Tensor.of(new double[] {-3, -0.5, 0, 0.7, 2.5}, 5);
        Tensor y = Tensor.of(new double[] {0, 1, 0.3, 1, 0}, 5);
        double expected = 0;
        for (int i = 0; i < 5; i++) {
            double s = 1 / (1 + Math.exp(-z.get(i)));
            expected -= y.get(i) * Math.log(s) + (1 - y.get(i)) * Math.log(1 - s);
        }
        expected /= 5;
        assertEquals(expected, Losses.binaryCrossEntropyWithLogits(c(z), c(y)).value().item(), 1e-15);
        // z = ±1000: the naive formula gives log(0); the stable one gives 1000 and 0.
        Tensor far = Tensor.of(new double[] {1000, -1000}, 2), targets = Tensor.of(new double[] {0, 0}, 2);
        assertEquals(500, Losses.binaryCrossEntropyWithLogits(c(far), c(targets)).value().item(), 0);
        // ∂ℓ/∂z = σ(z) − y; at z = 0 that is 1/2 − y (a composition of relu/abs would give −y).
        Tensor g = Autodiff.grad(v -> Losses.binaryCrossEntropyWithLogits(v, c(y)), z);
        for (int i = 0; i < 5; i++) {
            assertEquals((1 / (1 + Math.exp(-z.get(i))) - y.get(i)) / 5, g.get(i), 1e-16);
        }
    }

    @Test
    void accuracyCountsFirstMaximaAtTheLabel() {
        Tensor z = Tensor.of(new double[] {1, 2, 0, 5, 5, 1, 0, 0, 0}, 3, 3);
        // Rows: argmax 1; tie between 0 and 1 → 0; all equal → 0.
        assertEquals(2.0 / 3, Losses.accuracy(z, new int[] {1, 0, 2}), 0);
        assertEquals(1.0, Losses.accuracy(z, new int[] {1, 0, 0}), 0);
        Tensor logits = Tensor.of(new double[] {-1, 2, 0.5, -0.1}, 4), targets = Tensor.of(new double[] {0, 1, 0, 1}, 4);
        assertEquals(0.5, Losses.binaryAccuracy(logits, targets), 0);
        assertThrows(IllegalArgumentException.class, () -> Losses.accuracy(z, new int[] {0}));
    }
}
