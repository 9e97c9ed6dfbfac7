package dev.descent.cli;

import dev.descent.experiments.ExperimentRegistry;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The entry point of {@code descent}. Builds the command line and applies the error policy:
 * <ul>
 *   <li>usage errors (unknown option, malformed or out-of-range value, unknown experiment id):
 *       one line {@code descent: <message> (see 'descent CMD --help')} on stderr, exit code 2;</li>
 *   <li>failures while running (missing or corrupt files, failed claims, anything thrown): one
 *       line {@code descent: <message>} on stderr, exit code 1;</li>
 *   <li>stack traces only with {@code --debug}.</li>
 * </ul>
 * Output is UTF-8.
 */
public final class Main {
    /** Exit code of a successful run. */
    public static final int OK = 0;
    /** Exit code of a failure while running. */
    public static final int FAILURE = 1;
    /** Exit code of a usage error. */
    public static final int USAGE = 2;

    private Main() {}

    /** Runs {@code descent} with {@code args} and exits with its exit code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs {@code descent} with {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        try {
            return commandLine(out, err).execute(args);
        } catch (Throwable t) { // an Error escaping picocli's handlers: still one line, still exit 1
            report(err, Errors.describe(t), t, debug(args));
            return FAILURE;
        }
    }

    /** The configured command line with the standard experiment registry. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, ExperimentRegistry.standard());
    }

    /** The configured command line, with {@code registry} behind {@code verify}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, ExperimentRegistry registry) {
        CommandLine cl = new CommandLine(new DescentCommand());
        cl.addSubcommand("verify", new VerifyCommand(registry));
        cl.addSubcommand("train", TrainCommand.command());
        cl.addSubcommand("diagnose", new DiagnoseCommand());
        cl.addSubcommand("bench", new BenchCommand());
        cl.addSubcommand("export", new ExportCommand());
        cl.addSubcommand("import", new ImportCommand());
        cl.addSubcommand("longterm", new LongtermCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            report(err, Errors.firstLine(ex.getMessage(), ex) + " (see '" + command + " --help')", ex, debug(args));
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof ParameterException pe) { // thrown by a command's own validation
                String command = pe.getCommandLine().getCommandSpec().qualifiedName();
                report(err, Errors.firstLine(pe.getMessage(), pe) + " (see '" + command + " --help')", pe, debug(parseResult.originalArgs()));
                return USAGE;
            }
            report(err, Errors.describe(ex), ex, debug(parseResult.originalArgs()));
            return FAILURE;
        });
        return cl;
    }

    private static boolean debug(String[] args) {
        return debug(Arrays.asList(args));
    }

    private static boolean debug(java.util.List<String> args) {
        for (String a : args) {
            if (a.equals("--")) return false;
            if (a.equals("--debug")) return true;
        }
        return false;
    }

    private static void report(PrintWriter err, String message, Throwable t, boolean debug) {
        err.println("descent: " + message);
        if (debug) t.printStackTrace(err);
        err.flush();
    }
}
