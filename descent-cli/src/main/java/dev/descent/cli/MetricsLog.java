package dev.descent.cli;

import dev.descent.io.AtomicFiles;
import dev.descent.io.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Metrics as JSON lines: one JSON object per line (e.g. {@code {"step":100,"loss":0.163}}),
 * flushed after every record so that an interrupted run keeps everything it logged (a record cut
 * off by a crash is a last line without its newline, which {@link #read} ignores), and forced to
 * disk on {@link #close}. Opened in append mode for a resumed run. Not thread-safe.
 */
public final class MetricsLog implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final BufferedWriter out;

    private MetricsLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
        this.out = new BufferedWriter(Channels.newWriter(channel, StandardCharsets.UTF_8));
    }

    /**
     * Opens {@code file} for writing, truncating it, or appending when {@code append}. Appending
     * is how the file grows; a truncation is never done here but by an atomic rewrite
     * ({@link RunDirectory#metricsUpTo} and an atomic write), so a crash cannot leave a file emptied in place.
     */
    public static MetricsLog open(Path file, boolean append) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!append) AtomicFiles.write(file, new byte[0]);
        try {
            return new MetricsLog(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw AtomicFiles.naming(file, e);
        }
    }

    /** Writes one record as a line and flushes. */
    public void write(Map<String, ?> record) throws IOException {
        try {
            out.write(Json.writeObject(record));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw AtomicFiles.naming(file, e);
        }
    }

    /** Flushes, forces the records to disk and closes. */
    @Override
    public void close() throws IOException {
        try (FileChannel c = channel) {
            out.flush();
            c.force(false);
        } catch (IOException e) {
            throw AtomicFiles.naming(file, e);
        }
    }

    /**
     * Reads every record of {@code file}. A final line without its newline (a write cut off by a
     * crash) is ignored; any other malformed line fails with its line number.
     */
    public static List<Map<String, Object>> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<Map<String, Object>> records = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            boolean last = i == lines.length - 1;
            if (lines[i].isBlank()) continue;
            if (last) break; // no trailing newline: an interrupted write
            records.add(Json.parseObject(lines[i], file + ":" + (i + 1)));
        }
        return records;
    }
}
