package dev.descent.optim;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
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
 * fresh output arrays as new immutable tensors ({@link Tensor#wrap(double[], int...)}).
 *
 * <p>One source for both dtypes: kernels are written once, on {@code double[]}. For float64
 * tensors they read the backing arrays directly ({@link Tensor#rawF64()}, never written). For
 * float32 tensors the loop streams blocks of {@value #BLOCK} elements through per-thread
 * {@code double} scratch buffers: still one pass over the tensors' memory, arithmetic in float64,
 * each output rounded once to float32 (PyTorch computes float32 updates in float32, so float32
 * results can differ from it in the last bit; float64 results follow PyTorch's operation order).
 */
final class Fused {
    private Fused() {}

    /** Elements per float32 block: small enough for L1, large enough to amortise the call. */
    static final int BLOCK = 1024;

    /**
     * One elementwise pass: reads {@code in[k][0..n)} and writes every {@code out[j][0..n)}.
     * Kernels must touch no other index (they receive whole arrays for float64 and scratch
     * blocks for float32) and must not write their inputs.
     */
    @FunctionalInterface
    interface Kernel {
        void run(int n, double[][] in, double[][] out);
    }

    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[8][BLOCK]);

    /**
     * Runs {@code kernel} over tensors of equal shape and dtype and returns {@code outputs} new
     * tensors of that shape and dtype.
     */
    static Tensor[] map(String op, Kernel kernel, int outputs, Tensor... in) {
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
        Tensor[] result = new Tensor[outputs];
        if (first.dtype() == DType.F64) {
            double[][] src = new double[in.length][];
            for (int k = 0; k < in.length; k++) src[k] = in[k].rawF64();
            double[][] dst = new double[outputs][];
            for (int j = 0; j < outputs; j++) dst[j] = new double[n];
            kernel.run(n, src, dst);
            for (int j = 0; j < outputs; j++) result[j] = Tensor.wrap(dst[j], dims);
            return result;
        }
        if (in.length + outputs > 8) throw new IllegalStateException(op + ": too many kernel operands");
        double[][] scratch = SCRATCH.get();
        double[][] src = new double[in.length][];
        double[][] dst = new double[outputs][];
        for (int k = 0; k < in.length; k++) src[k] = scratch[k];
        for (int j = 0; j < outputs; j++) dst[j] = scratch[in.length + j];
        float[][] fin = new float[in.length][];
        for (int k = 0; k < in.length; k++) fin[k] = in[k].rawF32();
        float[][] fout = new float[outputs][];
        for (int j = 0; j < outputs; j++) fout[j] = new float[n];
        for (int start = 0; start < n; start += BLOCK) {
            int len = Math.min(BLOCK, n - start);
            for (int k = 0; k < in.length; k++) {
                float[] f = fin[k];
                double[] s = src[k];
                for (int i = 0; i < len; i++) s[i] = f[start + i];
            }
            kernel.run(len, src, dst);
            for (int j = 0; j < outputs; j++) {
                float[] f = fout[j];
                double[] s = dst[j];
                for (int i = 0; i < len; i++) f[start + i] = (float) s[i];
            }
        }
        for (int j = 0; j < outputs; j++) result[j] = Tensor.wrap(fout[j], dims);
        return result;
    }

    /**
     * Runs {@code kernel} entry by entry over trees with the same names and shapes (checked
     * against the first tree) and returns {@code outputs} new trees in the first tree's order.
     */
    static Params[] map(String op, Kernel kernel, int outputs, Params... trees) {
        Params first = trees[0];
        for (int k = 1; k < trees.length; k++) first.checkCompatible(op, trees[k]);
        List<String> names = first.names();
        List<LinkedHashMap<String, Tensor>> out = new ArrayList<>(outputs);
        for (int j = 0; j < outputs; j++) out.add(new LinkedHashMap<>());
        Tensor[] args = new Tensor[trees.length];
        for (String name : names) {
            for (int k = 0; k < trees.length; k++) args[k] = trees[k].get(name);
            Tensor[] r = map(op + " '" + name + "'", kernel, outputs, args);
            for (int j = 0; j < outputs; j++) out.get(j).put(name, r[j]);
        }
        Params[] result = new Params[outputs];
        for (int j = 0; j < outputs; j++) result[j] = Params.of((Map<String, Tensor>) out.get(j));
        return result;
    }

    /** {@code s · x} for every element of every tensor: one pass, one new tree. */
    static Params scale(String op, Params x, double s) {
        return map(op, (n, in, out) -> {
            double[] a = in[0], r = out[0];
            for (int i = 0; i < n; i++) r[i] = s * a[i];
        }, 1, x)[0];
    }
}
