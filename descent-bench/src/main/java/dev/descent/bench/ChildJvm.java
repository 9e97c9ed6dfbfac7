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
 * {@code --add-modules jdk.incubator.vector -Xss8m} and whatever {@code DESCENT_JAVA_OPTS} added)
 * and a heap limit of its own, and returns the JSON lines it prints. The child's progress lines
 * (stderr) are passed on, without the JVM's "Using incubator modules" warning.
 *
 * <p>Why a child: the peer's peak memory is the {@code ru_maxrss} of a process that does nothing
 * but its workload; the same must hold for Descent, whose harness process (picocli, the peer's
 * output, earlier rounds) would otherwise be counted.
 */
public final class ChildJvm {
    /**
     * The default heap limit of the child: the largest live set (47 MB of Fashion-MNIST bytes,
     * 2 MB per parameter-sized tensor, a few MB of activations) with room for the young
     * generation; see descent-bench/README.md for the measurements behind it.
     */
    public static final String DEFAULT_HEAP = "192m";

    private final String heap;
    private final PrintStream err;

    /** A launcher of children with heap limit {@code heap} (a {@code -Xmx} value such as {@code 192m}). */
    public ChildJvm(String heap, PrintStream err) {
        if (heap == null || !heap.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("child heap must look like 192m or 1g, got '" + heap + "'");
        }
        this.heap = heap;
        this.err = err;
    }

    /** The heap limit. */
    public String heap() {
        return heap;
    }

    /** The command line that runs {@code WorkloadMain args}. */
    public List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // The heap limit is ours to set; agents and recordings belong to the parent only.
            if (a.startsWith("-Xmx") || a.startsWith("-XX:MaxHeapSize") || a.startsWith("-javaagent")
                    || a.startsWith("-agentlib") || a.startsWith("-XX:StartFlightRecording") || a.startsWith("-Xms")) {
                continue;
            }
            cmd.add(a);
        }
        cmd.add("-Xmx" + heap);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WorkloadMain.class.getName());
        cmd.addAll(args);
        return cmd;
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
