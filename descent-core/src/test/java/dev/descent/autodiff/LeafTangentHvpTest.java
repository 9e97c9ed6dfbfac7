package dev.descent.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Autodiff#hvp} forms only the tangents of the parameters' cotangents
 * ({@link Primitive#vjpTangent}), skipping the gradient values; {@link Autodiff#gradAndHvp} forms
 * both through the ordinary reverse pass. The two must give the same H v: the same products,
 * summed in a possibly different order, so equal to 1e-13 relative in float64 (rounding of sums
 * of a few dozen terms, each ~1e-16). Matrix products in all four transpositions, a parameter used
 * twice, a parameter that does not influence the loss, and a batched product are covered.
 */
class LeafTangentHvpTest {
    @Test
    void hvpWithoutLeafValuesEqualsTheFullForwardOverReverse() {
        Rng rng = new Rng(11);
        Params p = Params.of("a", rng.normal(DType.F64, 0, 1, 4, 3), "b", rng.normal(DType.F64, 0, 1, 3, 5),
                "c", rng.normal(DType.F64, 0, 1, 5, 3), "d", rng.normal(DType.F64, 0, 1, 2, 4, 4), "unused", rng.normal(DType.F64, 0, 1, 2));
        Tensor x = rng.normal(DType.F64, 0, 1, 6, 4);
        Function<VarParams, Var> f = vp -> {
            Var a = vp.get("a"), b = vp.get("b"), c = vp.get("c");
            Var h = Var.constant(x).matmul(a).tanh();                 // [6,3]
            Var g = h.matmul(b).sigmoid();                            // [6,5]
            Var k = g.matmul(c, false, false).matmul(a, false, true); // [6,4], a used twice
            Var t = c.matmul(b, true, true);                          // [3,3] from both transposed
            Var s = a.matmul(k, true, true).relu().sum().add(h.matmul(g, true, false).sum()); // (T,T) and (T,N)
            Var batched = vp.get("d").matmul(vp.get("d"), false, true).sum(); // batched, transposed
            return k.square().sum().add(t.exp().sum()).add(s.mul(s)).add(batched);
        };
        Params v = p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
        Params fast = Autodiff.hvp(f, p, v);
        Params full = Autodiff.gradAndHvp(f, p, v).hvp();
        assertTrue(fast.sub(full).norm() <= 1e-13 * full.norm(), "relative " + fast.sub(full).norm() / full.norm());
        assertEquals(0, fast.get("unused").maxAbs());
    }

    @Test
    void theDefaultVjpTangentIsTheTangentOfTheVjp() {
        Rng rng = new Rng(12);
        Tensor x = rng.normal(DType.F64, 0, 1, 3, 4), dx = rng.normal(DType.F64, 0, 1, 3, 4);
        Var in = Var.parameter(x, dx);
        Var ct = Var.withTangent(rng.normal(DType.F64, 0, 1, 3, 4), rng.normal(DType.F64, 0, 1, 3, 4));
        Primitives.Tanh tanh = new Primitives.Tanh();
        Var out;
        try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
            out = Var.apply(tanh, in);
            Tensor viaDefault = tanh.vjpTangent(new Var[] {in}, out, ct, 0);
            Tensor viaVjp = tanh.vjp(new Var[] {in}, out, ct, new boolean[] {true})[0].tangent();
            assertEquals(0, viaDefault.maxAbsDiff(viaVjp));
            Var constantCt = Var.constant(ct.value());
            Var constantIn = Var.constant(x);
            Var constantOut = Var.apply(new Primitives.MatMul(false, true), constantIn, constantIn);
            assertNull(new Primitives.MatMul(false, true).vjpTangent(new Var[] {constantIn, constantIn}, constantOut,
                    Var.constant(Tensor.zeros(DType.F64, 3, 3)), 0), "no tangent anywhere: a symbolic zero");
            assertEquals(constantCt.shape(), ct.shape());
        }
    }
}
