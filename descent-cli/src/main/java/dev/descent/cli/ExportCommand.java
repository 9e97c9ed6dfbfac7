package dev.descent.cli;

import dev.descent.interop.TorchStateDict;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Module;
import java.io.PrintWriter;
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
 * {@code descent export --to torch RUN}: writes the model of a run's checkpoint as a PyTorch state
 * dict in a safetensors file ({@link TorchStateDict}), which the model's PyTorch twin loads with
 * {@code model.load_state_dict(safetensors.torch.load_file(FILE))}. The twin of an {@code mlp}
 * run is a module whose attribute {@code layers} is an {@code nn.Sequential} of
 * {@code nn.Linear}, {@code nn.BatchNorm1d}, activation modules and {@code weight_norm}-wrapped
 * Linears in Descent's order (or a bare {@code nn.Sequential} with {@code --plain-sequential});
 * of an {@code rnn}/{@code lstm} run, a module with {@code rnn = nn.RNN(in, H, nonlinearity)} (or
 * {@code lstm = nn.LSTM(in, H)}) and {@code readout = nn.Linear(H, out)}.
 *
 * <p>BatchNorm's {@code num_batches_tracked} is set to the checkpoint's step: Descent checkpoints
 * do not store the count, and {@code descent train} updates the running statistics once per step.
 * The reverse direction is {@code descent import} ({@link ImportCommand}).
 */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Write a run's model as a PyTorch state dict (safetensors).", ""},
        footer = {"", "Example:", "  descent export --to torch runs/mlp",
            "  python: model.load_state_dict(safetensors.torch.load_file('runs/mlp/torch-step-00001000.safetensors'))"})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "Target format: torch (the only one).")
    String to;

    @Option(names = "--out", paramLabel = "FILE", description = "Output file (default: torch-step-N.safetensors in the run directory).")
    Path out;

    @Option(names = "--plain-sequential", description = "Name an mlp's tensors as a bare nn.Sequential (0.weight, not layers.0.weight).")
    boolean plainSequential;

    @Parameters(paramLabel = "RUN", description = "A run directory (its latest checkpoint) or a checkpoint file.")
    Path run;

    @Override
    public Integer call() throws Exception {
        if (!"torch".equals(to.toLowerCase(Locale.ROOT))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--to: unknown format '" + to + "' (expected torch)");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        RunModel r = RunModel.load(run);
        long step = r.checkpoint().run().step();
        Module model = r.model();
        for (Module m : model.namedModules().values()) {
            if (m instanceof BatchNorm bn) bn.setBatchesTracked(step);
        }
        Path target = out != null ? out
                : RunDirectory.runOf(r.file()).resolve(String.format(Locale.ROOT, "torch-step-%08d.safetensors", step));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("descent.source", r.file().getFileName().toString());
        meta.put("descent.step", Long.toString(step));
        try {
            TorchStateDict.write(model, plainSequential, target, meta);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(r.file() + ": " + e.getMessage(), e);
        }
        stdout.println("wrote " + target + " (" + TorchStateDict.export(model, plainSequential).dtypes().size()
                + " tensors, PyTorch state dict of " + RunSetup.describeModel(r.spec(), model.parameters().elementCount()) + ")");
        return Main.OK;
    }
}
