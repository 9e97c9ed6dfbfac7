package dev.descent.nn;

import dev.descent.tensor.kernel.Storage;

/**
 * The vanishing-gradient regulariser Ω of Pascanu, Mikolov &amp; Bengio (2013, "On the difficulty
 * of training recurrent neural networks", §3.3, eq. 9–10), for the Elman {@link Rnn} in both
 * forms. With x_k the states, e_k = ∂E/∂x_k the errors backpropagated to them (the total
 * derivative, through all later steps) and J_k = ∂x_k/∂x_{k−1} the one-step Jacobian,
 * <pre>
 *   Ω = (1/B) Σ_sequences Σ_{k=1..T} ( ‖e_k J_k‖ / ‖e_k‖ − 1 )²,
 * </pre>
 * summed over the T transitions of each sequence (the first from the initial state) and averaged
 * over the B sequences of the batch, as the loss E is. It asks each step to preserve the norm of
 * the error it passes back, i.e. it penalises vanishing (and exploding) of the gradient through
 * time along the directions that matter for the loss. Terms whose ‖e_k‖ is 0, or so small that
 * it has lost its precision (below 1e-30 in float32, 1e-290 in float64), or a norm not finite,
 * contribute nothing: their ratio is undefined or meaningless. A term with e_k J_k = 0 (e.g. ReLU units
 * all off) counts 1 in Ω and contributes no gradient (‖u‖ is not differentiable at 0).
 *
 * <p>Gradient: as the paper does, e_k and the states (hence σ'(·)) are treated as constants, and
 * Ω is differentiated only through the explicit W of J_k (the "immediate" derivative). With
 * u_k = e_k J_k and r_k = ‖u_k‖/‖e_k‖ this gives
 * <ul>
 *   <li>activation form, J_k = diag(σ'(a_k)) W, u_k = δ_k W with δ_k = e_k ⊙ σ'(a_k):
 *       ∂Ω/∂W = (1/B) Σ 2(r_k − 1)/(‖e_k‖‖u_k‖) · δ_kᵀ u_k;</li>
 *   <li>pre-activation form, J_k = W diag(σ'(h_{k−1})), u_k = (e_k W) ⊙ σ'(h_{k−1}):
 *       ∂Ω/∂W = (1/B) Σ 2(r_k − 1)/(‖e_k‖‖u_k‖) · e_kᵀ (u_k ⊙ σ'(h_{k−1})).</li>
 * </ul>
 * Every quantity is already at hand in backpropagation through time (δ_k W is the error passed
 * to the previous step), so the fused backward pass of the recurrence computes Ω and this
 * gradient on the way, with one extra [H, T·B]×[T·B, H] product for the sum; no second pass.
 *
 * <p>Use: open a regulariser around the forward and backward pass of a training step,
 * <pre>{@code
 *   try (FlowRegularizer omega = FlowRegularizer.open(0.5)) {
 *       var vg = Autodiff.valueAndGrad(loss, params);   // gradient of E, plus 0.5·∂Ω/∂W
 *       double value = omega.value();                   // Ω of this batch
 *   }
 * }</pre>
 * Every {@link Rnn} whose forward pass runs while it is open adds weight·∂Ω/∂W to the gradient
 * of its W in the plain (fused) backward pass and accumulates its Ω into {@link #value()}. The
 * regulariser is per thread and nests (the innermost one applies). It is not defined for
 * backward passes that are themselves differentiated (Hessian-vector products, double
 * backward): those throw {@link IllegalStateException} while a regulariser is open.
 */
public final class FlowRegularizer implements AutoCloseable {
    private static final ThreadLocal<FlowRegularizer> ACTIVE = new ThreadLocal<>();

    private final double weight;
    private final FlowRegularizer previous;
    private double value;
    private int recurrences;
    private boolean closed;

    private FlowRegularizer(double weight, FlowRegularizer previous) {
        this.weight = weight;
        this.previous = previous;
    }

