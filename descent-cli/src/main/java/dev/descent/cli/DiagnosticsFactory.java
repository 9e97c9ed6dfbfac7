package dev.descent.cli;

import dev.descent.diagnostics.Diagnostic;
import dev.descent.diagnostics.RecurrenceSpec;
import dev.descent.diagnostics.RecurrentActivation;
import dev.descent.diagnostics.WeightNormDynamics;
import dev.descent.nn.Activation;
import dev.descent.nn.Module;
import dev.descent.nn.Rnn;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The diagnostics {@code --diagnostics} names, built from {@code dev.descent.diagnostics}:
 * <ul>
 *   <li>{@code gradient-norms}: global and per-layer ‖g‖;</li>
 *   <li>{@code update-ratios}: per-layer ‖Δθ‖/‖θ‖;</li>
 *   <li>{@code non-finite}: the first NaN or infinity in loss, gradients, updates or parameters;</li>
 *   <li>{@code clipping}: how often and how hard clipping fired (needs {@code --clip});</li>
 *   <li>{@code curvature}: gᵀHg, ε* = gᵀg/gᵀHg and the Rayleigh quotient along the gradient (1 HVP);</li>
 *   <li>{@code quadratic-model}: predicted against actual loss change of the step (1 HVP);</li>
 *   <li>{@code hessian-eigenvalues}: the {@value #EIGENVALUES} largest Hessian eigenvalues by Lanczos
 *       (at most {@value #LANCZOS_STEPS} HVPs);</li>
 *   <li>{@code hessian-trace}: Hutchinson's estimate with {@value #TRACE_PROBES} probes;</li>
 *   <li>{@code gradient-flow}: ‖∂g_T/∂g_t‖ through time next to the bounds Π‖diag σ'‖‖W‖ and
 *       (γ‖W‖)^{T−t}, on a fixed probe sequence (needs an RNN);</li>
 *   <li>{@code weight-norm}: ‖u‖, g and the effective learning rate of weight-normalised layers
 *       (needs {@code --norm weight} or {@code weight-mean-only}).</li>
 * </ul>
 * Costs relative to a training step are in the package documentation of
 * {@code dev.descent.diagnostics}; the HVP-based ones belong on a schedule of many steps.
 */
final class DiagnosticsFactory {
    private DiagnosticsFactory() {}

    /** Every diagnostic name, in help order. */
    static final List<String> NAMES = List.of("gradient-norms", "update-ratios", "non-finite", "clipping", "curvature", "quadratic-model",
            "hessian-eigenvalues", "hessian-trace", "gradient-flow", "weight-norm");
    /** Eigenvalues reported by {@code hessian-eigenvalues}. */
    static final int EIGENVALUES = 3;
    /** Lanczos steps (HVPs) allowed for them. */
    static final int LANCZOS_STEPS = 20;
    /** Probes of {@code hessian-trace}. */
    static final int TRACE_PROBES = 10;

    /**
     * The diagnostics called {@code names} for {@code model}.
     *
     * @param probeInputs a fixed batch of inputs [T, B, in] for gradient flow (null when not a sequence model)
     * @param clipping whether the run clips gradients
     * @throws IllegalArgumentException for an unknown name or one that does not fit the model or run
     */
    static List<Diagnostic> build(List<String> names, Module model, Tensor probeInputs, boolean clipping, long seed) {
        List<Diagnostic> out = new ArrayList<>();
        for (String raw : names) {
            String n = raw.strip();
            switch (n) {
                case "gradient-norms" -> out.add(Diagnostic.gradientNorms());
                case "update-ratios" -> out.add(Diagnostic.updateRatios());
                case "non-finite" -> out.add(Diagnostic.nonFinite());
                case "clipping" -> {
                    if (!clipping) throw new IllegalArgumentException("--diagnostics clipping needs --clip");
                    out.add(Diagnostic.clipping());
                }
                case "curvature" -> out.add(Diagnostic.curvatureAlongGradient());
                case "quadratic-model" -> out.add(Diagnostic.quadraticModel());
                case "hessian-eigenvalues" -> out.add(Diagnostic.hessianEigenvalues(EIGENVALUES, LANCZOS_STEPS, seed));
                case "hessian-trace" -> out.add(Diagnostic.hessianTrace(TRACE_PROBES, seed));
                case "gradient-flow" -> {
                    Rnn rnn = model instanceof SequenceModel s ? s.rnn() : null;
                    if (rnn == null || probeInputs == null) {
                        throw new IllegalArgumentException("--diagnostics gradient-flow needs --model rnn");
                    }
                    out.add(Diagnostic.gradientFlow(ctx -> recurrence(rnn, ctx.paramsBefore(), probeInputs), 0));
                }
                case "weight-norm" -> {
                    if (WeightNormDynamics.prefixes(model.parameters()).isEmpty()) {
                        throw new IllegalArgumentException("--diagnostics weight-norm needs a weight-normalised model (--norm weight or weight-mean-only)");
                    }
                    out.add(Diagnostic.weightNorm());
                }
                default -> throw new IllegalArgumentException("unknown diagnostic '" + n + "'; expected " + String.join(", ", NAMES));
            }
        }
        return out;
    }

    /**
     * The recurrence of {@code rnn} (parameters {@code rnn.W}, {@code rnn.U}, {@code rnn.b} of
     * {@code params}) on {@code inputs}, in activation form: for the pre-activation form the
     * states g_t = σ(h_t) follow the same recurrence from g_0 = σ(h_0) = σ(0) (SPEC.md §1.1).
     */
    static RecurrenceSpec recurrence(Rnn rnn, Params params, Tensor inputs) {
        Tensor w = params.get("rnn.W");
        int hidden = w.dim(0);
        Activation a = rnn.activation();
        double g0 = rnn.config().form() == Rnn.Form.PRE_ACTIVATION ? a.value(0) : 0;
        return new RecurrenceSpec(w, params.get("rnn.U"), params.get("rnn.b"), recurrentActivation(a),
                inputs.dtype() == w.dtype() ? inputs : inputs.to(w.dtype()), Tensor.full(w.dtype(), g0, hidden));
    }

    static RecurrentActivation recurrentActivation(Activation a) {
        return switch (a) {
            case TANH -> RecurrentActivation.TANH;
            case SIGMOID -> RecurrentActivation.SIGMOID;
            case RELU -> RecurrentActivation.RELU;
            case IDENTITY -> RecurrentActivation.IDENTITY;
        };
    }
}
