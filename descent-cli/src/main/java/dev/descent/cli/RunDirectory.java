package dev.descent.cli;

import dev.descent.io.AtomicFiles;
import dev.descent.io.Json;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Files are replaced atomically and durably ({@link AtomicFiles}), so an interrupted run leaves
 * either the old or the new version, never half of one; the temporary files of a killed write are
 * removed when the directory is next {@linkplain #open opened}. A new run is written only to a
 * new or empty directory ({@link #checkNewRun}).
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
     * Where a resumed run continues from and where it goes.
     *
     * @param checkpoint the checkpoint to restore, or {@code null} to start from step 0 with the
     *     configuration in {@code configFile} (a run killed before its first checkpoint)
     * @param configFile the saved configuration when there is no checkpoint, else {@code null}
     * @param source the run directory the checkpoint belongs to, or {@code null} for a checkpoint
     *     outside any run's {@code checkpoints/} folder
     * @param target the run directory the continued run writes to
     */
    record Resumption(Path checkpoint, Path configFile, Path source, Path target) {
        /** Whether the run continues in a directory other than its own (a fork). */
        boolean isFork() {
            return source == null || !same(source, target);
        }
    }

    /**
     * What {@code --resume} names, and where the continued run is written: its own directory
     * unless {@code out} names another, which must then be new or empty (a fork never touches
     * another run or the user's own files).
     *
     * <p>{@code resume} is a checkpoint file, or a run directory: its newest checkpoint, or, for
     * a run stopped before its first checkpoint, its {@code config.json} (a restart from step 0).
     *
     * @throws CommandFailure for anything that is neither, a checkpoint outside a run directory
     *     without {@code out}, or an {@code out} that holds other files
     */
    static Resumption resumption(Path resume, Path out) throws IOException {
        Path checkpoint = null, config = null, source;
        if (Files.isRegularFile(resume)) {
            checkpoint = resume;
            source = runOf(resume);
        } else if (Files.isDirectory(resume)) {
            TreeMap<Long, Path> all = checkpointsIn(resume.resolve("checkpoints"));
            if (!all.isEmpty()) {
                checkpoint = all.lastEntry().getValue();
                source = resume;
            } else if (Files.isRegularFile(resume.resolve("config.json"))) {
                config = resume.resolve("config.json");
                source = resume;
            } else {
                all = checkpointsIn(resume);
                if (all.isEmpty()) {
                    throw new CommandFailure(resume + ": no checkpoint (checkpoints/step-*.safetensors) and no config.json in this run directory");
                }
                checkpoint = all.lastEntry().getValue();
                source = null;
            }
        } else {
            throw new java.nio.file.NoSuchFileException(resume.toString(), null, "no such checkpoint file or run directory");
        }
        Path target;
        if (out != null) {
            target = out;
        } else if (source != null) {
            target = source;
        } else {
            throw new CommandFailure(checkpoint + ": not inside a run directory's checkpoints/ folder, so there is no run to continue in place;"
                    + " give --out DIR for the continued run");
        }
        if (source == null || !same(source, target)) checkNewRun(target);
        return new Resumption(checkpoint, config, source, target);
    }

    /**
     * The checkpoint a reader of a run means by {@code path} (e.g. {@code diagnose}, {@code export}):
     * the file itself, or a run directory's newest checkpoint.
     *
     * @throws CommandFailure if it is neither, or a run directory without checkpoints
     */
    static Path resolveCheckpoint(Path path) throws IOException {
        if (Files.isRegularFile(path)) return path;
        if (!Files.isDirectory(path)) throw new java.nio.file.NoSuchFileException(path.toString(), null, "no such checkpoint file or run directory");
        TreeMap<Long, Path> all = checkpointsIn(path.resolve("checkpoints"));
        if (all.isEmpty()) all = checkpointsIn(path);
        if (all.isEmpty()) throw new CommandFailure(path + ": no checkpoint (checkpoints/step-*.safetensors) in this run directory");
        return all.lastEntry().getValue();
    }

    /** Whether two paths name the same directory (either may not exist yet). */
    static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        } catch (IOException e) {
            // fall through to comparing the names
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** Whether {@code dir} holds a run (its configuration, metrics or checkpoints). */
    static boolean holdsRun(Path dir) {
        return Files.exists(dir.resolve("config.json")) || Files.exists(dir.resolve("metrics.jsonl")) || Files.exists(dir.resolve("checkpoints"));
    }

    /**
     * Checks that a new run may be written to {@code dir}: it does not exist, or is an empty
     * directory (or holds only the temporary files of a run killed before it wrote its
     * configuration, which {@link #open} removes). A run directory's files have fixed names
     * ({@code index.html}, plots), so writing into a directory holding anything else could replace
     * a user's own file.
     *
     * @throws CommandFailure naming the directory and what it holds
     */
    static void checkNewRun(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir)) throw new CommandFailure(dir + ": exists and is not a directory; choose another --out");
        if (holdsRun(dir)) throw new CommandFailure(dir + ": already holds a run; continue it with --resume " + dir + " or choose another --out");
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) if (!AtomicFiles.isTemporary(p)) names.add(p.getFileName().toString());
        }
        if (!names.isEmpty()) {
            java.util.Collections.sort(names);
            String shown = String.join(", ", names.subList(0, Math.min(3, names.size()))) + (names.size() > 3 ? ", ..." : "");
            throw new CommandFailure(dir + ": exists and holds " + names.size() + (names.size() == 1 ? " file" : " files") + " (" + shown
                    + ") that a run could overwrite; choose a new or empty directory with --out");
        }
    }

    /**
     * The run directory a checkpoint file belongs to: the parent of its {@code checkpoints}
     * folder, or {@code null} when the file is not in a folder of that name.
     */
    static Path runOf(Path checkpoint) {
        Path parent = checkpoint.toAbsolutePath().normalize().getParent();
        if (parent == null || parent.getFileName() == null || !parent.getFileName().toString().equals("checkpoints")) return null;
        return parent.getParent();
    }

    /** {@link #runOf}, or the checkpoint's own folder when it is not in a run's {@code checkpoints/}. */
    static Path runOrParent(Path checkpoint) {
        Path run = runOf(checkpoint);
        return run != null ? run : checkpoint.toAbsolutePath().normalize().getParent();
    }

    /**
     * Prepares the directory for writing: creates it, and removes the temporary files a process
     * killed mid-write left in it and in {@code checkpoints/}.
     */
    void open() throws IOException {
        boolean created = !Files.isDirectory(root);
        Files.createDirectories(root);
        if (created && root.toAbsolutePath().getParent() != null) AtomicFiles.syncDirectory(root.toAbsolutePath().getParent());
        AtomicFiles.sweepTemporaries(root);
        AtomicFiles.sweepTemporaries(checkpoints());
    }

    /** Creates {@code checkpoints/} (after {@code config.json}: a directory with one holds a resumable run). */
    void createCheckpoints() throws IOException {
        if (!Files.isDirectory(checkpoints())) {
            Files.createDirectories(checkpoints());
            AtomicFiles.syncDirectory(root);
        }
    }

    /** Deletes all but the {@value #KEEP} newest checkpoints. */
    void pruneCheckpoints() throws IOException {
        TreeMap<Long, Path> all = checkpointsIn(checkpoints());
        while (all.size() > KEEP) Files.deleteIfExists(all.pollFirstEntry().getValue());
    }

    /**
     * The records of {@code from} (a run's metrics file) of steps ≤ {@code step}, as the text of a
     * metrics file, or {@code null} if {@code from} does not exist. Reading before writing: a
     * malformed file fails here, before anything changed.
     */
    static String metricsUpTo(Path from, long step) throws IOException {
        if (!Files.isRegularFile(from)) return null;
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : MetricsLog.read(from)) {
            Object s = r.get("step");
            if (s instanceof Number n && n.longValue() <= step) sb.append(Json.writeObject(r)).append('\n');
        }
        return sb.toString();
    }

    /** Writes {@code text} to {@code file} atomically and durably ({@link AtomicFiles}). */
    static void writeAtomically(Path file, String text) throws IOException {
        AtomicFiles.writeString(file, text);
    }
}
