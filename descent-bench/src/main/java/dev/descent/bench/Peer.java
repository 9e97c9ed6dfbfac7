package dev.descent.bench;

import dev.descent.io.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the PyTorch peer suite ({@code peer_torch.py}) as a child process with Debian's python3,
 * with {@code OPENBLAS_CORETYPE} and {@code OPENBLAS_L2_SIZE} removed from the child's environment
 * only (they select slower kernels; our own process and tests are untouched), and reads its JSON
 * result lines.
 */
public final class Peer {
    /** Debian's python3, where python3-torch lives (a pyenv python3 earlier on PATH has no torch). */
    public static final String PYTHON = "/usr/bin/python3";

    private final Path script;

    private Peer(Path script) {
        this.script = script;
    }

    /**
     * Locates the peer suite, or explains in {@code why[0]} why it cannot run (no directory, no
     * python3, no torch).
     */
    public static Peer locate(Path peerDir, String[] why) {
        Path script = peerDir.resolve("peer_torch.py").toAbsolutePath().normalize();
        if (!Files.isRegularFile(script)) {
            why[0] = "peer suite not found at " + script + " (pass --peer-dir)";
            return null;
        }
        return locateScript(script, why);
    }

    /**
     * A peer that runs the Python script {@code script} (such as descent-bench/peer/scaling_torch.py),
     * or null with the reason in {@code why[0]} (no script, no python3, no torch).
     */
    public static Peer locateScript(Path scriptPath, String[] why) {
        Path script = scriptPath.toAbsolutePath().normalize();
        if (!Files.isRegularFile(script)) {
            why[0] = "peer script not found at " + script;
            return null;
        }
        if (!Files.isExecutable(Path.of(PYTHON))) {
            why[0] = PYTHON + " not found (apt-get install python3-torch python3-numpy)";
            return null;
        }
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                why[0] = "Debian's python3 has no torch/numpy (apt-get install python3-torch python3-numpy)";
                return null;
            }
        } catch (IOException e) {
            why[0] = "cannot run " + PYTHON + ": " + e.getMessage();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why[0] = "interrupted";
            return null;
        }
        return new Peer(script);
    }

    /** Runs {@code peer_torch.py <args>} and returns its stdout lines that are JSON objects. */
    public List<String> run(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(PYTHON);
        cmd.add(script.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(script.getParent().toFile());
        Map<String, String> env = pb.environment();
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        List<String> lines = new ArrayList<>();
        try {
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("{")) lines.add(line);
                }
            }
            if (p.waitFor() != 0) {
                throw new IllegalStateException("peer " + args + " exited with code " + p.exitValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("peer " + args + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        return lines;
    }

    /**
     * The value of the first member called {@code key} whose value is accepted, searching
     * {@code line}'s object depth first in member order (so the first in the text), or null.
     *
     * @throws IllegalArgumentException if the line is not a JSON object
     */
    private static Object find(String line, String key, Predicate<Object> accept) {
        return find(Json.parse(line, "peer line"), key, accept);
    }

    private static Object find(Object tree, String key, Predicate<Object> accept) {
        if (tree instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (e.getKey().equals(key) && accept.test(e.getValue())) return e.getValue();
                Object inner = find(e.getValue(), key, accept);
                if (inner != null) return inner;
            }
        } else if (tree instanceof List<?> l) {
            for (Object x : l) {
                Object inner = find(x, key, accept);
                if (inner != null) return inner;
            }
        }
        return null;
    }

    /** The first number called {@code key} in a JSON line (nested objects included), or NaN. */
    public static double number(String line, String key) {
        Object v = find(line, key, x -> x instanceof Number);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    /** The first string called {@code key} in a JSON line, or null. */
    public static String string(String line, String key) {
        return (String) find(line, key, x -> x instanceof String);
    }

    /** The first array of numbers called {@code key} in a JSON line; empty if there is none. */
    public static double[] numbers(String line, String key) {
        Object v = find(line, key, x -> x instanceof List<?> l && l.stream().allMatch(y -> y instanceof Number));
        if (v == null) return new double[0];
        List<?> l = (List<?>) v;
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).doubleValue();
        return out;
    }
}
