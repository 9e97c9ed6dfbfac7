package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.nn.Activation;
import dev.descent.nn.Rnn;
import dev.descent.tensor.DType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The run specification: parsing, layering, resolving defaults and the JSON round trip. */
class TrainingSpecTest {
    private static final TrainingSpec.DataFacts ADDING = new TrainingSpec.DataFacts("the adding task", true, "adding", 0);

    private static TrainingSpec.DataFacts dataset(long rows) {
        return new TrainingSpec.DataFacts("a CSV of " + rows + " rows", false, null, rows);
    }

    /**
     * The fixed defaults that the help shows (through picocli's default-value provider) are the
     * values a run gets when the option is not given, and their text reads back as the default.
     */
    @Test
    void everyFixedDefaultIsWhatAnUnsetOptionResolvesTo() {
        TrainingSpec rnn = TrainingSpec.NONE.resolve(ADDING, Set.of());
        TrainingSpec mlp = TrainingSpec.NONE.resolve(dataset(1000), Set.of());
        Set<String> checked = new java.util.TreeSet<>();
        for (TrainingSpec.Option o : TrainingSpec.OPTIONS) {
            assertEquals(o.defaultValue() != null, o.description().contains(TrainingSpec.Option.DEFAULT_PLACEHOLDER), o.name());
            if (o.defaultValue() == null) {
                assertNull(o.defaultText(), o.name());
                continue;
            }
            assertEquals(o.defaultValue(), o.parse(o.defaultText()), o.name());
            Object resolved = o.getter().apply(rnn) != null ? o.getter().apply(rnn) : o.getter().apply(mlp);
            if (resolved != null) {
                assertEquals(o.defaultValue(), resolved, o.name());
                checked.add(o.name());
            }
        }
        // The others (beta1, beta2, eps, decay-factor, ...) stay unset and take the same constants in the optimisers.
        assertTrue(checked.containsAll(Set.of("test-fraction", "norm", "form", "init", "optimizer", "schedule", "batch-size", "seed",
                "dtype")), checked.toString());
        assertEquals("64", TrainingSpec.option("batch-size").defaultText());
        assertEquals("1e-8", TrainingSpec.option("eps").defaultText());
        assertEquals("act", TrainingSpec.option("form").defaultText());
        assertEquals("float32", TrainingSpec.option("dtype").defaultText());
    }

    @Test
    void everyOptionRoundTripsThroughJson() {
        TrainingSpec s = TrainingSpec.builder().set("data", "csv:x.csv").set("hidden", List.of(32L, 16L)).set("activation", "SIGMOID")
                .set("norm", "weight").set("optimizer", "rmsprop").set("lr", 0.02).set("momentum", "0.5").set("decay", 0.9)
                .set("eps", 1e-7).set("weight-decay", 0.0).set("clip", 2.0).set("schedule", "step").set("decay-every", 7L)
                .set("decay-factor", 0.5).set("batch-size", 8).set("steps", 70L).set("log-every", 2).set("diagnostics", "curvature,gradient-norms")
                .set("every", 5).set("seed", -3).set("dtype", "f64").set("test-fraction", 0.25).build();
        assertEquals(Activation.SIGMOID, s.model().activation());
        assertEquals(DType.F64, s.model().dtype());
        assertEquals(List.of("curvature", "gradient-norms"), s.diagnostics().names());
        assertEquals(-3, s.run().seed());
        Map<String, Object> json = s.toJson();
        assertEquals("float64", json.get("dtype"));
        assertEquals("sigmoid", json.get("activation"));
        assertEquals(List.of(32, 16), json.get("hidden"));
        assertEquals(s, TrainingSpec.fromJson(json, "x"));
        assertEquals(List.copyOf(json.keySet()), TrainingSpec.OPTIONS.stream().map(TrainingSpec.Option::name).filter(json::containsKey).toList(),
                "keys in option order");
        TrainingSpec rnn = TrainingSpec.builder().set("form", Rnn.Form.PRE_ACTIVATION).set("debias", true).build();
        assertEquals("pre", rnn.toJson().get("form"));
        assertEquals(rnn, TrainingSpec.fromJson(rnn.toJson(), "x"));
    }

