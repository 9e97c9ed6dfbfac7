package dev.descent.bench;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.nn.Scope;
import dev.descent.optim.ChainState;
import dev.descent.optim.GradientTransformation;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Step;
import dev.descent.optim.Updates;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;

/**
 * The peer suite's {@code rnn-adding} workload: an Elman tanh RNN h_t = tanh(W h_{t−1} + U x_t + b)
 * (input 2, hidden 128, h_0 = 0) over T = 200 steps, batch 32, time-major, a Linear(128, 1) readout
 * of h_T, mean squared error against the sum of the two marked values of the adding problem
 * (Arjovsky, Shah &amp; Bengio 2016). One timed training step is forward, backward, clipping at
 * global norm 1 with PyTorch's formula min(1, 1/(‖g‖ + 10⁻⁶)) and an Adam step (η = 10⁻³), the
 * peer's {@code zero_grad + forward + MSE + backward + clip_grad_norm_ + Adam.step}.
 *
 * <p>Identical to {@code peer_torch.py}: the parameters are drawn from {@link TorchGenerator}
 * exactly as {@code torch.manual_seed(seed); AddingRNN(128)} draws them (nn.RNN's U, W, b and the
 * discarded second bias, then the readout), and the batches are pre-generated from a generator
 * seeded with seed + 1 with the peer's {@code adding_batch}, so the losses of the timed steps can
 * be compared value by value. The probe batch (seed + 3) gives the initial loss as a check that
 * both start from the same function.
 */
public final class RnnAddingWorkload {
    /** Sequence length T. */
    public static final int STEPS = 200;
    /** Hidden size H. */
    public static final int HIDDEN = 128;
    /** Batch size B. */
    public static final int BATCH = 32;
    /** Input channels: the value and the marker. */
    public static final int INPUT = 2;
    /** Adam's learning rate. */
    public static final double LEARNING_RATE = 1e-3;
    /** The global-norm clipping threshold. */
    public static final double CLIP = 1.0;

    /** One batch of the adding problem: x [T, B, 2] time-major, y [B]. */
    public record Batch(Tensor x, Tensor y) {}

    /**
     * The peer's {@code adding_batch(T, B, gen)}: values U[0, 1) drawn [T, B], first marker
     * positions in [0, T/2), second in [T/2, T), target = the sum of the two marked values
     * (float32).
     */
    public static Batch batch(int steps, int batch, TorchGenerator gen) {
        float[] vals = new float[steps * batch];
        for (int i = 0; i < vals.length; i++) vals[i] = gen.uniform(0f, 1f);
        int half = steps / 2;
        int[] first = gen.randint(0, half, batch), second = gen.randint(half, steps, batch);
        float[] x = new float[steps * batch * INPUT];
        for (int i = 0; i < vals.length; i++) x[i * INPUT] = vals[i];
        float[] y = new float[batch];
        for (int c = 0; c < batch; c++) {
            x[(first[c] * batch + c) * INPUT + 1] = 1f;
            x[(second[c] * batch + c) * INPUT + 1] = 1f;
            y[c] = vals[first[c] * batch + c] + vals[second[c] * batch + c];
        }
        return new Batch(Tensor.wrap(x, steps, batch, INPUT), Tensor.wrap(y, batch));
    }

    /** The Elman layer and the readout of its final state. */
    public static final class AddingModel extends Module {
        private final Rnn rnn;
        private final Linear readout;

        /** Parameters as {@code torch.manual_seed(seed); AddingRNN(128)} draws them. */
        public AddingModel(TorchGenerator torch) {
            this(torch, HIDDEN);
        }

        /** Parameters as {@code torch.manual_seed(seed); AddingRNN(hidden)} draws them (the scaling curves vary H). */
        public AddingModel(TorchGenerator torch, int hidden) {
            if (hidden < 1) throw new IllegalArgumentException("rnn-adding: hidden size must be >= 1, got " + hidden);
            Rng unused = new Rng(0);
            rnn = addChild("rnn", new Rnn(Rnn.Config.of(INPUT, hidden), unused, DType.F32));
            readout = addChild("readout", new Linear(hidden, 1, unused, DType.F32));
            Tensor[] r = torch.rnn(INPUT, hidden); // weight_ih, weight_hh, bias_ih, bias_hh (set to 0 by the peer)
            Tensor[] lin = torch.linear(hidden, 1);
            rnn.setParameters(Params.of("W", r[1], "U", r[0], "b", r[2]));
            readout.setParameters(Params.of("weight", lin[0], "bias", lin[1]));
        }

