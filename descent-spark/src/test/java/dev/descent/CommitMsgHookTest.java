package dev.descent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's commit-msg hook ({@code .githooks/commit-msg}, enabled with
 * {@code git config core.hooksPath .githooks}) accepts a subject of up to 71 characters and
 * rejects one of 72 or more, counting characters rather than bytes and skipping comment lines.
 */
class CommitMsgHookTest {
    @TempDir
    Path dir;

    private static Path hook() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolveSibling(".githooks").resolve("commit-msg");
    }

    private int run(String message) throws IOException, InterruptedException {
        Path file = Files.writeString(dir.resolve("COMMIT_EDITMSG"), message, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("bash", hook().toString(), file.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    @Test
    void subjectsOf72CharactersOrMoreAreRejected() throws Exception {
        assertTrue(Files.isRegularFile(hook()), "missing " + hook());
        assumeTrue(new ProcessBuilder("bash", "-c", "true").start().waitFor() == 0, "no bash on this machine");
        assertEquals(0, run("x".repeat(71) + "\n\n" + "a long body line ".repeat(20) + "\n"));
        assertEquals(1, run("x".repeat(72) + "\n"));
        assertEquals(1, run("x".repeat(129) + "\n\nbody\n"));
        assertEquals(0, run("# Please enter the commit message\n\n" + "é".repeat(71) + "\n"), "characters, not bytes; comments skipped");
        assertEquals(1, run("\n# nothing but a comment\n"), "an empty subject");
    }
}