    @Test
    void badValuesNameTheOptionTheValueAndTheSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingSpec.fromJson(Map.of("lr", -1L), "run.json"));
        assertEquals("run.json: Invalid value for option '--lr': must be a number > 0, got '-1'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingSpec.fromJson(Map.of("lrr", 1L), "run.json"));
        assertTrue(e.getMessage().startsWith("run.json: unknown option 'lrr' (known: data, test-fraction, "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingSpec.fromJson(Map.of("lr", Map.of()), "run.json"));
        assertEquals("run.json: option 'lr' needs a number, string, boolean, got an object", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingSpec.builder().set("hidden", "8,0"));
        assertEquals("Invalid value for option '--hidden': must be an integer >= 1, got '0'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainingSpec.OptimizerSpec("adam", 0.0, null, null, null, null, null, null,
                null, null, null, null, null));
        assertEquals("lr must be a number > 0, got 0.0", e.getMessage());
    }

    @Test
    void strongerLayersWinAndYieldingOnesStepAsideWhereTheyDoNotApply() {
        Map<String, Object> cli = new LinkedHashMap<>();
        cli.put("model", "lstm");
        cli.put("steps", "3");
        TrainingSpec.Layered g = TrainingSpec.layered(List.of(new TrainingSpec.Layer("the command line", cli, false),
                new TrainingSpec.Layer("file", Map.of("steps", 9L, "lr", 0.5), false),
                new TrainingSpec.Layer("default run", TrainingSpec.DEFAULT_RUN, true)));
        assertEquals(3L, g.spec().run().steps());
        assertEquals(0.5, g.spec().optimizer().learningRate());
        assertEquals(Set.of("data", "hidden", "activation", "form", "init", "optimizer", "schedule", "clip", "batch-size"), g.yielding());
        TrainingSpec r = g.spec().resolve(ADDING, g.yielding());
        assertNull(r.model().form());
        assertNull(r.model().activation());
        assertNull(r.model().init());
        // The same options from the user are errors, not silently dropped.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.spec().resolve(ADDING, Set.of()));
        assertEquals("--form applies to --model rnn only", e.getMessage());
        TrainingSpec sgd = TrainingSpec.builder().set("optimizer", "sgd").set("beta1", 0.8).build();
        e = assertThrows(IllegalArgumentException.class, () -> sgd.resolve(ADDING, Set.of()));
        assertEquals("--beta1 does not apply to --optimizer sgd (it applies to adam, adamw)", e.getMessage());
        assertNull(sgd.resolve(ADDING, Set.of("beta1")).optimizer().beta1());
    }

    @Test
    void resolvingFillsEveryDefaultOnceAndIsIdempotent() {
        TrainingSpec r = TrainingSpec.NONE.resolve(dataset(10_000), Set.of());
        assertEquals(TrainingSpec.ModelKind.MLP, r.model().kind());
        assertEquals(TrainingSpec.DEFAULT_MLP_HIDDEN, r.model().hidden());
        assertEquals(Activation.RELU, r.model().activation());
        assertEquals(TrainingSpec.Norm.NONE, r.model().norm());
        assertEquals(TrainingSpec.DEFAULT_OPTIMIZER, r.optimizer().name());
        assertEquals(TrainingSpec.DEFAULT_LEARNING_RATE.get("adam"), r.optimizer().learningRate());
        assertEquals("constant", r.schedule().name());
        long perEpoch = (10_000 + 63) / 64;
        assertEquals(perEpoch * TrainingSpec.DEFAULT_EPOCHS, r.run().steps());
        assertEquals(r.run().steps() / TrainingSpec.DEFAULT_CHECKPOINTS, r.run().checkpointEvery());
        assertEquals(r, r.resolve(dataset(10_000), Set.of()));
        assertEquals(r, TrainingSpec.fromJson(r.toJson(), "config.json").resolve(dataset(10_000), Set.of()));

        TrainingSpec rnn = TrainingSpec.NONE.resolve(ADDING, Set.of());
        assertEquals(TrainingSpec.ModelKind.RNN, rnn.model().kind());
        assertEquals(Rnn.Form.ACTIVATION, rnn.model().form());
        assertEquals(TrainingSpec.DEFAULT_TASK_STEPS, rnn.run().steps());
        assertThrows(IllegalArgumentException.class, () -> TrainingSpec.builder().set("epochs", 2).build().resolve(ADDING, Set.of()));
    }

    @Test
    void aSmallDatasetTrainsForTheMinimumStepsInWholeEpochs() {
        // 300 rows at 20% held out: 240 training rows, 4 batches of 64 per epoch; 5 epochs would be 20 steps.
        TrainingSpec r = TrainingSpec.NONE.resolve(dataset(240), Set.of());
        long steps = r.run().steps();
        assertTrue(steps >= TrainingSpec.MIN_DEFAULT_STEPS && steps < TrainingSpec.MIN_DEFAULT_STEPS + 4 && steps % 4 == 0, "steps " + steps);
        assertEquals(8L, TrainingSpec.builder().set("epochs", 2).build().resolve(dataset(240), Set.of()).run().steps(),
                "given epochs are honoured");
    }
}
