package dev.descent.cli;

import dev.descent.bench.ChildJvm;
import dev.descent.bench.MlpWorkload;
import dev.descent.bench.Peer;
import dev.descent.bench.ScalingCurves;
import dev.descent.bench.SideBySide;
import dev.descent.bench.Workloads;
import dev.descent.bench.WorkloadMain;
import dev.descent.data.Dataset;
import dev.descent.data.FashionMnist;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code descent bench WORKLOAD [--peer]}: the workloads of the PyTorch peer suite
 * ({@code ../shared/bench/peer}), measured by {@link SideBySide}; with {@code --peer} the peer's
 * identical workload runs alternately in the same invocation and the last line gives the
 * Descent/peer ratios and whether the bars of issue 7 are met.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run a benchmark workload of the PyTorch peer suite, optionally side by side with the peer.",
                "Prints one JSON line per measurement, a table, and a summary line {\"summary\": ..., \"ratios\": {...}}.",
                "mlp and rnn-adding run Descent in a child JVM so that its peak memory is measured as the peer's is.", ""})
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
        HVP("hvp"),
        /** The scaling curves of issue 18 (not a peer-suite workload: sizes swept, plots written). */
        SCALING("scaling"),
        /** One Hessian-free step of the long-lag RNN at T = 200 (issue 18 part 4; no peer). */
        HF_STEP("hf-step");

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
            throw new TypeConversionException("unknown workload '" + s + "'; expected gemm, mlp, rnn-adding, hvp, scaling or hf-step");
        }
    }

    /** Parses the mlp's {@code --norm}. */
    static final class NormConverter implements ITypeConverter<MlpWorkload.Norm> {
        @Override
        public MlpWorkload.Norm convert(String s) {
            try {
                return MlpWorkload.Norm.parse(s.strip().toLowerCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A non-negative number of seconds. */
    static final class Seconds implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            try {
                double v = Double.parseDouble(s.strip());
                if (!(v >= 0) || Double.isInfinite(v)) throw new NumberFormatException();
                return v;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a number of seconds >= 0, got '" + s + "'");
            }
        }
    }

    /** An integer >= 0. */
    static final class Count implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String s) {
            try {
                int v = Integer.parseInt(s.strip());
                if (v < 0) throw new NumberFormatException();
                return v;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be an integer >= 0, got '" + s + "'");
            }
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKLOAD", converter = WorkloadConverter.class,
            description = "gemm, mlp, rnn-adding, hvp, scaling (the size sweeps of issue 18) or hf-step (one Hessian-free step, T = 200).")
    Workload workload;

    @Option(names = "--peer", description = "Also run peer_torch.py's identical workload, alternately, and print ratios.")
    boolean peer;

    @Option(names = "--peer-dir", paramLabel = "DIR", description = "Where peer_torch.py lives (default: ../shared/bench/peer next to the repository).")
    Path peerDir;

    @Option(names = "--rounds", paramLabel = "N", converter = Converters.PositiveInt.class, defaultValue = "3",
            description = "Alternating rounds of Descent and the peer (default ${DEFAULT-VALUE}: this VM's speed drifts by "
                    + "20-30 %% over minutes, and one round can put each side in a different phase); repetitions are pooled.")
    int rounds;

    @Option(names = "--norm", paramLabel = "NORM", converter = NormConverter.class, defaultValue = "none",
            description = "mlp: none, weight or batch (default ${DEFAULT-VALUE}).")
    MlpWorkload.Norm norm;

    @Option(names = "--epochs", paramLabel = "N", converter = Converters.PositiveInt.class, defaultValue = "2",
            description = "mlp: timed epochs per round (default ${DEFAULT-VALUE}; test accuracy is taken after them).")
    int epochs;

    @Option(names = "--steps", paramLabel = "N", converter = Converters.PositiveInt.class, defaultValue = "50",
            description = "rnn-adding: timed training steps per round (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup-steps", paramLabel = "N", converter = Count.class, defaultValue = "5",
            description = "rnn-adding: untimed steps before them, as the peer's --warmup (default ${DEFAULT-VALUE}).")
    int warmupSteps;

    @Option(names = "--jit-warmup", paramLabel = "SECONDS", converter = Seconds.class,
            defaultValue = "" + WorkloadMain.DEFAULT_WARMUP_S,
            description = "mlp, rnn-adding: seconds of JIT warm-up on a throwaway model in Descent's JVM (default ${DEFAULT-VALUE}).")
    double jitWarmup;

    @Option(names = "--child-jvm-options", paramLabel = "OPTIONS",
            description = "mlp, rnn-adding: heap options (-X/-XX:) added to this JVM's flags for Descent's child JVM"
                    + " (default '" + ChildJvm.DEFAULT_HEAP_OPTIONS + "' for mlp, '" + ChildJvm.RNN_HEAP_OPTIONS
                    + "' for rnn-adding; see descent-bench/README.md).")
    String childJvmOptions;

    @Option(names = "--sizes", paramLabel = "N,N,...", split = ",", description = "gemm sizes (default 512,1024,2048).")
    int[] sizes;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Base seed, as the peer's --seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Fashion-MNIST directory (default /usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Option(names = "--curve", paramLabel = "CURVE", defaultValue = "all",
            description = "scaling: mlp-width, rnn-length, rnn-hidden, hvp-params or all (default ${DEFAULT-VALUE}).")
    String curve;

    @Option(names = "--hf-steps", paramLabel = "N", converter = Converters.PositiveInt.class, defaultValue = "3",
            description = "hf-step: timed HF steps, after one untimed (default ${DEFAULT-VALUE}).")
    int hfSteps;

    @Option(names = "--quick", description = "scaling: two sizes per curve and fewer repetitions (a check that it works, ~1-2 min);"
            + " hf-step: batch 100, curvature batch 20, at most 10 CG iterations.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-scaling",
            description = "scaling: where the PNGs, index.html and results.jsonl go (default ${DEFAULT-VALUE}).")
    Path outDir;

    @Override
    public Integer call() throws IOException {
        for (String o : childJvmOptions == null ? new String[0] : childJvmOptions.trim().split("\\s+")) {
            if (!o.isEmpty() && !o.startsWith("-X")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Invalid value for option '--child-jvm-options': '" + o + "' is not a -X or -XX: option");
            }
        }
        PrintStream out = stream(spec.commandLine().getOut()), err = stream(spec.commandLine().getErr());
        if (workload == Workload.HF_STEP) {
            try {
                HfStepBench.run(HfStepBench.method(quick), 1, hfSteps, seed, out, err);
                return Main.OK;
            } finally {
                out.flush();
                err.flush();
            }
        }
        if (workload == Workload.SCALING) {
            try {
                return scaling(out, err);
            } finally {
                out.flush();
                err.flush();
            }
        }
        try {
            SideBySide harness = new SideBySide(new SideBySide.Options(peer, resolvePeerDir(), rounds, seed, dataDir, jitWarmup,
                    childJvmOptions, out, err));
            switch (workload) {
                case GEMM:
                    int[] s = sizes != null ? sizes : new int[] {512, 1024, 2048};
                    for (int n : s) {
                        if (n <= 0) throw new CommandFailure("bench: gemm size must be positive, got " + n);
                    }
                    harness.gemm(s);
                    break;
                case HVP:
                    harness.hvp(hvpBatch(err));
                    break;
                case MLP:
                    Path dir = dataDir != null ? dataDir : FashionMnist.DEFAULT_DIRECTORY;
                    if (!Files.isDirectory(dir)) {
                        throw new CommandFailure("bench mlp: Fashion-MNIST not found at " + dir
                                + " (apt-get install dataset-fashion-mnist, or pass --data-dir)");
                    }
                    harness.mlp(norm, epochs);
                    break;
                case RNN_ADDING:
                    harness.rnnAdding(warmupSteps, steps);
                    break;
                default:
                    throw new IllegalStateException("unhandled workload " + workload);
            }
        } finally {
            out.flush();
            err.flush();
        }
        return Main.OK;
    }

    /** {@code bench scaling}: sweeps the curves asked for, then writes the figures, page and JSON lines into --out. */
    private int scaling(PrintStream out, PrintStream err) throws IOException {
        java.util.List<ScalingCurves.Curve> curves = new java.util.ArrayList<>();
        if (curve.strip().equals("all")) {
            curves.addAll(java.util.List.of(ScalingCurves.Curve.values()));
        } else {
            try {
                curves.add(ScalingCurves.Curve.parse(curve.strip()));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '--curve': " + e.getMessage());
            }
        }
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new CommandFailure("bench scaling: --out " + outDir + " exists and is not a directory");
        }
        Peer torch = null, scalingTorch = null;
        if (peer) {
            String[] why = new String[1];
            torch = Peer.locate(resolvePeerDir(), why);
            if (torch == null) err.println("descent bench: skipping the peer: " + why[0]);
            if (torch != null) {
                String home = System.getProperty("descent.home");
                scalingTorch = Peer.locateScript(ScalingCurves.scalingPeerScript(Path.of(home != null ? home : ".")), why);
                if (scalingTorch == null) err.println("descent bench: skipping the peer of mlp-width and hvp-params: " + why[0]);
            }
        }
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
                lines.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                out.write(b, off, len);
                lines.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
        ScalingCurves sweeper = new ScalingCurves(new ScalingCurves.Options(quick, seed, torch, scalingTorch, tee, err));
        java.util.Map<ScalingCurves.Curve, java.util.List<ScalingCurves.Point>> results = new java.util.LinkedHashMap<>();
        for (ScalingCurves.Curve c : curves) {
            int[] s = sizes != null ? sizes : c.sizes(quick);
            results.put(c, sweeper.run(c, s));
        }
        tee.flush();
        StringBuilder jsonl = new StringBuilder();
        for (String line : lines.toString(StandardCharsets.UTF_8).split("\n")) if (line.startsWith("{")) jsonl.append(line).append('\n');
        java.util.List<String> meta = java.util.List.of("curves: " + curves, "quick: " + quick, "seed: " + seed,
                "peer: " + (torch == null ? "not run" : "peer_torch.py" + (scalingTorch == null ? " only" : " and scaling_torch.py")),
                "jvm: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Path page = ScalingReport.write(outDir, results, meta);
        RunDirectory.writeAtomically(outDir.resolve("results.jsonl"), jsonl.toString());
        err.println("descent bench scaling: wrote " + page + " and " + outDir.resolve("results.jsonl"));
        return Main.OK;
    }

    /** A PrintStream onto picocli's writer, so that tests capture the output. */
    private static PrintStream stream(PrintWriter w) {
        return new PrintStream(new java.io.OutputStream() {
            private final Writer writer = w;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writer.write(new String(b, off, len, StandardCharsets.UTF_8));
            }

            @Override
            public void flush() throws IOException {
                writer.flush();
            }
        }, true, StandardCharsets.UTF_8);
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
