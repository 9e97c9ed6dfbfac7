package dev.descent.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.io.SafeTensors;
import dev.descent.io.SafeTensors.Dtype;
import dev.descent.nn.Activation;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Lstm;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import dev.descent.nn.WeightNorm;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Round trips through PyTorch ({@code scripts/torch_state_dict_interop.py}): Descent models
 * exported with {@link TorchStateDict} and loaded by PyTorch's {@code load_state_dict(strict=True)}
 * compute the same outputs, and PyTorch models' state dicts loaded into Descent models compute
 * PyTorch's outputs, to 1e-6 in float32, for Linear, BatchNorm1d (running statistics and
 * num_batches_tracked), weight norm, RNN (tanh and relu, two biases) and LSTM. Also checks
 * Descent's float16/bfloat16 codecs against torch's conversions bit for bit. Skipped, with a
 * message, where Debian's {@code /usr/bin/python3} cannot import torch.
 *
 * <p>Tolerance: float32 outputs of order 1 from sums of at most 8 products per layer and 6
 * recurrent steps, summed in different orders by the two libraries: a few float32 ulps (1e-7).
 */
class TorchInteropTest {
    static final String PYTHON = "/usr/bin/python3";
    static final double TOLERANCE = 1e-6;
    static final String[] ARCHES = {"mlp", "mlp_plain", "rnn", "rnn_relu", "lstm"};

    @TempDir
    Path dir;

    static Path script;

