package dev.descent.cli;

import dev.descent.data.AddingTask;
import dev.descent.data.CopyTask;
import dev.descent.data.CsvReader;
import dev.descent.data.Dataset;
import dev.descent.data.DatasetNotFoundException;
import dev.descent.data.FashionMnist;
import dev.descent.data.MultiplicationTask;
import dev.descent.data.SequenceTask;
import dev.descent.data.TemporalOrderTask;
import dev.descent.tensor.Rng;
import dev.descent.train.TrainingSpec;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where training data comes from, as written after {@code --data}:
 *
 * <pre>
 *   fashion-mnist[:DIR]                    the four IDX files (.gz or raw) in DIR, by default
 *                                          /usr/share/datasets/fashion-mnist (Debian package
 *                                          dataset-fashion-mnist); official train/test split
 *   csv:FILE[,label=COL][,header|,no-header][,regression]
 *                                          numeric CSV; COL is a header name or a 0-based index
 *                                          (negative from the end; default the last column);
 *                                          header auto-detected unless stated; integer class
 *                                          labels unless regression; a seeded held-out split
 *   parquet:PATH[,label=COL][,regression]
 *                                          a Parquet file or directory, read by Spark (needs
 *                                          --spark); numeric columns; COL as for csv
 *   adding:T | multiplication:T | temporal-order:T | copy:T
 *                                          synthetic long-term-dependency tasks of length T,
 *                                          fresh batches every step, fixed test set
 * </pre>
 *
 * {@link #parse} checks the syntax (a usage error if wrong); {@link #load} reads or generates the
 * data (a failure if a file is missing or corrupt). A CSV path cannot contain a comma.
 */
public sealed interface DataSource {
    /** The syntax summary, for help texts and error messages. */
    String SYNTAX = "fashion-mnist[:DIR] | csv:FILE[,label=COL][,header|,no-header][,regression] | "
            + "parquet:PATH[,label=COL][,regression] (with --spark) | adding:T | "
            + "multiplication:T | temporal-order:T | copy:T";

    /** Size of the fixed test set generated for synthetic tasks (as in the peer benchmark). */
    int SYNTHETIC_TEST_SIZE = 1000;

    /**
     * Reads or generates the data. {@code seed} fixes the CSV split, the synthetic test set
     * ({@code new Rng(seed + 2)}) and, through {@link TrainingData#trainBatches}, the training
     * batches ({@code seed + 1}), following the peer benchmark's convention.
     *
     * @param testFraction the held-out fraction for sources without their own test set (CSV)
     */
    TrainingData load(long seed, double testFraction) throws IOException;

    /** The canonical {@code --data} text of this source; {@code parse(spec())} describes the same source. */
    String spec();

    /** Fashion-MNIST from {@code directory}. */
    record FashionMnistSource(Path directory) implements DataSource {
        @Override
        public TrainingData load(long seed, double testFraction) throws IOException {
            FashionMnist.Splits s;
            try {
                s = FashionMnist.load(directory);
            } catch (DatasetNotFoundException e) {
                throw new CommandFailure(e.getMessage() + " or pass --data fashion-mnist:DIR", e);
            }
            return new TrainingData("Fashion-MNIST from " + directory, s.train(), s.test(), null, seed + 1);
        }

        @Override
        public String spec() {
            return "fashion-mnist:" + directory;
        }
    }

    /**
     * A CSV file read with {@code options}. Its {@code location} is kept as written: a plain path
     * or a {@code file:} URI is read here; with {@code --spark} any URI Spark's reader takes
     * ({@code hdfs://…}, {@code s3a://…}) is passed to it unchanged (a {@link Path} would fold
     * {@code //} and lose the authority).
     *
     * @param location the path or URI as given
     */
    record CsvSource(String location, CsvReader.Options options) implements DataSource {
        /** The local file: a plain path, or a {@code file:} URI's path. */
        public Path file() {
            if (!hasScheme(location)) return Path.of(location);
            URI u = URI.create(location);
            if ("file".equalsIgnoreCase(u.getScheme())) return Path.of(u);
            throw new CommandFailure("csv:" + location + ": a " + u.getScheme() + ": URI is read by Spark; add --spark MASTER, or copy the file here");
        }

        /**
         * Whether {@code location} is a URI ({@code scheme://…}, or {@code file:…}) rather than a
         * plain path (which may hold a colon, as in {@code runs/a:b.csv}).
         */
        public static boolean hasScheme(String location) {
            return location.matches("[A-Za-z][A-Za-z0-9+.-]*://.*") || location.regionMatches(true, 0, "file:", 0, 5);
        }

        @Override
        public TrainingData load(long seed, double testFraction) throws IOException {
            Path file = file();
            CsvReader.Table table = CsvReader.readTable(file, options);
            Dataset all = table.data();
            if (all.size() < 2) {
                throw new CommandFailure(file + ": only " + all.size() + " data row; need at least 2 to hold some out for testing");
            }
            int testCount = (int) Math.max(1, Math.min(all.size() - 1, Math.round(testFraction * all.size())));
            Dataset.Split split = all.split(testCount, seed);
            return new TrainingData("CSV " + file + " (" + all + ")", split.train(), split.test(), null, seed + 1, table.classNames());
        }

        @Override
        public String spec() {
            return "csv:" + location + (options.labelColumn() == null ? "" : ",label=" + options.labelColumn())
                    + (options.header() == CsvReader.Header.PRESENT ? ",header" : options.header() == CsvReader.Header.ABSENT ? ",no-header" : "")
                    + (options.task() == CsvReader.Task.REGRESSION ? ",regression" : "");
        }
    }

    /**
     * A Parquet file or directory (any path Spark reads: a local path, {@code hdfs://…},
     * {@code s3a://…}), read by Spark's own reader: only with {@code --spark}.
     *
     * @param path the path as given
     * @param labelColumn the label column's name or 0-based index (negative from the end), or null for the last
     * @param regression whether the label column holds regression targets
     */
    record ParquetSource(String path, String labelColumn, boolean regression) implements DataSource {
        @Override
        public TrainingData load(long seed, double testFraction) {
            throw new CommandFailure(spec() + ": Parquet data is read by Spark; add --spark MASTER (e.g. --spark local[*])");
        }

        @Override
        public String spec() {
            return "parquet:" + path + (labelColumn == null ? "" : ",label=" + labelColumn) + (regression ? ",regression" : "");
        }
    }

    /** A synthetic sequence task. */
    record TaskSource(SequenceTask task) implements DataSource {
        @Override
        public TrainingData load(long seed, double testFraction) {
            Dataset test = task.generate(SYNTHETIC_TEST_SIZE, new Rng(seed + 2));
            return new TrainingData(task.name() + " task, T = " + task.length() + "; trivial baseline " + task.trivialBaseline(),
                    null, test, task, seed + 1);
        }

        @Override
        public String spec() {
            return task.name() + ":" + task.length();
        }
    }

    /**
     * Loads the data a run specification names, with its seed and test fraction.
     *
     * @param origin where the specification came from (a checkpoint or config file), named in
     *     the message when its data source does not parse
     * @throws CommandFailure when the source does not parse
     */
    static TrainingData load(TrainingSpec spec, String origin) throws IOException {
        DataSource source;
        try {
            source = parse(spec.data().source());
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(origin + ": " + e.getMessage(), e);
        }
        return source.load(spec.run().seed(), spec.data().testFraction());
    }

    /**
     * Parses a {@code --data} value.
     *
     * @throws IllegalArgumentException with a one-line message naming the bad part and the syntax
     */
    static DataSource parse(String spec) {
        String s = spec.strip();
        int colon = s.indexOf(':');
        String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? null : s.substring(colon + 1);
        switch (kind) {
            case "fashion-mnist":
                if (rest != null && rest.isBlank()) throw new IllegalArgumentException("empty directory in '" + spec + "'");
                return new FashionMnistSource(rest == null ? FashionMnist.DEFAULT_DIRECTORY : Path.of(rest));
            case "csv":
                return parseCsv(spec, rest);
            case "parquet":
                return parseParquet(spec, rest);
            case "adding":
            case "multiplication":
            case "temporal-order":
            case "copy":
                if (rest == null || rest.isBlank()) {
                    throw new IllegalArgumentException("'" + spec + "' needs a sequence length: " + kind + ":T");
                }
                int t;
                try {
                    t = Integer.parseInt(rest.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("sequence length '" + rest + "' in '" + spec + "' is not an integer");
                }
                return new TaskSource(switch (kind) {
                    case "adding" -> new AddingTask(t);
                    case "multiplication" -> new MultiplicationTask(t);
                    case "temporal-order" -> new TemporalOrderTask(t);
                    default -> new CopyTask(t);
                });
            default:
                throw new IllegalArgumentException("unknown data source '" + spec + "'; expected " + SYNTAX);
        }
    }

    private static DataSource parseParquet(String spec, String rest) {
        if (rest == null || rest.isBlank() || rest.startsWith(",")) {
            throw new IllegalArgumentException("'" + spec + "' needs a path: parquet:PATH[,label=COL][,regression]");
        }
        String[] parts = rest.split(",", -1);
        String label = null;
        boolean regression = false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.startsWith("label=") && !p.substring("label=".length()).isBlank()) {
                label = p.substring("label=".length());
            } else if (p.equals("regression")) {
                regression = true;
            } else if (p.equals("classification")) {
                regression = false;
            } else {
                throw new IllegalArgumentException("unknown parquet option '" + p + "' in '" + spec + "'; expected label=COL, regression or classification");
            }
        }
        return new ParquetSource(parts[0].strip(), label, regression);
    }

    private static DataSource parseCsv(String spec, String rest) {
        if (rest == null || rest.isBlank() || rest.startsWith(",")) {
            throw new IllegalArgumentException("'" + spec + "' needs a file: csv:FILE[,label=COL][,header|,no-header][,regression]");
        }
        String[] parts = rest.split(",", -1);
        CsvReader.Options o = CsvReader.Options.defaults();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.startsWith("label=")) {
                String col = p.substring("label=".length());
                if (col.isBlank()) throw new IllegalArgumentException("empty label column in '" + spec + "'");
                o = o.withLabelColumn(col);
            } else if (p.equals("header")) {
                o = o.withHeader(CsvReader.Header.PRESENT);
            } else if (p.equals("no-header")) {
                o = o.withHeader(CsvReader.Header.ABSENT);
            } else if (p.equals("regression")) {
                o = o.withTask(CsvReader.Task.REGRESSION);
            } else if (p.equals("classification")) {
                o = o.withTask(CsvReader.Task.CLASSIFICATION);
            } else {
                throw new IllegalArgumentException("unknown csv option '" + p + "' in '" + spec
                        + "'; expected label=COL, header, no-header, regression or classification");
            }
        }
        String location = parts[0].strip();
        if (CsvSource.hasScheme(location)) {
            try {
                URI u = new URI(location);
                if (u.getScheme().equalsIgnoreCase("file")) Path.of(u); // file:/abs or file:///abs only
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + location + "' in '" + spec + "' is not a valid URI: " + e.getReason());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + location + "' in '" + spec + "' is not a file URI of an absolute path (file:///DIR/FILE)");
            }
        }
        return new CsvSource(location, o);
    }
}
