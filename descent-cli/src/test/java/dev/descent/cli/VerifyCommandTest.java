package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.experiments.Context;
import dev.descent.experiments.Experiment;
import dev.descent.experiments.ExperimentRegistry;
import dev.descent.experiments.Result;
import dev.descent.experiments.Row;
import dev.descent.chart.Chart;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    @TempDir
    Path dir;

    @Test
    void onlyTheSelfTestPassesAndWritesAReportWithItsImageEmbedded() throws IOException {
        Path out = dir.resolve("report");
        Cli.Run r = Cli.run("verify", "--only", "gradcheck", "--out", out.toString(), "--seed", "3");
        assertEquals(0, r.exitCode(), r.err());
        r.assertNoStackTrace();
        assertTrue(r.out().contains("the claim passed"), r.out());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("id +claim +measured +bound +result"), lines.get(0));
        // Aligned columns: the "result" header and each PASS start in the same column.
        int col = lines.get(0).indexOf("result");
        assertEquals(2, lines.stream().filter(l -> l.length() > col && l.substring(col).equals("PASS")).count(), r.out());

        Path index = out.resolve("index.html");
        String html = Files.readString(index);
        assertTrue(html.contains("<span class=\"badge pass\">PASS</span> gradcheck"), "section with badge");
        assertTrue(html.contains("seed 3"));
        // The derivation is shown; the self-test is no SPEC claim, so it has no SPEC.md link.
        assertTrue(html.contains("<p class=\"why\"><b>Why it holds</b>: Central differences"), "derivation");
        Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        assertTrue(m.find(), "an embedded PNG");
        byte[] png = Base64.getDecoder().decode(m.group(1));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(img);
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
        assertArrayEquals(png, Files.readAllBytes(out.resolve("gradcheck-1.png")), "the same PNG is written beside the page");
        assertFalse(html.contains("<script"), "self-contained, no scripts");
    }

    @Test
    void unknownOnlyIdIsAUsageErrorListingTheValidIds() {
        Cli.run("verify", "--only", "gradcheck,9.9", "--out", dir.toString())
                .assertOneLineError(2, "unknown experiment id 9.9", "valid ids: gradcheck, 1.1, 1.2", "4.3");
        assertFalse(Files.exists(dir.resolve("index.html")), "nothing ran");
    }

    /** A registry with a passing, a failing and a throwing experiment, and one unwired claim. */
    private static ExperimentRegistry mixed() {
        return ExperimentRegistry.specClaims()
                .with(fixed("1.1", Result.of(Row.atMost("error small", 1e-14, 1e-12))
                        .withPlot(Chart.builder("p").line("s", new double[] {0, 1}, new double[] {0, 1}).build())))
                .with(fixed("2.1", Result.of(Row.atMost("agreement", 3e-5, 1e-10), Row.holds("finite", true))))
                .with(new Experiment() {
                    @Override public String id() { return "2.2"; }
                    @Override public String claim() { return "throws"; }
                    @Override public Result run(Context ctx) { throw new IllegalStateException("matrix is singular"); }
                });
    }

    private static Experiment fixed(String id, Result result) {
        return new Experiment() {
            @Override public String id() { return id; }
            @Override public String claim() { return "claim " + id; }
            @Override public Result run(Context ctx) { return result; }
        };
    }

    @Test
    void failingThrowingAndUnwiredClaimsAreFailRowsAndExitOne() throws IOException {
        Path out = dir.resolve("r");
        Cli.Run r = Cli.run(mixed(), "verify", "--only", "1.1,2.1,2.2,3.3", "--out", out.toString());
        assertEquals(1, r.exitCode());
        r.assertNoStackTrace();
        assertEquals("descent: verify: 3 of 4 claims failed: 2.1, 2.2, 3.3\n", r.err().substring(r.err().indexOf("descent: ")));
        assertFalse(r.out().contains("passed"), r.out());
        assertTrue(r.out().contains("threw IllegalStateException: matrix is"), r.out()); // wrapped at 40 columns
        assertTrue(r.out().contains("not run: no experiment wired yet"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("2.1") && l.contains("3.000e-05") && l.contains("≤ 1.000e-10")
                && l.endsWith("FAIL")), r.out());
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("1 of 4 passed; 3 failed"), "summary");
        assertTrue(html.contains("matrix is singular"));
        assertTrue(Files.exists(out.resolve("1.1-1.png")));
    }

    @Test
    void listShowsEveryClaimWithoutRunning() {
        Cli.Run r = Cli.run("verify", "--list");
        assertEquals(0, r.exitCode());
        for (String id : ExperimentRegistry.standard().ids()) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(id + " ")), id);
        }
    }

    @Test
    void anUnwritableOutputDirectoryFailsBeforeRunning() throws IOException {
        Path file = Files.writeString(dir.resolve("occupied"), "x");
        Cli.run("verify", "--only", "gradcheck", "--out", file.toString()).assertOneLineError(1, "occupied");
    }
}
