package dev.descent.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.SafeTensors;
import dev.descent.io.SafeTensors.Dtype;
import dev.descent.io.SafeTensors.IntegerTensor;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.MeanOnlyBatchNorm;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import dev.descent.nn.WeightNorm;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The state-dict mapping without PyTorch: names, shapes, the bias sum, refusals that change nothing. */
class TorchStateDictTest {
    static Sequential mlp(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(4, 6, rng, DType.F64), new BatchNorm(6, DType.F64), new Tanh(),
                WeightNorm.wrap(new Linear(6, 2, rng, DType.F64)));
    }

    @Test
    void exportNamesAndShapesAreTheTwinsAndLoadingInvertsExport() {
        Sequential a = mlp(1);
        ((BatchNorm) a.get(1)).setBatchesTracked(41);
        SafeTensors.Contents sd = TorchStateDict.export(a);
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.1.running_mean",
                "layers.1.running_var", "layers.3.weight_g", "layers.3.weight_v", "layers.3.bias", "layers.1.num_batches_tracked"),
                List.copyOf(sd.dtypes().keySet()));
        assertEquals(List.of(2, 1), List.of(sd.tensors().get("layers.3.weight_g").dims()[0], sd.tensors().get("layers.3.weight_g").dims()[1]));
        assertEquals(Dtype.I64, sd.dtypes().get("layers.1.num_batches_tracked"));

        Sequential b = mlp(2);
        TorchStateDict.load(b, sd);
        assertEquals(0, a.parameters().maxAbsDiff(b.parameters()));
        assertEquals(0, a.buffers().maxAbsDiff(b.buffers()));
        assertEquals(41, ((BatchNorm) b.get(1)).batchesTracked());
        // Plain nn.Sequential names load too.
        Sequential c = mlp(3);
        TorchStateDict.load(c, TorchStateDict.export(a, true));
        assertEquals(0, a.parameters().maxAbsDiff(c.parameters()));
    }

    @Test
    void loadingSumsPytorchsTwoRecurrentBiases() {
        Rnn rnn = new Rnn(Rnn.Config.of(2, 3), new Rng(4), DType.F32);
        SafeTensors.Contents sd = TorchStateDict.export(rnn);
        assertEquals(0, sd.tensors().get("bias_hh_l0").maxAbs());
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>(sd.tensors());
        t.put("bias_ih_l0", Tensor.of(new float[] {1, 2, 3}, 3));
        t.put("bias_hh_l0", Tensor.of(new double[] {0.5, -2, 0.25}, 3)); // float64 in the file: converted to the model's float32
        TorchStateDict.load(rnn, new SafeTensors.Contents(t, Map.of()));
        assertEquals(Tensor.of(new float[] {1.5f, 0, 3.25f}, 3).maxAbsDiff(rnn.parameters().get("b")), 0);
        assertEquals(sd.tensors().get("weight_hh_l0").maxAbsDiff(rnn.parameters().get("W")), 0);
    }

    @Test
    void refusalsNameTheProblemAndChangeNothing() {
        Sequential m = mlp(5);
        Map<String, Tensor> before = m.parameters().asMap();
        SafeTensors.Contents sd = TorchStateDict.export(mlp(6));
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>(sd.tensors());
        t.remove("layers.0.bias");
        t.put("layers.9.weight", Tensor.scalar(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchStateDict.load(m, new SafeTensors.Contents(t, sd.integers(), Map.of(), Map.of())));
        assertTrue(e.getMessage().contains("missing [layers.0.bias]") && e.getMessage().contains("unexpected [layers.9.weight]"), e.getMessage());

        LinkedHashMap<String, Tensor> wrong = new LinkedHashMap<>(sd.tensors());
        wrong.put("layers.3.weight_v", Tensor.zeros(DType.F64, 6, 2));
        e = assertThrows(IllegalArgumentException.class,
                () -> TorchStateDict.load(m, new SafeTensors.Contents(wrong, sd.integers(), Map.of(), Map.of())));
        assertTrue(e.getMessage().contains("'layers.3.weight_v' has shape [6, 2], the model needs [2, 6]"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> TorchStateDict.load(m, new SafeTensors.Contents(sd.tensors(),
                Map.of("layers.1.num_batches_tracked", IntegerTensor.of(Dtype.I64, new long[] {-1})), Map.of(), Map.of())));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertEquals(0, m.parameters().maxAbsDiff(dev.descent.tensor.Params.of(before)), "nothing changed");

        Module meanOnly = new Sequential(new Linear(2, 2, new Rng(1), DType.F32), new MeanOnlyBatchNorm(2, DType.F32));
        e = assertThrows(IllegalArgumentException.class, () -> TorchStateDict.export(meanOnly));
        assertTrue(e.getMessage().contains("no PyTorch twin") && e.getMessage().contains("MeanOnlyBatchNorm"), e.getMessage());
        Rnn pre = new Rnn(Rnn.Config.of(2, 2).withForm(Rnn.Form.PRE_ACTIVATION), new Rng(1), DType.F32);
        e = assertThrows(IllegalArgumentException.class, () -> TorchStateDict.export(pre));
        assertTrue(e.getMessage().contains("PRE_ACTIVATION"), e.getMessage());
    }
}
