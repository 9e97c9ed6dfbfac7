package dev.descent.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileNoTemporaryAndNamesTheFile() throws IOException {
        Path f = dir.resolve("loss.png");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        // A full disk midway: the write of the temporary file fails, the target keeps its bytes
        // (it is never opened for writing, so it cannot be left empty), and the message names it.
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
            ch.write(ByteBuffer.wrap(new byte[100]));
            throw new IOException("No space left on device");
        }));
        assertEquals(f + ": No space left on device", e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of("loss.png"), listing());
        AtomicFiles.writeString(f, "new");
        assertEquals("new", Files.readString(f));
        assertEquals(List.of("loss.png"), listing());
    }

    @Test
    void sweepingRemovesOnlyTheTemporariesOfKilledWrites() throws IOException {
        Files.write(dir.resolve(".step-00000008.safetensors.3fa9c0d2e1b47a55.tmp"), new byte[10]);
        Files.writeString(dir.resolve(".config.json.1f.tmp"), "{");
        Files.writeString(dir.resolve("notes.tmp"), "mine");
        Files.writeString(dir.resolve(".hidden.tmp"), "mine");
        Files.writeString(dir.resolve(".x.notHex.tmp"), "mine");
        List<Path> removed = AtomicFiles.sweepTemporaries(dir);
        assertEquals(2, removed.size(), removed.toString());
        assertEquals(List.of(".hidden.tmp", ".x.notHex.tmp", "notes.tmp"), listing());
        assertTrue(AtomicFiles.isTemporary(Path.of(".index.html.a1.tmp")));
        assertFalse(AtomicFiles.isTemporary(Path.of("index.html")));
        assertTrue(AtomicFiles.sweepTemporaries(dir.resolve("missing")).isEmpty());
    }
}
