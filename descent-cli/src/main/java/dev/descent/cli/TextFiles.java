package dev.descent.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading small text files (configurations) with errors that name the file and the problem. */
final class TextFiles {
    private TextFiles() {}

    /** The largest configuration file read (a guard against naming a data file by mistake). */
    static final long MAX_BYTES = 16L << 20;

    /**
     * The content of {@code file} as strict UTF-8 (a leading byte-order mark dropped).
     *
     * @throws IOException naming the file: missing, a directory, too large, or not UTF-8 (with the
     *     byte offset of the first bad byte)
     */
    static String readUtf8(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        if (!Files.isRegularFile(file)) throw new CommandFailure(file + ": not a regular file");
        long size = Files.size(file);
        if (size > MAX_BYTES) throw new CommandFailure(file + ": " + size + " bytes, more than a configuration file's " + MAX_BYTES);
        byte[] bytes = Files.readAllBytes(file);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw new CommandFailure(file + ": not UTF-8 text (first bad byte at offset " + firstBadByte(bytes) + ")");
        }
    }

    /** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
    static int firstBadByte(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b, 0, Math.min(b.length, i + 1)));
            } catch (CharacterCodingException e) {
                // Incomplete sequence at the end of the prefix is not yet an error: look ahead up to 3 bytes.
                boolean completes = false;
                for (int k = 1; k <= 3 && i + k < b.length && !completes; k++) {
                    try {
                        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                                .decode(ByteBuffer.wrap(b, 0, i + 1 + k));
                        completes = true;
                    } catch (CharacterCodingException ignored) {
                        // still bad
                    }
                }
                if (!completes) return i;
            }
        }
        return b.length;
    }
}
