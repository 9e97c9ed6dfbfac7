package dev.descent.spark;

import dev.descent.data.Cursor;
import dev.descent.nn.Module;
import dev.descent.optim.ClipStats;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.OptimizerStates;
import dev.descent.optim.Step;
import dev.descent.optim.Updates;
import dev.descent.optim.second.LossAndGradient;
import dev.descent.optim.second.ModelOracle;
import dev.descent.optim.second.SecondOrderOptimizer;
import dev.descent.optim.second.SecondOrderStep;
import dev.descent.optim.second.StepReport;
import dev.descent.tensor.Params;
import dev.descent.train.Evaluator;
import dev.descent.train.Objective;
import dev.descent.train.StepMetrics;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingDivergedException;
import dev.descent.train.TrainingObserver;
import dev.descent.train.TrainingOptimizer;
import dev.descent.train.TrainingState;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Synchronous data-parallel training on Apache Spark: the single-JVM {@code Trainer}'s loop with
 * every batch quantity computed by the cluster.
 *
 * <p>One step: the driver picks the step's global batch ({@link SparkData}); first-order, one
 * Spark job gives the batch's mean loss and gradient (each partition sums over its rows of the
 * batch, the driver adds the partitions' sums in partition order and divides by the batch size,
 * see {@link DistributedOracle}), and the driver applies the optimiser's update
 * ({@link Updates#step}) exactly as the single-JVM trainer does; second-order, the method gets a
 * {@link ModelOracle} whose every loss, gradient, Hessian- and Gauss-Newton-vector product is one
 * such job, so {@code HessianFree}, {@code Lbfgs} and {@code CurvatureStep} run unchanged. The
 * parameters travel to executors as a broadcast {@code double[]}; models are built on executors
 * from a {@link ModelSource}.
 *
 * <p>Determinism: the reduction order is fixed (partition order), so two runs with the same seed
 * and partitioning give bit-identical parameters, retried tasks included; against the single-JVM
 * trainer on the same batches only the order of additions differs (float64: agreement to about
 * 1e-15 relative per step).
 *
 * <p>The same {@link TrainingState}s and {@link TrainingObserver} callbacks as the single-JVM
 * trainer, so {@code TrainingCheckpoints} writes and restores Spark runs unchanged and a resumed
 * run continues bit for bit. Not supported: models with buffers (batch normalisation: its
 * statistics couple the examples of a batch, so a batch is not a sum over partitions) and
 * diagnostics listeners.
 */
public final class SparkTrainer {
    private final JavaSparkContext sc;
    private final ModelSource source;
    private final Module model;
    private final Objective objective;
    private final TrainingOptimizer optimizer;
    private final SparkData data;
    private final SparkData.Batches batches;
    private final int batchSize;
    private final Evaluator evaluator;
    private final String run = UUID.randomUUID().toString();
    private long jobs;
    private int fanIn;

    /**
     * A trainer.
     *
     * @param source builds the model (on the driver now, on executors at the first step)
     * @param objective the loss
     * @param optimizer the optimiser, run on the driver
     * @param data the training data on the cluster
     * @param batchSize the global batch size of a step
     * @param seed the seed of the batch order (as the single-JVM {@code Batcher}'s)
     * @param evaluator held-out evaluation on the driver, or null for none
     * @throws IllegalArgumentException for a model with buffers or no trainable parameters, or
     *     one whose per-partition results would exceed {@code spark.driver.maxResultSize}
     */
    public SparkTrainer(ModelSource source, Objective objective, TrainingOptimizer optimizer, SparkData data, int batchSize,
                        long seed, Evaluator evaluator) {
        this(source.build(), source, objective, optimizer, data, batchSize, seed, evaluator);
    }

    /**
     * A trainer whose driver-side model is {@code model} (its current trainable parameters start
     * the run, e.g. after a data-dependent initialisation the executors' builds lack); otherwise
     * as {@link #SparkTrainer(ModelSource, Objective, TrainingOptimizer, SparkData, int, long, Evaluator)}.
     */
    public SparkTrainer(Module model, ModelSource source, Objective objective, TrainingOptimizer optimizer, SparkData data, int batchSize,
                        long seed, Evaluator evaluator) {
        this.source = Objects.requireNonNull(source, "source");
        this.objective = Objects.requireNonNull(objective, "objective");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.data = Objects.requireNonNull(data, "data");
        this.sc = data.context();
        this.model = Objects.requireNonNull(model, "model");
        this.evaluator = evaluator;
        this.batchSize = batchSize;
        if (batchSize < 1) throw new IllegalArgumentException("spark: batch size must be >= 1, got " + batchSize);
        if (model.buffers().count() > 0) {
            throw new IllegalArgumentException("spark: the model has buffers " + model.buffers().names()
                    + " (batch normalisation); its batch statistics couple the examples, so it cannot be trained data-parallel");
        }
        Params p = model.trainable();
        if (p.count() == 0) throw new IllegalArgumentException("spark: the model has no trainable parameters");
        checkResultSize(p.elementCount(), data.partitions(), sc.getConf());
        this.batches = data.batches(batchSize, seed);
    }

    /**
     * Sets what this trainer's jobs want of a Spark configuration, where {@code conf} does not
     * set it already (call before the context is created): {@code spark.task.maxDirectResultSize}
     * 64m, so that a partition's gradient sum (8 bytes a parameter; 1.6 MB for a 200k-parameter
     * MLP) comes back inside the task's status message rather than being stored in the
     * executor's block manager and fetched by the driver in a second round trip (Spark caps it
     * at {@code spark.rpc.message.maxSize}). See docs/performance.md, "Spark".
     *
     * @return {@code conf}
     */
    public static SparkConf configure(SparkConf conf) {
        return conf.setIfMissing("spark.task.maxDirectResultSize", "64m");
    }

    /**
     * Serialised bytes of one partition's result beyond its 8 bytes per parameter: the
     * {@link Partial}'s fields and Java serialisation headers, and the task's metrics, which
     * Spark ships (and counts) with every result. A generous bound: measured results carry a few
     * kilobytes.
     */
    static final long RESULT_OVERHEAD_BYTES = 64 * 1024;

    /**
     * Rejects a model whose gradient sums the driver cannot gather, before any job runs. Each
     * partition returns one float64 vector of the model's size (about 8·P + {@value
     * #RESULT_OVERHEAD_BYTES} bytes serialised); Spark serialises a task's result into one
     * buffer (under 2 GiB) and fails a job whose results add up to more than
     * {@code spark.driver.maxResultSize} (0: no limit). The parameters themselves travel as a
     * broadcast, which Spark cuts into blocks of {@code spark.broadcast.blockSize} and does not
     * cap, and a task's result over {@code spark.task.maxDirectResultSize} goes through the block
     * manager rather than an RPC message, so {@code spark.rpc.message.maxSize} does not bind.
     *
     * @param parameters the model's trainable parameters P
     * @param partitions the partitions whose results one job gathers
     * @param conf the session's configuration
     * @throws IllegalArgumentException naming the limit and the figures
     */
    public static void checkResultSize(long parameters, int partitions, SparkConf conf) {
        checkResultSize(parameters, partitions, conf.getSizeAsBytes("spark.driver.maxResultSize", "1g"));
    }

    static void checkResultSize(long parameters, int partitions, long maxResultSize) {
        long perPartition = 8 * parameters + RESULT_OVERHEAD_BYTES;
        if (parameters > Integer.MAX_VALUE - 8 || perPartition > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("spark: the model has " + parameters + " parameters; a partition's gradient sum of "
                    + 8 * parameters + " bytes would not fit one serialised task result (under 2 GiB)");
        }
        long bytes = perPartition * partitions;
        if (maxResultSize > 0 && bytes > maxResultSize) {
            throw new IllegalArgumentException("spark: the model's " + parameters + " parameters make " + partitions
                    + " partition results of about " + perPartition + " bytes (" + bytes + " in all) per job, over spark.driver.maxResultSize = "
                    + maxResultSize + " bytes; raise it (--conf spark.driver.maxResultSize=...) or use fewer partitions");
        }
    }

    /**
     * Reduces the partitions' results in a tree of depth 2: groups of {@code fanIn} consecutive
     * partitions are summed on executors (each group in partition order), the driver adds the
     * group sums in group order. The driver then takes in ⌈N/fanIn⌉ vectors instead of N, at the
     * price of a shuffle per job; still deterministic, but its rounding differs from the default
     * depth-1 sum. {@code fanIn} 0 (the default) or 1 restores depth 1.
     *
     * @return this trainer
     */
    public SparkTrainer withTreeReduction(int fanIn) {
        if (fanIn < 0) throw new IllegalArgumentException("spark: fan-in must be >= 0, got " + fanIn);
        this.fanIn = fanIn;
        return this;
    }

    /** The driver's model (holds the final parameters after {@link #run}). */
    public Module model() {
        return model;
    }

    /** The held-out evaluation, or null. */
    public Evaluator evaluator() {
        return evaluator;
    }

    /** Spark jobs run so far (one per distributed loss, gradient or product). */
    public long jobs() {
        return jobs;
    }

    /** The state before the first step: the model's parameters, a fresh optimiser, the start of the data. */
    public TrainingState initialState() {
        Params p = model.trainable();
        return new TrainingState(0, p, model.buffers(), optimizer.init(p), batches.cursor());
    }

    /**
     * Trains from {@code from} up to {@code config.steps()} steps, as the single-JVM trainer's
     * {@code run}: the same metrics, evaluations and checkpoints at the same steps.
     *
     * @throws TrainingDivergedException if a loss is not finite
     */
    public TrainingState run(TrainingState from, TrainingConfig config, TrainingObserver observer) {
        Objects.requireNonNull(observer, "observer");
        model.setTrainable(from.parameters());
        model.train();
        if (from.step() >= config.steps()) return from;
        batches.seek(from.cursor());
        Params params = from.parameters();
        Object state = from.optimizerState();
        for (long step = from.step() + 1; step <= config.steps(); step++) {
            SparkData.StepBatch batch = batches.next();
            DistributedOracle oracle = new DistributedOracle(sc, batch, run, source, objective, params, fanIn);
            Outcome o;
            try {
                o = optimizer instanceof TrainingOptimizer.FirstOrder fo
                        ? firstOrderStep(fo, oracle, params, state, step)
                        : secondOrderStep((TrainingOptimizer.SecondOrder) optimizer, oracle, params, state, step);
            } finally {
                jobs += oracle.jobs();
                oracle.release();
                batch.release();
            }
            if (!Double.isFinite(o.metrics.loss())) {
                throw new TrainingDivergedException(step, "training diverged at step " + step + ": the loss is " + o.metrics.loss()
                        + (optimizer instanceof TrainingOptimizer.FirstOrder ? " (try a smaller learning rate or gradient clipping)" : ""));
            }
            params = o.params;
            state = o.state;
            boolean last = step == config.steps();
            boolean evaluates = evaluator != null && (last || (config.evalEvery() > 0 && step % config.evalEvery() == 0));
            boolean checkpoints = last || (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0);
            if (step % config.logEvery() == 0 || last) observer.onStep(o.metrics);
            if (evaluates || checkpoints) model.setTrainable(params);
            if (evaluates) observer.onEvaluation(evaluator.evaluate(model, step));
            if (checkpoints) observer.onCheckpoint(new TrainingState(step, params, model.buffers(), state, batches.cursor()));
        }
        model.setTrainable(params);
        return new TrainingState(config.steps(), params, model.buffers(), state, batches.cursor());
    }

    /** Where the next step's batch will be read. */
    public Cursor cursor() {
        return batches.cursor();
    }

    private record Outcome(Params params, Object state, StepMetrics metrics) {}

    @SuppressWarnings("unchecked")
    private Outcome firstOrderStep(TrainingOptimizer.FirstOrder fo, DistributedOracle oracle, Params params, Object state, long step) {
        LossAndGradient lg = oracle.lossAndGradient(params);
        double loss = lg.loss();
        if (!Double.isFinite(loss)) return new Outcome(params, state, new StepMetrics(step, loss, Double.NaN, Double.NaN, Double.NaN, Map.of()));
        // Safe: the only states passed back are ones this transformation returned.
        GradientTransformation<Object> t = (GradientTransformation<Object>) fo.transformation();
        Step<Object> s = Updates.step(t, lg.gradient(), state, params);
        Optional<ClipStats> clip = OptimizerStates.find(s.state(), ClipStats.class);
        double gradNorm = clip.isPresent() ? clip.get().lastPreClipNorm() : lg.gradient().norm();
        StepMetrics metrics = new StepMetrics(step, loss, gradNorm, fo.learningRate().valueAt(step - 1),
                clip.isPresent() ? clip.get().lastScale() : Double.NaN, Map.of());
        return new Outcome(s.params(), s.state(), metrics);
    }

    @SuppressWarnings("unchecked")
    private Outcome secondOrderStep(TrainingOptimizer.SecondOrder so, DistributedOracle oracle, Params params, Object state, long step) {
        LossAndGradient lg = oracle.lossAndGradient(params);
        if (!Double.isFinite(lg.loss())) {
            return new Outcome(params, state, new StepMetrics(step, lg.loss(), Double.NaN, Double.NaN, Double.NaN, Map.of()));
        }
        // Safe: the only states passed back are ones this method returned.
        SecondOrderStep<Object, ? extends StepReport> s =
                ((SecondOrderOptimizer<ModelOracle, Object, ? extends StepReport>) so.method()).step(params, state, oracle);
        StepMetrics metrics = new StepMetrics(step, lg.loss(), lg.gradient().norm(), Double.NaN, Double.NaN, Trainer.describe(s.report()));
        return new Outcome(s.params(), s.state(), metrics);
    }
}
