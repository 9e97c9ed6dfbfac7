package dev.descent.cli;

import dev.descent.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layout of a training run's directory:
 * <pre>
 *   config.json                     the effective configuration (a valid --config file)
 *   metrics.jsonl                   one JSON object per line: training steps, evaluations, diagnostics
 *   checkpoints/step-00001000.safetensors   the {@value #KEEP} most recent checkpoints
 *   *.png, index.html               plots and a page showing them, written at the end
 * </pre>
 * Files are replaced atomically (a temporary file renamed over the old one), so an interrupted
 * run leaves either the old or the new version, never half of one.
 */
final class RunDirectory {
    /** Checkpoints kept; older ones are deleted once a newer one is safely written. */
    static final int KEEP = 3;
    private static final Pattern CHECKPOINT = Pattern.compile("step-(\\d{8,})\\.safetensors");

    final Path root;

    RunDirectory(Path root) {
        this.root = root;
    }

    Path config() {
        return root.resolve("config.json");
    }

    Path metrics() {
        return root.resolve("metrics.jsonl");
    }

    Path checkpoints() {
        return root.resolve("checkpoints");
    }

    Path checkpoint(long step) {
        return checkpoints().resolve(String.format(Locale.ROOT, "step-%08d.safetensors", step));
    }

    /** The checkpoints in {@code dir} by step (empty if the directory does not exist). */
    static TreeMap<Long, Path> checkpointsIn(Path dir) throws IOException {
        TreeMap<Long, Path> m = new TreeMap<>();
        if (!Files.isDirectory(dir)) return m;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Matcher x = CHECKPOINT.matcher(p.getFileName().toString());
                if (x.matches() && Files.isRegularFile(p)) m.put(Long.parseLong(x.group(1)), p);
            }
        }
        return m;
    }

    /**
     * What {@code --resume} names: a checkpoint file, or a run directory (its latest checkpoint).
     *
     * @throws CommandFailure if it is neither, or a run directory without checkpoints
     */
    static Path resolveCheckpoint(Path resume) throws IOException {
        if (Files.isRegularFile(resume)) return resume;
        if (!Files.isDirectory(resume)) throw new java.nio.file.NoSuchFileException(resume.toString(), null, "no such checkpoint file or run directory");
        TreeMap<Long, Path> all = checkpointsIn(resume.resolve("checkpoints"));
        if (all.isEmpty()) all = checkpointsIn(resume);
        if (all.isEmpty()) throw new CommandFailure(resume + ": no checkpoint (checkpoints/step-*.safetensors) in this run directory");
        return all.lastEntry().getValue();
    }

    /** The run directory a checkpoint file belongs to: the parent of its {@code checkpoints} folder. */
    static Path runOf(Path checkpoint) {
        Path parent = checkpoint.toAbsolutePath().getParent();
        return parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints") ? parent.getParent() : parent;
    }

    /** Deletes all but the {@value #KEEP} newest checkpoints. */
    void pruneCheckpoints() throws IOException {
        TreeMap<Long, Path> all = checkpointsIn(checkpoints());
        while (all.size() > KEEP) Files.deleteIfExists(all.pollFirstEntry().getValue());
    }

    /**
     * Keeps only the metrics records of steps ≤ {@code step} (what a run resumed at that step has
     * not yet redone), so that a resumed run's file reads as one uninterrupted run.
     */
    void truncateMetrics(long step) throws IOException {
        if (!Files.isRegularFile(metrics())) return;
        List<Map<String, Object>> kept = new ArrayList<>();
        for (Map<String, Object> r : MetricsLog.read(metrics())) {
            Object s = r.get("step");
            if (s instanceof Number n && n.longValue() <= step) kept.add(r);
        }
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : kept) sb.append(Json.writeObject(r)).append('\n');
        writeAtomically(metrics(), sb.toString());
    }

    /** Writes {@code text} to {@code file} through a temporary file and a rename. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
