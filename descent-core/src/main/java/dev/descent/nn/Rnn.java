package dev.descent.nn;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;

/**
 * An Elman recurrent layer in either form of SPEC.md §1.1 (Elman 1990):
 * <ul>
 *   <li>{@link Form#ACTIVATION}: g_t = σ(W g_{t−1} + U x_t + b), state g;</li>
 *   <li>{@link Form#PRE_ACTIVATION}: h_t = W σ(h_{t−1}) + U x_t + b, state h.</li>
 * </ul>
 * The two describe the same network: with g_0 = σ(h_0), σ(h_t) = g_t for every t.
 *
 * <p>Parameters: {@code W} [H, H], {@code U} [H, in], {@code b} [H]. PyTorch's {@code nn.RNN}
 * (activation form, tanh or relu only) holds the same numbers as {@code weight_hh_l0} = W,
 * {@code weight_ih_l0} = U, {@code bias_ih_l0} = b and {@code bias_hh_l0} = 0 (PyTorch carries
 * two biases that only ever appear as their sum).
 *
 * <p>Input is time-major [T, B, in]; {@link #apply(Scope, Var)} returns all states [T, B, H]
 * from the zero initial state, and {@link #run} returns them with the final state from any
 * initial state (a Var, so that diagnostics can differentiate with respect to it, e.g. the
 * Jacobian ∂g_T/∂g_0 of SPEC.md §1.2). In the pre-activation form the states are the h_t;
 * {@code activation().apply(states)} gives σ(h_t). The zero initial state means h_0 = 0, i.e.
 * g_0 = σ(0), which is 1/2 for the sigmoid.
 *
 * <p>Speed: the input projections U x_t of all steps are one GEMM [T·B, in]×[in, H] before the
 * loop; the loop itself is one fused primitive ({@code RnnScan}) doing, per step, one
 * [B, H]×[H, H] GEMM, the adds of the projection and the bias, and one activation on raw arrays,
 * with no allocation per step in the forward or the backward pass beyond the [T, B, H] states that
 * backpropagation must keep.
 * {@link #step} is the same step written with plain Var operations, the reference the fused loop
 * is tested against.
 */
public final class Rnn extends Module {
    /** Which of the two equivalent parameterisations of the recurrence to run. */
    public enum Form {
        /** g_t = σ(W g_{t−1} + U x_t + b). */
        ACTIVATION,
        /** h_t = W σ(h_{t−1}) + U x_t + b. */
        PRE_ACTIVATION
    }

    /**
     * The layer's configuration.
     *
     * @param inputSize features per time step (in)
     * @param hiddenSize state size (H)
     * @param activation σ
     * @param form which recurrence
     * @param recurrentInit initialiser of W [H, H]
     * @param inputInit initialiser of U [H, in]
     * @param biasInit initialiser of b [H]
     */
    public record Config(int inputSize, int hiddenSize, Activation activation, Form form,
                         Init recurrentInit, Init inputInit, Init biasInit) {
        /** Validates every field. */
        public Config {
            if (inputSize <= 0) throw new IllegalArgumentException("Rnn: inputSize must be positive, got " + inputSize);
            if (hiddenSize <= 0) throw new IllegalArgumentException("Rnn: hiddenSize must be positive, got " + hiddenSize);
            if (activation == null) throw new IllegalArgumentException("Rnn: activation is null");
            if (form == null) throw new IllegalArgumentException("Rnn: form is null");
            if (recurrentInit == null || inputInit == null || biasInit == null) {
                throw new IllegalArgumentException("Rnn: initialisers must not be null");
            }
        }

        /**
         * tanh, activation form, and PyTorch's initialisation: every parameter from
         * U(−1/√H, 1/√H).
         */
        public static Config of(int inputSize, int hiddenSize) {
            Init torch = Init.uniform(1 / Math.sqrt(Math.max(1, hiddenSize)));
            return new Config(inputSize, hiddenSize, Activation.TANH, Form.ACTIVATION, torch, torch, torch);
        }

        /** This configuration with activation σ. */
        public Config withActivation(Activation a) {
            return new Config(inputSize, hiddenSize, a, form, recurrentInit, inputInit, biasInit);
        }

        /** This configuration with the given form. */
        public Config withForm(Form f) {
            return new Config(inputSize, hiddenSize, activation, f, recurrentInit, inputInit, biasInit);
        }

        /** This configuration with W initialised by {@code init} (e.g. orthogonal, identity, scaled normal). */
        public Config withRecurrentInit(Init init) {
            return new Config(inputSize, hiddenSize, activation, form, init, inputInit, biasInit);
        }

        /** This configuration with U initialised by {@code init}. */
        public Config withInputInit(Init init) {
            return new Config(inputSize, hiddenSize, activation, form, recurrentInit, init, biasInit);
        }

        /** This configuration with b initialised by {@code init}. */
        public Config withBiasInit(Init init) {
            return new Config(inputSize, hiddenSize, activation, form, recurrentInit, inputInit, init);
        }
    }

