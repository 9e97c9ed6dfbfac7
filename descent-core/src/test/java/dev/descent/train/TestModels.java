package dev.descent.train;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.data.Dataset;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;

/** Small models and datasets for the trainer tests, written directly with Var operations. */
final class TestModels {
    private TestModels() {}

    /**
     * A tanh MLP in→hidden→out. With {@code runningMean} it also keeps a buffer, the running mean
     * of its inputs (momentum 0.1), updated only by {@link #applyUpdatingBuffers}, standing in for
     * batch-normalisation statistics.
     */
    static final class Mlp implements TrainableModel {
        Params params;
        Params buffers;
        boolean training = true;
        int bufferUpdates;

        Mlp(int in, int hidden, int out, boolean runningMean, long seed, DType dtype) {
            Rng rng = new Rng(seed);
            params = Params.of("0.weight", rng.normal(dtype, 0, 1 / Math.sqrt(in), hidden, in), "0.bias", Tensor.zeros(dtype, hidden),
                    "2.weight", rng.normal(dtype, 0, 1 / Math.sqrt(hidden), out, hidden), "2.bias", Tensor.zeros(dtype, out));
            buffers = runningMean ? Params.of("mean", Tensor.zeros(dtype, in)) : Params.empty();
        }

        @Override public Params parameters() { return params; }
        @Override public void setParameters(Params p) { params.checkCompatible("setParameters", p); params = p; }
        @Override public Params buffers() { return buffers; }
        @Override public void setBuffers(Params b) { buffers.checkCompatible("setBuffers", b); buffers = b; }
        @Override public void setTraining(boolean t) { training = t; }

        @Override
        public Var apply(VarParams vp, Var x) {
            Var h = x.matmul(vp.get("0.weight"), false, true).add(vp.get("0.bias")).tanh();
            return h.matmul(vp.get("2.weight"), false, true).add(vp.get("2.bias"));
        }

        @Override
        public Var applyUpdatingBuffers(VarParams vp, Var x) {
            if (training && buffers.count() > 0) {
                bufferUpdates++;
                Tensor m = x.value().mean(0, false);
                buffers = Params.of("mean", buffers.get("mean").mul(0.9).add(m.mul(0.1)));
            }
            return apply(vp, x);
        }
    }

    /** An Elman RNN (activation form, tanh) with a linear readout of the last state: [T, B, in] → [B, out]. */
    static final class TinyRnn implements TrainableModel {
        Params params;

        TinyRnn(int in, int hidden, int out, long seed, DType dtype) {
            Rng rng = new Rng(seed);
            double s = 1 / Math.sqrt(hidden);
            params = Params.of("rnn.W", rng.uniform(dtype, -s, s, hidden, hidden), "rnn.U", rng.uniform(dtype, -s, s, hidden, in),
                    "rnn.b", Tensor.zeros(dtype, hidden), "readout.weight", rng.uniform(dtype, -s, s, out, hidden),
                    "readout.bias", Tensor.zeros(dtype, out));
        }

        @Override public Params parameters() { return params; }
        @Override public void setParameters(Params p) { params.checkCompatible("setParameters", p); params = p; }
        @Override public Params buffers() { return Params.empty(); }
        @Override public void setBuffers(Params b) { Params.empty().checkCompatible("setBuffers", b); }
        @Override public void setTraining(boolean t) {}
        @Override public Var applyUpdatingBuffers(VarParams vp, Var x) { return apply(vp, x); }

        @Override
        public Var apply(VarParams vp, Var x) {
            int steps = x.dim(0), batch = x.dim(1), hidden = params.get("rnn.W").dim(0);
            Var g = Var.constant(Tensor.zeros(x.dtype(), batch, hidden));
            for (int t = 0; t < steps; t++) {
                g = g.matmul(vp.get("rnn.W"), false, true).add(x.select(0, t).matmul(vp.get("rnn.U"), false, true))
                        .add(vp.get("rnn.b")).tanh();
            }
            return g.matmul(vp.get("readout.weight"), false, true).add(vp.get("readout.bias"));
        }
    }

    /** Two Gaussian blobs in 2-D, labels 0/1, separable with margin: a task any MLP learns. */
    static Dataset blobs(int n, long seed) {
        Rng rng = new Rng(seed);
        double[] x = new double[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            double cx = labels[i] == 0 ? -1.5 : 1.5;
            x[2 * i] = cx + 0.5 * rng.nextGaussian();
            x[2 * i + 1] = 0.5 * rng.nextGaussian();
        }
        return Dataset.classification(Tensor.wrap(x, n, 2), labels, 2);
    }

    /** y = sin(x₀) + x₁² / 2 on x ~ U[−1, 1]², a smooth regression target. */
    static Dataset wave(int n, long seed) {
        Rng rng = new Rng(seed);
        double[] x = new double[2 * n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = 2 * rng.nextDouble() - 1;
            x[2 * i + 1] = 2 * rng.nextDouble() - 1;
            y[i] = Math.sin(x[2 * i]) + 0.5 * x[2 * i + 1] * x[2 * i + 1];
        }
        return Dataset.regression(Tensor.wrap(x, n, 2), Tensor.wrap(y, n, 1));
    }
}
