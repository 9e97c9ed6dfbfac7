package dev.descent.cli;

import dev.descent.io.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Metrics as JSON lines: one JSON object per line (e.g. {@code {"step":100,"loss":0.163}}),
 * flushed after every record so that an interrupted run keeps everything it logged. Opened in
 * append mode for a resumed run. Not thread-safe.
 */
public final class MetricsLog implements AutoCloseable {
    private final BufferedWriter out;

    private MetricsLog(BufferedWriter out) {
        this.out = out;
    }

    /** Opens {@code file} for writing, truncating it, or appending when {@code append}. */
    public static MetricsLog open(Path file, boolean append) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** Writes one record as a line and flushes. */
    public void write(Map<String, ?> record) throws IOException {
        out.write(Json.writeObject(record));
        out.write('\n');
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
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
