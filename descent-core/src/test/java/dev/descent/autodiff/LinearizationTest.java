package dev.descent.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Autodiff#linearize}: values and tangents as {@link Autodiff#jvp} gives them, and
 * {@link Autodiff.Linearization#transpose} as the sum of separate {@link Autodiff#vjp}s, with
 * outputs that depend on one another and a parameter returned as an output.
 */
class LinearizationTest {
    private static final Tensor X = new Rng(1).normal(DType.F64, 0, 1, 5, 3);

    /** {y1 = tanh(x a + b), y2 = Σ y1², y3 = a}. */
    private static Var[] f(VarParams vp) {
        Var y1 = Var.constant(X).matmul(vp.get("a")).add(vp.get("b")).tanh();
        return new Var[] {y1, y1.square().sum(), vp.get("a")};
    }

    @Test
    void transposeIsTheSumOfTheOutputsVjps() {
        Rng rng = new Rng(2);
        Params at = Params.of("a", rng.normal(DType.F64, 0, 1, 3, 4), "b", rng.normal(DType.F64, 0, 1, 4));
        Params v = at.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
        Autodiff.Linearization lin = Autodiff.linearize(LinearizationTest::f, at, v);
        assertEquals(3, lin.size());
        Tensor[] u = new Tensor[3];
        Params expected = null;
        for (int i = 0; i < 3; i++) {
            int k = i;
            Function<VarParams, Var> fi = vp -> f(vp)[k];
            Autodiff.JvpResult jv = Autodiff.jvp(fi, at, v);
            // Same operations on the same values: the forward values and tangents are identical.
            assertEquals(0.0, lin.value(i).maxAbsDiff(jv.value()), "value " + i);
            assertEquals(0.0, lin.tangent(i).maxAbsDiff(jv.tangent()), "tangent " + i);
            u[i] = rng.normal(DType.F64, 0, 1, lin.value(i).dims());
            Params g = Autodiff.vjp(fi, at, u[i]);
            expected = expected == null ? g : expected.add(g);
        }
        // y1's cotangent is summed from u1 and y2's VJP in another order than the separate passes
        // add their results: a few ulps of O(1) entries.
        Params got = lin.transpose(u);
        assertTrue(got.sub(expected).norm() <= 1e-14 * expected.norm(), got.sub(expected).norm() + "");
        assertEquals(0.0, lin.transpose(u).sub(got).norm(), "a second transpose gives the same numbers");
        Params onlyFirst = lin.transpose(u[0], null, null);
        Params first = Autodiff.vjp(vp -> f(vp)[0], at, u[0]);
        assertTrue(onlyFirst.sub(first).norm() <= 1e-14 * first.norm());
    }

    @Test
    void badCotangentsAreRefused() {
        Rng rng = new Rng(3);
        Params at = Params.of("a", rng.normal(DType.F64, 0, 1, 3, 4), "b", rng.normal(DType.F64, 0, 1, 4));
        Autodiff.Linearization lin = Autodiff.linearize(LinearizationTest::f, at, at);
        assertThrows(IllegalArgumentException.class, () -> lin.transpose(Tensor.zeros(DType.F64, 5, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> lin.transpose(Tensor.zeros(DType.F64, 4, 5), Tensor.zeros(DType.F64), Tensor.zeros(DType.F64, 3, 4)));
    }
}
