package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.chart.Chart;
import dev.descent.tensor.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run report of second-order optimisers: damping, CG iterations, reduction ratio ρ, step size. */
class SecondOrderReportTest {
    @TempDir
    Path dir;

    private static final List<String> SECOND_ORDER_PLOTS = List.of("damping.png", "cg-iterations.png", "reduction-ratio.png", "step-size.png");

    private Path run(String name, String... optimizer) throws IOException {
        Rng rng = new Rng(11);
        StringBuilder sb = new StringBuilder("x0,x1,label\n");
        for (int i = 0; i < 100; i++) {
            sb.append(String.format(Locale.ROOT, "%.5f,%.5f,%d%n", (i % 2 == 0 ? -1 : 1) + 0.7 * rng.nextGaussian(), 0.7 * rng.nextGaussian(), i % 2));
        }
        Path csv = Files.writeString(dir.resolve(name + ".csv"), sb.toString()), run = dir.resolve(name);
        String[] args = {"train", "--data", "csv:" + csv, "--hidden", "4", "--steps", "6", "--batch-size", "40", "--out", run.toString(),
            "--optimizer"};
        TrainCommandTest.ok(Cli.run(TrainCommandTest.with(args, optimizer)));
        return run;
    }

    private static double[] detail(List<Map<String, Object>> train, String key) {
        return train.stream().mapToDouble(m -> ((Number) ((Map<?, ?>) m.get("details")).get(key)).doubleValue()).toArray();
    }

    private static Chart.Series series(List<TrainingReport.Figure> figures, String file, int index) {
        return figures.stream().filter(f -> f.fileName().equals(file)).findFirst().orElseThrow().plot().series().get(index);
    }

    @Test
    void aHessianFreeRunPlotsItsDampingCgIterationsAndReductionRatio() throws IOException {
        Path run = run("hf", "hessian-free", "--cg-iterations", "20");
        String html = Files.readString(run.resolve("index.html"));
        for (String f : SECOND_ORDER_PLOTS) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
            assertTrue(html.contains("href=\"" + f + "\""), f + " on the page");
        }
        assertTrue(html.contains("Damping λ") && html.contains("Conjugate-gradient iterations per step")
                && html.contains("Reduction ratio rho"), "captions");
        // The plotted points are the step reports' numbers, step by step.
        List<Map<String, Object>> train = TrainCommandTest.records(run, "train");
        assertEquals(6, train.size());
        List<TrainingReport.Figure> figures = TrainingReport.figures(MetricsLog.read(run.resolve("metrics.jsonl")), null);
        assertArrayEquals(detail(train, "damping"), series(figures, "damping.png", 0).y(), 0.0);
        assertArrayEquals(detail(train, "cgIterations"), series(figures, "cg-iterations.png", 0).y(), 0.0);
        for (double it : detail(train, "cgIterations")) assertTrue(it >= 1 && it <= 20, "at most --cg-iterations: " + it);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, series(figures, "damping.png", 0).x(), 0.0);
        double[] ratio = detail(train, "ratio");
        Chart.Series rho = series(figures, "reduction-ratio.png", 0);
        // Rejected steps have no ρ (NaN in the report, null in the file) and no point.
        assertArrayEquals(java.util.Arrays.stream(ratio).filter(Double::isFinite).toArray(), rho.y(), 0.0);
        // The damping the next step used is the one this step chose (Levenberg-Marquardt on ρ).
        double[] used = detail(train, "damping"), next = detail(train, "nextDamping");
        for (int i = 0; i + 1 < used.length; i++) assertEquals(next[i], used[i + 1], 0.0, "step " + (i + 1));
    }

    @Test
    void lbfgsPlotsItsStepSizeAndFirstOrderRunsNone() throws IOException {
        Path lbfgs = run("lbfgs", "lbfgs");
        assertTrue(Files.isRegularFile(lbfgs.resolve("step-size.png")));
        for (String f : List.of("damping.png", "cg-iterations.png", "reduction-ratio.png")) assertFalse(Files.exists(lbfgs.resolve(f)), f);
        Path adam = run("adam", "adam");
        for (String f : SECOND_ORDER_PLOTS) assertFalse(Files.exists(adam.resolve(f)), f);
    }
}
