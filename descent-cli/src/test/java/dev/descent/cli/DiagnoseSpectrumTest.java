package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Json;
import dev.descent.tensor.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent diagnose}: the Hessian's eigenvalues, trace and spectral density, printed, plotted and in diagnosis.json. */
class DiagnoseSpectrumTest {
    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static double[] doubles(Object o) {
        return ((List<?>) o).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }

    @Test
    void eigenvaluesTraceAndDensityAgreeOnASmallModel() throws IOException {
        Rng rng = new Rng(4);
        StringBuilder sb = new StringBuilder("x0,x1,label\n");
        for (int i = 0; i < 80; i++) {
            sb.append(String.format(Locale.ROOT, "%.5f,%.5f,%d%n", (i % 2 == 0 ? -1 : 1) + rng.nextGaussian(), rng.nextGaussian(), i % 2));
        }
        Path csv = Files.writeString(dir.resolve("blobs.csv"), sb.toString()), run = dir.resolve("run");
        // 2-3-2 MLP: 17 parameters, in float64 so that Hessian-vector products are accurate.
        TrainCommandTest.ok(Cli.run("train", "--data", "csv:" + csv, "--hidden", "3", "--activation", "tanh", "--steps", "5", "--batch-size", "32",
                "--dtype", "float64", "--out", run.toString()));
        Path checkpoint = new RunDirectory(run).checkpoint(5), out = dir.resolve("spectrum");
        Cli.Run r = TrainCommandTest.ok(Cli.run("diagnose", "--checkpoint", checkpoint.toString(), "--diagnostics",
                "hessian-eigenvalues,hessian-trace,hessian-density", "--out", out.toString()));
        assertTrue(r.out().contains("Hessian spectral density (SLQ, 10 probes × 17 Lanczos steps"), r.out());
        assertTrue(r.out().contains("numbers: " + out.resolve("diagnosis.json")), r.out());
        assertTrue(Files.isRegularFile(out.resolve("hessian-density.png")), "the density plot");
        assertTrue(Files.readString(out.resolve("index.html")).contains("href=\"hessian-density.png\""));

        Map<String, Object> json = Json.parseObject(Files.readString(out.resolve("diagnosis.json")), "diagnosis.json");
        assertEquals(5L, json.get("step"));
        Map<String, Object> diags = map(json.get("diagnostics"));
        assertEquals(List.of("hessian-eigenvalues", "hessian-trace", "hessian-density"), List.copyOf(diags.keySet()));
        double[] top = doubles(map(diags.get("hessian-eigenvalues")).get("eigenvalues"));
        Map<String, Object> trace = map(diags.get("hessian-trace"));
        Map<String, Object> density = map(diags.get("hessian-density"));
        double[] nodes = doubles(density.get("nodes")), weights = doubles(density.get("weights"));
        double[] grid = doubles(density.get("grid")), phi = doubles(density.get("density"));
        assertEquals(1024, grid.length);
        assertEquals(1024, phi.length);
        // The Gaussians lie within the grid (nodes ± 8σ) and it is fine enough: ∫φ = 1 to quadrature error.
        assertEquals(1, ((Number) density.get("integral")).doubleValue(), 1e-9);
        double sumW = 0;
        for (double w : weights) sumW += w;
        assertEquals(1, sumW, 1e-12);

        // With as many Lanczos steps as parameters, each probe's Lanczos process runs until its
        // Krylov space is invariant (at most 17 steps; fewer where eigenvalues repeat, e.g. the
        // softmax's shift symmetry gives zeros), so its nodes are exact eigenvalues of H: the
        // largest is λ1 of the eigenvalue diagnostic (a Rademacher probe has a component along
        // its eigenvector).
        assertTrue(nodes.length >= 10 && nodes.length <= 170, nodes.length + " nodes");
        double max = Double.NEGATIVE_INFINITY;
        for (double t : nodes) max = Math.max(max, t);
        assertEquals(top[0], max, 1e-8 * Math.max(1, Math.abs(top[0])));
        // n times the density's mean is Hutchinson's estimate of tr H with the SLQ probes
        // (Σ_k τ_k θ_k = vᵀHv per probe): it must agree with the trace diagnostic's estimate,
        // whose probes may differ, within the two estimates' combined error.
        double hutchinson = ((Number) trace.get("trace")).doubleValue(), se = ((Number) trace.get("standardError")).doubleValue();
        double slq = ((Number) density.get("traceEstimate")).doubleValue();
        assertEquals(slq, 17 * ((Number) density.get("mean")).doubleValue(), 1e-12 * Math.max(1, Math.abs(slq)));
        assertTrue(Math.abs(slq - hutchinson) <= 4 * Math.sqrt(2) * se + 1e-9, "SLQ tr H " + slq + " against " + hutchinson + " ± " + se);

        // By default the density (800 Hessian-vector products at full size) is not computed. A run
        // directory names its newest checkpoint.
        Path plain = dir.resolve("plain");
        Cli.Run byDir = TrainCommandTest.ok(Cli.run("diagnose", "--checkpoint", run.toString(), "--out", plain.toString()));
        assertTrue(byDir.out().startsWith("checkpoint: " + checkpoint + " (step 5"), byDir.out());
        Map<String, Object> byDefault = map(Json.parseObject(Files.readString(plain.resolve("diagnosis.json")), "d").get("diagnostics"));
        assertTrue(byDefault.containsKey("hessian-eigenvalues") && byDefault.containsKey("gradient-norms"), byDefault.keySet().toString());
        assertFalse(byDefault.containsKey("hessian-density") || byDefault.containsKey("hessian-trace"), byDefault.keySet().toString());
        assertFalse(Files.exists(plain.resolve("hessian-density.png")));
    }
}
