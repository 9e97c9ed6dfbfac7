package dev.descent.experiments;

/**
 * One numerical experiment that proves (or refutes) a claim.
 *
 * <p>Contract: {@link #run} computes the measured figures, compares each with its bound and
 * returns the rows; it decides PASS/FAIL only by that comparison. It draws randomness only from
 * {@link Context#rng()} (so a run is reproducible from the seed), writes files only under
 * {@link Context#outputDirectory()} (prefixed with its id), and adds plots with
 * {@link Context#addPlot}. It may throw: the runner records the exception as a failed row.
 * It must finish in seconds (the whole of {@code descent verify} has a budget of 3 minutes on
 * 2 cores).
 */
public interface Experiment {
    /** The claim's identifier, e.g. {@code "1.2"} for SPEC.md §1.2. */
    String id();

    /** The claim in one sentence, as the report states it. */
    String claim();

    /**
     * Why the claim holds, in two or three sentences of the derivation (SPEC.md's section of the
     * same id has the full statement); empty when the experiment gives none.
     */
    default String why() {
        return "";
    }

    /** Runs the experiment. */
    Result run(Context ctx) throws Exception;
}
