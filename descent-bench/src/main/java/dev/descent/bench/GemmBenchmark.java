package dev.descent.bench;

import dev.descent.tensor.kernel.GemmF32;
import dev.descent.tensor.kernel.GemmF64;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SGEMM and DGEMM throughput, C = A·B with all operands row-major and untransposed.
 *
 * <p>Each benchmark call is one product of {@code 2·m·n·k} floating-point operations (a
 * multiply and an add per term). Besides JMH's calls per second, the auxiliary counter
 * {@code gflop} accumulates {@code 2·m·n·k / 10⁹} per call, so JMH prints it directly as
 * <b>GFLOP/s</b> (the {@code ·gflop} rows of the report). Shapes are the squares N = 128, 512,
 * 1024, 2048 and one recurrent-network step, {@code 32x128x128} (m = batch 32, n = k = hidden
 * 128: 2·32·128·128 = 1 048 576 flops per call).
 *
 * <p>{@code GemmBenchmark} uses every core through the kernels' shared pool;
 * {@link SingleThread} repeats the same benchmarks in a JVM limited to one processor
 * ({@code -XX:ActiveProcessorCount=1}, so the pool has no workers). Run, for example:
 * <pre>
 * java -jar descent-bench/target/descent-benchmarks.jar GemmBenchmark
 * java -jar descent-bench/target/descent-benchmarks.jar 'GemmBenchmark.sgemm' -p shape=1024
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000"})
@State(Scope.Benchmark)
public class GemmBenchmark {

    /** {@code N} for an N×N·N×N product, or {@code MxNxK}. */
    @Param({"32x128x128", "128", "512", "1024", "2048"})
    public String shape;

    private int m, n, k;
    private double gflopPerCall;
    private float[] af, bf, cf;
    private double[] ad, bd, cd;

    /** Counts GFLOP done; reported by JMH as a rate, i.e. GFLOP/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        /** Accumulated 10⁹ floating-point operations. */
        public double gflop;
    }

    /** Parses the shape and fills the operands with uniform values in [-0.5, 0.5). */
    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        n = p.length == 1 ? m : Integer.parseInt(p[1]);
        k = p.length == 1 ? m : Integer.parseInt(p[2]);
        gflopPerCall = 2.0 * m * n * k / 1e9;
        Random r = new Random(42);
        ad = new double[m * k];
        bd = new double[k * n];
        cd = new double[m * n];
        af = new float[m * k];
        bf = new float[k * n];
        cf = new float[m * n];
        for (int i = 0; i < ad.length; i++) af[i] = (float) (ad[i] = r.nextDouble() - 0.5);
        for (int i = 0; i < bd.length; i++) bf[i] = (float) (bd[i] = r.nextDouble() - 0.5);
    }

    /**
     * One float32 product C = A·B.
     *
     * @param flops the GFLOP counter
     * @return C, so that the work cannot be eliminated
     */
    @Benchmark
    public float[] sgemm(Flops flops) {
        GemmF32.gemm(false, false, m, n, k, af, 0, k, bf, 0, n, cf, 0, n, false);
        flops.gflop += gflopPerCall;
        return cf;
    }

    /**
     * One float64 product C = A·B.
     *
     * @param flops the GFLOP counter
     * @return C, so that the work cannot be eliminated
     */
    @Benchmark
    public double[] dgemm(Flops flops) {
        GemmF64.gemm(false, false, m, n, k, ad, 0, k, bd, 0, n, cd, 0, n, false);
        flops.gflop += gflopPerCall;
        return cd;
    }

    /** The same benchmarks on one thread: the JVM sees a single processor, so no pool workers. */
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000", "-XX:ActiveProcessorCount=1"})
    public static class SingleThread extends GemmBenchmark {
    }
}
