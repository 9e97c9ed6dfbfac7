package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.io.Checkpoint;
import dev.descent.io.Json;
import dev.descent.nn.Activation;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.WeightNorm;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import dev.descent.train.TrainingSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --norm weight}: Salimans &amp; Kingma's data-dependent initialisation on the first training batch. */
class WeightNormInitTest {
    @TempDir
    Path dir;

    /**
     * The largest deviation, over the Linear layers of {@code mlp} and their units, of the
     * per-unit mean from 0 and of the per-unit standard deviation (divisor B) from 1 of the
     * Linear's outputs on {@code x}.
     */
    static double worstStandardisation(Sequential mlp, Tensor x) {
        double worst = 0;
        Tensor h = x;
        for (int i = 0; i < mlp.size(); i++) {
            Module layer = mlp.get(i);
            h = layer.forward(h);
            if (!(layer instanceof WeightNorm<?>)) continue;
            int b = h.dim(0), units = h.dim(1);
            for (int j = 0; j < units; j++) {
                double mean = 0, sq = 0;
                for (int r = 0; r < b; r++) mean += h.get(r, j) / b;
                for (int r = 0; r < b; r++) sq += Math.pow(h.get(r, j) - mean, 2) / b;
                worst = Math.max(worst, Math.max(Math.abs(mean), Math.abs(Math.sqrt(sq) - 1)));
            }
        }
        return worst;
    }

    @Test
    void everyLayerIsStandardisedOnTheBatchGivenTheLayersBeforeIt() {
        Rng rng = new Rng(3);
        double[] v = new double[40 * 5];
        for (int i = 0; i < v.length; i++) v[i] = 3 + 2 * rng.nextGaussian();
        Tensor x = Tensor.wrap(v, 40, 5);
        Sequential mlp = ModelFactory.mlp(5, List.of(7, 6), 3, Activation.TANH, TrainingSpec.Norm.WEIGHT, new Rng(1), DType.F64);
        // Inputs of mean 3 and spread 2 through U(±1/√fan-in) weights: far from standardised before.
        assertTrue(worstStandardisation(mlp, x) > 0.1);
        ModelFactory.initFromData(mlp, x);
        // Each layer is initialised on the outputs of the initialised layers before it, so all
        // three are standardised at once; float64 rounding of sums of 40 terms of order 1.
        assertEquals(0, worstStandardisation(mlp, x), 1e-12);
    }

    private Path blobsCsv() throws IOException {
        Rng rng = new Rng(5);
        StringBuilder sb = new StringBuilder("x0,x1,label\n");
        for (int i = 0; i < 120; i++) {
            sb.append(String.format(Locale.ROOT, "%.5f,%.5f,%d%n", 4 + (i % 2 == 0 ? -1 : 1) + 0.5 * rng.nextGaussian(),
                    -3 + 0.5 * rng.nextGaussian(), i % 2));
        }
        return Files.writeString(dir.resolve("blobs.csv"), sb.toString());
    }

    @Test
    void trainStartsFromTheFirstBatchsInitialisationAndResumesBitForBit() throws IOException {
        Path csv = blobsCsv(), a = dir.resolve("a"), b = dir.resolve("b");
        String[] common = {"train", "--data", "csv:" + csv, "--norm", "weight", "--hidden", "6,5", "--batch-size", "16", "--steps", "8",
            "--checkpoint-every", "4", "--dtype", "float64"};
        TrainCommandTest.ok(Cli.run(TrainCommandTest.with(common, "--out", a.toString())));
        TrainCommandTest.ok(Cli.run(TrainCommandTest.with(common, "--out", b.toString())));

        // The model the run's configuration builds starts standardised on the first training
        // batch (the one step 1 trains on), and not on another batch of the same data.
        Map<String, Object> config = Json.parseObject(Files.readString(a.resolve("config.json")), "config.json");
        TrainingSpec t = TrainingSpec.fromJson(config, "config.json");
        TrainingData d = DataSource.parse(t.data().source()).load(t.run().seed(), t.data().testFraction());
        Sequential model = (Sequential) RunSetup.of(t, d).model();
        var batches = d.trainBatches(16);
        Tensor first = batches.next().features().to(DType.F64), second = batches.next().features().to(DType.F64);
        assertEquals(0, worstStandardisation(model, first), 1e-12);
        assertTrue(worstStandardisation(model, second) > 1e-3, "the statistics are the first batch's");

        // Resuming at step 4 repeats nothing of the initialisation: the checkpoint holds it.
        Files.delete(new RunDirectory(b).checkpoint(8));
        TrainCommandTest.ok(Cli.run("train", "--resume", new RunDirectory(b).checkpoint(4).toString()));
        TrainCommandTest.assertBitIdentical("parameters after step 8", Checkpoint.read(new RunDirectory(a).checkpoint(8)).parameters(),
                Checkpoint.read(new RunDirectory(b).checkpoint(8)).parameters());
        assertNotEquals(0, Checkpoint.read(new RunDirectory(a).checkpoint(8)).parameters().get("layers.0.bias").getFlat(0));
    }

    @Test
    void aBatchOfOneIsEnlargedToTwoSamples() throws IOException {
        // σ needs at least two samples: with --batch-size 1 the initialisation uses the first two.
        Path run = dir.resolve("one");
        TrainCommandTest.ok(Cli.run("train", "--data", "csv:" + blobsCsv(), "--norm", "weight", "--hidden", "4", "--batch-size", "1",
                "--steps", "2", "--out", run.toString()));
    }
}
