package dev.descent.spark;

import dev.descent.autodiff.Var;
import dev.descent.data.Batch;
import dev.descent.data.Dataset;
import dev.descent.nn.Module;
import dev.descent.optim.second.LossAndGradient;
import dev.descent.optim.second.ModelOracle;
import dev.descent.optim.second.Oracles;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.train.Objective;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * What an executor computes for one partition: the partition's rows of the step's batch, the
 * model at the broadcast parameters, and one of the quantities a step needs, as a sum over those
 * rows ({@link Partial}).
 *
 * <p>Every quantity is computed on the partition's mean loss L_p = (1/n_p) Σ_{i∈p} ℓ_i, exactly as
 * the single-JVM trainer computes it on the whole batch, and multiplied by n_p; the driver adds the
 * partitions' sums in partition order and divides by N = Σ n_p. Since all of Descent's objectives
 * are means of per-example terms of equal weight, (1/N) Σ_p n_p L_p is the batch's loss, and the
 * same holds for its gradient and for Hessian- and Gauss-Newton-vector products, which are linear
 * in the loss. Only the order of floating-point additions differs from the single-JVM run.
 *
 * <p>Models are kept per run in a small pool (one per task thread in use), built from the
 * {@link ModelSource} on first need; a model is used by one task at a time.
 */
final class Work {
    private Work() {}

    /** The quantity asked for. */
    enum Kind {
        /** Σ ℓ_i. */
        LOSS,
        /** Σ ℓ_i and Σ ∇ℓ_i. */
        LOSS_AND_GRADIENT,
        /** Σ ∇²ℓ_i v. */
        HESSIAN_VECTOR,
        /** Σ G_i v, the Gauss-Newton product. */
        GAUSS_NEWTON_VECTOR
    }

    private static final Map<String, Deque<Module>> POOL = new HashMap<>();
    private static final Map<String, Map<Long, Dataset>> DATA = new HashMap<>();
    private static String current;

    /** A model of run {@code run}, built on first use; return it with {@link #release}. */
    static Module acquire(String run, ModelSource source) {
        synchronized (POOL) {
            if (!run.equals(current)) {
                // A new run on this JVM: drop the previous run's models and decoded shards.
                POOL.clear();
                DATA.clear();
                current = run;
            }
            Module m = POOL.computeIfAbsent(run, k -> new ArrayDeque<>()).poll();
            if (m != null) return m;
        }
        Module m = source.build();
        m.train();
        return m;
    }

    static void release(String run, Module m) {
        synchronized (POOL) {
            if (run.equals(current)) POOL.computeIfAbsent(run, k -> new ArrayDeque<>()).push(m);
        }
    }

    /** The shard as a dataset in {@code dtype}, decoded once per run and JVM. */
    static Dataset dataset(String run, Shard shard, DType dtype, boolean cache) {
        if (!cache) return shard.toDataset().to(dtype);
        synchronized (POOL) {
            if (run.equals(current)) {
                Dataset d = DATA.computeIfAbsent(run, k -> new HashMap<>()).get(shard.start());
                if (d != null) return d;
            }
        }
        Dataset d = shard.toDataset().to(dtype);
        synchronized (POOL) {
            if (run.equals(current)) DATA.computeIfAbsent(run, k -> new HashMap<>()).put(shard.start(), d);
        }
        return d;
    }

    /**
     * The partition's sums.
     *
     * @param selection the global indices of the step's batch, or null for every row of the shard
     * @param cacheData whether the shard outlives the step (fixed data: decode once per run)
     */
    static Partial compute(int partition, Shard shard, int[] selection, boolean cacheData, String run, ModelSource source,
                           Objective objective, double[] at, double[] vector, Kind kind) {
        int[] local = null;
        int n = shard.count();
        if (selection != null) {
            local = shard.localIndices(selection);
            n = local.length;
        }
        if (n == 0) return new Partial(partition, 0, 0, null);
        Module model = acquire(run, source);
        try {
            Params template = model.trainable();
            DType dtype = template.asMap().values().iterator().next().dtype();
            Dataset data = dataset(run, shard, dtype, cacheData);
            Batch batch = local == null ? data.all() : data.batch(local);
            Var x = Var.constant(batch.features());
            ModelOracle oracle = Oracles.fromModel(vp -> model.apply(vp, x), out -> objective.loss(out, batch));
            Params p = template.unflatten(at);
            double scale = n;
            switch (kind) {
                case LOSS:
                    return new Partial(partition, n, scale * oracle.loss(p), null);
                case LOSS_AND_GRADIENT: {
                    LossAndGradient lg = oracle.lossAndGradient(p);
                    return new Partial(partition, n, scale * lg.loss(), scaled(lg.gradient(), scale));
                }
                case HESSIAN_VECTOR:
                    return new Partial(partition, n, 0, scaled(oracle.hessianVectorProduct(p, template.unflatten(vector)), scale));
                case GAUSS_NEWTON_VECTOR:
                    return new Partial(partition, n, 0, scaled(oracle.gaussNewtonVectorProduct(p, template.unflatten(vector)), scale));
                default:
                    throw new AssertionError(kind);
            }
        } finally {
            release(run, model);
        }
    }

    private static double[] scaled(Params v, double s) {
        double[] a = v.flatten();
        for (int i = 0; i < a.length; i++) a[i] *= s;
        return a;
    }
}
