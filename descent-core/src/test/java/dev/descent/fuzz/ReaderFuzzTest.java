package dev.descent.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReaderFuzz} at a CI budget ({@code -Ddescent.fuzz.inputs}, default 6,000 inputs over the
 * six readers), and the fuzzer's own power: it must flag the super-linear and crashing inputs it
 * exists to catch.
 */
class ReaderFuzzTest {
    @TempDir
    Path dir;

    @Test
    void everyReaderSurvivesMutatedInputs() throws Exception {
        long inputs = Long.getLong("descent.fuzz.inputs", 6_000);
        ReaderFuzz f = new ReaderFuzz(dir, Long.getLong("descent.fuzz.seed", 20261207), 5_000);
        try {
            ReaderFuzz.Result r = f.run(inputs);
            assertEquals(inputs, r.perReader().values().stream().mapToLong(Long::longValue).sum());
        } catch (ReaderFuzz.Finding e) {
            fail(e.getMessage() + "; input " + e.input.length + " bytes: "
                    + new String(java.util.Arrays.copyOf(e.input, Math.min(200, e.input.length)), StandardCharsets.ISO_8859_1), e);
        }
    }

    @Test
    void theCheckCatchesWhatItIsFor() throws Exception {
        ReaderFuzz f = new ReaderFuzz(dir, 1, 5_000);
        // A valid input passes; so does a clean rejection.
        f.check(ReaderFuzz.Reader.JSON, "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
        f.check(ReaderFuzz.Reader.CSV, "a,b\n1,x\n".getBytes(StandardCharsets.UTF_8));
        // The inputs that found the old bugs are now clean rejections, not hangs or crashes.
        f.check(ReaderFuzz.Reader.CSV, ("a,b,y\n1," + "7".repeat(100_000) + "x,0\n").getBytes(StandardCharsets.UTF_8));
        f.check(ReaderFuzz.Reader.JSON, "[".repeat(100_000).getBytes(StandardCharsets.UTF_8));
        // And the fuzzer's mutator produces the long runs that expose super-linear parsing.
        int longest = 0;
        for (int i = 0; i < 600; i++) longest = Math.max(longest, f.input(ReaderFuzz.Reader.CSV).length);
        assertTrue(longest > 20_000, "stretch mutations reach tens of KB: " + longest);
    }
}
