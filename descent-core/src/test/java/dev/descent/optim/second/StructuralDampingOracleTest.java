package dev.descent.optim.second;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.nn.Activation;
import dev.descent.nn.Init;
import dev.descent.nn.Rnn;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Structural damping's S·v (Martens &amp; Sutskever 2011, §3.2) for an RNN, against its
 * definition, and its use inside Hessian-free.
 */
class StructuralDampingOracleTest {
    static final int T = 15, B = 4, H = 6, IN = 2;

    /**
     * S = J_hᵀ H_D J_h with D(h) = ½‖h‖²/B, so wᵀ S v = (J_h w)·(J_h v)/B: checked with J_h w and
     * J_h v from central differences of the hidden states (no autodiff), for both RNN forms.
     * Tolerance: the differences' truncation error O(ε²) ≈ 1e-10 relative and rounding
     * O(1e-16/ε) ≈ 1e-11, far below 1e-7. The joint product G v + μ S v equals the sum of the
     * separate products up to rounding.
     */
    @Test
    void structuralProductMatchesItsDefinition() {
        for (Rnn.Form form : Rnn.Form.values()) {
            Rnn rnn = new Rnn(Rnn.Config.of(IN, H).withForm(form).withActivation(Activation.TANH)
                    .withRecurrentInit(Init.sparse(3, 1.1)), new Rng(3), DType.F64);
            Rng rng = new Rng(4);
            Tensor x = rng.normal(DType.F64, 0, 1, T, B, IN), readout = rng.normal(DType.F64, 0, 1, H, 1);
            Tensor y = rng.normal(DType.F64, 0, 1, B, 1);
            Function<VarParams, Var[]> modelAndHidden = vp -> {
                Var states = rnn.run(vp, Var.constant(x), null).states();
                Var last = states.select(0, T - 1);
                return new Var[] {last.matmul(Var.constant(readout)), states};
            };
            Function<Var, Var> loss = z -> z.sub(Var.constant(y)).square().mean();
            Function<Var, Var> penalty = h -> h.square().sum().mul(0.5 / B);
            StructuralDampingOracle oracle = Oracles.withHiddenStates(modelAndHidden, loss, penalty);
            Params at = rnn.parameters();
            Params v = at.map(t -> rng.normal(DType.F64, 0, 1, t.dims())), w = at.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
            Params sv = oracle.structuralProduct(at, v);
            Tensor jv = directional(modelAndHidden, at, v), jw = directional(modelAndHidden, at, w);
            double expected = 0;
            for (int i = 0; i < jv.size(); i++) expected += jv.getFlat(i) * jw.getFlat(i);
            expected /= B;
            assertEquals(expected, w.dot(sv), 1e-7 * Math.abs(expected), form.toString());
            double mu = 0.37;
            Params joint = oracle.gaussNewtonWithStructural(at, v, mu);
            Params separate = oracle.gaussNewtonVectorProduct(at, v).axpy(mu, sv);
            assertTrue(joint.sub(separate).norm() <= 1e-12 * separate.norm(), form + ": " + joint.sub(separate).norm());
            // The squared-error penalty with its known Hessian (1/B) I gives the same products by the short path.
            StructuralDampingOracle squared = Oracles.withSquaredHiddenPenalty(modelAndHidden, loss, 1.0 / B);
            Params fast = squared.gaussNewtonWithStructural(at, v, mu);
            assertTrue(fast.sub(joint).norm() <= 1e-12 * joint.norm(), form + ": " + fast.sub(joint).norm());
            assertTrue(squared.structuralProduct(at, v).sub(sv).norm() <= 1e-12 * sv.norm());
        }
    }

    /** (h(θ + εv) − h(θ − εv)) / 2ε. */
    static Tensor directional(Function<VarParams, Var[]> f, Params at, Params v) {
        double eps = 1e-5;
        Tensor up = f.apply(VarParams.constants(at.axpy(eps, v)))[1].value();
        Tensor down = f.apply(VarParams.constants(at.axpy(-eps, v)))[1].value();
        return up.sub(down).mul(1 / (2 * eps));
    }

    /**
     * With μ from {@link HessianFree#withStructuralDampingWeight}, CG solves
     * (G + λI + μλ S) p = −g with S from the oracle: on a linear model (z = X w, h = M w, G = XᵀX,
     * S = MᵀM/B exactly) the converged iterate matches a dense solve to 1e-8 (as the existing
     * structural-damping test). An oracle without hidden states is refused.
     */
    @Test
    void hessianFreeUsesTheOraclesStructuralProduct() {
        Rng rng = new Rng(62);
        int n = 6;
        Tensor xs = rng.normal(DType.F64, 0, 1, 20, n), ys = rng.normal(DType.F64, 0, 1, 20, 1);
        Tensor hiddenMap = rng.normal(DType.F64, 0, 1, 4, n);
        Function<VarParams, Var[]> modelAndHidden = vp -> new Var[] {Var.constant(xs).matmul(vp.get("w")),
                Var.constant(hiddenMap).matmul(vp.get("w"))};
        Function<Var, Var> loss = z -> z.sub(Var.constant(ys)).square().sum().mul(0.5);
        StructuralDampingOracle oracle = Oracles.withHiddenStates(modelAndHidden, loss, h -> h.square().sum().mul(0.5 / B));
        double lambda = 0.7, mu = 0.3;
        HessianFree hf = HessianFree.withDefaults().withInitialDamping(lambda).withConjugateGradient(0, 100, 1e-12)
                .withStructuralDampingWeight(mu);
        Params w = Params.of("w", rng.normal(DType.F64, 0, 1, n, 1));
        SecondOrderStep<HessianFree.State, HessianFree.Report> step = hf.step(w, hf.init(w), oracle);
        assertEquals(HessianFree.CgStop.CONVERGED, step.report().cgStop(), step.report().toString());
        Tensor g = oracle.lossAndGradient(w).gradient().get("w");
        Tensor b = xs.matmul(xs, true, false).add(Tensor.eye(DType.F64, n).mul(lambda))
                .add(hiddenMap.matmul(hiddenMap, true, false).mul(mu * lambda / B));
        Tensor expected = Tensor.of(Newton.solveDamped(b.toDoubleArray(), g.toDoubleArray(), n, 0), n, 1);
        Tensor actual = step.state().previousDirection().get("w");
        assertTrue(actual.maxAbsDiff(expected) <= 1e-8 * expected.maxAbs(), actual + " vs " + expected);

        GaussNewtonOracle plain = Oracles.fromModel(vp -> modelAndHidden.apply(vp)[0], loss);
        assertThrows(IllegalArgumentException.class, () -> hf.step(w, hf.init(w), plain));
        assertThrows(IllegalArgumentException.class, () -> HessianFree.withDefaults().withStructuralDampingWeight(-1));
    }
}
