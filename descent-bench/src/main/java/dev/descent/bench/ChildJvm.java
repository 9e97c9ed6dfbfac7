package dev.descent.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link WorkloadMain} in a child JVM with this JVM's own flags (the launcher's
 * {@code --add-modules jdk.incubator.vector -Xss8m} and whatever {@code DESCENT_JAVA_OPTS}
 * added), plus the child's heap settings, and returns the JSON lines it prints. The child's
 * progress lines (stderr) are passed on, without the JVM's "Using incubator modules" warning.
 *
 * <p>Why a child: the peer's peak memory is the {@code ru_maxrss} of a process that does nothing
 * but its workload; the same must hold for Descent, whose harness process (picocli, the peer's
 * output, earlier rounds) would otherwise be counted.
 *
 * <p>Heap settings ({@link #DEFAULT_HEAP_OPTIONS}): a 144 MiB heap and the serial collector (a
 * collector in the options replaces one chosen by this JVM's flags). The workloads keep about
 * 70 MiB live (Fashion-MNIST as bytes, parameters, gradients and Adam's moments) and allocate
 * about 5 MiB per MLP step (activations, their cotangents, the weight gradients). On this 2-core
 * machine the JVM's default, G1, treats every array of half a region (512 KiB at this heap size)
 * or more as a humongous object, so each step's weight gradients start concurrent cycles and G1
 * spends several times the serial collector's GC time (docs/performance.md, "Bench child JVM:
 * serial collector"). The serial collector is
 * what the JVM itself picks on machines with fewer than two processors or 2 GB.
 */
public final class ChildJvm {
    /** The default heap options of the child (see the class comment). */
    public static final String DEFAULT_HEAP_OPTIONS = "-Xmx144m -XX:+UseSerialGC";

    /**
     * The default heap options of the {@code rnn-adding} child: the same heap with a 96 MiB young
     * generation. That workload keeps ~20 MiB live but allocates ~14 MiB per step (the [T, B, H]
     * input projections, states and their cotangents), and in the default 48 MiB young generation
     * it collected every few steps (docs/performance.md, "Bench child JVM: the RNN's young
     * generation"). The MLP keeps ~70 MiB live and needs its larger old generation.
     */
    public static final String RNN_HEAP_OPTIONS = "-Xmx144m -Xmn96m -XX:+UseSerialGC";

    private static final java.util.Set<String> COLLECTORS = java.util.Set.of("-XX:+UseSerialGC", "-XX:+UseParallelGC",
            "-XX:+UseG1GC", "-XX:+UseZGC", "-XX:+UseShenandoahGC", "-XX:+UseEpsilonGC");

    private final List<String> heapOptions;
    private final PrintStream err;

    /**
     * A launcher of children with {@code heapOptions} (space-separated JVM options such as
     * {@link #DEFAULT_HEAP_OPTIONS}), added after this JVM's own flags; a collector named here
     * replaces one chosen by ours.
     */
    public ChildJvm(String heapOptions, PrintStream err) {
        if (heapOptions == null) throw new IllegalArgumentException("child JVM options are null");
        List<String> opts = new ArrayList<>();
        for (String o : heapOptions.trim().split("\\s+")) {
            if (o.isEmpty()) continue;
            if (!o.startsWith("-X")) {
                throw new IllegalArgumentException("child JVM options must be -X or -XX: options, got '" + o + "'");
            }
            opts.add(o);
        }
        this.heapOptions = List.copyOf(opts);
        this.err = err;
    }

    /** The heap options given. */
    public List<String> heapOptions() {
        return heapOptions;
    }

    /** The command line that runs {@code WorkloadMain args}. */
    public List<String> command(List<String> args) {
        boolean ownCollector = heapOptions.stream().anyMatch(COLLECTORS::contains);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // Heap sizing is the child's; agents and recordings belong to the parent only.
            boolean skip = a.startsWith("-Xmx") || a.startsWith("-XX:MaxHeapSize") || a.startsWith("-Xms")
                    || a.startsWith("-javaagent") || a.startsWith("-agentlib") || a.startsWith("-XX:StartFlightRecording")
                    || (ownCollector && COLLECTORS.contains(a));
            if (!skip) cmd.add(a);
        }
        cmd.addAll(heapOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WorkloadMain.class.getName());
        cmd.addAll(args);
        return cmd;
    }

    /** The JVM options of the command (everything between the java binary and the class path). */
    public List<String> jvmOptions() {
        List<String> cmd = command(List.of());
        return cmd.subList(1, cmd.indexOf("-cp"));
    }

    /** Runs {@code WorkloadMain args} and returns the lines of its stdout that are JSON objects. */
    public List<String> run(List<String> args) {
        List<String> cmd = command(args);
        List<String> lines = new ArrayList<>();
        try {
            Process p = new ProcessBuilder(cmd).start();
            Thread relay = new Thread(() -> relay(p), "child-stderr");
            relay.setDaemon(true);
            relay.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("{")) lines.add(line);
                }
            }
            int code = p.waitFor();
            relay.join(5000);
            if (code != 0) throw new IllegalStateException("Descent's " + args + " (child JVM) exited with code " + code);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child JVM: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        return lines;
    }

    private void relay(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("WARNING: Using incubator modules")) err.println(line);
            }
        } catch (IOException e) {
            err.println("descent bench: lost the child's stderr: " + e.getMessage());
        }
    }
}
