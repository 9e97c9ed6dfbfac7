package dev.descent.optim;

import dev.descent.optim.kernel.OptimizerKernels;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.Parallel;
import dev.descent.tensor.kernel.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fused elementwise loops over parameter trees: the optimisers' hot path.
 *
 * <p>An update such as Adam's needs the new first moment, the new second moment and the step
 * for every element; computed with one {@link Tensor} operation per term that is a dozen passes
 * over memory and as many temporary tensors. A {@link Kernel} computes all of its outputs in one
 * pass instead, and this class runs it over every tensor of one or more trees and wraps the
 * fresh output storages as new immutable tensors ({@link Tensor#wrap(Storage, int...)}).
 *
 * <p>One source for both dtypes: the loops live in {@code optim.kernel.OptimizerF64}, whose
 * float32 twin {@code OptimizerF32} is generated at build time; a kernel here calls the
 * {@link OptimizerKernels} of the tensors' dtype, chosen once per tensor. Float32 tensors are
 * therefore updated in float32 arithmetic, as PyTorch updates them (hyper-parameters, and
 * constants such as 1 − β, are computed in float64 and rounded once).
 */
final class Fused {
    private Fused() {}

    /**
     * One elementwise pass: reads {@code in[k][off..off+n)} and writes every
     * {@code out[j][off..off+n)} with the passes {@code k} of the tensors' dtype. Kernels must
     * touch no other index and must read each element before writing it (outputs may share an
     * input's storage); ranges of one tensor may run concurrently.
     */
    @FunctionalInterface
    interface Kernel {
        /** The pass over [off, off + n). */
        void run(OptimizerKernels k, int off, int n, Storage[] in, Storage[] out);
    }

    /**
     * Tensors from this size on are split between the threads of {@link Parallel}, as PyTorch's
     * elementwise kernels split theirs (grain 32768): below it the hand-off costs more than it saves.
     */
    static final int PARALLEL_MIN = 1 << 16;

    /** Elements per parallel task, a multiple of 64 so that vector loops stay aligned. */
    private static final int TASK = 1 << 15;

    private static void run(Kernel kernel, OptimizerKernels k, int n, Storage[] src, Storage[] dst) {
        if (n < PARALLEL_MIN || Parallel.threads() == 1) {
            kernel.run(k, 0, n, src, dst);
            return;
        }
        int tasks = (n + TASK - 1) / TASK;
        Parallel.forEach(tasks, t -> kernel.run(k, t * TASK, Math.min(TASK, n - t * TASK), src, dst));
    }

    /**
     * Runs {@code kernel} over tensors of equal shape and dtype and returns {@code outputs} new
     * tensors of that shape and dtype.
     */
    static Tensor[] map(String op, Kernel kernel, int outputs, Tensor... in) {
        return map(op, kernel, outputs, null, in);
    }

    /**
     * As {@link #map(String, Kernel, int, Tensor...)}, but when {@code into} is non-null output j
     * is written into the storage of input {@code into[j]} (which is returned as output j) instead
     * of a new one: the in-place update of a donated tensor. Kernels are elementwise and read
     * each element before writing it, so an output may share its input's storage.
     */
    static Tensor[] map(String op, Kernel kernel, int outputs, int[] into, Tensor... in) {
        Tensor first = in[0];
        for (int k = 1; k < in.length; k++) {
            if (!in[k].shape().equals(first.shape())) {
                throw new IllegalArgumentException(op + ": shapes " + first.shape() + " and " + in[k].shape() + " differ");
            }
            if (in[k].dtype() != first.dtype()) {
                throw new IllegalArgumentException(op + ": dtypes " + first.dtype() + " and " + in[k].dtype()
                        + " differ (gradients, parameters and optimiser state must share a dtype)");
            }
        }
        int n = first.size();
        int[] dims = first.dims();
        Storage[] src = new Storage[in.length];
        for (int k = 0; k < in.length; k++) src[k] = in[k].storage();
        Storage[] dst = new Storage[outputs];
        for (int j = 0; j < outputs; j++) dst[j] = into != null ? src[into[j]] : src[0].zeros(n);
        run(kernel, OptimizerKernels.of(src[0]), n, src, dst);
        Tensor[] result = new Tensor[outputs];
        for (int j = 0; j < outputs; j++) result[j] = into != null ? in[into[j]] : Tensor.wrap(dst[j], dims);
        return result;
    }
    /**
     * Runs {@code kernel} entry by entry over trees with the same names and shapes (checked
     * against the first tree) and returns {@code outputs} new trees in the first tree's order.
     */
    static Params[] map(String op, Kernel kernel, int outputs, Params... trees) {
        return map(op, kernel, outputs, null, trees);
    }

    /** The tree version of {@link #map(String, Kernel, int, int[], Tensor...)}: output j into tree {@code into[j]}, when non-null. */
    static Params[] map(String op, Kernel kernel, int outputs, int[] into, Params... trees) {
        Params first = trees[0];
        for (int k = 1; k < trees.length; k++) first.checkCompatible(op, trees[k]);
        List<String> names = first.names();
        List<LinkedHashMap<String, Tensor>> out = new ArrayList<>(outputs);
        for (int j = 0; j < outputs; j++) out.add(new LinkedHashMap<>());
        Tensor[] args = new Tensor[trees.length];
        for (String name : names) {
            for (int k = 0; k < trees.length; k++) args[k] = trees[k].get(name);
            Tensor[] r = map(op + " '" + name + "'", kernel, outputs, into, args);
            for (int j = 0; j < outputs; j++) out.get(j).put(name, r[j]);
        }
        Params[] result = new Params[outputs];
        for (int j = 0; j < outputs; j++) result[j] = Params.of((Map<String, Tensor>) out.get(j));
        return result;
    }

    /** {@code s · x} for every element of every tensor: one pass, one new tree. */
    static Params scale(String op, Params x, double s) {
        return map(op, (k, off, n, in, out) -> k.scale(off, n, in[0], s, null, out[0]), 1, x)[0];
    }

    /**
     * {@code p + s · x} for every element: a scaled update applied to the parameters in one pass,
     * written into the parameters' own storages when {@code inPlace}.
     */
    static Params scaleAndApply(String op, Params x, double s, Params params, boolean inPlace) {
        return map(op, (k, off, n, in, out) -> k.scale(off, n, in[0], s, in[1], out[0]), 1, inPlace ? new int[] {1} : null,
                x, params)[0];
    }

    /** {@code p + u} for every element. */
    static Params add(String op, Params p, Params u) {
        return map(op, (k, off, n, in, out) -> k.add(off, n, in[0], in[1], out[0]), 1, p, u)[0];
    }
}
