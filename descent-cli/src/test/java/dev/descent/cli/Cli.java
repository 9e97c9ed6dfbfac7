package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.experiments.ExperimentRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process, as {@code new CommandLine(...).execute(...)}, capturing output. */
final class Cli {
    private Cli() {}

    /** What one invocation printed and returned. */
    record Run(int exitCode, String out, String err) {
        /** A usage or run failure: exactly one stderr line starting "descent: ", no stack trace, no success. */
        Run assertOneLineError(int expectedExit, String... fragments) {
            assertEquals(expectedExit, exitCode, "exit code; stderr: " + err);
            assertTrue(err.startsWith("descent: "), "stderr starts with 'descent: ': " + err);
            assertEquals(1, err.lines().count(), "one stderr line: " + err);
            for (String f : fragments) assertTrue(err.contains(f), "stderr mentions '" + f + "': " + err);
            assertNoStackTrace();
            assertFalse(out.toLowerCase(java.util.Locale.ROOT).contains("passed") || out.contains("success"),
                    "no success claimed: " + out);
            return this;
        }

        void assertNoStackTrace() {
            assertFalse(err.contains("\tat ") || err.contains("Exception in thread"), "no stack trace: " + err);
        }
    }

    static Run run(String... args) {
        return run(ExperimentRegistry.standard(), args);
    }

    static Run run(ExperimentRegistry registry, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), registry).execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
