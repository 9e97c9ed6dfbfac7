package dev.descent.cli;

import dev.descent.io.Checkpoint;
import dev.descent.io.Json;
import dev.descent.nn.Module;
import dev.descent.tensor.Rng;
import dev.descent.train.TrainingSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A run's model rebuilt from one of its checkpoints: the architecture from the configuration the
 * checkpoint carries (with the run's data, which fixes the input and output sizes), the
 * parameters and buffers from the checkpoint itself.
 *
 * @param file the checkpoint file
 * @param checkpoint its contents
 * @param spec the resolved configuration
 * @param model the model holding the checkpoint's parameters and buffers
 */
record RunModel(Path file, Checkpoint checkpoint, TrainingSpec spec, Module model) {
    /**
     * Rebuilds the model of {@code runOrCheckpoint}: a checkpoint file, or a run directory (its
     * latest checkpoint).
     *
     * @throws CommandFailure naming the file when it records no configuration, names no data, or
     *     its configuration does not build a model its tensors fit
     */
    static RunModel load(Path runOrCheckpoint) throws IOException {
        Path file = RunDirectory.resolveCheckpoint(runOrCheckpoint);
        Checkpoint c = Checkpoint.read(file);
        String source = file + " (configuration)";
        Map<String, Object> config;
        try {
            config = Json.parseObject(c.run().configuration(), source);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
        if (config.isEmpty()) throw new CommandFailure(file + ": the checkpoint records no training configuration to rebuild its model from");
        TrainingSpec.Layered given;
        try {
            given = TrainingSpec.layered(List.of(new TrainingSpec.Layer(source, config, false)));
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
        if (given.spec().data().source() == null) throw new CommandFailure(file + ": the configuration names no data");
        TrainingData d = DataSource.load(given.spec(), source);
        TrainingSpec spec;
        Module model;
        try {
            spec = given.spec().resolve(RunSetup.facts(d), given.yielding());
            model = RunSetup.buildModel(spec, d, new Rng(spec.run().seed()));
            model.setParameters(c.parameters());
            model.setBuffers(c.buffers());
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(file + ": its configuration does not build the model its tensors belong to: " + e.getMessage(), e);
        }
        return new RunModel(file, c, spec, model);
    }
}
