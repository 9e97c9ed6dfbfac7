package dev.descent.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The one way Descent replaces a file: the bytes go to a temporary file in the target's directory
 * (named {@code .NAME.HEX.tmp}), which is forced to disk ({@link FileChannel#force}), renamed over
 * the target with {@link StandardCopyOption#ATOMIC_MOVE}, and then the directory is forced so the
 * rename itself survives a power cut. A reader sees the old file or the new one, never a mixture
 * or an empty file (a full disk fails the write of the temporary file, not the target); a failed
 * write leaves the old file and removes the temporary one. A process killed mid-write leaves a
 * temporary file, which {@link #sweepTemporaries} removes when the directory is next opened.
 *
 * <p>I/O errors that name no file (e.g. {@code No space left on device}) are rethrown naming the
 * target, so a user learns which write failed.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The names {@link #write} gives its temporary files: {@code .NAME.HEX.tmp}. */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9a-f]{1,16}\\.tmp");

    /** Writes the content through a channel positioned at 0 of a fresh temporary file. */
    @FunctionalInterface
    public interface Body {
        /** Writes everything to {@code channel}. */
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Replaces {@code file} by {@code bytes}, atomically and durably. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** Replaces {@code file} by {@code text} in UTF-8, atomically and durably. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces {@code file} by what {@code body} writes, atomically and durably. */
    public static void write(Path file, Body body) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw naming(file, e);
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
    }

    /**
     * {@code e} if it names a file already, else an {@link IOException} of one line
     * {@code "FILE: message"} with {@code e} as its cause.
     */
    public static IOException naming(Path file, IOException e) {
        if (e instanceof FileSystemException || (e.getMessage() != null && e.getMessage().contains(file.toString()))) return e;
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage().strip();
        return new IOException(file + ": " + m, e);
    }

    /**
     * Forces {@code dir}'s entries (a rename or creation in it) to disk. Linux allows this; where a
     * platform cannot open a directory as a channel (Windows) the rename is as durable as the OS makes it.
     */
    public static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not possible on this platform; the file's own data was already forced.
        }
    }

    /** Whether {@code file} is named like a temporary file of {@link #write} ({@code .NAME.HEX.tmp}). */
    public static boolean isTemporary(Path file) {
        return file.getFileName() != null && TEMPORARY.matcher(file.getFileName().toString()).matches();
    }

    /**
     * Deletes the temporary files {@link #write} leaves behind when its process is killed
     * mid-write ({@code .NAME.HEX.tmp}) directly in {@code dir}; returns what it deleted.
     * Call it only on a directory no other process is writing to.
     */
    public static List<Path> sweepTemporaries(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) return removed;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (isTemporary(p) && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                    removed.add(p);
                }
            }
        }
        if (!removed.isEmpty()) syncDirectory(dir);
        return removed;
    }
}
