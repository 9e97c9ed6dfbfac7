package dev.descent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Runs {@code descent ARGS} and kills its own JVM ({@link Runtime#halt}: no shutdown hooks, no
 * flushing of Java buffers, as {@code kill -9} leaves the files) at a chosen moment:
 * <ul>
 *   <li>{@code config DIR}: as soon as {@code DIR/config.json} exists, before the first checkpoint;</li>
 *   <li>{@code tmp DIR K}: when the K-th distinct temporary checkpoint file appears in
 *       {@code DIR/checkpoints} (counting from 0), that is, inside a checkpoint write;</li>
 *   <li>{@code none}: never (the parent may kill it with SIGKILL at a random time).</li>
 * </ul>
 * Usage: {@code CrashHarness MODE [DIR [K]] -- descent-arguments...}. The watcher spins without
 * sleeping so that it sees writes that last well under a millisecond.
 */
public final class CrashHarness {
    private CrashHarness() {}

    public static void main(String[] args) {
        int sep = java.util.Arrays.asList(args).indexOf("--");
        String mode = args[0];
        String[] cli = java.util.Arrays.copyOfRange(args, sep + 1, args.length);
        if (!mode.equals("none")) {
            Path dir = Path.of(args[1]);
            int k = mode.equals("tmp") ? Integer.parseInt(args[2]) : 0;
            Thread watcher = new Thread(() -> watch(mode, dir, k), "crash-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8), err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = Main.run(cli, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    private static void watch(String mode, Path dir, int k) {
        Set<String> seen = new HashSet<>();
        Path checkpoints = dir.resolve("checkpoints");
        while (true) {
            if (mode.equals("config")) {
                if (Files.exists(dir.resolve("config.json"))) Runtime.getRuntime().halt(137);
            } else if (Files.isDirectory(checkpoints)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(checkpoints, ".*.tmp")) {
                    for (Path p : ds) {
                        if (seen.add(p.getFileName().toString()) && seen.size() > k) Runtime.getRuntime().halt(137);
                    }
                } catch (IOException e) {
                    // the directory is being changed; look again
                }
            }
            Thread.onSpinWait();
        }
    }
}
