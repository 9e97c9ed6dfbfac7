package dev.descent.train;

import dev.descent.autodiff.Var;
import dev.descent.data.Dataset;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Scope;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;

/** Small models and datasets for the trainer tests. */
final class TestModels {
    private TestModels() {}

    /** Linear(in, hidden), optionally BatchNorm(hidden) (buffers!), tanh, Linear(hidden, out). */
    static Sequential mlp(int in, int hidden, int out, boolean batchNorm, long seed, DType dtype) {
        return mlp(in, hidden, out, batchNorm, new Tanh(), seed, dtype);
    }

    private static Sequential mlp(int in, int hidden, int out, boolean batchNorm, Module activation, long seed, DType dtype) {
        Rng rng = new Rng(seed);
        Linear first = new Linear(in, hidden, rng, dtype), last = new Linear(hidden, out, rng, dtype);
        return batchNorm ? new Sequential(first, new BatchNorm(hidden, dtype), activation, last) : new Sequential(first, activation, last);
    }

    /** An identity layer that counts the forward passes allowed to update buffers. */
    static final class BufferPassCounter extends Module {
        int passes;

        @Override
        public Var apply(Scope scope, Var x) {
            if (scope.updatesBuffers() && isTraining()) passes++;
            return x;
        }
    }

    /** An Elman RNN (tanh, activation form) with a linear readout of its last state: [T, B, in] → [B, out]. */
    static final class RnnRegressor extends Module {
        private final Rnn rnn;
        private final Linear readout;

        RnnRegressor(int in, int hidden, int out, long seed, DType dtype) {
            Rng rng = new Rng(seed);
            rnn = addChild("rnn", new Rnn(Rnn.Config.of(in, hidden), rng, dtype));
            readout = addChild("readout", new Linear(hidden, out, rng, dtype));
        }

        @Override
        public Var apply(Scope scope, Var x) {
            return readout.apply(scope.child("readout"), rnn.run(scope.child("rnn"), x, null).last());
        }
    }

    /** Two Gaussian blobs in 2-D, labels 0/1, centres 3 standard deviations apart. */
    static Dataset blobs(int n, long seed) {
        Rng rng = new Rng(seed);
        double[] x = new double[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            double cx = labels[i] == 0 ? -0.75 : 0.75;
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
