package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.optim.second.Oracles;
import dev.descent.optim.second.StructuralDampingOracle;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Gauss-Newton products G v and G v + w·S v (structural damping, Martens &amp; Sutskever 2011)
 * through the fused recurrence ({@code RnnScan}: raw-array tangent recurrence, then the fused
 * backward pass on the same forward pass, {@link Autodiff#linearize}) against the same products
 * through the step loop written with Var operations ({@link RnnTest#referenceStates}), with
 * J v and Jᵀ u taken by separate forward- and reverse-mode passes and H_L, H_D written out.
 *
 * <p>Tolerance: both compute the same float64 terms in different orders (block products against
 * per-step products; sums over time in blocks against one by one). An entry of Jᵀ u is a sum
 * over the T·B rows of terms that each went through up to T steps of products of length H, so
 * the rounding error is bounded by about T·B·H·T·u relative to the product's scale
 * (u = 2⁻⁵³); that bound is what the test allows, normwise.
 */
class RnnGaussNewtonTest {
    static final int B = 4, H = 6;

    private static double tolerance(int steps) {
        return (double) steps * steps * B * H * 0x1p-53;
    }

    /** {outputs = readout(last state), hidden states}, by the fused primitive or by the step loop. */
    private static Function<VarParams, Var[]> model(Rnn r, Tensor x, boolean reference) {
        return vp -> {
            Var states = reference ? RnnTest.referenceStates(r, vp, Var.constant(x), vp.get("s0"))
                    : r.run(vp, Var.constant(x), vp.get("s0")).states();
            Var last = states.select(0, x.dim(0) - 1);
            return new Var[] {last.matmul(vp.get("readout")), states};
        };
    }

    /**
     * The reference Jzᵀ H_L Jz v + w c J_hᵀ J_h v for L = mean((z − y)²) (H_L = 2/N I) and
     * D = ½ c ‖h‖²: four separate passes through the step loop.
     */
    private static Params referenceProduct(Function<VarParams, Var[]> ref, Params at, Params v, int outputs, double wc) {
        Tensor jz = Autodiff.jvp(vp -> ref.apply(vp)[0], at, v).tangent();
        Tensor jh = Autodiff.jvp(vp -> ref.apply(vp)[1], at, v).tangent();
        Params g = Autodiff.vjp(vp -> ref.apply(vp)[0], at, jz.mul(2.0 / outputs));
        if (wc == 0) return g;
        return g.add(Autodiff.vjp(vp -> ref.apply(vp)[1], at, jh.mul(wc)));
    }

    private static void check(Activation act, Rnn.Form form, int steps, int inputs, long seed) {
        Rnn.Config c = Rnn.Config.of(inputs, H).withActivation(act).withForm(form).withRecurrentInit(Init.sparse(3, 1.1));
        Rnn r = new Rnn(c, new Rng(seed), DType.F64);
        Rng rng = new Rng(seed + 1);
        Tensor x = rng.normal(DType.F64, 0, 1, steps, B, inputs), y = rng.normal(DType.F64, 0, 1, B, 1);
        Params at = r.parameters().with("s0", rng.normal(DType.F64, 0, 0.5, B, H)).with("readout", rng.normal(DType.F64, 0, 1, H, 1));
        Params v = at.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
        Function<Var, Var> loss = z -> z.sub(Var.constant(y)).square().mean();
        double curvature = 1.0 / B, mu = 0.37;
        Function<VarParams, Var[]> fused = model(r, x, false), ref = model(r, x, true);
        StructuralDampingOracle known = Oracles.withSquaredHiddenPenalty(fused, loss, curvature);
        StructuralDampingOracle general = Oracles.withHiddenStates(fused, loss, h -> h.square().sum().mul(0.5 * curvature));
        String what = act + " " + form + " T=" + steps + " in=" + inputs;
        double tol = tolerance(steps);

        Params plainRef = referenceProduct(ref, at, v, B, 0);
        Params plain = known.gaussNewtonVectorProduct(at, v);
        assertTrue(relErr(plain, plainRef) <= tol, what + " G v: " + relErr(plain, plainRef) + " > " + tol);

        Params dampedRef = referenceProduct(ref, at, v, B, mu * curvature);
        for (StructuralDampingOracle o : new StructuralDampingOracle[] {known, general}) {
            Params damped = o.gaussNewtonWithStructural(at, v, mu);
            assertTrue(relErr(damped, dampedRef) <= tol, what + " G v + w S v: " + relErr(damped, dampedRef) + " > " + tol);
        }
        // The structural term is not negligible next to G v here, so the check above sees it.
        assertTrue(dampedRef.sub(plainRef).norm() > 0.1 * plainRef.norm(), what + ": S v too small to be checked");
    }

    /**
     * The same fused product in float32 against float64 (the benchmark's dtype, where the
     * tangent recurrence's σ' kernel flushes tiny values): the bound of the class comment with
     * u = 2⁻²⁴.
     */
    @Test
    void float32ProductMatchesFloat64() {
        int steps = 30;
        for (Rnn.Form form : Rnn.Form.values()) {
            Rnn.Config c = Rnn.Config.of(2, H).withForm(form).withRecurrentInit(Init.sparse(3, 1.1));
            Rnn r64 = new Rnn(c, new Rng(60), DType.F64), r32 = new Rnn(c, new Rng(60), DType.F32);
            Rng rng = new Rng(61);
            Tensor x = rng.normal(DType.F64, 0, 1, steps, B, 2), y = rng.normal(DType.F64, 0, 1, B, 1);
            Params at = r64.parameters().with("s0", rng.normal(DType.F64, 0, 0.5, B, H)).with("readout", rng.normal(DType.F64, 0, 1, H, 1));
            Params v = at.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
            Params[] products = new Params[2];
            for (int i = 0; i < 2; i++) {
                DType dt = i == 0 ? DType.F64 : DType.F32;
                Tensor xd = x.to(dt), yd = y.to(dt);
                StructuralDampingOracle o = Oracles.withSquaredHiddenPenalty(model(i == 0 ? r64 : r32, xd, false),
                        z -> z.sub(Var.constant(yd)).square().mean(), 1.0 / B);
                products[i] = o.gaussNewtonWithStructural(at.map(t -> t.to(dt)), v.map(t -> t.to(dt)), 0.37).map(t -> t.to(DType.F64));
            }
            double err = relErr(products[1], products[0]), tol = (double) steps * steps * B * H * 0x1p-24;
            assertTrue(err <= tol, form + ": float32 vs float64 " + err + " > " + tol);
        }
    }

    private static double relErr(Params a, Params b) {
        return a.sub(b).norm() / b.norm();
    }

    @Test
    void fusedProductsMatchTheStepLoopInBothForms() {
        for (Rnn.Form form : Rnn.Form.values()) {
            for (Activation act : new Activation[] {Activation.TANH, Activation.SIGMOID}) {
                check(act, form, 30, 2, 40 + act.ordinal()); // input in the loop
            }
            // Many input channels: projections before the loop.
            check(Activation.TANH, form, 20, Rnn.INPUT_IN_LOOP_MAX + 3, 50);
        }
    }
}
