package dev.descent.cli;

import dev.descent.train.Evaluator;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingState;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * What {@code descent train} runs: the single-JVM {@link Trainer} of a {@link RunSetup}, or, with
 * {@code --spark}, a distributed loop from the {@code descent-spark} module, found through
 * {@link ServiceLoader} so that Spark never enters this module or the default jar.
 */
interface TrainingLoop extends AutoCloseable {
    /** The state before the first step. */
    TrainingState initialState();

    /** Trains from {@code from} to {@code config.steps()}, as {@link Trainer#run}. */
    TrainingState run(TrainingState from, TrainingConfig config, TrainingObserver observer);

    /** The held-out evaluation. */
    Evaluator evaluator();

    /** Releases what the loop holds (a Spark context). */
    @Override
    default void close() {}

    /** The single-JVM loop of {@code run}. */
    static TrainingLoop local(RunSetup run) {
        Trainer t = run.trainer();
        return new TrainingLoop() {
            @Override public TrainingState initialState() { return t.initialState(); }
            @Override public TrainingState run(TrainingState from, TrainingConfig config, TrainingObserver observer) {
                return t.run(from, config, observer);
            }
            @Override public Evaluator evaluator() { return t.evaluator(); }
        };
    }

    /** Builds distributed loops; the {@code descent-spark} module provides one. */
    interface Distributed {
        /**
         * The loop of {@code run} on {@code d}, distributed by {@code master} over
         * {@code partitions} partitions (null: the cluster's default parallelism).
         *
         * @throws CommandFailure when the cluster cannot be reached or the run cannot be distributed
         */
        TrainingLoop start(String master, Integer partitions, RunSetup run, TrainingData d, PrintWriter err);

        /**
         * The provider on the class path.
         *
         * @throws CommandFailure if there is none
         */
        static Distributed find() {
            Iterator<Distributed> it = ServiceLoader.load(Distributed.class, Distributed.class.getClassLoader()).iterator();
            if (!it.hasNext()) {
                throw new CommandFailure("--spark: the descent-spark module is not on the class path; run ./descent (which adds it "
                        + "when --spark is given) or spark-submit descent-spark/target/descent-spark.jar");
            }
            return it.next();
        }
    }
}
