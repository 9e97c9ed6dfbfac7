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
 * time along the directions that matter for the loss. Terms whose ‖e_k‖ is 0 (or a norm not
 * finite) contribute nothing: their ratio is undefined. A term with e_k J_k = 0 (e.g. ReLU units
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
     * One transition k of every sequence in the batch: from the errors e (rows of {@code e} at
     * {@code eo}) and the products u = e J (rows of {@code u} at {@code uo}), adds
     * Σ_rows (‖u‖/‖e‖ − 1)² to the returned sum and writes into {@code coef} at {@code co} the
     * rows c = scale · 2(r − 1)/(‖e‖‖u‖) · u (zero rows where the term is undefined), so that
     * the caller's ∂Ω/∂W is Σ (left factor)ᵀ c.
     */
    static double transition(Storage e, int eo, Storage u, int uo, Storage coef, int co, int rows, int cols, double scale) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int ro = r * cols;
            double ee = Math.sqrt(e.dot(eo + ro, e, eo + ro, cols));
            double uu = Math.sqrt(u.dot(uo + ro, u, uo + ro, cols));
            double k = 0;
            if (ee > 0 && Double.isFinite(ee) && Double.isFinite(uu)) {
                double ratio = uu / ee;
                sum += (ratio - 1) * (ratio - 1);
                if (uu > 0) k = scale * 2 * (ratio - 1) / (ee * uu);
            }
            if (coef != null) u.scale(uo + ro, k, coef, co + ro, cols);
        }
        return sum;
    }
}
