package dev.descent.report;

import dev.descent.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * One self-contained HTML page: inline CSS, every image embedded as a base64 {@code data:} URI
 * (and also written as a PNG file beside the page, for use elsewhere), a summary table and one
 * section per item with its rows, figures, notes and PASS/FAIL badge. Opens offline in any
 * browser; no scripts. The page is written atomically (temporary file, then rename).
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** A checked figure: claim, measured value, bound, pass. */
    public record Line(String claim, String measured, String bound, boolean pass) {}

    /** An image: caption, the file name it is written under, and its PNG bytes. */
    public record Figure(String caption, String fileName, byte[] png) {
        /** Validates the file name (a plain name ending in .png). */
        public Figure {
            if (!fileName.matches("[A-Za-z0-9._-]+\\.png")) {
                throw new IllegalArgumentException("HtmlReport.Figure: file name must be [A-Za-z0-9._-]+.png, got '" + fileName + "'");
            }
        }
    }

    /**
     * One section: id and claim, whether it passed, its lines, figures and notes, an error message
     * (or {@code null}), its wall time in seconds, and why the claim holds: a short derivation
     * ({@code null} or empty for none), its reference's label (e.g. "SPEC.md §1.2") and the link to
     * it ({@code null}: the label is shown without a link).
     */
    public record Section(String id, String claim, boolean pass, List<Line> lines, List<Figure> figures, List<String> notes,
                          String error, double seconds, String why, String whyReference, String whyHref) {
        /** Copies the lists. */
        public Section {
            lines = List.copyOf(lines);
            figures = List.copyOf(figures);
            notes = List.copyOf(notes);
        }

        /** A section without a derivation. */
        public Section(String id, String claim, boolean pass, List<Line> lines, List<Figure> figures, List<String> notes, String error,
                       double seconds) {
            this(id, claim, pass, lines, figures, notes, error, seconds, null, null, null);
        }
    }

    /**
     * Writes every figure as {@code directory/fileName} and the page as {@code directory/index.html};
     * returns the page's path.
     */
    public static Path write(Path directory, String title, List<String> meta, List<Section> sections) throws IOException {
        Files.createDirectories(directory);
        for (Section s : sections) {
            for (Figure f : s.figures()) AtomicFiles.write(directory.resolve(f.fileName()), f.png());
        }
        Path index = directory.resolve("index.html");
        AtomicFiles.writeString(index, render(title, meta, sections));
        return index;
    }

    /** The page as a string. */
    public static String render(String title, List<String> meta, List<Section> sections) {
        long passed = sections.stream().filter(Section::pass).count();
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(escape(title)).append("</h1>\n");
        h.append("<p class=\"summary ").append(passed == sections.size() ? "pass" : "fail").append("\">")
                .append(passed).append(" of ").append(sections.size()).append(" passed")
                .append(passed == sections.size() ? "" : "; " + (sections.size() - passed) + " failed").append("</p>\n");
        if (!meta.isEmpty()) {
            h.append("<ul class=\"meta\">\n");
            for (String m : meta) h.append("<li>").append(escape(m)).append("</li>\n");
            h.append("</ul>\n");
        }
        h.append("<table class=\"overview\">\n<thead><tr><th>id</th><th>claim</th><th>measured</th><th>bound</th><th>result</th></tr></thead>\n<tbody>\n");
        for (Section s : sections) {
            for (Line l : s.lines()) {
                h.append("<tr><td><a href=\"#").append(anchor(s.id())).append("\">").append(escape(s.id())).append("</a></td><td>")
                        .append(escape(l.claim())).append("</td><td class=\"num\">").append(escape(l.measured()))
                        .append("</td><td class=\"num\">").append(escape(l.bound())).append("</td><td>").append(badge(l.pass()))
                        .append("</td></tr>\n");
            }
        }
        h.append("</tbody>\n</table>\n");
        for (Section s : sections) {
            h.append("<section id=\"").append(anchor(s.id())).append("\">\n<h2>").append(badge(s.pass())).append(' ')
                    .append(escape(s.id())).append("</h2>\n<p class=\"claim\">").append(escape(s.claim())).append("</p>\n");
            if (s.why() != null && !s.why().isEmpty()) {
                h.append("<p class=\"why\"><b>Why it holds</b>");
                if (s.whyReference() != null) {
                    h.append(" (");
                    if (s.whyHref() != null) {
                        h.append("<a href=\"").append(escape(s.whyHref())).append("\">").append(escape(s.whyReference())).append("</a>");
                    } else {
                        h.append(escape(s.whyReference()));
                    }
                    h.append(')');
                }
                h.append(": ").append(escape(s.why())).append("</p>\n");
            }
            if (s.error() != null) h.append("<p class=\"error\">").append(escape(s.error())).append("</p>\n");
            h.append("<table>\n<thead><tr><th>claim</th><th>measured</th><th>bound</th><th>result</th></tr></thead>\n<tbody>\n");
            for (Line l : s.lines()) {
                h.append("<tr><td>").append(escape(l.claim())).append("</td><td class=\"num\">").append(escape(l.measured()))
                        .append("</td><td class=\"num\">").append(escape(l.bound())).append("</td><td>").append(badge(l.pass()))
                        .append("</td></tr>\n");
            }
            h.append("</tbody>\n</table>\n");
            for (String n : s.notes()) h.append("<p class=\"note\">").append(escape(n)).append("</p>\n");
            for (Figure f : s.figures()) {
                h.append("<figure>\n<img alt=\"").append(escape(f.caption())).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(f.png())).append("\">\n<figcaption>").append(escape(f.caption()))
                        .append(" (<a href=\"").append(escape(f.fileName())).append("\">").append(escape(f.fileName()))
                        .append("</a>)</figcaption>\n</figure>\n");
            }
            h.append(String.format(java.util.Locale.ROOT, "<p class=\"time\">%.2f s</p>%n</section>%n", s.seconds()));
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static String badge(boolean pass) {
        return pass ? "<span class=\"badge pass\">PASS</span>" : "<span class=\"badge fail\">FAIL</span>";
    }

    private static String anchor(String id) {
        return "claim-" + id.replaceAll("[^A-Za-z0-9_-]", "-");
    }

    /** Escapes the five HTML-special characters. */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #202020; line-height: 1.45; }
            h1 { font-size: 1.6em; margin-bottom: 0.2em; }
            h2 { font-size: 1.2em; margin-top: 2em; border-top: 1px solid #ddd; padding-top: 1em; }
            table { border-collapse: collapse; width: 100%; margin: 0.8em 0; font-size: 0.92em; }
            th, td { text-align: left; padding: 0.3em 0.6em; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
            th { background: #f4f4f4; }
            td.num { font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; }
            .badge { display: inline-block; padding: 0.05em 0.5em; border-radius: 0.3em; font-weight: bold; font-size: 0.85em; color: #fff; }
            .badge.pass { background: #1a7f37; }
            .badge.fail { background: #cf222e; }
            .summary { font-weight: bold; font-size: 1.1em; }
            .summary.pass { color: #1a7f37; }
            .summary.fail { color: #cf222e; }
            .meta { color: #555; font-size: 0.9em; padding-left: 1.2em; }
            .claim { font-style: italic; }
            .why { background: #f6f8fa; border-left: 3px solid #8c959f; padding: 0.4em 0.8em; }
            .error { color: #cf222e; font-family: ui-monospace, monospace; }
            .note { color: #444; }
            .time { color: #888; font-size: 0.85em; text-align: right; }
            figure { margin: 1em 0; }
            figure img { max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
            figcaption { color: #555; font-size: 0.9em; }
            """;
}
