package dev.descent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.chart.Chart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    @TempDir
    Path dir;

    @Test
    void textIsEscapedAndImagesAreEmbeddedAndWritten() throws IOException {
        byte[] png = Plot.png(Chart.builder("x").line("s", new double[] {0, 1}, new double[] {1, 0}).build());
        HtmlReport.Section s = new HtmlReport.Section("1.2", "a < b & \"c\"", false,
                List.of(new HtmlReport.Line("‖x‖ ≤ 1", "<script>", "≤ 1e-12", false)),
                List.of(new HtmlReport.Figure("caption", "1.2-1.png", png)), List.of("note"), "boom", 0.5);
        Path index = HtmlReport.write(dir, "T", List.of("seed 0"), List.of(s));
        String html = Files.readString(index);
        assertTrue(html.contains("a &lt; b &amp; &quot;c&quot;"));
        assertTrue(html.contains("&lt;script&gt;"));
        assertFalse(html.contains("<script>"));
        assertTrue(html.contains("‖x‖ ≤ 1"));
        assertTrue(html.contains("data:image/png;base64," + Base64.getEncoder().encodeToString(png)));
        assertTrue(html.contains("0 of 1 passed; 1 failed"));
        assertEquals(png.length, Files.size(dir.resolve("1.2-1.png")));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left behind");
        }
        assertThrows(IllegalArgumentException.class, () -> new HtmlReport.Figure("c", "../x.png", png));
    }

    @Test
    void theDerivationIsShownWithItsLinkOrWithoutOne() {
        HtmlReport.Section linked = new HtmlReport.Section("2.3", "claim", true, List.of(), List.of(), List.of(), null, 0,
                "E[v_t] = (1−β^t) E[g] < ∞", "SPEC.md §2.3", "../SPEC.md#2-momentum");
        HtmlReport.Section plain = new HtmlReport.Section("2.2", "claim", true, List.of(), List.of(), List.of(), null, 0,
                "a derivation", "SPEC.md §2.2", null);
        HtmlReport.Section none = new HtmlReport.Section("x", "claim", true, List.of(), List.of(), List.of(), null, 0);
        String html = HtmlReport.render("T", List.of(), List.of(linked, plain, none));
        assertTrue(html.contains("<p class=\"why\"><b>Why it holds</b> (<a href=\"../SPEC.md#2-momentum\">SPEC.md §2.3</a>): "
                + "E[v_t] = (1−β^t) E[g] &lt; ∞</p>"), html);
        assertTrue(html.contains("<b>Why it holds</b> (SPEC.md §2.2): a derivation</p>"), html);
        assertEquals(2, html.split("class=\"why\"", -1).length - 1, "no derivation paragraph for the section without one");
    }
}
