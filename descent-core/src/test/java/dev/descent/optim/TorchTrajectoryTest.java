package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.io.Json;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Trajectories of SGD with momentum (plain, Nesterov with weight decay, with gradient clipping),
 * Adam (plain and with L2), AdamW (with the bias excluded from decay) and RMSprop (plain and
 * centred with momentum) against {@code torch.optim} 1.13 in float64, 50 steps each, recorded by
 * {@code scripts/record_torch_optim_fixtures.py}.
 *
 * <p>Two checks per run. Replay: feed PyTorch's recorded gradient at every step, so only the
 * update rule is compared; our operation order follows PyTorch's up to reassociation, so each
 * step adds at most a few ulps (≈1e-16) and the tolerance 1e-13 relative to max(1, |θ|) leaves
 * room for 50 steps of that (measured: ≤ 1e-14). End to end: we compute the gradient ourselves
 * from the closed-form loss; the gradients then differ by rounding too, which the next steps
 * propagate through the (contracting) dynamics, and Adam/RMSprop divide by √v, amplifying
 * differences in small gradients; 1e-11 is used (measured: ≤ 1e-13).
 */
class TorchTrajectoryTest {
    private static Map<String, Object> doc;
    private static Tensor x, y;
    private static Params initial;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        try (InputStream in = TorchTrajectoryTest.class.getResourceAsStream("/optim/torch_optim_trajectories.json")) {
            doc = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "torch_optim_trajectories.json");
        }
        x = tensor(doc.get("x"));
        y = tensor(doc.get("y"));
        initial = params(doc.get("initial"));
    }

    @SuppressWarnings("unchecked")
    static Tensor tensor(Object json) {
        Map<String, Object> m = (Map<String, Object>) json;
        List<Object> shape = (List<Object>) m.get("shape");
        List<Object> data = (List<Object>) m.get("data");
        int[] dims = new int[shape.size()];
        for (int i = 0; i < dims.length; i++) dims[i] = ((Number) shape.get(i)).intValue();
        double[] d = new double[data.size()];
        for (int i = 0; i < d.length; i++) d[i] = ((Number) data.get(i)).doubleValue();
        return Tensor.of(d, dims);
    }

    @SuppressWarnings("unchecked")
    static Params params(Object json) {
        Map<String, Object> m = (Map<String, Object>) json;
        return Params.of("w", tensor(m.get("w")), "b", tensor(m.get("b")));
    }

    /** The fixture's loss, mean((tanh(x w + b) − y)²). */
    static Var loss(VarParams vp) {
        return Var.constant(x).matmul(vp.get("w")).add(vp.get("b")).tanh().sub(Var.constant(y)).square().mean();
    }

    /** Our equivalent of each recorded PyTorch configuration. */
    static GradientTransformation<?> optimizer(String run) {
        switch (run) {
            case "sgd_momentum": return Optimizers.sgd(0.1, 0.9, false, 0);
            case "sgd_nesterov_weight_decay": return Optimizers.sgd(0.05, 0.9, true, 0.01);
            case "adam": return Optimizers.adam(0.01);
            case "adam_weight_decay": return Optimizers.adam(0.01, 0.8, 0.99, 1e-6, 0.05);
            case "adamw_bias_excluded": return Optimizers.adamw(0.01, 0.9, 0.999, 1e-8, 0.1, name -> !name.equals("b"));
            case "rmsprop": return Optimizers.rmsprop(0.01);
            case "rmsprop_centered_momentum": return Optimizers.rmsprop(0.005, 0.9, 1e-6, 0.5, true);
            case "sgd_momentum_clip_grad_norm":
                return Optimizers.chain(Optimizers.clipByGlobalNorm(0.25), Optimizers.sgd(0.2, 0.5, false, 0));
            default: throw new IllegalArgumentException("no optimiser for run " + run);
        }
    }

    @SuppressWarnings("unchecked")
    static Stream<String> runs() throws IOException {
        if (doc == null) load();
        return ((List<Object>) doc.get("runs")).stream().map(r -> (String) ((Map<String, Object>) r).get("name"));
    }

    @SuppressWarnings("unchecked")
    static List<Object> steps(String run) {
        for (Object r : (List<Object>) doc.get("runs")) {
            Map<String, Object> m = (Map<String, Object>) r;
            if (m.get("name").equals(run)) return (List<Object>) m.get("steps");
        }
        throw new IllegalArgumentException(run);
    }

    static double relativeError(Params ours, Params theirs) {
        double worst = 0;
        for (String n : ours.names()) {
            Tensor a = ours.get(n), b = theirs.get(n);
            for (int i = 0; i < a.size(); i++) {
                worst = Math.max(worst, Math.abs(a.getFlat(i) - b.getFlat(i)) / Math.max(1, Math.abs(b.getFlat(i))));
            }
        }
        return worst;
    }

    @ParameterizedTest(name = "{0}: replaying PyTorch's gradients")
    @MethodSource("runs")
    @SuppressWarnings("unchecked")
    void updateRuleMatchesTorchGivenTheSameGradients(String run) {
        GradientTransformation<Object> opt = (GradientTransformation<Object>) optimizer(run);
        Params p = initial;
        Object state = opt.init(p);
        int step = 0;
        for (Object s : steps(run)) {
            step++;
            Map<String, Object> rec = (Map<String, Object>) s;
            Update<Object> u = opt.update(params(rec.get("grad")), state, p);
            p = Updates.apply(p, u.updates());
            state = u.state();
            double err = relativeError(p, params(rec.get("params")));
            assertTrue(err <= 1e-13, run + " step " + step + ": relative error " + err);
            if (rec.containsKey("pre_clip_norm")) {
                ClipStats clip = OptimizerStates.find(state, ClipStats.class).orElseThrow();
                double torchNorm = ((Number) rec.get("pre_clip_norm")).doubleValue();
                assertEquals(torchNorm, clip.lastPreClipNorm(), 1e-15 * torchNorm, run + " step " + step + " pre-clip norm");
                assertEquals(torchNorm + 1e-6 > 0.25, clip.lastClipped(), run + " step " + step + " clipped");
            }
        }
        if (run.contains("clip")) {
            ClipStats clip = OptimizerStates.find(state, ClipStats.class).orElseThrow();
            assertTrue(clip.clippedSteps() > 0 && clip.clippedSteps() < clip.steps(), "clipping fired on some steps only: " + clip);
        }
    }

    @ParameterizedTest(name = "{0}: end to end from the closed-form loss")
    @MethodSource("runs")
    @SuppressWarnings("unchecked")
    void trajectoryMatchesTorchFromTheClosedFormLoss(String run) {
        GradientTransformation<Object> opt = (GradientTransformation<Object>) optimizer(run);
        Function<VarParams, Var> f = TorchTrajectoryTest::loss;
        Params p = initial;
        Object state = opt.init(p);
        int step = 0;
        for (Object s : steps(run)) {
            step++;
            Map<String, Object> rec = (Map<String, Object>) s;
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(f, p);
            double torchLoss = ((Number) rec.get("loss")).doubleValue();
            assertEquals(torchLoss, vg.value().item(), 1e-10 * torchLoss, run + " step " + step + " loss");
            Update<Object> u = opt.update(vg.grad(), state, p);
            p = Updates.apply(p, u.updates());
            state = u.state();
            double err = relativeError(p, params(rec.get("params")));
            assertTrue(err <= 1e-11, run + " step " + step + ": relative error " + err);
        }
    }
}
