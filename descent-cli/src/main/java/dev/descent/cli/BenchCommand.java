package dev.descent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code descent bench}: the side-by-side benchmarks of shared/bench/peer (gemm, mlp, rnn-adding,
 * hvp). Option parsing only; the harness is wired in separately ("not wired yet" until then).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run the benchmark workloads of the PyTorch peer suite.", ""})
public final class BenchCommand implements Callable<Integer> {
    /** The peer suite's workloads, by their names there. */
    public enum Workload {
        /** Square float32 matrix products. */
        GEMM("gemm"),
        /** The Fashion-MNIST MLP epoch. */
        MLP("mlp"),
        /** The Elman RNN on the adding problem. */
        RNN_ADDING("rnn-adding"),
        /** Gradient vs Hessian-vector product. */
        HVP("hvp");

        private final String label;

        Workload(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** Parses a workload by its peer-suite name. */
    static final class WorkloadConverter implements ITypeConverter<Workload> {
        @Override
        public Workload convert(String s) {
            for (Workload w : Workload.values()) if (w.label.equals(s.strip())) return w;
            throw new TypeConversionException("unknown workload '" + s + "'; expected gemm, mlp, rnn-adding or hvp");
        }
    }

    @Option(names = "--workload", paramLabel = "NAME", converter = WorkloadConverter.class,
            description = "gemm, mlp, rnn-adding or hvp (default: all).")
    Workload workload;

    @Option(names = "--repeats", paramLabel = "N", converter = Converters.PositiveInt.class, description = "Timed repeats (>= 1).")
    Integer repeats;

    @Override
    public Integer call() {
        throw new CommandFailure("bench: not wired yet: the benchmark harness is not connected to the command in this build");
    }
}
