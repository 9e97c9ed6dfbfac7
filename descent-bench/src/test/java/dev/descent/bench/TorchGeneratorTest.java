package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link TorchGenerator} reproduces PyTorch 1.13's CPU generator. The expected values below are
 * what torch 1.13 (Debian's python3-torch, the peer's) printed for the stated calls on this
 * machine; floats are compared exactly, since both sides do the same float32 operations.
 */
class TorchGeneratorTest {
    @Test
    void randpermMatchesTorch() {
        // torch.randperm(10, generator=torch.Generator().manual_seed(0))
        assertArrayEquals(new int[] {4, 1, 7, 5, 3, 9, 0, 8, 6, 2}, new TorchGenerator(0).randperm(10));
        // Two epochs of the mlp workload from one generator seeded with 0.
        TorchGenerator g = new TorchGenerator(0);
        int[] first = g.randperm(60000), second = g.randperm(60000);
        assertArrayEquals(new int[] {36044, 10678, 57327, 55074, 21567}, Arrays.copyOf(first, 5));
        assertArrayEquals(new int[] {31951, 27130, 1544}, Arrays.copyOfRange(first, 59997, 60000));
        assertArrayEquals(new int[] {27953, 38120, 7367, 44667, 1513}, Arrays.copyOf(second, 5));
        int[] sorted = first.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
    }

    @Test
    void linearAndRnnInitialisationMatchTorch() {
        // torch.manual_seed(0); nn.Linear(784, 512); nn.Linear(512, 256)
        TorchGenerator g = new TorchGenerator(0);
        Tensor[] l1 = g.linear(784, 512), l2 = g.linear(512, 256);
        assertEquals(-0.00026738643646240234f, (float) l1[0].getFlat(0));
        assertEquals(0.019158700481057167f, (float) l1[0].getFlat(1));
        assertEquals(-0.029394470155239105f, (float) l1[0].getFlat(2));
        assertEquals(0.03204282745718956f, (float) l1[1].getFlat(0));
        assertEquals(0.01420534960925579f, (float) l1[1].getFlat(1));
        assertEquals(0.021723533049225807f, (float) l2[0].getFlat(0));
        assertEquals(0.014349794946610928f, (float) l2[1].getFlat(255));
        // torch.manual_seed(0); nn.RNN(2, 128); nn.Linear(128, 1)
        TorchGenerator r = new TorchGenerator(0);
        Tensor[] rnn = r.rnn(2, 128), lin = r.linear(128, 1);
        assertEquals(-0.0006617476465180516f, (float) rnn[0].getFlat(0));
        assertEquals(-0.08760596066713333f, (float) rnn[1].getFlat(0));
        assertEquals(0.08574608713388443f, (float) rnn[2].getFlat(0));
        assertEquals(-0.039830174297094345f, (float) lin[0].getFlat(0));
        assertEquals(-0.009800385683774948f, (float) lin[1].getFlat(0));
    }

    @Test
    void uniformAndRandintMatchTorch() {
        // g = torch.Generator().manual_seed(1); torch.rand(2, 3, generator=g);
        // torch.randint(0, 100, (3,), generator=g); torch.randint(100, 200, (2,), generator=g)
        TorchGenerator g = new TorchGenerator(1);
        float[] expected = {0.7576315999031067f, 0.2793108820915222f, 0.40306925773620605f, 0.7346844673156738f,
                0.029281556606292725f, 0.7998586297035217f};
        for (float e : expected) assertEquals(e, g.uniform(0f, 1f));
        assertArrayEquals(new int[] {91, 41, 59}, g.randint(0, 100, 3));
        assertArrayEquals(new int[] {132, 148}, g.randint(100, 200, 2));
    }

    @Test
    void invalidArgumentsAreRejected() {
        TorchGenerator g = new TorchGenerator(0);
        assertThrows(IllegalArgumentException.class, () -> g.randperm(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.randint(5, 5, 1));
        assertEquals("randint: need low < high, got low=5, high=5", e.getMessage());
    }
}
