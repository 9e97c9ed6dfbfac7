package dev.descent.optim;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.OptimizerF32;
import dev.descent.tensor.kernel.OptimizerF64;
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
 * <p>One source for both dtypes: the loops live in {@link OptimizerF64}, whose float32 twin
 * {@link OptimizerF32} is generated at build time; a kernel here only forwards the arrays and the
 * hyper-parameters to the twin of the tensors' dtype. Float32 tensors are therefore updated in
 * float32 arithmetic, as PyTorch updates them (hyper-parameters, and constants such as 1 − β,
 * are computed in float64 and rounded once).
 */
final class Fused {
    private Fused() {}

    /**
     * One elementwise pass: reads {@code in[k][0..n)} and writes every {@code out[j][0..n)}, in
     * the dtype of the tensors. Kernels must touch no other index and must not write their inputs.
     */
    interface Kernel {
        /** The float64 pass. */
        void f64(int n, double[][] in, double[][] out);

        /** The float32 pass. */
        void f32(int n, float[][] in, float[][] out);
    }

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
            kernel.f64(n, src, dst);
            for (int j = 0; j < outputs; j++) result[j] = Tensor.wrap(dst[j], dims);
        } else {
            float[][] src = new float[in.length][];
            for (int k = 0; k < in.length; k++) src[k] = in[k].rawF32();
            float[][] dst = new float[outputs][];
            for (int j = 0; j < outputs; j++) dst[j] = new float[n];
            kernel.f32(n, src, dst);
            for (int j = 0; j < outputs; j++) result[j] = Tensor.wrap(dst[j], dims);
        }
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
        return map(op, new Kernel() {
            @Override public void f64(int n, double[][] in, double[][] out) {
                OptimizerF64.scale(n, in[0], s, null, out[0]);
            }
            @Override public void f32(int n, float[][] in, float[][] out) {
                OptimizerF32.scale(n, in[0], (float) s, null, out[0]);
            }
        }, 1, x)[0];
    }

    /** {@code p + s · x} for every element: a scaled update applied to the parameters in one pass. */
    static Params scaleAndApply(String op, Params x, double s, Params params) {
        return map(op, new Kernel() {
            @Override public void f64(int n, double[][] in, double[][] out) {
                OptimizerF64.scale(n, in[0], s, in[1], out[0]);
            }
            @Override public void f32(int n, float[][] in, float[][] out) {
                OptimizerF32.scale(n, in[0], (float) s, in[1], out[0]);
            }
        }, 1, x, params)[0];
    }

    /** {@code p + u} for every element. */
    static Params add(String op, Params p, Params u) {
        return map(op, new Kernel() {
            @Override public void f64(int n, double[][] in, double[][] out) {
                OptimizerF64.add(n, in[0], in[1], out[0]);
            }
            @Override public void f32(int n, float[][] in, float[][] out) {
                OptimizerF32.add(n, in[0], in[1], out[0]);
            }
        }, 1, p, u)[0];
    }
}
