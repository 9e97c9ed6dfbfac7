package dev.descent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root command: {@code descent <verify|train|diagnose|bench|export|import|longterm> [options]}. */
@Command(name = "descent", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Train neural networks and prove the mechanics of optimisation.", ""},
        footer = {"", "Exit codes: 0 success, 1 failure (failed claim, missing or corrupt file), 2 usage error.",
            "Run 'descent COMMAND --help' for a command's options."})
public final class DescentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Read by {@link Main}'s error handlers from the arguments; declared so that picocli accepts it everywhere. */
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command; choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
