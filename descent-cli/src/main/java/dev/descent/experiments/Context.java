package dev.descent.experiments;

import dev.descent.chart.Chart;
import dev.descent.tensor.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an experiment receives: the run's seed, a generator derived from it, the output directory
 * and a place to put plots. One context per experiment run.
 */
public final class Context {
    private final String experimentId;
    private final long seed;
    private final Path outputDirectory;
    private final List<Chart> plots = new ArrayList<>();

    /** A context for experiment {@code experimentId} in a run with {@code seed}. */
    public Context(String experimentId, long seed, Path outputDirectory) {
        this.experimentId = experimentId;
        this.seed = seed;
        this.outputDirectory = outputDirectory;
    }

    /** The run's seed ({@code descent verify --seed}). */
    public long seed() {
        return seed;
    }

    /**
     * A fresh generator for this experiment, seeded by (seed, experiment id), so an experiment sees
     * the same numbers whether it runs alone ({@code --only}) or with the others, in any order.
     */
    public Rng rng() {
        return new Rng(seed * 0x9E3779B97F4A7C15L + experimentId.hashCode());
    }

    /** The report directory; files an experiment writes there should start with its id. */
    public Path outputDirectory() {
        return outputDirectory;
    }

    /** Adds a plot to the experiment's section of the report. */
    public void addPlot(Chart plot) {
        plots.add(plot);
    }

    /** The plots added so far. */
    public List<Chart> plots() {
        return List.copyOf(plots);
    }
}
