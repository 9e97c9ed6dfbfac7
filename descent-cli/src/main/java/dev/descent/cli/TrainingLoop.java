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

    /** Opens distributed sessions; the {@code descent-spark} module provides one. */
    interface Distributed {
        /**
         * A session on {@code master} whose step batches are split over {@code partitions}
         * partitions (null: the cluster's default parallelism).
         *
         * @throws CommandFailure when the cluster cannot be reached
         */
        Session open(String master, Integer partitions, PrintWriter err);

        /**
         * Why a distributed run cannot apply the given options {@code spec}, as one line (a
         * usage error: exit 2), or null. Asked before a session is opened or data read.
         */
        default String refusal(dev.descent.train.TrainingSpec spec) {
            return null;
        }

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

    /** A running cluster: it reads data and builds the loop of a run. */
    interface Session extends AutoCloseable {
        /**
         * The data of {@code source}: read by the cluster where the source is a table
         * ({@code parquet:}, {@code csv:}), whose training rows then stay there (the returned
         * {@link TrainingData#train()} is a sample of them for the baseline and the model's
         * set-up); otherwise loaded on the driver as without a cluster.
         */
        TrainingData load(DataSource source, long seed, double testFraction) throws java.io.IOException;

        /**
         * Why this session cannot train {@code run} (an option it does not apply, its model
         * against the cluster's limits), as one line (a usage error: exit 2), or null. Asked
         * before the run directory is made and before any training job.
         */
        default String refusal(RunSetup run) {
            return null;
        }

        /** What the run's defaults depend on, with the full training-set size. */
        dev.descent.train.TrainingSpec.DataFacts facts(TrainingData d);

        /** The distributed loop of {@code run} on {@code d} (as returned by {@link #load}). */
        TrainingLoop loop(RunSetup run, TrainingData d);

        /** Stops the cluster session. */
        @Override
        void close();
    }
}
