package dev.descent.spark;

import dev.descent.data.Batcher;
import dev.descent.data.Cursor;
import dev.descent.data.Dataset;
import dev.descent.data.SequenceTask;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Training data on a Spark cluster, and the order in which a run reads it.
 *
 * <p>Fixed data (from a local {@link Dataset}, a {@code JavaRDD} of {@link Example}s or a table,
 * see {@link SparkTables}) is one cached {@link Shard} per partition; the rows are numbered
 * 0..N−1 in partition order, and step batches are drawn over those numbers exactly as
 * {@link Batcher} draws them over a local dataset of the same size and seed (shuffled epochs,
 * the final partial batch kept). So a local dataset laid out in the same order gives the
 * single-JVM trainer the same batches. Each step broadcasts the batch's row numbers; each
 * partition computes on the rows it holds.
 *
 * <p>Synthetic data (a {@link SequenceTask}) is generated on the driver, batch k from
 * {@code new Rng(key + k·φ)} as {@link SequenceTask#stream} documents, cut into equal contiguous
 * parts, one per partition, and cached for the step's products.
 *
 * <p>Shards cut on the driver (a local dataset, a synthetic batch) travel as one broadcast each,
 * read by a cached RDD of partition numbers, so that tasks stay small (see {@code ship}).
 */
public final class SparkData {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final JavaSparkContext sc;
    private final JavaRDD<Shard> shards;
    private final int size;
    private final SequenceTask task;
    private final int partitions;
    private final String description;
    private final List<Broadcast<Shard>> shipped;

    private SparkData(JavaSparkContext sc, JavaRDD<Shard> shards, int size, SequenceTask task, int partitions, String description) {
        this(sc, shards, size, task, partitions, description, List.of());
    }

    private SparkData(JavaSparkContext sc, JavaRDD<Shard> shards, int size, SequenceTask task, int partitions, String description,
                      List<Broadcast<Shard>> shipped) {
        this.shipped = shipped;
        this.sc = sc;
        this.shards = shards;
        this.size = size;
        this.task = task;
        this.partitions = partitions;
        this.description = description;
    }

    /**
     * {@code data} cut into {@code partitions} contiguous parts of near-equal size (rows keep
     * their order), parallelised and cached.
     */
    public static SparkData of(JavaSparkContext sc, Dataset data, int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("spark: partitions must be >= 1, got " + partitions);
        int n = data.size();
        List<Shard> list = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int from = (int) ((long) n * p / partitions), to = (int) ((long) n * (p + 1) / partitions);
            list.add(Shard.of(data, from, to, from));
        }
        Shipped shipped = ship(sc, list);
        return new SparkData(sc, shipped.rdd(), n, null, partitions, data + " in " + partitions + " partitions", shipped.broadcasts());
    }

    /** Driver-side shards on the cluster: one broadcast each, and the cached RDD that reads them. */
    private record Shipped(JavaRDD<Shard> rdd, List<Broadcast<Shard>> broadcasts) {}

    /**
     * Puts driver-side shards on the cluster as one broadcast per shard, read by a cached RDD of
     * partition numbers. ({@code sc.parallelize(shards)} would keep each shard inside its
     * partition object, which Spark serialises into every task of every job, cached or not: the
     * whole data set crossed the serialiser at every step.) A task fetches its shard's broadcast
     * once per executor; the cache keeps later tasks on the executor that holds the shard, and a
     * lost executor's partitions are rebuilt from the broadcasts, which the driver keeps.
     */
    private static Shipped ship(JavaSparkContext sc, List<Shard> shards) {
        List<Broadcast<Shard>> broadcasts = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        for (int p = 0; p < shards.size(); p++) {
            broadcasts.add(sc.broadcast(shards.get(p)));
            index.add(p);
        }
        List<Broadcast<Shard>> handles = List.copyOf(broadcasts);
        JavaRDD<Shard> rdd = sc.parallelize(index, shards.size()).map(p -> handles.get(p).value()).persist(StorageLevel.MEMORY_ONLY());
        return new Shipped(rdd, broadcasts);
    }

    /**
     * Examples of a {@code JavaRDD}, in its partitions and order: each partition becomes one
     * cached shard. Runs two Spark jobs (the partition sizes, then the shards).
     *
     * @param sampleShape the feature dims of one example (their product is the features' length)
     * @param classes the number of classes for labelled examples, 0 for regression
     * @param dtype the storage precision (the model's, ideally)
     * @throws IllegalArgumentException if there are no examples
     */
    public static SparkData fromExamples(JavaRDD<Example> examples, int[] sampleShape, int classes, DType dtype) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(examples.context());
        int[] shape = sampleShape.clone();
        long[] counts = examples.mapPartitions(it -> {
            long c = 0;
            while (it.hasNext()) {
                it.next();
                c++;
            }
            return List.of(c).iterator();
        }).collect().stream().mapToLong(Long::longValue).toArray();
        long[] starts = new long[counts.length];
        long total = 0;
        for (int p = 0; p < counts.length; p++) {
            starts[p] = total;
            total += counts[p];
        }
        if (total == 0) throw new IllegalArgumentException("spark: the data has no rows");
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("spark: " + total + " rows; at most 2^31 - 9 are supported");
        Broadcast<long[]> bStarts = sc.broadcast(starts);
        JavaRDD<Shard> rdd = examples.mapPartitionsWithIndex(
                (p, it) -> List.of(toShard(it, bStarts.value()[p], shape, classes, dtype == DType.F64)).iterator(), true)
                .persist(StorageLevel.MEMORY_ONLY());
        return new SparkData(sc, rdd, (int) total, null, counts.length,
                total + " rows of " + Arrays.toString(shape) + (classes > 0 ? ", " + classes + " classes" : ", regression")
                        + " in " + counts.length + " partitions");
    }

    private static Shard toShard(Iterator<Example> it, long start, int[] shape, int classes, boolean f64) {
        int width = 1;
        for (int d : shape) width *= d;
        List<Example> rows = new ArrayList<>();
        while (it.hasNext()) rows.add(it.next());
        int n = rows.size();
        double[] x = new double[n * width];
        int[] labels = classes > 0 ? new int[n] : null;
        int tw = -1;
        double[] y = null;
        for (int i = 0; i < n; i++) {
            Example e = rows.get(i);
            if (e.features().length != width) {
                throw new IllegalArgumentException("spark: row " + (start + i) + " has " + e.features().length + " features, expected "
                        + width);
            }
            System.arraycopy(e.features(), 0, x, i * width, width);
            if (classes > 0) {
                if (e.label() < 0 || e.label() >= classes) {
                    throw new IllegalArgumentException("spark: row " + (start + i) + " has label " + e.label() + ", outside [0, " + classes + ")");
                }
                labels[i] = e.label();
            } else {
                if (e.targets() == null) throw new IllegalArgumentException("spark: row " + (start + i) + " has no regression targets");
                if (tw < 0) {
                    tw = e.targets().length;
                    y = new double[n * tw];
                }
                if (e.targets().length != tw) {
                    throw new IllegalArgumentException("spark: row " + (start + i) + " has " + e.targets().length + " targets, expected " + tw);
                }
                System.arraycopy(e.targets(), 0, y, i * tw, tw);
            }
        }
        float[] x32 = f64 ? null : toFloat(x);
        if (classes > 0) return new Shard(start, n, shape, x32, f64 ? x : null, null, null, null, labels, 1, classes, false);
        int[] ts = new int[] {Math.max(tw, 0)};
        if (y == null) y = new double[0];
        return new Shard(start, n, shape, x32, f64 ? x : null, ts, f64 ? null : toFloat(y), f64 ? y : null, null, 0, 0, false);
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    /** Fresh batches of {@code task}, each split over {@code partitions} partitions. */
    public static SparkData synthetic(JavaSparkContext sc, SequenceTask task, int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("spark: partitions must be >= 1, got " + partitions);
        return new SparkData(sc, null, 0, Objects.requireNonNull(task, "task"), partitions,
                task.name() + ":" + task.length() + " in " + partitions + " partitions");
    }

    /** The number of partitions a step's batch is split over. */
    public int partitions() {
        return partitions;
    }

    /** The number of rows N of fixed data (0 for a synthetic task). */
    public int size() {
        return size;
    }

    /** The Spark context. */
    public JavaSparkContext context() {
        return sc;
    }

    /** A one-line description. */
    @Override
    public String toString() {
        return description;
    }

    /** Unpersists the cached shards and destroys their broadcasts. */
    public void release() {
        if (shards != null) shards.unpersist(false);
        for (Broadcast<Shard> b : shipped) b.destroy();
    }

    /** The run's step batches: {@code batchSize} rows per step in the order {@code seed} fixes. */
    Batches batches(int batchSize, long seed) {
        return task != null ? new SyntheticBatches(batchSize, seed) : new FixedBatches(batchSize, seed);
    }

    /** One step's batch on the cluster. */
    interface StepBatch {
        /** The shards, one per partition. */
        JavaRDD<Shard> shards();

        /** The batch's global row numbers, or null for every row of every shard. */
        Broadcast<int[]> selection();

        /** Whether the shards outlive the step (decoded once per run on executors). */
        boolean fixed();

        /** The batch size N. */
        int size();

        /** Frees what the step cached or broadcast. */
        void release();
    }

    /** An endless, seekable sequence of step batches (the {@code BatchStream} contract). */
    abstract static class Batches {
        abstract StepBatch next();

        abstract Cursor cursor();

        abstract void seek(Cursor c);
    }

    private final class FixedBatches extends Batches {
        private final Batcher order;

        FixedBatches(int batchSize, long seed) {
            // The order of Batcher itself, over placeholder rows: the batches' indices are all it needs.
            Tensor zeros = Tensor.zeros(DType.F32, size, 1);
            this.order = new Batcher(Dataset.regression(zeros, zeros), batchSize, seed);
        }

        @Override
        StepBatch next() {
            int[] idx = order.next().indices();
            Broadcast<int[]> b = sc.broadcast(idx);
            return new StepBatch() {
                @Override public JavaRDD<Shard> shards() { return shards; }
                @Override public Broadcast<int[]> selection() { return b; }
                @Override public boolean fixed() { return true; }
                @Override public int size() { return idx.length; }
                @Override public void release() { b.destroy(); }
            };
        }

        @Override
        Cursor cursor() {
            return order.cursor();
        }

        @Override
        void seek(Cursor c) {
            order.seek(c);
        }
    }

    private final class SyntheticBatches extends Batches {
        private final int batchSize;
        private final long key;
        private long index;

        SyntheticBatches(int batchSize, long seed) {
            if (batchSize < partitions) {
                throw new IllegalArgumentException("spark: batch size " + batchSize + " is smaller than the " + partitions + " partitions");
            }
            this.batchSize = batchSize;
            this.key = new Rng(seed).nextLong();
        }

        @Override
        StepBatch next() {
            Dataset d = task.generate(batchSize, new Rng(key + index * GOLDEN));
            index++;
            List<Shard> list = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                int from = (int) ((long) batchSize * p / partitions), to = (int) ((long) batchSize * (p + 1) / partitions);
                list.add(Shard.of(d, from, to, from));
            }
            Shipped shipped = ship(sc, list);
            return new StepBatch() {
                @Override public JavaRDD<Shard> shards() { return shipped.rdd(); }
                @Override public Broadcast<int[]> selection() { return null; }
                @Override public boolean fixed() { return false; }
                @Override public int size() { return batchSize; }
                @Override public void release() {
                    shipped.rdd().unpersist(false);
                    for (Broadcast<Shard> b : shipped.broadcasts()) b.destroy();
                }
            };
        }

        @Override
        Cursor cursor() {
            return new Cursor(0, index);
        }

        @Override
        void seek(Cursor c) {
            if (c.epoch() != 0) throw new IllegalArgumentException(task.name() + ": a synthetic stream has no epochs; cursor epoch must be 0, got " + c.epoch());
            index = c.position();
        }
    }
}
