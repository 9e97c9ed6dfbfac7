package dev.descent.nn;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Primitive;
import dev.descent.autodiff.Var;
import dev.descent.tensor.DType;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.BinaryOp;
import dev.descent.tensor.kernel.Parallel;
import dev.descent.tensor.kernel.Storage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The whole Elman recurrence over T steps as one primitive, so that the loop runs on raw arrays
 * with no per-step allocation. Inputs: the input projections P = [x_t Uᵀ]_t of shape [T, B, H]
 * (computed by one GEMM before the loop), the recurrent matrix W [H, H], the bias b [H] and the
 * initial state s_0 [B, H]. Output: the states [T, B, H]. In the row-major batch layout a state
 * is a row, so "W s" is written s Wᵀ below. The bias is added inside the loop, so that neither the
 * forward pass nor the backward pass materialises P + b.
 *
 * <ul>
 *   <li>Activation form (s = g): g_t = σ(a_t), a_t = g_{t−1} Wᵀ + P_t + b.</li>
 *   <li>Pre-activation form (s = h): h_t = σ(h_{t−1}) Wᵀ + P_t + b.</li>
 * </ul>
 *
 * <p>JVP (tangents Ṗ, Ẇ, ḃ, ṡ_0): activation form
 * ġ_t = σ'(a_t) ⊙ (ġ_{t−1} Wᵀ + g_{t−1} Ẇᵀ + Ṗ_t + ḃ); pre-activation form
 * ḣ_t = (σ'(h_{t−1}) ⊙ ḣ_{t−1}) Wᵀ + σ(h_{t−1}) Ẇᵀ + Ṗ_t + ḃ.
 *
 * <p>VJP (backpropagation through time, cotangent S̄ of the states): with δ_t the cotangent of the
 * pre-activation at step t, activation form δ_t = σ'(a_t) ⊙ (S̄_t + δ_{t+1} W), pre-activation
 * form δ_t = S̄_t + σ'(h_t) ⊙ (δ_{t+1} W); then P̄_t = δ_t, b̄ = Σ_t Σ_rows δ_t,
 * W̄ = Σ_t δ_tᵀ z_{t−1} with z the previous activation (g_{t−1}, resp. σ(h_{t−1})), and
 * s̄_0 = δ_1 W (times σ'(h_0) in the pre-activation form). σ' is always evaluated from activation
 * outputs (see {@link Activation}).
 *
 * <p>With few input channels the primitive takes x [T, B, in] and U [H, in] instead of P and
 * forms x_t Uᵀ inside each step (see the three-argument constructor); the JVP then takes
 * Ṗ = ẋ Uᵀ + x U̇ᵀ, and the differentiable VJP goes through P = x Uᵀ (x̄ = P̄ U, Ū = P̄ᵀ x).
 *
 * <p>Two VJP paths compute the same numbers: a fused raw-array loop, used for plain gradients
 * (nothing recorded, no tangents), and the same recurrence written with {@link Var} operations,
 * used when the backward pass must itself be differentiated (Hessian-vector products carry
 * tangents through it; double backward records it).
 */
final class RnnScan extends Primitive {
    private final Activation act;
    private final boolean preActivation;
    /** σ(h_t) for the pre-activation form, [T, B, H]; the states themselves for the identity. */
    private Tensor activated;
    /** σ(h_0) for the pre-activation form, [B, H]. */
    private Tensor activatedInitial;

    /**
     * Whether the inputs are (x, U, W, b, s_0) and each step computes its own x_t Uᵀ, instead of
     * (P, W, b, s_0) with all projections P = [x_t Uᵀ]_t precomputed (see {@link Rnn#run}).
     */
    private final boolean inputInLoop;

    /** The {@link FlowRegularizer} open when the forward pass ran (null if none): its Ω joins the backward pass. */
    private FlowRegularizer flow;

    RnnScan(Activation act, boolean preActivation) {
        this(act, preActivation, false);
    }

    /**
     * With {@code inputInLoop}, the primitive takes x [T, B, in] and U [H, in] in place of P and
     * computes x_t Uᵀ inside each step, into the step's own output rows: for a few input channels
     * that is a k = in product per step instead of a [T, B, H] array written once and read back,
     * and its gradient Ū = Σ_t δ_tᵀ x_t is summed with W̄ as δ_t become final. The states are the
     * same numbers either way (x_t Uᵀ is the same sum of products, then b is added, then the
     * recurrent product accumulated).
     */
    RnnScan(Activation act, boolean preActivation, boolean inputInLoop) {
        this.act = act;
        this.preActivation = preActivation;
        this.inputInLoop = inputInLoop;
    }

    /** Index of W among the inputs (b and s_0 follow it). */
    private int wIndex() {
        return inputInLoop ? 2 : 1;
    }

    @Override
    public String name() {
        return preActivation ? "rnnScan(pre-activation, " + act + ")" : "rnnScan(activation, " + act + ")";
    }

    @Override
    public Tensor forward(Tensor[] in) {
        int iw = wIndex();
        Tensor w = in[iw], s0 = in[iw + 2];
        int steps = in[0].dim(0), batch = in[0].dim(1), hidden = w.dim(0), n = batch * hidden;
        int inputs = inputInLoop ? in[0].dim(2) : 0;
        flow = FlowRegularizer.active();
        DType dtype = w.dtype();
        Tensor out = Tensor.zeros(dtype, steps, batch, hidden);
        Storage o = out.storage(), pa = in[0].storage(), ba = in[iw + 1].storage();
        Storage ut = inputInLoop ? (in[1].storage()).packB(true, inputs, hidden, 0, inputs) : null;
        // Wᵀ packed once into the micro-kernel's panel layout, so that no step reads W with a stride
        // (docs/performance.md, "RNN: Wᵀ packed once per scan").
        Storage wt = w.storage().packB(true, hidden, hidden, 0, hidden);
        // z receives the activation σ(state) of each step: the states themselves in the activation
        // form, the kept σ(h_t) in the pre-activation form; the next step multiplies it by Wᵀ.
        Storage z = o, prev = s0.storage();
        if (preActivation) {
            activatedInitial = act.apply(s0);
            activated = act == Activation.IDENTITY ? out : Tensor.zeros(dtype, steps, batch, hidden);
            z = activated.storage();
            prev = activatedInitial.storage();
        }
        int prevOff = 0;
        for (int t = 0; t < steps; t++) {
            int off = t * n;
            if (inputInLoop) {
                pa.gemmPacked(false, batch, hidden, inputs, t * batch * inputs, inputs, ut, o, off, hidden, false);
                o.addRows(off, ba, 0, o, off, batch, hidden); // x_t Uᵀ + b
            } else {
                pa.addRows(off, ba, 0, o, off, batch, hidden); // P_t + b, one pass, one call
            }
            prev.gemmPacked(false, batch, hidden, hidden, prevOff, hidden, wt, o, off, hidden, true);
            Loops.activate(act, o, off, z, off, n);
            prev = z;
            prevOff = off;
        }
        return out;
    }

    /** The activation z_{t−1} feeding step t, as (array, offset): g_{t−1} or σ(h_{t−1}), s_0-based at t = 0. */
    private Storage previousActivation(int t, Tensor out, Tensor s0) {
        if (t == 0) return (preActivation ? activatedInitial : s0).storage();
        return (preActivation ? activated : out).storage();
    }

    /**
     * The tangent recurrence on raw arrays. The terms that do not depend on earlier tangents,
     * Ṗ_t + ḃ + z_{t−1} Ẇᵀ (with the input in the loop Ṗ = ẋ Uᵀ + x U̇ᵀ), are formed for all
     * steps at once by block products over the T·B rows, so that the sequential loop does only
     * its one [B, H]×[H, H] product and the activation derivative per step; that derivative goes
     * through the same kernel as backpropagation, which zeroes vanishing values (see
     * {@code ActivationF64.FLUSH_BELOW}).
     */
    @Override
    public Tensor jvp(Tensor[] in, Tensor out, Tensor[] tan) {
        int iw = wIndex();
        Tensor w = in[iw], s0 = in[iw + 2];
        Tensor dw = tan[iw], db = tan[iw + 1], ds0 = tan[iw + 2];
        boolean inputTangent = tan[0] != null || (inputInLoop && tan[1] != null);
        if (!inputTangent && dw == null && db == null && ds0 == null) return null;
        int steps = out.dim(0), batch = out.dim(1), hidden = out.dim(2), n = batch * hidden, rows = steps * batch;
        DType dtype = out.dtype();
        Tensor dout = !inputInLoop && tan[0] != null ? tan[0].copy() : Tensor.zeros(dtype, steps, batch, hidden);
        if (steps == 0) return dout;
        Storage d = dout.storage(), o = out.storage();
        if (inputInLoop) {
            int inputs = in[0].dim(2);
            if (tan[0] != null) {
                tan[0].storage().gemm(false, true, rows, hidden, inputs, 0, inputs, in[1].storage(), 0, inputs, d, 0, hidden, true);
            }
            if (tan[1] != null) {
                in[0].storage().gemm(false, true, rows, hidden, inputs, 0, inputs, tan[1].storage(), 0, inputs, d, 0, hidden, true);
            }
        }
        if (db != null) d.addRows(0, db.storage(), 0, d, 0, rows, hidden);
        if (dw != null) {
            Storage dws = dw.storage();
            previousActivation(0, out, s0).gemm(false, true, batch, hidden, hidden, 0, hidden, dws, 0, hidden, d, 0, hidden, true);
            if (steps > 1) {
                previousActivation(1, out, s0).gemm(false, true, rows - batch, hidden, hidden, 0, hidden, dws, 0, hidden, d, n, hidden, true);
            }
        }
        Storage wt = w.storage().packB(true, hidden, hidden, 0, hidden);
        // The tangent of the previous activation: ġ_{t−1} (activation form) or σ'(h_{t−1}) ⊙ ḣ_{t−1}.
        Storage prevTan = null;
        int prevTanOff = 0;
        Storage activatedTan = null;
        if (ds0 != null) {
            if (preActivation) {
                activatedTan = dtype.allocate(n);
                ds0.storage().copyTo(0, activatedTan, 0, n);
                Loops.mulDerivativeFromOutput(act, activatedInitial.storage(), 0, activatedTan, 0, n);
                prevTan = activatedTan;
            } else {
                prevTan = ds0.storage();
            }
        }
        for (int t = 0; t < steps; t++) {
            int off = t * n;
            if (prevTan != null) {
                prevTan.gemmPacked(false, batch, hidden, hidden, prevTanOff, hidden, wt, d, off, hidden, true);
            }
            if (preActivation) {
                if (activatedTan == null) activatedTan = dtype.allocate(n);
                d.copyTo(off, activatedTan, 0, n);
                Loops.mulDerivativeFromOutput(act, activated.storage(), off, activatedTan, 0, n);
                prevTan = activatedTan;
                prevTanOff = 0;
            } else {
                Loops.mulDerivativeFromOutput(act, o, off, d, off, n);
                prevTan = d;
                prevTanOff = off;
            }
        }
        return dout;
    }

    @Override
    public Var[] vjp(Var[] in, Var out, Var ct, boolean[] need) {
        boolean plain = !Autodiff.isRecording() && ct.tangent() == null && out.tangent() == null;
        for (Var v : in) plain &= v.tangent() == null;
        if (flow != null && !plain) {
            throw new IllegalStateException("flow regularizer: defined for the plain gradient only, not for a backward pass that is"
                    + " differentiated (Hessian-vector or Gauss-Newton products); close it around such passes");
        }
        return plain ? fusedVjp(in, out, ct, need) : differentiableVjp(in, out, ct, need);
    }

    /** Time steps per block of the weight gradient accumulated while the recurrence runs on. */
    static final int GRADIENT_BLOCK = 25;

    /**
     * Backpropagation through time on raw arrays: no allocation inside the loop. The weight and
     * bias gradients are sums over time steps that need only the δ_t computed so far, so with
     * two threads they are accumulated block by block on the second thread while the first runs
     * the (inherently sequential) recurrence. The terms of the first {@link #MAIN_TAIL_STEPS}
     * steps, final only when the recurrence ends, are summed by the first thread once it is done,
     * into separate sums added at the end, because the worker, slowed by reading δ written on the
     * other core, would otherwise finish well after the recurrence (docs/performance.md, "RNN
     * backward: the first steps' terms on the main thread"). With one thread the same blocks run
     * afterwards into the same sums, so the result does not depend on the threads.
     */
    private Var[] fusedVjp(Var[] in, Var outVar, Var ctVar, boolean[] need) {
        int iw = wIndex();
        Tensor w = in[iw].value(), s0 = in[iw + 2].value(), out = outVar.value(), ct = ctVar.value();
        int steps = out.dim(0), batch = out.dim(1), hidden = out.dim(2), n = batch * hidden;
        DType dtype = out.dtype();
        Tensor dp = Tensor.zeros(dtype, steps, batch, hidden);
        Storage delta = dp.storage(), c = ct.storage(), o = out.storage();
        Storage wa = w.storage().packB(false, hidden, hidden, 0, hidden); // W packed once for δ_{t+1} W
        Storage propagated = dtype.allocate(n); // δ_{t+1} W
        Storage z = preActivation ? activated.storage() : o;
        // Input-in-loop mode: x̄_t = δ_t U (rows of its own per block) and Ū = Σ_t δ_tᵀ x_t.
        Tensor x = inputInLoop ? in[0].value() : null, u = inputInLoop ? in[1].value() : null;
        Tensor dx = inputInLoop && need[0] ? Tensor.zeros(dtype, x.dims()) : null;
        // The sums over time steps: the worker's, and the caller's (see below).
        Tensor[] sums = {need[iw] ? Tensor.zeros(dtype, hidden, hidden) : null, need[iw + 1] ? Tensor.zeros(dtype, hidden) : null,
            inputInLoop && need[1] ? Tensor.zeros(dtype, u.dims()) : null};
        Tensor[] tail = new Tensor[3];
        for (int i = 0; i < 3; i++) tail[i] = sums[i] == null ? null : Tensor.zerosLike(sums[i]);
        // The smallest t whose δ_t is final; the consumer waits for it (happens-before via the atomic).
        AtomicInteger ready = new AtomicInteger(steps);
        // The first MAIN_TAIL_STEPS steps' terms (the last δ_t to become final) go to the calling
        // thread after its recurrence, into their own sums; the worker sums the rest as they
        // become final. The gradients are then (worker's sum) + (caller's sum) whatever the threads.
        int split = Math.min(steps, MAIN_TAIL_STEPS);
        // Ω (FlowRegularizer): its coefficient rows, one per transition, and its sum over the batch.
        Storage coef = flow != null && need[iw] ? dtype.allocate(steps * n) : null;
        double[] omega = new double[1];
        double omegaScale = flow == null ? 0 : flow.weight() / batch;
        Parallel.Body body = task -> {
            if (task == 0) {
                try {
                    recurrence(steps, batch, hidden, n, c, o, z, delta, wa, propagated, ready, coef, omega, omegaScale, s0);
                } finally {
                    ready.set(-1); // also on failure, so that the consumer cannot wait forever
                }
                accumulate(0, split, batch, hidden, n, delta, z, out, s0, x, u, dx, tail, ready);
            } else {
                accumulate(split, steps, batch, hidden, n, delta, z, out, s0, x, u, dx, sums, ready);
            }
        };
        Parallel.forEach(steps > 0 ? 2 : 0, body);
        for (int i = 0; i < 3; i++) {
            if (sums[i] != null) {
                Storage a = sums[i].storage();
                a.binary(BinaryOp.ADD, 0, 1, tail[i].storage(), 0, 1, a, 0, sums[i].size());
            }
        }
        if (flow != null) {
            // ∂Ω/∂W = Σ_k (left factor_k)ᵀ c_k, the left factor being δ_k in both forms (see FlowRegularizer).
            if (coef != null && steps > 0) {
                delta.gemm(true, false, hidden, hidden, steps * batch, 0, hidden, coef, 0, hidden, sums[0].storage(), 0, hidden, true);
            }
            flow.add(omega[0] / batch);
        }
        Var ds0 = null;
        if (need[iw + 2]) {
            Tensor g0 = Tensor.zeros(dtype, batch, hidden);
            if (steps > 0) {
                propagated.copyTo(0, g0.storage(), 0, n);
                if (preActivation) Loops.mulDerivativeFromOutput(act, activatedInitial.storage(), 0, g0.storage(), 0, n);
            }
            ds0 = Var.constant(g0);
        }
        Var gw = sums[0] == null ? null : Var.constant(sums[0]), gb = sums[1] == null ? null : Var.constant(sums[1]);
        if (inputInLoop) {
            return new Var[] {dx == null ? null : Var.constant(dx), sums[2] == null ? null : Var.constant(sums[2]), gw, gb, ds0};
        }
        return new Var[] {need[0] ? Var.constant(dp) : null, gw, gb, ds0};
    }

    /** Steps whose weight- and bias-gradient terms the calling thread sums after the recurrence (see {@link #fusedVjp}). */
    static final int MAIN_TAIL_STEPS = 50;

    /**
     * Over t in [lo, hi), in blocks of {@link #GRADIENT_BLOCK} steps from hi down, each once its
     * δ_t are final: W̄ += Σ_t δ_tᵀ z_{t−1}, b̄ += Σ_t Σ_rows δ_t and, with the input in the loop,
     * Ū += Σ_t δ_tᵀ x_t into {@code sums} = {W̄, b̄, Ū} (entries may be null), and x̄_t = δ_t U
     * into {@code dx} (if not null).
     */
    private void accumulate(int lo, int hi, int batch, int hidden, int n, Storage delta, Storage z, Tensor out, Tensor s0,
                            Tensor x, Tensor u, Tensor dx, Tensor[] sums, AtomicInteger ready) {
        if (sums[0] == null && sums[1] == null && sums[2] == null && dx == null) return;
        Storage g = sums[0] == null ? null : sums[0].storage(), bsum = sums[1] == null ? null : sums[1].storage();
        Storage gu = sums[2] == null ? null : sums[2].storage();
        int inputs = x == null ? 0 : x.dim(2);
        for (int end = hi; end > lo; end -= GRADIENT_BLOCK) {
            int start = Math.max(lo, end - GRADIENT_BLOCK);
            int rows = (end - start) * batch;
            awaitReady(ready, start);
            if (bsum != null) Loops.sumRows(delta, start * n, rows, hidden, bsum);
            if (gu != null) {
                delta.gemm(true, false, hidden, inputs, rows, start * n, hidden, x.storage(), start * batch * inputs, inputs, gu, 0, inputs, true);
            }
            if (dx != null) {
                delta.gemm(false, false, rows, inputs, hidden, start * n, hidden, u.storage(), 0, inputs, dx.storage(), start * batch * inputs, inputs, false);
            }
            if (g == null) continue;
            int from = Math.max(start, 1);
            if (end > from) {
                delta.gemm(true, false, hidden, hidden, (end - from) * batch, from * n, hidden, z, (from - 1) * n, hidden, g, 0, hidden, true);
            }
            if (start == 0) {
                delta.gemm(true, false, hidden, hidden, batch, 0, hidden, previousActivation(0, out, s0), 0, hidden, g, 0, hidden, true);
            }
        }
    }

    /** δ_t for t = T−1 .. 0 into {@code delta}, publishing each finished t in {@code ready}. */
    private void recurrence(int steps, int batch, int hidden, int n, Storage c, Storage o, Storage z, Storage delta, Storage wa,
                            Storage propagated, AtomicInteger ready, Storage coef, double[] omega, double omegaScale, Tensor s0) {
        boolean regularized = flow != null;
        // Ω's per-step rows: the error e_t (activation form; in the pre-activation form e_t = δ_t) and u = e_t J_t.
        Storage scratch = regularized ? s0.dtype().allocate(n) : null;
        for (int t = steps - 1; t >= 0; t--) {
            int off = t * n;
            if (preActivation) {
                c.copyTo(off, delta, off, n);
                if (t < steps - 1) {
                    Loops.mulDerivativeFromOutput(act, z, off, propagated, 0, n);
                    delta.binary(BinaryOp.ADD, off, 1, propagated, 0, 1, delta, off, n);
                }
            } else {
                if (regularized) {
                    if (t < steps - 1) c.binary(BinaryOp.ADD, off, 1, propagated, 0, 1, scratch, 0, n);
                    else c.copyTo(off, scratch, 0, n);
                }
                Loops.addThenMulDerivative(act, c, off, t < steps - 1 ? propagated : null, 0, o, off, delta, off, n);
            }
            ready.set(t);
            delta.gemmPacked(false, batch, hidden, hidden, off, hidden, wa, propagated, 0, hidden, false);
            if (!regularized) continue;
            if (preActivation) {
                // u = (e_t W) ⊙ σ'(h_{t−1}); the coefficient rows carry one more σ'(h_{t−1}).
                Storage prev = t == 0 ? activatedInitial.storage() : z;
                int prevOff = t == 0 ? 0 : off - n;
                propagated.copyTo(0, scratch, 0, n);
                Loops.mulDerivativeFromOutput(act, prev, prevOff, scratch, 0, n);
                omega[0] += FlowRegularizer.transition(delta, off, scratch, 0, coef, off, batch, hidden, omegaScale);
                if (coef != null) Loops.mulDerivativeFromOutput(act, prev, prevOff, coef, off, n);
            } else {
                // u = δ_t W = e_t diag(σ'(a_t)) W, the error passed back.
                omega[0] += FlowRegularizer.transition(scratch, 0, propagated, 0, coef, off, batch, hidden, omegaScale);
            }
        }
    }

    /** Waits until δ_t is final for every t ≥ {@code start}: spins briefly, then parks in short naps. */
    private static void awaitReady(AtomicInteger ready, int start) {
        for (int spins = 0; ready.get() > start; spins++) {
            if (spins < 200) Thread.onSpinWait();
            else LockSupport.parkNanos(20_000);
        }
    }

    /** The same recurrence with Var operations, so that tangents and recording flow through it. */
    private Var[] differentiableVjp(Var[] in, Var out, Var ct, boolean[] need) {
        if (!inputInLoop) return differentiableVjpOfProjections(in, out, ct, need);
        // Through the projections P = x Uᵀ: x̄ = P̄ U and Ū = P̄ᵀ x, flattened over (t, row).
        Var x = in[0], u = in[1];
        int steps = x.dim(0), batch = x.dim(1), inputs = x.dim(2), hidden = u.dim(0);
        Var x2 = x.reshape(steps * batch, inputs);
        Var p = x2.matmul(u, false, true).reshape(steps, batch, hidden);
        Var[] r = differentiableVjpOfProjections(new Var[] {p, in[2], in[3], in[4]}, out, ct,
                new boolean[] {need[0] || need[1], need[2], need[3], need[4]});
        Var dp2 = r[0] == null ? null : r[0].reshape(steps * batch, hidden);
        Var dx = need[0] ? dp2.matmul(u).reshape(steps, batch, inputs) : null;
        Var du = need[1] ? dp2.matmul(x2, true, false) : null;
        return new Var[] {dx, du, r[1], r[2], r[3]};
    }

    /** {@link #differentiableVjp} with the inputs (P, W, b, s_0). */
    private Var[] differentiableVjpOfProjections(Var[] in, Var out, Var ct, boolean[] need) {
        Var w = in[1], s0 = in[3];
        int steps = out.dim(0);
        if (steps == 0) {
            Var[] zeros = new Var[4];
            for (int i = 0; i < 4; i++) if (need[i]) zeros[i] = Var.constant(Tensor.zerosLike(in[i].value()));
            return zeros;
        }
        Var[] deltas = new Var[steps];
        Var propagated = null, dW = null;
        Var z0 = preActivation ? act.apply(s0) : s0;
        for (int t = steps - 1; t >= 0; t--) {
            Var y = out.select(0, t);
            Var delta;
            if (preActivation) {
                delta = ct.select(0, t);
                if (propagated != null) delta = delta.add(propagated.mul(act.derivativeFromOutput(act.apply(y))));
            } else {
                delta = propagated == null ? ct.select(0, t) : ct.select(0, t).add(propagated);
                delta = delta.mul(act.derivativeFromOutput(y));
            }
            deltas[t] = delta;
            if (need[1]) {
                Var zPrev = t == 0 ? z0 : preActivation ? act.apply(out.select(0, t - 1)) : out.select(0, t - 1);
                Var term = delta.matmul(zPrev, true, false);
                dW = dW == null ? term : dW.add(term);
            }
            propagated = delta.matmul(w);
        }
        Var ds0 = null;
        if (need[3]) ds0 = preActivation ? propagated.mul(act.derivativeFromOutput(z0)) : propagated;
        Var dp = need[0] || need[2] ? Var.stack(0, deltas) : null;
        Var db = need[2] ? dp.sum(new int[] {0, 1}, false) : null;
        return new Var[] {need[0] ? dp : null, dW, db, ds0};
    }
}
