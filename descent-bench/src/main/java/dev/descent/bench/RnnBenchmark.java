package dev.descent.bench;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Scope;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The adding workload of the PyTorch peer suite ({@code ../shared/bench/peer}, {@code rnn-adding}):
 * an Elman tanh layer (input 2, hidden 128) over T = 200 steps with batch 32, a Linear(128, 1)
 * readout of h_T and the mean squared error against the sum of the two marked inputs (Arjovsky,
 * Shah &amp; Bengio 2016). One benchmark operation is the forward and backward pass of one batch
 * (loss and gradients of all 16 897 parameters); the peer's step additionally includes gradient
 * clipping and an Adam update.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar descent-bench/target/descent-benchmarks.jar
 * RnnBenchmark -f 1 -wi 3 -i 5}.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RnnBenchmark {
    /** Sequence length T. */
    @Param("200")
    public int steps;

    /** Element type: float32 as in training, float64 for comparison. */
    @Param("F32")
    public String dtype;

    static final int HIDDEN = 128, BATCH = 32, INPUT = 2;

    /** The Elman layer followed by a readout of its final state. */
    static final class AddingModel extends Module {
        final Rnn rnn;
        final Linear readout;

        AddingModel(Rng rng, DType dtype) {
            rnn = addChild("rnn", new Rnn(Rnn.Config.of(INPUT, HIDDEN), rng, dtype));
            readout = addChild("readout", new Linear(HIDDEN, 1, rng, dtype));
        }

        @Override
        public Var apply(Scope scope, Var x) {
            return readout.apply(scope.child("readout"), rnn.run(scope.child("rnn"), x, null).last());
        }
    }

    AddingModel model;
    Params params;
    Var x, y;

    /** Builds the model and one batch of the adding problem. */
    @Setup
    public void setup() {
        DType dt = DType.parse(dtype);
        Rng rng = new Rng(0);
        model = new AddingModel(rng.split(), dt);
        params = model.parameters();
        double[] in = new double[steps * BATCH * INPUT], target = new double[BATCH];
        for (int b = 0; b < BATCH; b++) {
            int first = rng.nextInt(steps / 2), second = steps / 2 + rng.nextInt(steps - steps / 2);
            for (int t = 0; t < steps; t++) {
                double v = rng.nextDouble();
                boolean marked = t == first || t == second;
                in[(t * BATCH + b) * INPUT] = v;
                in[(t * BATCH + b) * INPUT + 1] = marked ? 1 : 0;
                if (marked) target[b] += v;
            }
        }
        x = Var.constant(Tensor.of(in, steps, BATCH, INPUT).to(dt));
        y = Var.constant(Tensor.of(target, BATCH, 1).to(dt));
    }

    /** Loss and gradients of one batch: forward and backward through all T steps. */
    @Benchmark
    public Autodiff.ValueAndGrad forwardBackward() {
        return Autodiff.valueAndGrad(vp -> Losses.meanSquaredError(model.apply(vp, x), y), params);
    }

    /** The forward pass alone, without recording. */
    @Benchmark
    public Tensor forward() {
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            return model.apply(dev.descent.autodiff.VarParams.constants(params), x).value();
        }
    }
}
