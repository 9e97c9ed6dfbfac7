package dev.descent.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * One training example of a {@code JavaRDD}: its features (row-major, of the run's sample shape)
 * and either regression targets or a class label.
 *
 * @param features the features
 * @param targets regression targets, or null for a labelled example
 * @param label the class label (ignored when {@code targets} is set)
 */
public record Example(double[] features, double[] targets, int label) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Rejects null features. */
    public Example {
        Objects.requireNonNull(features, "features");
    }

    /** A labelled example. */
    public static Example labelled(double[] features, int label) {
        return new Example(features, null, label);
    }

    /** A regression example. */
    public static Example regression(double[] features, double[] targets) {
        return new Example(features, Objects.requireNonNull(targets, "targets"), 0);
    }
}
