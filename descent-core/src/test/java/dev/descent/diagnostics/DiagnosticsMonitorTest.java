package dev.descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.io.Json;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DiagnosticsMonitorTest {
    /** Runs {@code steps} steps of clipped SGD on the problem, feeding the monitor. */
    private static Params train(SmallModels.Problem pr, int steps, double lr, double maxNorm, TrainingListener listener) {
        Params p = pr.params();
        for (int step = 0; step < steps; step++) {
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(pr.loss(), p);
            double norm = vg.grad().norm();
            ClipInfo clip = new ClipInfo(norm, maxNorm);
            Params update = vg.grad().scale(-lr * clip.scale());
            Params next = p.add(update);
            listener.onStep(StepContext.of(step, vg.value().item(), p, vg.grad(), update, next)
                    .withClip(clip).withLearningRate(lr).withLossFunction(pr.loss()));
            p = next;
        }
        return p;
    }

    @Test
    void runsEachDiagnosticOnItsScheduleAndMatchesDirectCalls() {
        SmallModels.Problem pr = SmallModels.mlp(6, 12, 3, 5, 2, DType.F64);
        List<DiagnosticRecord> records = new ArrayList<>();
        DiagnosticsMonitor monitor = DiagnosticsMonitor.builder()
                .every(1, Diagnostic.nonFinite())
                .every(5, Diagnostic.gradientNorms())
                .every(5, Diagnostic.updateRatios())
                .every(10, Diagnostic.clipping())
                .every(10, Diagnostic.curvatureAlongGradient())
                .every(10, Diagnostic.quadraticModel())
                .every(10, Diagnostic.hessianEigenvalues(2, 30, 1))
                .every(10, Diagnostic.hessianTrace(8, 2))
                .every(10, Diagnostic.spectralDensity(new HessianSpectrum.SlqOptions(2, 10, 0.05, 512), 3))
                .every(10, Diagnostic.weightNorm())
                .sink(records::add)
                .build();
        double lr = 0.1, maxNorm = 0.5;
        train(pr, 20, lr, maxNorm, monitor);

        List<Long> gradientSteps = new ArrayList<>();
        for (DiagnosticRecord r : records) if (r.diagnostic().equals("gradientNorms")) gradientSteps.add(r.step());
        assertEquals(List.of(0L, 5L, 10L, 15L), gradientSteps);
        assertTrue(records.stream().noneMatch(r -> r.diagnostic().equals("nonFinite")), "no non-finite values in a healthy run");
        assertTrue(records.stream().noneMatch(r -> r.diagnostic().equals("weightNorm")), "no WN layers, no records");

        // Step 10's records equal direct calls at that step's parameters.
        Params p10 = train(pr, 10, lr, maxNorm, ctx -> {});
        Params g10 = Autodiff.grad(pr.loss(), p10);
        DiagnosticRecord curvature = find(records, "curvature", 10);
        assertEquals(Curvature.alongGradient(pr.loss(), p10, g10).toMap(), curvature.values());
        DiagnosticRecord norms = find(records, "gradientNorms", 10);
        assertEquals(g10.norm(), (double) norms.values().get("global"), 1e-15 * g10.norm());
        DiagnosticRecord eig = find(records, "hessianEigenvalues", 10);
        assertEquals(2, ((double[]) eig.values().get("eigenvalues")).length);
        DiagnosticRecord clipping = find(records, "clipping", 10);
        assertEquals(11L, clipping.values().get("steps"));
        DiagnosticRecord density = find(records, "spectralDensity", 0);
        assertEquals(512, ((double[]) density.values().get("density")).length);

        Map<String, DiagnosticsMonitor.Timing> timings = new LinkedHashMap<>();
        for (DiagnosticsMonitor.Timing t : monitor.timings()) timings.put(t.diagnostic(), t);
        assertEquals(20, timings.get("nonFinite").calls());
        assertEquals(4, timings.get("gradientNorms").calls());
        assertEquals(2, timings.get("hessianTrace").calls());
    }

    /** The first NaN is reported once, naming the parameter and the index; later ones are not. */
    @Test
    void reportsTheFirstNonFiniteValueOnce() {
        List<DiagnosticRecord> records = new ArrayList<>();
        DiagnosticsMonitor monitor = DiagnosticsMonitor.builder().every(1, Diagnostic.nonFinite()).sink(records::add).build();
        Params ok = Params.of("fc.weight", Tensor.ones(DType.F64, 2, 2));
        double[] bad = {1, 1, 1, Double.NaN};
        Params nan = Params.of("fc.weight", Tensor.of(bad, 2, 2));
        Params zero = ok.zerosLike();
        monitor.onStep(StepContext.of(0, 1.0, ok, zero, zero, ok));
        monitor.onStep(StepContext.of(1, 1.0, ok, nan, zero, ok));
        monitor.onStep(StepContext.of(2, Double.NaN, ok, nan, nan, nan));
        assertEquals(1, records.size());
        DiagnosticRecord r = records.get(0);
        assertEquals(1, r.step());
        assertEquals("gradients", r.values().get("source"));
        assertEquals("fc.weight", r.values().get("parameter"));
        assertArrayEquals(new int[] {1, 1}, (int[]) r.values().get("index"));
        assertEquals("{\"step\":1,\"diagnostic\":\"nonFinite\",\"computeNanos\":" + r.computeNanos()
                + ",\"values\":{\"source\":\"gradients\",\"parameter\":\"fc.weight\",\"index\":[1,1],\"value\":\"NaN\"}}", Json.writeObject(r.asMap()));
    }

    /** Records serialise to one line of JSON: non-finite numbers as null, strings escaped, arrays and maps nested. */
    @Test
    void recordsSerialiseToJson() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("x", 0.25);
        v.put("inf", Double.POSITIVE_INFINITY);
        v.put("name", "a\"b\\c\n");
        v.put("arr", new double[] {1, Double.NaN, -2.5e-20});
        v.put("nested", Map.of("k", List.of(1, true)));
        v.put("missing", null);
        String json = Json.writeObject(new DiagnosticRecord(3, "test", v, 42).asMap());
        assertEquals("{\"step\":3,\"diagnostic\":\"test\",\"computeNanos\":42,\"values\":{\"x\":0.25,\"inf\":null,"
                + "\"name\":\"a\\\"b\\\\c\\n\",\"arr\":[1.0,null,-2.5E-20],\"nested\":{\"k\":[1,true]},\"missing\":null}}", json);
    }

    /** A gradient-flow diagnostic on a recurrent model reads W, U, b from the step's parameters. */
    @Test
    void gradientFlowDiagnosticReadsTheRecurrenceFromTheParameters() {
        Rng rng = new Rng(2);
        int h = 4, in = 2, steps = 6, batch = 3;
        Tensor xs = rng.normal(DType.F64, 0, 1, steps, batch, in);
        Params p = Params.of("rnn.w", TestMatrices.withSpectralNorm(rng, h, 0.8), "rnn.u", rng.normal(DType.F64, 0, 1, h, in),
                "rnn.b", rng.normal(DType.F64, 0, 1, h));
        Function<StepContext, RecurrenceSpec> spec = ctx -> new RecurrenceSpec(ctx.paramsBefore().get("rnn.w"),
                ctx.paramsBefore().get("rnn.u"), ctx.paramsBefore().get("rnn.b"), RecurrentActivation.TANH, xs,
                Tensor.zeros(DType.F64, h));
        List<DiagnosticRecord> records = new ArrayList<>();
        DiagnosticsMonitor monitor = DiagnosticsMonitor.builder()
                .every(1, Diagnostic.gradientFlow(spec, 1, states -> states.select(0, steps - 1).sum()))
                .sink(records::add).build();
        monitor.onStep(StepContext.of(0, 0, p, p.zerosLike(), p.zerosLike(), p));
        Map<String, Object> v = records.get(0).values();
        double[] norms = (double[]) v.get("jacobianNorms");
        assertEquals(steps + 1, norms.length);
        assertArrayEquals(GradientFlow.toEnd(spec.apply(StepContext.of(0, 0, p, p, p, p)), 1).jacobian().norms(), norms);
        assertEquals("VANISHING_GUARANTEED", v.get("regime"));
        assertEquals(steps, ((double[]) v.get("inputSensitivity")).length);
    }

    @Test
    void validatesTheScheduleAndTheInputs() {
        assertThrows(IllegalArgumentException.class, () -> DiagnosticsMonitor.builder().every(0, Diagnostic.gradientNorms()));
        assertThrows(IllegalArgumentException.class,
                () -> DiagnosticsMonitor.builder().every(1, Diagnostic.gradientNorms()).every(2, Diagnostic.gradientNorms()));
        assertThrows(IllegalStateException.class, () -> DiagnosticsMonitor.builder().build());
        Params p = Params.of("w", Tensor.ones(DType.F64, 2));
        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
                () -> StepContext.of(0, 0, p, Params.of("w", Tensor.ones(DType.F64, 3)), p, p));
        assertTrue(shapes.getMessage().contains("[2]") && shapes.getMessage().contains("[3]"), shapes.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StepContext.of(0, 0, p, p, p, p).withLearningRate(0));
        DiagnosticsMonitor needsLoss = DiagnosticsMonitor.builder().every(1, Diagnostic.curvatureAlongGradient()).sink(r -> {}).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> needsLoss.onStep(StepContext.of(0, 0, p, p, p, p)));
        assertTrue(e.getMessage().contains("curvature"), e.getMessage());
        assertFalse(Diagnostic.gradientNorms().compute(StepContext.of(0, 0, p, p, p, p)).isEmpty());
    }

    private static DiagnosticRecord find(List<DiagnosticRecord> records, String name, long step) {
        return records.stream().filter(r -> r.diagnostic().equals(name) && r.step() == step).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " record at step " + step));
    }

}
