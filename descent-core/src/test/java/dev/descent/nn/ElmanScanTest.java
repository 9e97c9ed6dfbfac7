package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.GradCheck;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import dev.descent.tensor.kernel.RecurrentF64;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The fused scan against the same recurrence unrolled from primitives. Both evaluate identical
 * floating-point operations in the same order except for the W̄ accumulation (one GEMM over all
 * steps vs a sum of per-step products), so values agree exactly and gradients to a few ulps of
 * the accumulated magnitude; 1e-12 relative is the float64 bar.
 */
class ElmanScanTest {
    static final int T = 12, B = 3, H = 5, IN = 2;

    static Var unrolled(int kind, Var p, Var w, Var g0) {
        Var g = g0;
        Var[] states = new Var[p.dim(0)];
        for (int t = 0; t < states.length; t++) {
            Var a = g.matmul(w, false, true).add(p.select(0, t));
            g = kind == RecurrentF64.TANH ? a.tanh() : kind == RecurrentF64.SIGMOID ? a.sigmoid() : kind == RecurrentF64.RELU ? a.relu() : a;
            states[t] = g;
        }
        return Var.stack(0, states);
    }

    static Params params(long seed) {
        Rng rng = new Rng(seed);
        return Params.of("U", rng.normal(DType.F64, 0, 0.5, H, IN), "b", rng.normal(DType.F64, 0, 0.1, H),
                "W", rng.normal(DType.F64, 0, 0.4, H, H), "g0", rng.normal(DType.F64, 0, 0.5, B, H));
    }

    static Function<VarParams, Var> loss(int kind, boolean fused, Tensor x, Tensor target) {
        return vp -> {
            Var p = Var.constant(x).matmul(vp.get("U"), false, true).add(vp.get("b"));
            Var g = fused ? ElmanScan.apply(kind, p, vp.get("W"), vp.get("g0")) : unrolled(kind, p, vp.get("W"), vp.get("g0"));
            return g.sub(Var.constant(target)).square().mean();
        };
    }

    @Test
    void fusedMatchesUnrolledInValueGradientJvpAndHvp() {
        for (int kind = 0; kind <= 3; kind++) {
            Rng rng = new Rng(kind);
            Tensor x = rng.normal(DType.F64, 0, 1, T, B, IN), target = rng.normal(DType.F64, 0, 0.5, T, B, H);
            Params p = params(kind + 10);
            Function<VarParams, Var> fused = loss(kind, true, x, target), plain = loss(kind, false, x, target);
            Autodiff.ValueAndGrad a = Autodiff.valueAndGrad(fused, p), b = Autodiff.valueAndGrad(plain, p);
            assertTrue(Math.abs(a.value().item() - b.value().item()) <= 1e-14 * Math.abs(b.value().item()), "kind " + kind);
            double gs = b.grad().norm();
            assertTrue(a.grad().sub(b.grad()).norm() <= 1e-12 * gs, "grad kind " + kind + ": " + a.grad().sub(b.grad()).norm());
            Params v = p.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
            Tensor ja = Autodiff.jvp(fused, p, v).tangent(), jb = Autodiff.jvp(plain, p, v).tangent();
            assertTrue(Math.abs(ja.item() - jb.item()) <= 1e-12 * Math.max(1e-300, Math.abs(jb.item())) + 1e-15, "jvp kind " + kind);
            Params ha = Autodiff.hvp(fused, p, v), hb = Autodiff.hvp(plain, p, v);
            assertTrue(ha.sub(hb).norm() <= 1e-12 * Math.max(hb.norm(), 1e-300) + 1e-15, "hvp kind " + kind + ": " + ha.sub(hb).norm());
        }
    }

    @Test
    void fusedScanPassesTheGradientChecker() {
        for (int kind : new int[] {RecurrentF64.TANH, RecurrentF64.SIGMOID}) {
            Rng rng = new Rng(40 + kind);
            Tensor x = rng.normal(DType.F64, 0, 1, T, B, IN), target = rng.normal(DType.F64, 0, 0.5, T, B, H);
            GradCheck.Report r = GradCheck.check(loss(kind, true, x, target), params(kind), 4, 1e-5, 3);
            assertTrue(r.passes(1e-6), r.toString());
        }
    }

    @Test
    void float32ScanTracksFloat64() {
        Rng rng = new Rng(7);
        Tensor x = rng.normal(DType.F64, 0, 1, T, B, IN), target = rng.normal(DType.F64, 0, 0.5, T, B, H);
        Params p = params(8);
        Autodiff.ValueAndGrad d = Autodiff.valueAndGrad(loss(RecurrentF64.TANH, true, x, target), p);
        Autodiff.ValueAndGrad f = Autodiff.valueAndGrad(loss(RecurrentF64.TANH, true, x.to(DType.F32), target.to(DType.F32)), p.to(DType.F32));
        // float32 rounding (u = 6e-8) amplified by at most T·H-term sums: 1e-4 relative is ample.
        assertTrue(f.grad().to(DType.F64).sub(d.grad()).norm() <= 1e-4 * d.grad().norm());
    }
}
