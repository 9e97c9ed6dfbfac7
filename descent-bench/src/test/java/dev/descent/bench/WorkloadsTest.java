package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.Sequential;
import dev.descent.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The workloads are the peer's: the adding batches and the initial RNN equal torch's (values
 * printed by torch 1.13 for seed 0 / 1 on this machine), the MLP variants start from the same
 * function, bytes become exactly the peer's uint8/255 floats, and a short MLP run keeps the
 * peer's batching (the last, smaller batch included).
 */
class WorkloadsTest {
    @Test
    void addingBatchesAreThePeersBatches() {
        RnnAddingWorkload.Batch b = RnnAddingWorkload.batch(200, 32, new TorchGenerator(1));
        // peer_torch.adding_batch(200, 32, torch.Generator().manual_seed(1))
        assertEquals(0.7576315999031067f, (float) b.x().get(0, 0, 0));
        assertEquals(0.8238453269004822f, (float) b.x().get(5, 3, 0));
        assertEquals(0.2713196277618408f, (float) b.y().getFlat(0));
        assertEquals(0.3475194573402405f, (float) b.y().getFlat(1));
        assertEquals(0.9136640429496765f, (float) b.y().getFlat(2));
        for (int c = 0; c < 32; c++) {
            int first = -1, second = -1;
            double sum = 0;
            for (int t = 0; t < 200; t++) {
                double v = b.x().get(t, c, 0);
                assertTrue(v >= 0 && v < 1);
                if (b.x().get(t, c, 1) == 1) {
                    if (first < 0) first = t; else second = t;
                    sum += v;
                } else {
                    assertEquals(0.0, b.x().get(t, c, 1));
                }
            }
            if (c == 0) assertArrayEquals(new int[] {62, 193}, new int[] {first, second});
            assertTrue(first >= 0 && first < 100 && second >= 100, "one marker in each half, sequence " + c);
            assertEquals((float) sum, (float) b.y().getFlat(c), "target = sum of the marked values, sequence " + c);
        }
    }

    /**
     * The untrained model's loss on the probe batch (seed 3) is the peer's init_probe_mse for
     * seed 0, 1.6662984: same parameters and inputs, float32 arithmetic in a different order,
     * through 200 contracting tanh steps: agreement to 1e-5 relative is generous.
     */
    @Test
    void theInitialRnnIsThePeersRnn() {
        RnnAddingWorkload.Trainer t = new RnnAddingWorkload.Trainer(new TorchGenerator(0));
        double probe = t.loss(RnnAddingWorkload.batch(200, 32, new TorchGenerator(3)));
        assertEquals(1.6662984, probe, 1e-5 * 1.67);
        assertEquals(16897, t.params().elementCount());
    }

    @Test
    void weightNormStartsFromThePlainFunction() {
        Sequential plain = MlpWorkload.model(MlpWorkload.Norm.NONE, new TorchGenerator(0));
        Sequential wn = MlpWorkload.model(MlpWorkload.Norm.WEIGHT, new TorchGenerator(0));
        Tensor x = new dev.descent.tensor.Rng(1).uniform(dev.descent.tensor.DType.F32, 0, 1, 4, 784);
        Tensor a = plain.forward(x), b = wn.forward(x);
        // w = g·v/‖v‖ with g = ‖v‖ rounds each weight by a few float32 ulps (~1e-7 relative);
        // through three layers of 784, 512 and 256 terms the logits (|z| < 1) move by far less than 1e-4.
        assertTrue(a.maxAbsDiff(b) < 1e-4, "max difference " + a.maxAbsDiff(b));
        assertEquals(535818, plain.parameterCount());
        assertEquals(535818 + 512 + 256 + 10, wn.parameterCount());
    }

    @Test
    void bytesBecomeThePeersFloatsAndBatchesFollowTheOrder() {
        byte[] px = new byte[3 * 4];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 23);
        MlpWorkload.ByteImages images = new MlpWorkload.ByteImages(px, new int[] {7, 8, 9}, 4);
        Tensor x = images.gather(new int[] {2, 0, 1}, 0, 2);
        assertArrayEquals(new int[] {2, 4}, x.dims());
        for (int j = 0; j < 4; j++) {
            assertEquals(((8 + j) * 23 & 0xFF) / 255f, (float) x.get(0, j));
            assertEquals((j * 23 & 0xFF) / 255f, (float) x.get(1, j));
        }
        assertArrayEquals(new int[] {9, 7}, images.labels(new int[] {2, 0, 1}, 0, 2));
        // A full-size row through the vector loop and its scalar tail: every byte value, exactly b/255f.
        byte[] row = new byte[2 * 784];
        for (int i = 0; i < row.length; i++) row[i] = (byte) (i * 7);
        Tensor full = new MlpWorkload.ByteImages(row, new int[] {0, 1}, 784).gather(new int[] {1, 0}, 0, 2);
        for (int i = 0; i < row.length; i++) {
            int src = (i < 784 ? 784 : -784) + i;
            assertEquals((row[src] & 0xFF) / 255f, (float) full.getFlat(i), "element " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> new MlpWorkload.ByteImages(px, new int[] {1, 2}, 4));
    }

    @Test
    void aShortRunKeepsTheLastSmallBatchAndEvaluates() {
        Random rnd = new Random(5);
        int n = 300, test = 50;
        byte[] train = new byte[n * 784], held = new byte[test * 784];
        rnd.nextBytes(train);
        rnd.nextBytes(held);
        int[] labels = new int[n], heldLabels = new int[test];
        for (int i = 0; i < n; i++) labels[i] = rnd.nextInt(10);
        for (int i = 0; i < test; i++) heldLabels[i] = rnd.nextInt(10);
        MlpWorkload.Data data = new MlpWorkload.Data(new MlpWorkload.ByteImages(train, labels, 784),
                new MlpWorkload.ByteImages(held, heldLabels, 784));
        for (MlpWorkload.Norm norm : MlpWorkload.Norm.values()) {
            MlpWorkload.Result r = new MlpWorkload(norm, data, 0).run(1, 0, null);
            assertEquals(3, r.steps(), "300 samples in batches of 128: 128 + 128 + 44");
            assertEquals(1, r.epochTimesS().length);
            assertTrue(Double.isFinite(r.trainLoss()[0]) && r.trainLoss()[0] > 0, norm + " loss " + r.trainLoss()[0]);
            assertTrue(r.testAccuracy() >= 0 && r.testAccuracy() <= 1);
            assertTrue(Double.isFinite(r.testLoss()));
        }
        assertThrows(IllegalArgumentException.class, () -> new MlpWorkload(MlpWorkload.Norm.NONE, data, 0).run(0, 0, null));
        assertEquals(MlpWorkload.Norm.BATCH, MlpWorkload.Norm.parse("batch"));
        assertThrows(IllegalArgumentException.class, () -> MlpWorkload.Norm.parse("layer"));
    }

    @Test
    void theAddingLossIsDifferentiableThroughTheWholeModel() {
        RnnAddingWorkload.Trainer t = new RnnAddingWorkload.Trainer(new TorchGenerator(0));
        RnnAddingWorkload.Batch b = RnnAddingWorkload.batch(20, 4, new TorchGenerator(1));
        double before = t.loss(b);
        for (int i = 0; i < 3; i++) t.step(b);
        double after = t.loss(b);
        assertTrue(after < before, "three Adam steps on one batch lower its loss: " + before + " -> " + after);
        Var out = new RnnAddingWorkload.AddingModel(new TorchGenerator(0)).apply(VarParams.constants(t.params()), Var.constant(b.x()));
        assertArrayEquals(new int[] {4}, out.value().dims());
    }
}