    @BeforeAll
    static void requireTorch() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), "skipped: " + PYTHON + " is not installed");
        Result r = run(List.of(PYTHON, "-c", "import torch"));
        Assumptions.assumeTrue(r.code == 0, "skipped: " + PYTHON + " -c \"import torch\" failed (apt-get install python3-torch): "
                + r.output.strip());
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.exists(here.resolve("scripts/torch_state_dict_interop.py"))) here = here.getParent();
        Assumptions.assumeTrue(here != null, "skipped: scripts/torch_state_dict_interop.py not found above the working directory");
        script = here.resolve("scripts/torch_state_dict_interop.py");
    }

    record Result(int code, String output) {}

    static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** The Descent twin of each architecture of the script. */
    static Module build(String arch, Rng rng) {
        switch (arch) {
            case "mlp":
            case "mlp_plain":
                return new Sequential(new Linear(5, 8, rng, DType.F32), new BatchNorm(8, DType.F32), new Tanh(),
                        WeightNorm.wrap(new Linear(8, 3, rng, DType.F32)));
            case "rnn":
                return new Rnn(Rnn.Config.of(3, 6), rng, DType.F32);
            case "rnn_relu":
                return new Rnn(Rnn.Config.of(3, 4).withActivation(Activation.RELU), rng, DType.F32);
            case "lstm":
                return new Lstm(3, 5, rng, DType.F32);
            default:
                throw new IllegalArgumentException(arch);
        }
    }

    static Tensor input(String arch, Rng rng) {
        return arch.startsWith("mlp") ? rng.normal(DType.F32, 0, 1, 7, 5) : rng.normal(DType.F32, 0, 1, 6, 4, 3);
    }

    static String cases(List<String[]> files) {
        StringBuilder sb = new StringBuilder("[");
        for (String[] f : files) {
            if (sb.length() > 1) sb.append(',');
            sb.append(String.format("{\"arch\":\"%s\",\"state\":\"%s\",\"input\":\"%s\",\"output\":\"%s\"}", f[0], f[1], f[2], f[3]));
        }
        return sb.append(']').toString();
    }

    @Test
    void descentModelsRunInPytorch() throws Exception {
        Rng rng = new Rng(11);
        List<String[]> files = new ArrayList<>();
        List<Module> models = new ArrayList<>();
        List<Tensor> inputs = new ArrayList<>();
        for (String arch : ARCHES) {
            Module m = build(arch, rng);
            if (arch.startsWith("mlp")) {
                // Move the running statistics and the counter away from their initial values.
                for (int i = 0; i < 3; i++) m.applyUpdatingBuffers(VarParams.constants(m.parameters()), Var.constant(input(arch, rng).mul(2).add(0.5)));
                assertEquals(3, ((BatchNorm) ((Sequential) m).get(1)).batchesTracked());
            }
            m.eval();
            Tensor x = input(arch, rng);
            Path state = dir.resolve(arch + ".state.safetensors"), in = dir.resolve(arch + ".x.safetensors"), out = dir.resolve(arch + ".y.safetensors");
            TorchStateDict.write(m, arch.equals("mlp_plain"), state, Map.of());
            SafeTensors.write(in, Map.of("x", x), Map.of());
            files.add(new String[] {arch, state.toString(), in.toString(), out.toString()});
            models.add(m);
            inputs.add(x);
        }
        SafeTensors.Contents mlp = SafeTensors.read(Path.of(files.get(0)[1]));
        assertEquals(Dtype.I64, mlp.dtypes().get("layers.1.num_batches_tracked"));
        assertEquals(3L, mlp.integers().get("layers.1.num_batches_tracked").values()[0]);
        assertTrue(SafeTensors.read(Path.of(files.get(1)[1])).dtypes().containsKey("3.weight_g"), "plain nn.Sequential names");

        Path spec = dir.resolve("cases.json");
        Files.writeString(spec, cases(files));
        Result r = run(List.of(PYTHON, script.toString(), "descent-to-torch", spec.toString()));
        assertEquals(0, r.code, r.output);
        for (int i = 0; i < ARCHES.length; i++) {
            Tensor torchY = SafeTensors.read(Path.of(files.get(i)[3])).tensors().get("y");
            Tensor ours = models.get(i).forward(inputs.get(i));
            assertEquals(ours.shape(), torchY.shape(), ARCHES[i]);
            double diff = ours.maxAbsDiff(torchY);
            assertTrue(diff <= TOLERANCE, ARCHES[i] + ": max |Descent − PyTorch| = " + diff);
            assertTrue(ours.maxAbs() > 0.05, ARCHES[i] + ": outputs are not trivially small");
        }
    }

    @Test
    void pytorchStateDictsLoadIntoDescentModels() throws Exception {
        List<String[]> files = new ArrayList<>();
        for (String arch : ARCHES) {
            files.add(new String[] {arch, dir.resolve(arch + ".torch.safetensors").toString(), dir.resolve(arch + ".tx.safetensors").toString(),
                dir.resolve(arch + ".ty.safetensors").toString()});
        }
        Path spec = dir.resolve("cases.json");
        Files.writeString(spec, cases(files));
        Result r = run(List.of(PYTHON, script.toString(), "torch-to-descent", spec.toString()));
        assertEquals(0, r.code, r.output);
        Rng rng = new Rng(99);
        for (int i = 0; i < ARCHES.length; i++) {
            Module m = build(ARCHES[i], rng);
            Tensor x = SafeTensors.read(Path.of(files.get(i)[2])).tensors().get("x");
            Tensor before = m.eval().forward(x);
            TorchStateDict.load(m, Path.of(files.get(i)[1]));
            Tensor torchY = SafeTensors.read(Path.of(files.get(i)[3])).tensors().get("y");
            Tensor ours = m.forward(x);
            double diff = ours.maxAbsDiff(torchY);
            assertTrue(diff <= TOLERANCE, ARCHES[i] + ": max |Descent − PyTorch| = " + diff);
            assertTrue(before.maxAbsDiff(torchY) > 100 * TOLERANCE, ARCHES[i] + ": the loaded weights changed the function");
            if (ARCHES[i].startsWith("mlp")) assertEquals(3, ((BatchNorm) ((Sequential) m).get(1)).batchesTracked());
        }
    }

    @Test
    void halfPrecisionCodecsAgreeWithTorchBitForBit() throws Exception {
        Path f = dir.resolve("dtypes.safetensors");
        Result r = run(List.of(PYTHON, script.toString(), "dtypes", f.toString()));
        assertEquals(0, r.code, r.output);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(Dtype.F16, c.dtypes().get("f16"));
        assertEquals(Dtype.BF16, c.dtypes().get("bf16"));
        double[] ref16 = c.tensors().get("f16_ref").rawF64(), refBf = c.tensors().get("bf16_ref").rawF64();
        float[] f16 = c.tensors().get("f16").rawF32(), bf16 = c.tensors().get("bf16").rawF32();
        for (int i = 0; i < ref16.length; i++) {
            assertEquals(Float.floatToRawIntBits(f16[i]), Float.floatToRawIntBits(SafeTensors.fromBinary16(SafeTensors.toBinary16(ref16[i]))),
                    "float16 of " + ref16[i]);
            assertEquals(Float.floatToRawIntBits(bf16[i]), Float.floatToRawIntBits(SafeTensors.fromBfloat16(SafeTensors.toBfloat16(refBf[i]))),
                    "bfloat16 of " + refBf[i]);
        }
        double[] ref32 = c.tensors().get("f32_ref").rawF64();
        float[] f32 = c.tensors().get("f32").rawF32();
        for (int i = 0; i < ref32.length; i++) assertEquals((float) ref32[i], f32[i], 0, "float32 of " + ref32[i]);
        assertEquals(List.of(Long.MIN_VALUE, Long.MAX_VALUE, (1L << 53) + 1), boxed(c.integers().get("i64").values()));
        double[] ints = c.tensors().get("ints_ref").rawF64();
        for (String name : new String[] {"i32", "i16", "i8"}) {
            long[] v = c.integers().get(name).values();
            for (int i = 0; i < ints.length; i++) assertEquals((long) ints[i], v[i], name);
        }
        assertEquals(List.of(0L, 1L, 255L), boxed(c.integers().get("u8").values()));
        assertEquals(List.of(1L, 0L, 1L), boxed(c.integers().get("bool").values()));
    }

    static List<Long> boxed(long[] v) {
        List<Long> out = new ArrayList<>();
        for (long x : v) out.add(x);
        return out;
    }
}
