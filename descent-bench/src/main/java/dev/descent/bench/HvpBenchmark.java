package dev.descent.bench;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The peer's {@code hvp} workload: the MLP 784-512-256-10 on one batch of 128, mean
 * cross-entropy; a full gradient (forward + backward) against a Hessian-vector product
 * (forward-over-reverse, its own forward included). The figure of merit is hvp / grad.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class HvpBenchmark {
    Params params;
    Params v;
    Function<VarParams, Var> loss;

    @Setup
    public void setup() {
        Rng rng = new Rng(0);
        params = Workloads.mlpParams(rng.split(), DType.F32);
        Tensor[] batch = Workloads.syntheticBatch(rng.split(), DType.F32, 128);
        loss = Workloads.mlpLoss(batch[0], batch[1]);
        Rng vr = rng.split();
        v = params.map(t -> vr.normal(DType.F32, 0, 1, t.dims()));
    }

    @Benchmark
    public Params gradient() {
        return Autodiff.grad(loss, params);
    }

    @Benchmark
    public Params hessianVectorProduct() {
        return Autodiff.hvp(loss, params, v);
    }

    @Benchmark
    public Tensor forwardNoGrad() {
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            return loss.apply(VarParams.constants(params)).value();
        }
    }
}
