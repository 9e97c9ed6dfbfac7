package dev.descent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code descent diagnose}: loads a checkpoint and data and prints the diagnostics. Checks its
 * inputs now; the diagnostics themselves are wired in separately ("not wired yet" until then).
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Load a checkpoint and data, print the diagnostics and write their plots.", ""})
public final class DiagnoseCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "The checkpoint to diagnose.")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "SOURCE", converter = Converters.DataSourceConverter.class,
            description = "Data to evaluate on: " + DataSource.SYNTAX + " (default: the run's own).")
    DataSource data;

    @Option(names = "--out", paramLabel = "DIR", description = "Directory for the plots (default: beside the checkpoint).")
    Path out;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(checkpoint)) throw new NoSuchFileException(checkpoint.toString(), null, "no such checkpoint file");
        if (data != null) data.load(seed, 0.2);
        throw new CommandFailure("diagnose: not wired yet: checkpoints and diagnostics are not connected to the command in this build");
    }
}
