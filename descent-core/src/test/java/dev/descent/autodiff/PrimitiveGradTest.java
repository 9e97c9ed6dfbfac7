package dev.descent.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every primitive, in float64, against central differences and the adjoint identity
 * ⟨u, J v⟩ = ⟨Jᵀu, v⟩, on random inputs and shapes.
 *
 * <p>Tolerance: the central difference with h = 1e-5 has truncation error ≈ h²·|f'''|/6 ≈ 1e-11
 * and rounding error ≈ ε·|f|/h ≈ 1e-11 relative for the O(1) inputs used here, so 1e-6
 * (the bar) leaves a wide margin while still catching any wrong rule (which gives
 * O(1) errors). The adjoint identity holds to rounding error, ≈ 1e-14 here.
 */
class PrimitiveGradTest {
    /** A named test function with a generator of valid inputs. */
    record Case(String name, int inputs, Function<Var[], Var> f, boolean positive, int[][] shapes) {}

    static final Map<String, Case> CASES = new LinkedHashMap<>();

    static void add(String name, int[][] shapes, boolean positive, Function<Var[], Var> f) {
        CASES.put(name, new Case(name, shapes.length, f, positive, shapes));
    }

    static {
        int[][] two = {{3, 4}, {3, 4}};
        int[][] bcast = {{3, 4}, {4}};
        int[][] bcastCol = {{2, 3, 4}, {3, 1}};
        add("add", two, false, v -> v[0].add(v[1]));
        add("add-broadcast", bcast, false, v -> v[0].add(v[1]));
        add("sub-broadcast-col", bcastCol, false, v -> v[0].sub(v[1]));
        add("mul", two, false, v -> v[0].mul(v[1]));
        add("mul-broadcast", bcastCol, false, v -> v[0].mul(v[1]));
        add("div", two, true, v -> v[0].div(v[1]));
        add("div-broadcast", bcast, true, v -> v[1].div(v[0]));
        add("pow-tensor", two, true, v -> v[0].pow(v[1]));
        add("pow-scalar", new int[][] {{5}}, true, v -> v[0].pow(2.5));
        add("square", new int[][] {{2, 3}}, false, v -> v[0].square());
        add("neg", new int[][] {{2, 3}}, false, v -> v[0].neg());
        add("exp", new int[][] {{2, 3}}, false, v -> v[0].exp());
        add("log", new int[][] {{2, 3}}, true, v -> v[0].log());
        add("tanh", new int[][] {{2, 3}}, false, v -> v[0].tanh());
        add("sigmoid", new int[][] {{2, 3}}, false, v -> v[0].sigmoid());
        add("relu", new int[][] {{4, 3}}, false, v -> v[0].relu());
        add("sqrt", new int[][] {{2, 3}}, true, v -> v[0].sqrt());
        add("abs", new int[][] {{7}}, false, v -> v[0].abs());
        add("maximum", two, false, v -> v[0].maximum(v[1]));
        add("sum-all", new int[][] {{2, 3, 4}}, false, v -> v[0].sum());
        add("sum-axes", new int[][] {{2, 3, 4}}, false, v -> v[0].sum(new int[] {0, 2}, false));
        add("sum-keep", new int[][] {{2, 3, 4}}, false, v -> v[0].sum(1, true));
        add("mean-axis", new int[][] {{2, 3, 4}}, false, v -> v[0].mean(-1, false));
        add("max-axis", new int[][] {{3, 5}}, false, v -> v[0].max(1, false));
        add("min-axis", new int[][] {{3, 5}}, false, v -> v[0].min(0, true));
        add("logsumexp", new int[][] {{3, 5}}, false, v -> v[0].logSumExp(1, false));
        add("logsoftmax", new int[][] {{3, 5}}, false, v -> v[0].logSoftmax(1));
        add("softmax-axis0", new int[][] {{3, 5}}, false, v -> v[0].softmax(0));
        add("matmul", new int[][] {{3, 4}, {4, 5}}, false, v -> v[0].matmul(v[1]));
        add("matmul-tA", new int[][] {{4, 3}, {4, 5}}, false, v -> v[0].matmul(v[1], true, false));
        add("matmul-tB", new int[][] {{3, 4}, {5, 4}}, false, v -> v[0].matmul(v[1], false, true));
        add("matmul-tAtB", new int[][] {{4, 3}, {5, 4}}, false, v -> v[0].matmul(v[1], true, true));
        add("matmul-batched", new int[][] {{2, 3, 4}, {2, 4, 5}}, false, v -> v[0].matmul(v[1]));
        add("matmul-3x2", new int[][] {{2, 3, 4}, {4, 5}}, false, v -> v[0].matmul(v[1]));
        add("reshape", new int[][] {{2, 6}}, false, v -> v[0].reshape(3, -1).mul(v[0].reshape(3, 4)));
        add("transpose", new int[][] {{3, 4}}, false, v -> v[0].transpose().mul(v[0].transpose()));
        add("permute", new int[][] {{2, 3, 4}}, false, v -> v[0].permute(2, 0, 1).square());
        add("slice", new int[][] {{5, 3}}, false, v -> v[0].slice(0, 1, 4).square());
        add("select", new int[][] {{5, 3}}, false, v -> v[0].select(1, 2).exp());
        add("concat", new int[][] {{2, 3}, {4, 3}}, false, v -> Var.concat(0, v[0], v[1].square()));
        add("stack", new int[][] {{2, 3}, {2, 3}}, false, v -> Var.stack(1, v[0], v[1].mul(v[0])));
        add("gather", new int[][] {{4, 3}}, false, v -> v[0].gather(0, new int[] {3, 0, 3, 1}).square());
        add("broadcastTo", new int[][] {{3, 1}}, false, v -> v[0].broadcastTo(dev.descent.tensor.Shape.of(2, 3, 4)).square());
        add("sumTo", new int[][] {{2, 3, 4}}, false, v -> v[0].sumTo(dev.descent.tensor.Shape.of(3, 1)).square());
        add("where", two, false, v -> Var.where(v[0].value().gt(0), v[0].square(), v[1].exp()));
        add("mlp-composite", new int[][] {{5, 4}, {4, 3}, {3}}, false,
                v -> v[0].matmul(v[1]).add(v[2]).tanh().logSoftmax(1).mean());
    }

    @Provide
    Arbitrary<String> cases() {
        return Arbitraries.of(CASES.keySet());
    }

    static Params inputs(Case c, long seed) {
        Rng rng = new Rng(seed);
        Object[] pairs = new Object[2 * c.inputs()];
        for (int i = 0; i < c.inputs(); i++) {
            Tensor t = c.positive() ? rng.uniform(DType.F64, 0.5, 2.0, c.shapes()[i])
                    : rng.normal(DType.F64, 0, 1, c.shapes()[i]);
            // keep relu/abs/max away from their kinks, where a finite difference is meaningless
            t = t.add(t.sign().mul(0.05));
            pairs[2 * i] = "x" + i;
            pairs[2 * i + 1] = t;
        }
        if (c.name().equals("maximum")) {
            // maximum(a, b) has its kink where a = b: keep every pair at least 0.05 apart, as the
            // shift above does for relu and abs at 0, so the h = 1e-5 difference never straddles it
            Tensor a = (Tensor) pairs[1];
            Tensor b = (Tensor) pairs[3];
            pairs[3] = b.add(b.sub(a).sign().mul(0.05));
        }
        return Params.of(pairs);
    }

    static Function<VarParams, Var> fn(Case c) {
        return vp -> {
            Var[] v = new Var[c.inputs()];
            for (int i = 0; i < v.length; i++) v[i] = vp.get("x" + i);
            return c.f().apply(v);
        };
    }

    /** Deterministic coverage: every case at least once, whatever the random property draws. */
    @net.jqwik.api.Example
    void everyCaseOnceWithAFixedSeed() {
        for (Case c : CASES.values()) {
            GradCheck.Report r = GradCheck.check(fn(c), inputs(c, 12345), 3, 1e-5, 99);
            assertTrue(r.finiteDifferenceError() <= 1e-6 && r.adjointError() <= 1e-10, c.name() + ": " + r);
        }
    }

    @Property(tries = 300)
    void everyPrimitiveMatchesFiniteDifferencesAndAdjoint(@ForAll("cases") String name, @ForAll long seed) {
        Case c = CASES.get(name);
        GradCheck.Report r = GradCheck.check(fn(c), inputs(c, seed), 2, 1e-5, seed ^ 77);
        assertTrue(r.finiteDifferenceError() <= 1e-6, name + ": " + r);
        assertTrue(r.adjointError() <= 1e-10, name + ": " + r);
    }

    @Property(tries = 60)
    void hvpOfEveryPrimitiveMatchesFiniteDifferencesOfTheGradient(@ForAll("cases") String name, @ForAll long seed) {
        Case c = CASES.get(name);
        Params x = inputs(c, seed);
        Rng rng = new Rng(seed + 1);
        // a scalar loss that exercises the full output: ⟨w, f(x)⟩² / 2 + ⟨w, f(x)⟩
        Function<VarParams, Var> f = fn(c);
        Tensor w = rng.normal(DType.F64, 0, 1, f.apply(VarParams.constants(x)).value().dims());
        Function<VarParams, Var> loss = vp -> {
            Var s = f.apply(vp).mul(Var.constant(w)).sum();
            return s.square().mul(0.5).add(s);
        };
        Params v = x.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
        Params hv = Autodiff.hvp(loss, x, v);
        double h = 1e-5;
        Params gp = Autodiff.grad(loss, x.axpy(h, v)), gm = Autodiff.grad(loss, x.axpy(-h, v));
        Params fd = gp.sub(gm).scale(1 / (2 * h));
        double scale = Math.max(1, fd.norm());
        assertTrue(hv.sub(fd).norm() / scale <= 1e-6, name + ": |Hv - fd| = " + hv.sub(fd).norm() + " scale " + scale);
    }
}
