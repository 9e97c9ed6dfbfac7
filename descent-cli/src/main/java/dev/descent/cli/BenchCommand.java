package dev.descent.cli;

import dev.descent.bench.SideBySide;
import dev.descent.bench.Workloads;
import dev.descent.data.Dataset;
import dev.descent.data.FashionMnist;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code descent bench WORKLOAD [--peer]}: the workloads of the PyTorch peer suite
 * ({@code ../shared/bench/peer}), measured by {@link SideBySide}; with {@code --peer} the peer's
 * identical workload runs alternately in the same invocation and the last line gives the
 * Descent/peer ratios.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run a benchmark workload of the PyTorch peer suite, optionally side by side with the peer.",
                "Prints one JSON line per measurement, a table, and a summary line {\"summary\": ..., \"ratios\": {...}}.", ""})
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

    @Parameters(index = "0", paramLabel = "WORKLOAD", converter = WorkloadConverter.class,
            description = "gemm, mlp, rnn-adding or hvp.")
    Workload workload;

    @Option(names = "--peer", description = "Also run peer_torch.py's identical workload, alternately, and print ratios.")
    boolean peer;

    @Option(names = "--peer-dir", paramLabel = "DIR", description = "Where peer_torch.py lives (default: ../shared/bench/peer next to the repository).")
    Path peerDir;

    @Option(names = "--rounds", paramLabel = "N", converter = Converters.PositiveInt.class, defaultValue = "3",
            description = "Alternating rounds of Descent and the peer (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--sizes", paramLabel = "N,N,...", split = ",", description = "gemm sizes (default 512,1024,2048).")
    int[] sizes;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Base seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Fashion-MNIST directory (default /usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out, err = System.err;
        SideBySide harness = new SideBySide(new SideBySide.Options(peer, resolvePeerDir(), rounds, seed, out, err));
        switch (workload) {
            case GEMM:
                int[] s = sizes != null ? sizes : new int[] {512, 1024, 2048};
                for (int n : s) {
                    if (n <= 0) throw new CommandFailure("bench: gemm size must be positive, got " + n);
                }
                harness.gemm(s);
                return Main.OK;
            case HVP:
                harness.hvp(hvpBatch(err));
                return Main.OK;
            default:
                throw new CommandFailure("bench: workload '" + workload + "' is not wired into this build yet");
        }
    }

    /** The peer's hvp batch: the first 128 training images, unshuffled; synthetic when the dataset is absent. */
    private Tensor[] hvpBatch(PrintStream err) throws IOException {
        Path dir = dataDir != null ? dataDir : FashionMnist.DEFAULT_DIRECTORY;
        if (!Files.isDirectory(dir)) {
            err.println("descent bench: Fashion-MNIST not found at " + dir + "; timing on a synthetic batch of the same shape"
                    + " (apt-get install dataset-fashion-mnist)");
            return Workloads.syntheticBatch(new Rng(seed), DType.F32, 128);
        }
        Dataset train = FashionMnist.load(dir).train().head(128);
        return new Tensor[] {train.features(), Tensor.oneHot(DType.F32, train.labels(), FashionMnist.CLASSES)};
    }

    private Path resolvePeerDir() {
        if (peerDir != null) return peerDir;
        Path here = Path.of("../shared/bench/peer");
        if (Files.isDirectory(here)) return here;
        String home = System.getProperty("descent.home");
        if (home != null) return Path.of(home).resolve("../shared/bench/peer").normalize();
        return here;
    }
}
