package dev.descent.spark;

import dev.descent.optim.second.LossAndGradient;
import dev.descent.optim.second.ModelOracle;
import dev.descent.tensor.Params;
import dev.descent.train.Objective;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A {@link ModelOracle} for one step's batch whose every evaluation is one Spark job: the
 * parameters (and the vector of a product) are broadcast, each partition computes its sum
 * ({@link Work}), and the driver adds the partitions' results in partition order and divides by
 * the batch size. So a second-order method sees the batch's mean loss, gradient, H v and G v, as
 * on one JVM, with one distributed pass per product.
 *
 * <p>Determinism: {@code collect()} returns the results indexed by partition whatever order the
 * tasks finished in, and the sum runs over that array from partition 0 up, so a run's figures
 * depend on the partitioning only, never on scheduling or retries. (Spark's {@code treeAggregate}
 * and {@code reduce} merge partial results in completion order, so their floating-point sums can
 * differ from run to run.)
 *
 * <p>The loss and gradient at the first point asked for are remembered, as the single-JVM
 * trainer's oracle does, so the method's own first call at that point costs no second job.
 */
final class DistributedOracle implements ModelOracle {
    private final JavaSparkContext sc;
    private final SparkData.StepBatch batch;
    private final String run;
    private final ModelSource source;
    private final Objective objective;
    private final Params template;
    private final int fanIn;
    private final List<Broadcast<?>> broadcasts = new ArrayList<>();
    private Params broadcastAt;
    private Broadcast<double[]> broadcastParams;
    private Params rememberedAt;
    private LossAndGradient remembered;
    private int jobs;

    DistributedOracle(JavaSparkContext sc, SparkData.StepBatch batch, String run, ModelSource source, Objective objective,
                      Params template) {
        this(sc, batch, run, source, objective, template, 0);
    }

    /**
     * An oracle whose reduction has depth 2 when {@code fanIn ≥ 2} and there are more than
     * {@code fanIn} partitions (see {@link SparkTrainer#withTreeReduction}); 0: depth 1.
     */
    DistributedOracle(JavaSparkContext sc, SparkData.StepBatch batch, String run, ModelSource source, Objective objective,
                      Params template, int fanIn) {
        this.fanIn = fanIn;
        this.sc = sc;
        this.batch = batch;
        this.run = run;
        this.source = source;
        this.objective = objective;
        this.template = template;
    }

    /** Spark jobs run so far (one per loss, gradient or product). */
    int jobs() {
        return jobs;
    }

    @Override
    public double loss(Params at) {
        if (at == rememberedAt) return remembered.loss();
        return reduce(Work.Kind.LOSS, at, null).loss();
    }

    @Override
    public LossAndGradient lossAndGradient(Params at) {
        if (at == rememberedAt) return remembered;
        LossAndGradient lg = reduce(Work.Kind.LOSS_AND_GRADIENT, at, null);
        if (rememberedAt == null) {
            rememberedAt = at;
            remembered = lg;
        }
        return lg;
    }

    @Override
    public Params hessianVectorProduct(Params at, Params v) {
        return reduce(Work.Kind.HESSIAN_VECTOR, at, v).gradient();
    }

    @Override
    public Params gaussNewtonVectorProduct(Params at, Params v) {
        return reduce(Work.Kind.GAUSS_NEWTON_VECTOR, at, v).gradient();
    }

    /** Destroys the step's broadcasts. */
    void release() {
        for (Broadcast<?> b : broadcasts) b.destroy();
        broadcasts.clear();
    }

    private Broadcast<double[]> paramsBroadcast(Params at) {
        // Second-order methods ask for many products at one point: broadcast it once.
        if (at != broadcastAt) {
            broadcastParams = sc.broadcast(at.flatten());
            broadcasts.add(broadcastParams);
            broadcastAt = at;
        }
        return broadcastParams;
    }

    private LossAndGradient reduce(Work.Kind kind, Params at, Params v) {
        Broadcast<double[]> bp = paramsBroadcast(at);
        Broadcast<double[]> bv = null;
        if (v != null) {
            bv = sc.broadcast(v.flatten());
            broadcasts.add(bv);
        }
        List<Partial> parts = partials(kind, bp, bv);
        jobs++;
        boolean wantsVector = kind != Work.Kind.LOSS;
        double loss = 0;
        double[] sum = wantsVector ? new double[Math.toIntExact(template.elementCount())] : null;
        long n = 0;
        for (Partial p : parts) { // partition order: the reduction order is fixed
            n += p.count();
            loss += p.lossSum();
            if (wantsVector && p.vectorSum() != null) {
                double[] a = p.vectorSum();
                for (int i = 0; i < sum.length; i++) sum[i] += a[i];
            }
        }
        if (n != batch.size()) {
            throw new IllegalStateException("spark: the partitions held " + n + " rows of a batch of " + batch.size());
        }
        double inv = 1.0 / n;
        if (wantsVector) for (int i = 0; i < sum.length; i++) sum[i] *= inv;
        return new LossAndGradient(loss * inv, wantsVector ? template.unflatten(sum) : template);
    }

    private List<Partial> partials(Work.Kind kind, Broadcast<double[]> bp, Broadcast<double[]> bv) {
        JavaRDD<Shard> shards = batch.shards();
        Broadcast<int[]> sel = batch.selection();
        boolean fixed = batch.fixed();
        String run = this.run;
        ModelSource source = this.source;
        Objective objective = this.objective;
        JavaRDD<Partial> parts = shards.mapPartitionsWithIndex((p, it) -> {
            Shard s = it.next();
            return List.of(Work.compute(p, s, sel == null ? null : sel.value(), fixed, run, source, objective, bp.value(),
                    bv == null ? null : bv.value(), kind)).iterator();
        }, true);
        int n = parts.getNumPartitions(), k = fanIn;
        if (k < 2 || n <= k) return parts.collect();
        // Depth 2: partition p goes to group p / k, whose reducer sums its members sorted by
        // partition index; the driver then adds the groups in group order. Every addition's
        // order is fixed, whatever order the shuffle blocks arrive in.
        int groups = (n + k - 1) / k;
        List<Tuple2<Integer, Partial>> sums = parts.mapToPair(p -> new Tuple2<>(p.partition() / k, p))
                .groupByKey(new HashPartitioner(groups)).mapValues(DistributedOracle::sumInOrder).collect();
        List<Partial> out = new ArrayList<>();
        for (Tuple2<Integer, Partial> t : sums) out.add(t._2());
        out.sort(java.util.Comparator.comparingInt(Partial::partition));
        return out;
    }

    /** The members' sums added in partition order, as one partial (numbered by its first member's group). */
    static Partial sumInOrder(Iterable<Partial> members) {
        List<Partial> list = new ArrayList<>();
        for (Partial p : members) list.add(p);
        list.sort(java.util.Comparator.comparingInt(Partial::partition));
        int count = 0;
        double loss = 0;
        double[] vec = null;
        for (Partial p : list) {
            count += p.count();
            loss += p.lossSum();
            if (p.vectorSum() != null) {
                if (vec == null) vec = p.vectorSum().clone();
                else for (int i = 0; i < vec.length; i++) vec[i] += p.vectorSum()[i];
            }
        }
        return new Partial(list.get(0).partition(), count, loss, vec);
    }
}
