package dev.descent.diagnostics;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.tensor.Shape;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Gradient flow through time in a recurrent network (SPEC.md §1.2–1.3).
 *
 * <p>For {@code g_t = σ(a_t)}, {@code a_t = W g_{t−1} + U x_t + b}, the one-step Jacobian is
 * {@code ∂g_t/∂g_{t−1} = diag(σ'(a_t)) W}, so
 * {@code ‖∂g_T/∂g_t‖ ≤ Π_{s=t+1}^{T} ‖diag(σ'(a_s))‖ ‖W‖ ≤ (γ‖W‖)^{T−t}} (Bengio, Simard &amp;
 * Frasconi 1994; Pascanu, Mikolov &amp; Bengio 2013, "On the difficulty of training recurrent
 * neural networks"). This class measures the left-hand side exactly and reports it next to both
 * bounds and the spectral regime test.
 *
 * <p><b>How the Jacobians are measured.</b> Never by finite differences and never by
 * multiplying the formula out: the recurrence is run on H copies of the chosen sequence side by
 * side (a state of shape [H, H] whose rows are identical), which is exact because a recurrent
 * step treats rows independently (see {@link RecurrentStep}). Then
 * <ul>
 *   <li>{@link #toEnd}: one reverse-mode pass seeded with the identity at G_T returns, at every
 *       intermediate state G_t, the cotangent whose row i is e_iᵀ ∂g_T/∂g_t, i.e. the whole
 *       Jacobian ∂g_T/∂g_t, for all t at once (H VJPs batched into one backward pass);</li>
 *   <li>{@link #fromStart}: one forward-mode pass with tangent I at G_0 carries, at every G_t,
 *       the tangent whose row k is ∂g_t/∂g_0 e_k, i.e. (∂g_t/∂g_0)ᵀ (H JVPs batched).</li>
 * </ul>
 * Each Jacobian's spectral norm is then taken exactly from its singular values (EJML).
 *
 * <p><b>Cost.</b> A pass is T steps of an [H, H]·[H, H] product (2H³ flops each) plus T dense
 * SVDs of H × H (≈ 10–20 H³ flops each): cheap for H ≤ 256. The reverse pass keeps the tape,
 * O(T·H²) memory (about 6 [H, H] buffers per step); the forward pass needs O(H²).
 *
 * <p><b>Batches.</b> Jacobian norms and bounds describe one chosen sequence (argument
 * {@code sample}): the Jacobian of a batch is block-diagonal and its norm would only be the
 * worst sample's. The input sensitivity ({@link #inputSensitivity}) covers the whole batch, per
 * sample and batch-averaged.
 *
 * <p>Gradient recording must be on (not inside {@link Autodiff#noGrad()}) for the reverse-mode
 * methods.
 */
public final class GradientFlow {
    private GradientFlow() {}

    /** Seed of the power iteration's start vector in the overloads that take none. */
    public static final long DEFAULT_SEED = 0x5EEDL;

    /**
     * ‖∂g_T/∂g_t‖ for t = 0…T of sequence {@code sample}, with the bounds
     * Π_{s=t+1}^{T} ‖diag(σ'(a_s))‖‖W‖ and (γ‖W‖)^{T−t} and the regime test.
     */
    public static GradientFlowReport toEnd(RecurrenceSpec spec, int sample) {
        spec.checkSample(sample);
        JacobianNorms j = jacobianNormsToEnd(spec.step(), spec.initialState(sample), sequence(spec, sample));
        return withBounds(spec, sample, j);
    }

    /**
     * ‖∂g_t/∂g_0‖ for t = 0…T of sequence {@code sample} (the SPEC.md §1.2 measurement), with the
     * bounds Π_{s=1}^{t} ‖diag(σ'(a_s))‖‖W‖ and (γ‖W‖)^t and the regime test.
     */
    public static GradientFlowReport fromStart(RecurrenceSpec spec, int sample) {
        spec.checkSample(sample);
        JacobianNorms j = jacobianNormsFromStart(spec.step(), spec.initialState(sample), sequence(spec, sample));
        return withBounds(spec, sample, j);
    }

    /**
     * ‖∂g_T/∂g_t‖ for t = 0…T for any row-wise recurrent step, by one batched reverse-mode pass.
     *
     * @param step the recurrence
     * @param initialState g_0, [H]
     * @param inputs x_1…x_T of one sequence, [T, in]
     */
    public static JacobianNorms jacobianNormsToEnd(RecurrentStep step, Tensor initialState, Tensor inputs) {
        checkSequence(initialState, inputs);
        if (!Autodiff.isRecording()) {
            throw new IllegalStateException("gradient flow: reverse mode needs gradient recording; call it outside Autodiff.noGrad()");
        }
        int h = initialState.dim(0), steps = inputs.dim(0);
        Var state = Var.parameter(replicate(initialState, h));
        List<Var> states = new ArrayList<>(steps + 1);
        states.add(state);
        for (int t = 1; t <= steps; t++) {
            state = applyStep(step, state, Var.constant(replicate(inputs.select(0, t - 1), h)), t);
            states.add(state);
        }
        Var[] cotangents = Autodiff.backward(state, Var.constant(Tensor.eye(initialState.dtype(), h)), states, false);
        double[] norms = new double[steps + 1];
        MatrixSpectra.SpectralNormWorkspace svd = new MatrixSpectra.SpectralNormWorkspace(h, h);
        for (int t = 0; t <= steps; t++) norms[t] = svd.norm(cotangents[t].value());
        return new JacobianNorms(JacobianNorms.Direction.TO_END, 0, norms);
    }

    /**
     * ‖∂g_t/∂g_0‖ for t = 0…T for any row-wise recurrent step, by one batched forward-mode pass
     * (no tape: O(H²) memory).
     *
     * @param step the recurrence
     * @param initialState g_0, [H]
     * @param inputs x_1…x_T of one sequence, [T, in]
     */
    public static JacobianNorms jacobianNormsFromStart(RecurrentStep step, Tensor initialState, Tensor inputs) {
        checkSequence(initialState, inputs);
        int h = initialState.dim(0), steps = inputs.dim(0);
        double[] norms = new double[steps + 1];
        norms[0] = 1;
        MatrixSpectra.SpectralNormWorkspace svd = new MatrixSpectra.SpectralNormWorkspace(h, h);
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            Var state = Var.withTangent(replicate(initialState, h), Tensor.eye(initialState.dtype(), h));
            for (int t = 1; t <= steps; t++) {
                state = applyStep(step, state, Var.constant(replicate(inputs.select(0, t - 1), h)), t);
                // The tangent is (∂g_t/∂g_0)ᵀ; a transpose has the same spectral norm. No tangent: the state no longer depends on g_0.
                norms[t] = state.tangent() == null ? 0 : svd.norm(state.tangent());
            }
        }
        return new JacobianNorms(JacobianNorms.Direction.FROM_START, 0, norms);
    }

    /**
     * The one-step Jacobians J_t = ∂g_t/∂g_{t−1} for t = 1…T of one sequence, each as a full
     * [H, H] matrix (row i = ∂g_t,i/∂g_{t−1}), for any row-wise recurrent step: at each step the
     * state is replicated H times with tangent I, so one batched forward-mode step gives J_tᵀ.
     * Used e.g. to evaluate the vanishing-gradient regulariser of Pascanu et al. (2013) directly.
     *
     * @param step the recurrence
     * @param initialState g_0, [H]
     * @param inputs x_1…x_T of one sequence, [T, in]
     */
    public static List<Tensor> stepJacobians(RecurrentStep step, Tensor initialState, Tensor inputs) {
        checkSequence(initialState, inputs);
        int h = initialState.dim(0), steps = inputs.dim(0);
        List<Tensor> jacobians = new ArrayList<>(steps);
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            Tensor state = initialState;
            for (int t = 1; t <= steps; t++) {
                Var s = Var.withTangent(replicate(state, h), Tensor.eye(initialState.dtype(), h));
                Var next = applyStep(step, s, Var.constant(replicate(inputs.select(0, t - 1), h)), t);
                jacobians.add(next.tangent() == null ? Tensor.zeros(initialState.dtype(), h, h) : next.tangent().transpose());
                state = next.value().select(0, 0);
            }
        }
        return jacobians;
    }

    /**
     * ‖∂L/∂x_t‖ for every step t and sequence b, from one backward pass through the whole batch.
     * {@code loss} maps the stacked states g_1…g_T to a scalar: [T, B, H] for batched inputs,
     * [T, H] for a single sequence.
     */
    public static InputSensitivity inputSensitivity(RecurrenceSpec spec, Function<Var, Var> loss) {
        return inputSensitivity(spec.step(), spec.batched() ? spec.initialStates() : spec.initialState(0),
                spec.inputs(), loss);
    }

    /**
     * ‖∂L/∂x_t‖ for any row-wise recurrent step. Shapes: inputs [T, in] with initial state [H]
     * (the loss receives [T, H]) or inputs [T, B, in] with initial state [B, H] (the loss receives
     * [T, B, H]).
     */
    public static InputSensitivity inputSensitivity(RecurrentStep step, Tensor initialState, Tensor inputs,
                                                    Function<Var, Var> loss) {
        Objects.requireNonNull(loss, "loss");
        boolean batched = inputs.rank() == 3;
        if (!(batched ? initialState.rank() == 2 && inputs.dim(1) == initialState.dim(0)
                      : initialState.rank() == 1 && inputs.rank() == 2)) {
            throw new IllegalArgumentException("inputSensitivity: need inputs [T, in] with state [H], or inputs [T, B, in] with"
                    + " state [B, H]; got inputs " + inputs.shape() + " and state " + initialState.shape());
        }
        if (!Autodiff.isRecording()) {
            throw new IllegalStateException("inputSensitivity: needs gradient recording; call it outside Autodiff.noGrad()");
        }
        int steps = inputs.dim(0), batch = batched ? inputs.dim(1) : 1, h = initialState.dim(-1);
        Var state = Var.constant(initialState.reshape(batch, h));
        List<Var> xs = new ArrayList<>(steps);
        Var[] states = new Var[steps];
        for (int t = 1; t <= steps; t++) {
            Var x = Var.parameter(inputs.select(0, t - 1).reshape(batch, -1));
            xs.add(x);
            state = applyStep(step, state, x, t);
            states[t - 1] = state;
        }
        Var stacked = Var.stack(0, states);
        if (!batched) stacked = stacked.reshape(steps, h);
        Var l = loss.apply(stacked);
        Tensor[] g = Autodiff.grad(l, xs);
        double[][] per = new double[steps][batch];
        double[] mean = new double[steps];
        for (int t = 0; t < steps; t++) {
            double[] gt = g[t].toDoubleArray();
            int in = gt.length / batch;
            for (int b = 0; b < batch; b++) {
                double s = 0;
                for (int i = 0; i < in; i++) s += gt[b * in + i] * gt[b * in + i];
                per[t][b] = Math.sqrt(s);
                mean[t] += per[t][b] / batch;
            }
        }
        return new InputSensitivity(per, mean);
    }

    /** The spectral regime test for W and γ with the default power-iteration seed. */
    public static RegimeAssessment regime(Tensor recurrentWeight, double gamma) {
        return regime(recurrentWeight, gamma, DEFAULT_SEED);
    }

    /**
     * The spectral regime test: λ1(WᵀW) by power iteration, ‖W‖ by SVD, δ = γ√λ1 and the verdict
     * (vanishing guaranteed iff δ &lt; 1).
     */
    public static RegimeAssessment regime(Tensor recurrentWeight, double gamma, long seed) {
        if (!(gamma > 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("regime: gamma must be finite and > 0, got " + gamma);
        }
        MatrixSpectra.PowerIterationResult pi = MatrixSpectra.gramLargestEigenvalue(recurrentWeight, seed);
        double delta = gamma * Math.sqrt(pi.value());
        return new RegimeAssessment(pi.value(), MatrixSpectra.spectralNorm(recurrentWeight), gamma, delta,
                delta < 1 ? FlowRegime.VANISHING_GUARANTEED : FlowRegime.POSSIBLE_EXPLOSION, pi);
    }

    // ------------------------------------------------------------------ internals

    private static GradientFlowReport withBounds(RecurrenceSpec spec, int sample, JacobianNorms measured) {
        RegimeAssessment regime = regime(spec.recurrentWeight(), spec.activation().gamma());
        double wNorm = regime.spectralNorm();
        int steps = spec.steps();
        // derivativeNorm[s] = ‖diag(σ'(a_s))‖ = max_i |σ'(a_{s,i})| along the sample's trajectory, s = 1…T.
        double[] derivativeNorm = new double[steps + 1];
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            Tensor w = spec.recurrentWeight(), u = spec.inputWeight(), b = spec.bias();
            Tensor g = spec.initialState(sample).reshape(1, -1);
            for (int s = 1; s <= steps; s++) {
                Tensor a = g.matmul(w, false, true).add(spec.input(s, sample).matmul(u, false, true)).add(b);
                derivativeNorm[s] = spec.activation().derivative().apply(a).maxAbs();
                g = spec.activation().function().apply(Var.constant(a)).value();
            }
        }
        double[] product = new double[steps + 1], crude = new double[steps + 1];
        double stepBound = spec.activation().gamma() * wNorm;
        if (measured.direction() == JacobianNorms.Direction.TO_END) {
            product[steps] = 1;
            for (int t = steps - 1; t >= 0; t--) product[t] = product[t + 1] * derivativeNorm[t + 1] * wNorm;
        } else {
            product[0] = 1;
            for (int t = 1; t <= steps; t++) product[t] = product[t - 1] * derivativeNorm[t] * wNorm;
        }
        for (int t = 0; t <= steps; t++) crude[t] = Math.pow(stepBound, measured.span(t));
        JacobianNorms labelled = new JacobianNorms(measured.direction(), sample, measured.norms());
        return new GradientFlowReport(labelled, product, crude, regime);
    }

    /** x_1…x_T of one sequence as [T, in]. */
    private static Tensor sequence(RecurrenceSpec spec, int sample) {
        return spec.batched() ? spec.inputs().select(1, sample) : spec.inputs();
    }

    private static void checkSequence(Tensor initialState, Tensor inputs) {
        if (initialState.rank() != 1 || initialState.dim(0) == 0) {
            throw new IllegalArgumentException("gradient flow: initial state must be a non-empty [H] vector, got " + initialState.shape());
        }
        if (inputs.rank() != 2 || inputs.dim(0) == 0) {
            throw new IllegalArgumentException("gradient flow: inputs of one sequence must be [T, in] with T > 0, got " + inputs.shape());
        }
        if (inputs.dtype() != initialState.dtype()) {
            throw new IllegalArgumentException("gradient flow: inputs are " + inputs.dtype() + " but the initial state is "
                    + initialState.dtype());
        }
    }

    /** [n] → n identical rows [rows, n]. */
    private static Tensor replicate(Tensor row, int rows) {
        int n = row.size();
        return row.reshape(1, n).broadcastTo(Shape.of(rows, n));
    }

    private static Var applyStep(RecurrentStep step, Var state, Var input, int t) {
        Var next = step.apply(state, input);
        if (!next.shape().equals(state.shape())) {
            throw new IllegalArgumentException("gradient flow: step " + t + " mapped state " + state.shape()
                    + " to " + next.shape() + "; a recurrent step must keep the state's shape");
        }
        return next;
    }
}