    /**
     * Opens a regulariser of weight ≥ 0 on this thread (weight 0 measures Ω without changing any
     * gradient).
     *
     * @throws IllegalArgumentException for a negative or non-finite weight
     */
    public static FlowRegularizer open(double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("flow regularizer: weight must be finite and >= 0, got " + weight);
        }
        FlowRegularizer r = new FlowRegularizer(weight, ACTIVE.get());
        ACTIVE.set(r);
        return r;
    }

    /** The regulariser open on this thread, or null. */
    static FlowRegularizer active() {
        return ACTIVE.get();
    }

    /** The weight of Ω in the objective. */
    public double weight() {
        return weight;
    }

    /** Ω summed over the recurrences backpropagated while this regulariser was open (unweighted). */
    public synchronized double value() {
        return value;
    }

    /** How many recurrence backward passes contributed to {@link #value()}. */
    public synchronized int recurrences() {
        return recurrences;
    }

    synchronized void add(double omega) {
        value += omega;
        recurrences++;
    }

    /** Restores the regulariser that was open before this one (if any). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (ACTIVE.get() == this) {
            if (previous == null) ACTIVE.remove();
            else ACTIVE.set(previous);
        }
    }

    /**
     * The smallest ‖e_k‖ whose term counts, per dtype: below it e_k has lost its precision, and the
     * gradient's coefficient rows, of size |r − 1|/‖e_k‖, would leave the dtype's range.
     */
    static final double FLOAT32_FLOOR = 1e-30, FLOAT64_FLOOR = 1e-290;

    /**
     * One transition k of every sequence in the batch: from the errors e (rows of {@code e} at
     * {@code eo}) and the products u = e J (rows of {@code u} at {@code uo}), adds
     * Σ_rows (‖u‖/‖e‖ − 1)² to the returned sum and writes into {@code coef} at {@code co} the
     * rows c = scale · 2(r − 1)/‖e‖ · u/‖u‖ (zero rows where the term is undefined), so that
     * the caller's ∂Ω/∂W is Σ (left factor)ᵀ c.
     */
    static double transition(Storage e, int eo, Storage u, int uo, Storage coef, int co, int rows, int cols, double scale) {
        double sum = 0;
        double floor = e.array() instanceof float[] ? FLOAT32_FLOOR : FLOAT64_FLOOR;
        for (int r = 0; r < rows; r++) {
            int ro = r * cols;
            double ee = norm(e, eo + ro, cols), uu = norm(u, uo + ro, cols);
            double k = 0;
            double ratio = uu / ee;
            if (ee > floor && Double.isFinite(ratio)) {
                sum += (ratio - 1) * (ratio - 1);
                // c = [2(r − 1)/‖e‖] · u/‖u‖, in float64 per element: with tiny errors (vanished gradients)
                // 1/(‖e‖‖u‖) alone would leave float32's range while c itself is moderate.
                if (uu > 0) k = scale * 2 * (ratio - 1) / ee;
                if (!Double.isFinite(k)) k = 0;
            }
            if (coef != null) scaledDirection(u, uo + ro, uu, k, coef, co + ro, cols);
        }
        return sum;
    }

    /**
     * ‖a[off..off+n)‖ in float64 with scaling, whatever the array's type: the errors reaching early
     * steps are often below 1e-19, whose squares vanish in float32 (and float64 squares of values
     * below 1e-154 would too).
     */
    static double norm(Storage a, int off, int n) {
        double max = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, Math.abs(a.get(off + i)));
        if (max == 0 || !Double.isFinite(max)) return max;
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = a.get(off + i) / max;
            s += v * v;
        }
        return max * Math.sqrt(s);
    }

    /** out[oo..oo+n) = k · u[uo..uo+n)/‖u‖ computed in float64, rounded once to out's dtype (zeros when k = 0). */
    private static void scaledDirection(Storage u, int uo, double norm, double k, Storage out, int oo, int n) {
        for (int i = 0; i < n; i++) out.set(oo + i, k == 0 ? 0 : k * (u.get(uo + i) / norm));
    }
}
