package dev.descent.cli;

import dev.descent.chart.Chart;
import dev.descent.experiments.ExperimentRegistry;
import dev.descent.experiments.ExperimentRunner;
import dev.descent.report.HtmlReport;
import dev.descent.report.Plot;
import dev.descent.report.TextTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code descent verify}: runs the experiments, prints one table row per checked figure (claim,
 * measured, bound, PASS/FAIL), writes {@code <out>/index.html} with the plots embedded (and as PNG
 * files beside it), and exits 1 if any claim failed.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run the experiments that prove the claims of SPEC.md and write an HTML report.", ""},
        footer = {"", "Exit code 1 if any claim fails (a claim with no experiment wired yet counts as failed)."})
public final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "ID",
            description = "Run only these experiments (comma-separated ids, e.g. 1.2,2.1; see --list).")
    List<String> only;

    @Option(names = "--seed", converter = Converters.AnyLong.class, defaultValue = "0", paramLabel = "N",
            description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "report", paramLabel = "DIR",
            description = "Directory for index.html and the PNG plots (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--list", description = "List the experiment ids and claims, then exit.")
    boolean list;

    private final ExperimentRegistry registry;

    /** Verify with {@link ExperimentRegistry#standard()}. */
    public VerifyCommand() {
        this(ExperimentRegistry.standard());
    }

    /** Verify with a given registry (tests, or a build with more experiments). */
    public VerifyCommand(ExperimentRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        if (list) {
            TextTable t = new TextTable(List.of("id", "experiment", "claim"), 0, 0, 72);
            for (ExperimentRegistry.Entry e : registry.entries()) t.add(e.id(), e.wired() ? "wired" : "not wired yet", e.claim());
            stdout.print(t.render());
            stdout.flush();
            return 0;
        }
        List<ExperimentRegistry.Entry> entries;
        try {
            entries = only == null ? registry.entries() : registry.select(only);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--only: " + e.getMessage());
        }
        java.nio.file.Files.createDirectories(out); // fail before running anything if the report cannot be written

        Instant started = Instant.now();
        long t0 = System.nanoTime();
        List<ExperimentRunner.Outcome> outcomes = new ArrayList<>();
        List<HtmlReport.Section> sections = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            ExperimentRegistry.Entry e = entries.get(i);
            ExperimentRunner.Outcome o = ExperimentRunner.run(e, seed, out);
            HtmlReport.Section section = section(o);
            outcomes.add(o);
            sections.add(section);
            stderr.printf(Locale.ROOT, "[%d/%d] %s %s (%.1f s)%n", i + 1, entries.size(), e.id(), section.pass() ? "PASS" : "FAIL",
                    o.seconds());
            stderr.flush();
        }
        double total = (System.nanoTime() - t0) * 1e-9;

        TextTable table = new TextTable(List.of("id", "claim", "measured", "bound", "result"), 0, 56, 40, 24, 0);
        for (int i = 0; i < outcomes.size(); i++) {
            for (HtmlReport.Line l : sections.get(i).lines()) {
                table.add(outcomes.get(i).entry().id(), l.claim(), l.measured(), l.bound(), l.pass() ? "PASS" : "FAIL");
            }
        }
        List<String> meta = List.of(
                "seed " + seed + (only == null ? "" : "; only " + String.join(", ", only)),
                "descent " + VersionProvider.version() + " on Java " + System.getProperty("java.version") + ", "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                        + Runtime.getRuntime().availableProcessors() + " cores",
                "started " + started.truncatedTo(ChronoUnit.SECONDS) + String.format(Locale.ROOT, "; total %.1f s", total));
        Path index = HtmlReport.write(out, "Descent verify report", meta, withDerivations(sections, outcomes, specFile()));

        stdout.print(table.render());
        List<String> failed = new ArrayList<>();
        for (HtmlReport.Section s : sections) if (!s.pass()) failed.add(s.id());
        stdout.printf(Locale.ROOT, "%nreport: %s (%.1f s)%n", index, total);
        stdout.flush();
        if (!failed.isEmpty()) {
            throw new CommandFailure("verify: " + failed.size() + " of " + sections.size() + (sections.size() == 1 ? " claim" : " claims")
                    + " failed: "
                    + String.join(", ", failed));
        }
        stdout.println(sections.size() == 1 ? "the claim passed" : "all " + sections.size() + " claims passed");
        stdout.flush();
        return 0;
    }

    /**
     * SPEC.md, if it can be found: in the working directory or an ancestor, either directly or in
     * a {@code shared} folder beside it (the project keeps it in {@code ../shared} of the repository).
     */
    static Path specFile() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            for (Path candidate : List.of(p.resolve("SPEC.md"), p.resolve("shared").resolve("SPEC.md"))) {
                if (java.nio.file.Files.isRegularFile(candidate)) return candidate;
            }
        }
        return null;
    }

    /** Each section with its experiment's derivation and a link to the SPEC.md section, relative to the report. */
    private List<HtmlReport.Section> withDerivations(List<HtmlReport.Section> sections, List<ExperimentRunner.Outcome> outcomes, Path specFile) {
        List<HtmlReport.Section> out2 = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            HtmlReport.Section s = sections.get(i);
            ExperimentRegistry.Entry e = outcomes.get(i).entry();
            String why = e.wired() ? e.experiment().why() : null;
            String anchor = ExperimentRegistry.specAnchor(s.id());
            String label = anchor == null ? null : "SPEC.md §" + s.id();
            String href = null;
            if (anchor != null && specFile != null) {
                href = out.toAbsolutePath().normalize().relativize(specFile).toString().replace(java.io.File.separatorChar, '/')
                        + "#" + anchor;
            }
            out2.add(new HtmlReport.Section(s.id(), s.claim(), s.pass(), s.lines(), s.figures(), s.notes(), s.error(), s.seconds(), why,
                    label, href));
        }
        return out2;
    }

    /** The report section of one outcome; a plot that cannot be rendered fails the section. */
    static HtmlReport.Section section(ExperimentRunner.Outcome o) {
        List<HtmlReport.Figure> figures = new ArrayList<>();
        List<HtmlReport.Line> lines = o.rows().stream().map(r -> new HtmlReport.Line(r.claim(), r.measured(), r.bound(), r.pass()))
                .collect(Collectors.toList());
        String error = o.error();
        String stem = o.entry().id().replaceAll("[^A-Za-z0-9._-]", "_");
        for (int k = 0; k < o.plots().size(); k++) {
            Chart p = o.plots().get(k);
            try {
                figures.add(new HtmlReport.Figure(p.title(), stem + "-" + (k + 1) + ".png", Plot.png(p)));
            } catch (RuntimeException ex) {
                String why = "plot " + (k + 1) + " ('" + p.title() + "') could not be rendered: " + Errors.firstLine(ex.getMessage(), ex);
                lines.add(new HtmlReport.Line("the report's plots render", "failed", "rendered", false));
                error = error == null ? why : error + "; " + why;
            }
        }
        boolean pass = error == null && o.passed();
        return new HtmlReport.Section(o.entry().id(), o.entry().claim(), pass, lines, figures, o.notes(), error, o.seconds());
    }
}
