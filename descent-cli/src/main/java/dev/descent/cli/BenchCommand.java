package dev.descent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code descent bench}: the side-by-side benchmarks of shared/bench/peer (gemm, mlp, rnn-adding,
 * hvp). Option parsing only; the harness is wired in separately ("not wired yet" until then).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run the benchmark workloads of the PyTorch peer suite.", ""})
public final class BenchCommand implements Callable<Integer> {
    /** The peer suite's workloads. */
    public enum Workload {
        /** Square float32 matrix products. */
        gemm,
        /** The Fashion-MNIST MLP epoch. */
        mlp,
        /** The Elman RNN on the adding problem. */
        rnn_adding,
        /** Gradient vs Hessian-vector product. */
        hvp
    }

    @Option(names = "--workload", paramLabel = "NAME", description = "gemm, mlp, rnn_adding or hvp (default: all).")
    Workload workload;

    @Option(names = "--repeats", paramLabel = "N", converter = Converters.PositiveInt.class, description = "Timed repeats (>= 1).")
    Integer repeats;

    @Override
    public Integer call() {
        throw new CommandFailure("bench: not wired yet: the benchmark harness is not connected to the command in this build");
    }
}
