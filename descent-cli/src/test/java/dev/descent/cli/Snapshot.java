package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every file under a directory, byte for byte: to show that a failed command changed nothing. */
final class Snapshot {
    private final Path root;
    private final TreeMap<String, byte[]> files = new TreeMap<>();

    private Snapshot(Path root) {
        this.root = root;
    }

    /** The files under {@code root} now (none if it does not exist). */
    static Snapshot of(Path root) throws IOException {
        Snapshot s = new Snapshot(root);
        if (!Files.exists(root)) return s;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p)) s.files.put(root.relativize(p).toString(), Files.readAllBytes(p));
                else if (Files.isDirectory(p) && !p.equals(root)) s.files.put(root.relativize(p) + "/", new byte[0]);
            }
        }
        return s;
    }

    /** Asserts that the tree under the same root is exactly as it was: the same names, the same bytes. */
    void assertUnchanged(String context) throws IOException {
        Snapshot now = of(root);
        assertEquals(files.keySet(), now.files.keySet(), context + ": the same files under " + root);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            if (!Arrays.equals(e.getValue(), now.files.get(e.getKey()))) fail(context + ": " + e.getKey() + " changed");
        }
    }

    int size() {
        return files.size();
    }
}
