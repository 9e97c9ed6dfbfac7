package dev.descent.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class HvpTest {
    /** f(x) = ½ xᵀAx + Σ tanh(x): H = A + diag(−2 tanh(x) sech²(x)), known in closed form. */
    @Test
    void hvpEqualsTheAnalyticDenseHessian() {
        Rng rng = new Rng(3);
        int n = 6;
        Tensor m = rng.normal(DType.F64, 0, 1, n, n);
        Tensor a = m.add(m.transpose());
        Tensor x = rng.normal(DType.F64, 0, 1, n, 1);
        Function<VarParams, Var> f = vp -> {
            Var xv = vp.get("x");
            return xv.matmul(Var.constant(a).matmul(xv), true, false).sum().mul(0.5).add(xv.tanh().sum());
        };
        double[][] h = Autodiff.denseHessian(f, Params.of("x", x));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double t = Math.tanh(x.getFlat(i));
                double expected = a.get(i, j) + (i == j ? -2 * t * (1 - t * t) : 0);
                assertEquals(expected, h[i][j], 1e-12 * Math.max(1, Math.abs(expected)), "H[" + i + "," + j + "]");
            }
        }
    }

    @Test
    void gradAndHvpAgreeWithSeparateCalls() {
        Rng rng = new Rng(5);
        Params p = Params.of("w", rng.normal(DType.F64, 0, 1, 4, 3), "b", rng.normal(DType.F64, 0, 1, 3));
        Tensor x = rng.normal(DType.F64, 0, 1, 7, 4);
        Function<VarParams, Var> f = vp -> Var.constant(x).matmul(vp.get("w")).add(vp.get("b")).tanh().square().mean();
        Params v = p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
        Autodiff.GradAndHvp both = Autodiff.gradAndHvp(f, p, v);
        assertTrue(both.grad().maxAbsDiff(Autodiff.grad(f, p)) == 0);
        assertTrue(both.hvp().maxAbsDiff(Autodiff.hvp(f, p, v)) == 0);
    }

    /**
     * For a linear model z = X w and L = ½‖z − y‖², the Gauss-Newton matrix is XᵀX exactly
     * (and equals the Hessian, since the model is linear).
     */
    @Test
    void gaussNewtonProductOfALinearModelIsXtXv() {
        Rng rng = new Rng(9);
        Tensor xs = rng.normal(DType.F64, 0, 1, 8, 5);
        Tensor y = rng.normal(DType.F64, 0, 1, 8, 1);
        Params p = Params.of("w", rng.normal(DType.F64, 0, 1, 5, 1));
        Params v = Params.of("w", rng.normal(DType.F64, 0, 1, 5, 1));
        Function<VarParams, Var> model = vp -> Var.constant(xs).matmul(vp.get("w"));
        Function<Var, Var> loss = z -> z.sub(Var.constant(y)).square().sum().mul(0.5);
        Params gv = Autodiff.gnvp(model, loss, p, v);
        Tensor expected = xs.matmul(xs.matmul(v.get("w")), true, false);
        assertTrue(gv.get("w").maxAbsDiff(expected) <= 1e-12 * expected.maxAbs());
        Params hv = Autodiff.hvp(vp -> loss.apply(model.apply(vp)), p, v);
        assertTrue(hv.get("w").maxAbsDiff(expected) <= 1e-12 * expected.maxAbs());
    }

    @Test
    void gaussNewtonOfSoftmaxCrossEntropyIsPositiveSemiDefinite() {
        Rng rng = new Rng(11);
        Tensor xs = rng.normal(DType.F64, 0, 1, 6, 4);
        Tensor onehot = Tensor.oneHot(DType.F64, new int[] {0, 2, 1, 2, 0, 1}, 3);
        Params p = Params.of("w1", rng.normal(DType.F64, 0, 1, 4, 5), "w2", rng.normal(DType.F64, 0, 1, 5, 3));
        Function<VarParams, Var> model = vp -> Var.constant(xs).matmul(vp.get("w1")).tanh().matmul(vp.get("w2"));
        Function<Var, Var> loss = z -> z.logSoftmax(1).mul(Var.constant(onehot)).sum().neg().div(6);
        for (int k = 0; k < 10; k++) {
            Params v = p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
            assertTrue(v.dot(Autodiff.gnvp(model, loss, p, v)) >= -1e-12);
        }
    }

    @Test
    void gradientOfANonScalarFailsClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autodiff.grad(x -> x.mul(2), Tensor.ones(DType.F64, 3)));
        assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void inputsThatNeedNoGradientAreNotRecorded() {
        Var c = Var.constant(Tensor.ones(DType.F64, 2, 2));
        Var y = c.matmul(c).tanh();
        assertTrue(!y.requiresGrad() && y.op == null);
        Var p = Var.parameter(Tensor.ones(DType.F64, 2, 2));
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            assertTrue(!p.mul(p).requiresGrad());
        }
        assertTrue(p.mul(p).requiresGrad());
    }

    @Test
    void unusedParameterGetsZeroGradientAndConstantBranchesAreSkipped() {
        Var a = Var.parameter(Tensor.full(DType.F64, 2, 3));
        Var unused = Var.parameter(Tensor.full(DType.F64, 5, 2));
        Var k = Var.constant(Tensor.full(DType.F64, 4, 3));
        Tensor[] g = Autodiff.grad(a.mul(k).sum(), List.of(a, unused));
        assertEquals(4.0, g[0].getFlat(0), 0);
        assertEquals(0.0, g[1].maxAbs(), 0);
    }

    @Test
    void doubleBackwardThroughCreateGraphMatchesForwardOverReverse() {
        Rng rng = new Rng(21);
        Tensor x0 = rng.normal(DType.F64, 0, 1, 5);
        Tensor v = rng.normal(DType.F64, 0, 1, 5);
        Function<Var, Var> f = x -> x.tanh().mul(x.exp()).sum();
        Var x = Var.parameter(x0);
        Var loss = f.apply(x);
        Var g = Autodiff.backward(loss, Var.constant(Tensor.scalar(1.0)), List.of(x), true)[0];
        Tensor hv1 = Autodiff.grad(g.mul(Var.constant(v)).sum(), List.of(x))[0];
        Tensor hv2 = Autodiff.hvp(vp -> f.apply(vp.get("x")), Params.of("x", x0), Params.of("x", v)).get("x");
        assertTrue(hv1.maxAbsDiff(hv2) <= 1e-12 * Math.max(1, hv2.maxAbs()));
    }

    @Test
    void longChainsDoNotOverflowTheStack() {
        Var x = Var.parameter(Tensor.scalar(0.5));
        Var y = x;
        for (int i = 0; i < 20000; i++) y = y.mul(0.9999).add(0.00001);
        Tensor g = Autodiff.grad(y, List.of(x))[0];
        assertEquals(Math.pow(0.9999, 20000), g.item(), 1e-12);
    }
}
