package dev.descent.cli;

import dev.descent.interop.TorchStateDict;
import dev.descent.io.Checkpoint;
import dev.descent.io.MalformedCheckpointException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code descent import --from torch FILE --into RUN}: loads a PyTorch state dict (a safetensors
 * file, e.g. {@code safetensors.torch.save_file(model.state_dict(), FILE)}) into the model of a
 * run's checkpoint ({@link TorchStateDict#load}: names, shapes and the twin layers as
 * {@code descent export} writes them) and writes the result as a new Descent checkpoint, which
 * {@code descent train --resume} and {@code descent diagnose} accept. The new checkpoint keeps
 * the run's step, configuration and optimiser state (moments of the old weights: resume with a
 * fresh optimiser by training a new run from this checkpoint's weights if that matters) and
 * records the imported file under the metadata key {@code import.torch}. Existing files are
 * never overwritten.
 */
@Command(name = "import", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Load a PyTorch state dict (safetensors) into a run's model; write a new checkpoint.", ""},
        footer = {"", "Example:", "  descent import --from torch model.safetensors --into runs/mlp",
            "  descent diagnose --checkpoint runs/mlp/imported-step-00001000.safetensors"})
public final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "FORMAT", description = "Source format: torch (the only one).")
    String from;

    @Option(names = "--into", required = true, paramLabel = "RUN", description = "The run directory (its latest checkpoint) or checkpoint whose model receives the weights.")
    Path into;

    @Option(names = "--out", paramLabel = "FILE", description = "The checkpoint to write (default: imported-step-N.safetensors in the run directory); must not exist.")
    Path out;

    @Parameters(paramLabel = "FILE", description = "The PyTorch state dict, a safetensors file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        if (!"torch".equals(from.toLowerCase(Locale.ROOT))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--from: unknown format '" + from + "' (expected torch)");
        }
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such state dict file");
        PrintWriter stdout = spec.commandLine().getOut();
        RunModel r = RunModel.load(into);
        Checkpoint old = r.checkpoint();
        Path target = out != null ? out
                : RunDirectory.runOf(r.file()).resolve(String.format(Locale.ROOT, "imported-step-%08d.safetensors", old.run().step()));
        if (Files.exists(target)) throw new CommandFailure(target + " exists; choose another --out (import never overwrites)");
        try {
            TorchStateDict.load(r.model(), file);
        } catch (IllegalArgumentException | MalformedCheckpointException e) {
            throw new CommandFailure(e instanceof MalformedCheckpointException ? e.getMessage()
                    : file + " does not fit the model of " + r.file().getFileName() + ": " + e.getMessage().replaceFirst("^" + file.getFileName() + ": ", ""), e);
        }
        Map<String, String> extra = new LinkedHashMap<>(old.run().extra());
        extra.put("import.torch", file.getFileName().toString());
        Checkpoint c = new Checkpoint(r.model().parameters(), r.model().buffers(), old.optimizerState(),
                new Checkpoint.RunInfo(old.run().step(), old.run().seed(), old.run().configuration(), extra));
        c.write(target);
        stdout.println("wrote " + target + " (" + RunSetup.describeModel(r.spec(), r.model().parameters().elementCount())
                + " with the weights of " + file.getFileName() + ")");
        return Main.OK;
    }
}
