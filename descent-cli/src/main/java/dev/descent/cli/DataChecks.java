package dev.descent.cli;

import dev.descent.io.Checkpoint;
import dev.descent.io.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code train} says about loaded data before building a model: the class names' mapping
 * (recorded in every checkpoint, and checked on resume so that a resumed run reads its labels as
 * the run did), and a warning when a classification has more classes than rows (typically a
 * regression column read as labels).
 */
final class DataChecks {
    private DataChecks() {}

    /** Checkpoint metadata key of the class names (a JSON array, by class index). */
    static final String CLASS_NAMES = "data.classes";

    /** Prints the class mapping and, for a file of rows ({@code rows}), the classes-versus-rows warning, if they apply. */
    static void report(TrainingData d, boolean rowsFile, PrintWriter err) {
        if (d.classMapping() != null) err.println("classes: " + d.classMapping());
        if (rowsFile && d.task() == null && d.isClassification()) {
            int rows = d.train().size() + d.test().size(), classes = d.outputSize();
            if (classes > rows) {
                err.println("warning: " + classes + " classes (the largest label + 1) but only " + rows + " rows: is the label column real-valued?"
                        + " (add ,regression to --data) or the labels sparse integers?");
            }
        }
        err.flush();
    }

    /** The metadata a checkpoint records about the data. */
    static Map<String, String> metadata(TrainingData d) {
        return d.classNames() == null ? Map.of() : Map.of(CLASS_NAMES, Json.writeObject(d.classNames()));
    }

    /**
     * @throws CommandFailure if the data's class names differ from those recorded in the checkpoint
     */
    static void requireSameClasses(Path file, Checkpoint checkpoint, TrainingData d) {
        String recorded = checkpoint.run().extra().get(CLASS_NAMES);
        String now = d.classNames() == null ? null : Json.writeObject(d.classNames());
        if (recorded == null ? now == null : recorded.equals(now)) return;
        throw new CommandFailure(file + ": the run's classes were " + (recorded == null ? "numbered labels" : recorded) + " but the data now gives "
                + (now == null ? "numbered labels" : now) + "; the file changed since the run started");
    }

}