    /**
     * The result of running the recurrence.
     *
     * @param states all states [T, B, H] (h_t or g_t by form)
     * @param last the final state [B, H] (the initial state when T = 0)
     */
    public record Result(Var states, Var last) {}

    private final Config config;

    /** A layer with parameters drawn from {@code rng}. */
    public Rnn(Config config, Rng rng, DType dtype) {
        if (config == null) throw new IllegalArgumentException("Rnn: config is null");
        this.config = config;
        int h = config.hiddenSize(), in = config.inputSize();
        addParameter("W", config.recurrentInit().create(rng, dtype, h, h));
        addParameter("U", config.inputInit().create(rng, dtype, h, in));
        addParameter("b", config.biasInit().create(rng, dtype, h));
    }

    /** The configuration. */
    public Config config() {
        return config;
    }

    /** σ. */
    public Activation activation() {
        return config.activation();
    }

    /** The states [T, B, H] from the zero initial state. */
    @Override
    public Var apply(Scope scope, Var x) {
        return run(scope, x, null).states();
    }

    /** Input sizes up to this run the recurrence with the input projection inside the loop (see {@link #run(Scope, Var, Var)}). */
    static final int INPUT_IN_LOOP_MAX = 16;

    /** {@link #run(Scope, Var, Var)} at the root of {@code params}. */
    public Result run(VarParams params, Var x, Var initialState) {
        return run(Scope.of(params), x, initialState);
    }

    /**
     * Runs the recurrence over x [T, B, in] from {@code initialState} [B, H] (g_0 or h_0 by form;
     * {@code null} for zeros).
     */
    public Result run(Scope scope, Var x, Var initialState) {
        int in = config.inputSize(), hidden = config.hiddenSize();
        if (x.rank() != 3 || x.dim(2) != in) {
            throw new IllegalArgumentException("Rnn: input must be [T, B, " + in + "] (time-major), got " + x.shape());
        }
        int steps = x.dim(0), batch = x.dim(1);
        Var s0 = initialState != null ? initialState : Var.constant(Tensor.zeros(x.dtype(), batch, hidden));
        if (s0.rank() != 2 || s0.dim(0) != batch || s0.dim(1) != hidden) {
            throw new IllegalArgumentException("Rnn: initial state must be [" + batch + ", " + hidden + "], got " + s0.shape());
        }
        Var w = scope.parameter(this, "W"), u = scope.parameter(this, "U"), b = scope.parameter(this, "b");
        boolean pre = config.form() == Form.PRE_ACTIVATION;
        Var states;
        if (in <= INPUT_IN_LOOP_MAX) {
            // A few input channels: each step computes its own x_t Uᵀ (a k = in product), so that no
            // [T, B, H] projection array is written and read back and Ū is summed with W̄ while δ_t
            // become final (docs/performance.md, "RNN input projection inside the loop").
            states = Var.apply(new RnnScan(config.activation(), pre, true), x, u, w, b, s0);
        } else {
            // All input projections at once: [T·B, in] × [in, H] (U stored [H, in]); b is added in the loop.
            Var projections = x.reshape(steps * batch, in).matmul(u, false, true).reshape(steps, batch, hidden);
            states = Var.apply(new RnnScan(config.activation(), pre), projections, w, b, s0);
        }
        Var last = steps == 0 ? s0 : TimeStep.select(states, steps - 1);
        return new Result(states, last);
    }

    /** {@link #step(Scope, Var, Var)} at the root of {@code params}. */
    public Var step(VarParams params, Var state, Var input) {
        return step(Scope.of(params), state, input);
    }

    /**
     * One step of the recurrence with plain Var operations: from the state s_{t−1} [B, H] and the
     * input x_t [B, in], g_t = σ(g_{t−1} Wᵀ + x_t Uᵀ + b) or h_t = σ(h_{t−1}) Wᵀ + x_t Uᵀ + b. Its
     * Jacobian with respect to the state is diag(σ'(a_t)) W (activation form).
     */
    public Var step(Scope scope, Var state, Var input) {
        Var w = scope.parameter(this, "W"), u = scope.parameter(this, "U"), b = scope.parameter(this, "b");
        Activation act = config.activation();
        Var z = config.form() == Form.PRE_ACTIVATION ? act.apply(state) : state;
        Var a = z.matmul(w, false, true).add(input.matmul(u, false, true)).add(b);
        return config.form() == Form.PRE_ACTIVATION ? a : act.apply(a);
    }
}