        /** Predictions [B] from x [T, B, 2]. */
        @Override
        public Var apply(Scope scope, Var x) {
            Var last = rnn.run(scope.child("rnn"), x, null).last();
            return readout.apply(scope.child("readout"), last).reshape(x.dim(1));
        }
    }

    /** The training state: model, parameters, optimiser (clip, then Adam) and its state. */
    public static final class Trainer {
        final AddingModel model;
        final GradientTransformation<ChainState> optimizer =
                Optimizers.chain(Optimizers.clipByGlobalNorm(CLIP), Optimizers.adam(LEARNING_RATE));
        Params params;
        ChainState state;

        /** A fresh model (hidden size 128) drawn from {@code torch}. */
        public Trainer(TorchGenerator torch) {
            this(torch, HIDDEN);
        }

        /** A fresh model of hidden size {@code hidden} drawn from {@code torch}. */
        public Trainer(TorchGenerator torch, int hidden) {
            model = new AddingModel(torch, hidden);
            // A copy: the in-place optimiser step then owns it, and the module keeps its initial values.
            params = model.parameters().map(Tensor::copy);
            state = optimizer.init(params);
        }

        /** One training step on {@code b}; returns its loss (before the update). */
        public double step(Batch b) {
            Var x = Var.constant(b.x()), y = Var.constant(b.y());
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(vp -> Losses.meanSquaredError(model.apply(vp, x), y), params);
            Step<ChainState> s = Updates.stepInPlace(optimizer, vg.grad(), state, params);
            params = s.params();
            state = s.state();
            return vg.value().item();
        }

        /** The loss on {@code b} without training. */
        public double loss(Batch b) {
            try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
                return Losses.meanSquaredError(model.apply(VarParams.constants(params), Var.constant(b.x())), Var.constant(b.y()))
                        .value().item();
            }
        }

        /** The current parameters. */
        public Params params() {
            return params;
        }
    }

    /** JIT warm-up on a throwaway model and batch, in its own frame so that all of it is garbage afterwards. */
    private JitWarmup.Result warmUp(double seconds) {
        Trainer warm = new Trainer(new TorchGenerator(seed + 7919));
        Batch wb = batch(STEPS, BATCH, new TorchGenerator(seed + 7920));
        return JitWarmup.run(() -> warm.step(wb), seconds);
    }

    /** What a run measured. */
    public record Result(double[] stepTimesS, double[] losses, double initProbeLoss, long parameters, JitWarmup.Result warmup) {}

    private final long seed;

    /** The workload seeded like the peer's {@code --seed}. */
    public RnnAddingWorkload(long seed) {
        this.seed = seed;
    }

    /**
     * Warms the JIT up for at least {@code jitWarmupSeconds}, and until compilation settles
     * ({@link JitWarmup}), on a throwaway model and batch, then
     * runs the peer's protocol on a fresh model: {@code warmup} untimed steps and {@code repeats}
     * timed steps over batches pre-generated from seed + 1.
     */
    public Result run(int warmup, int repeats, double jitWarmupSeconds) {
        if (warmup < 0) throw new IllegalArgumentException("rnn-adding: warm-up steps must be >= 0, got " + warmup);
        if (repeats < 1) throw new IllegalArgumentException("rnn-adding: timed steps must be >= 1, got " + repeats);
        TorchGenerator gen = new TorchGenerator(seed + 1);
        Batch[] batches = new Batch[warmup + repeats];
        for (int i = 0; i < batches.length; i++) batches[i] = batch(STEPS, BATCH, gen);
        Batch probe = batch(STEPS, BATCH, new TorchGenerator(seed + 3));

        JitWarmup.Result jit = warmUp(jitWarmupSeconds);

        Trainer trainer = new Trainer(new TorchGenerator(seed));
        double initLoss = trainer.loss(probe);
        double[] times = new double[repeats], losses = new double[repeats];
        for (int i = 0; i < batches.length; i++) {
            long start = System.nanoTime();
            double loss = trainer.step(batches[i]);
            long end = System.nanoTime();
            if (i >= warmup) {
                times[i - warmup] = (end - start) * 1e-9;
                losses[i - warmup] = loss;
            }
        }
        return new Result(times, losses, initLoss, trainer.params().elementCount(), jit);
    }
}
