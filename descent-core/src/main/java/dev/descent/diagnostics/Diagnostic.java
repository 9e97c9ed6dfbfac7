package dev.descent.diagnostics;

import dev.descent.autodiff.Var;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A diagnostic a {@link DiagnosticsMonitor} runs during training: it may {@link #observe} every
 * step (cheap bookkeeping, e.g. counting clipping events) and {@link #compute}s its values on
 * the steps it is scheduled for.
 *
 * <p>The static factories give the built-in diagnostics. Each call returns a new instance;
 * stateful ones ({@link #clipping()}, {@link #nonFinite()}) must not be shared between monitors.
 * Stochastic ones take a seed and use {@code seed + step·0x9E3779B97F4A7C15} at each step, so a
 * run is reproducible and its result at a step does not depend on which other diagnostics ran.
 * Costs are relative to one training step; measured figures are in the package documentation.
 */
public interface Diagnostic {
    /** A short unique name, the "diagnostic" field of the records. */
    String name();

    /** Called on every step before any {@link #compute}; the default does nothing. */
    default void observe(StepContext context) {}

    /** The values at a scheduled step; an empty map means "nothing to report" and emits no record. */
    Map<String, Object> compute(StepContext context);

    // ------------------------------------------------------------------ built-ins

    /** Global and per-layer gradient norms ("gradientNorms"). Cost O(n). */
    static Diagnostic gradientNorms() {
        return of("gradientNorms", ctx -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("global", ctx.gradients().norm());
            m.put("layers", new LinkedHashMap<String, Object>(TrainingHealth.normsByLayer(ctx.gradients())));
            return m;
        });
    }

    /** Per-layer ‖Δθ‖/‖θ‖ ("updateRatios"). Cost O(n). */
    static Diagnostic updateRatios() {
        return of("updateRatios", ctx -> Map.of("layers",
                new LinkedHashMap<String, Object>(TrainingHealth.updateRatiosByLayer(ctx.paramsBefore(), ctx.updates()))));
    }

    /**
     * The first non-finite value in the loss, gradients, updates or new parameters, reported
     * once, at the first scheduled step where one appears ("nonFinite"). Schedule it every step
     * to catch the first occurrence. Cost O(n).
     */
    static Diagnostic nonFinite() {
        return new Diagnostic() {
            private boolean reported;

            @Override public String name() { return "nonFinite"; }

            @Override public Map<String, Object> compute(StepContext ctx) {
                if (reported) return Map.of();
                Optional<NonFiniteValue> found = Double.isFinite(ctx.loss())
                        ? Optional.empty() : Optional.of(new NonFiniteValue("loss", "", new int[0], ctx.loss()));
                if (found.isEmpty()) found = TrainingHealth.firstNonFinite("gradients", ctx.gradients());
                if (found.isEmpty()) found = TrainingHealth.firstNonFinite("updates", ctx.updates());
                if (found.isEmpty()) found = TrainingHealth.firstNonFinite("params", ctx.paramsAfter());
                if (found.isEmpty()) return Map.of();
                reported = true;
                return found.get().toMap();
            }
        };
    }

    /**
     * Clipping statistics accumulated over every step that reported a {@link ClipInfo}
     * ("clipping"): how often clipping fired, the pre-clip norms, how hard. Cost O(1).
     */
    static Diagnostic clipping() {
        ClippingStatistics stats = new ClippingStatistics();
        return new Diagnostic() {
            @Override public String name() { return "clipping"; }
            @Override public void observe(StepContext ctx) { ctx.clip().ifPresent(stats::record); }
            @Override public Map<String, Object> compute(StepContext ctx) {
                ClippingStatistics.Summary s = stats.summary();
                return s.steps() == 0 ? Map.of() : s.toMap();
            }
        };
    }

    /**
     * Weight-norm dynamics of every layer named {@code <prefix>weight_v}/{@code <prefix>weight_g}
     * ("weightNorm"; see {@link WeightNormDynamics}); nothing is emitted for a model without such
     * layers. Cost O(n).
     */
    static Diagnostic weightNorm() {
        return of("weightNorm", ctx -> {
            List<WeightNormLayerStats> stats = WeightNormDynamics.measure(ctx.paramsBefore(), ctx.updates(), ctx.learningRate());
            if (stats.isEmpty()) return Map.of();
            List<Object> layers = new ArrayList<>();
            for (WeightNormLayerStats s : stats) layers.add(s.toMap());
            return Map.of("layers", layers);
        });
    }

    /**
     * gᵀHg, ε* and the Rayleigh quotient along the step's gradient ("curvature"; see
     * {@link Curvature#alongGradient(Function, dev.descent.tensor.Params, dev.descent.tensor.Params)}).
     * Needs the loss function. Cost: one Hessian-vector product.
     */
    static Diagnostic curvatureAlongGradient() {
        return of("curvature", ctx -> Curvature.alongGradient(ctx.requireLossFunction("curvature"),
                ctx.paramsBefore(), ctx.gradients()).toMap());
    }

    /**
     * The quadratic model's predicted loss change for the applied update against the actual one
     * ("quadraticModel"; see {@link Curvature#quadraticModel}). Needs the loss function. Cost:
     * one Hessian-vector product and one forward pass.
     */
    static Diagnostic quadraticModel() {
        return of("quadraticModel", ctx -> Curvature.quadraticModel(ctx.requireLossFunction("quadraticModel"),
                ctx.paramsBefore(), ctx.updates()).toMap());
    }

    /**
     * The k largest Hessian eigenvalues at paramsBefore by Lanczos ("hessianEigenvalues"; see
     * {@link HessianSpectrum#eigenvalues}), tolerance {@link HessianSpectrum#DEFAULT_TOLERANCE}.
     * Needs the loss function. Cost: up to {@code maxSteps} Hessian-vector products.
     */
    static Diagnostic hessianEigenvalues(int k, int maxSteps, long seed) {
        if (k < 1) throw new IllegalArgumentException("hessianEigenvalues: k must be >= 1, got " + k);
        if (maxSteps < k) throw new IllegalArgumentException("hessianEigenvalues: maxSteps must be >= k = " + k + ", got " + maxSteps);
        return of("hessianEigenvalues", ctx -> {
            HessianOperator op = HessianOperator.of(ctx.requireLossFunction("hessianEigenvalues"), ctx.paramsBefore());
            return HessianSpectrum.eigenvalues(op, Math.min(k, op.dimension()), EigenvalueOrder.LARGEST, maxSteps,
                    HessianSpectrum.DEFAULT_TOLERANCE, stepSeed(seed, ctx.step())).toMap();
        });
    }

    /**
     * Hutchinson's trace estimate at paramsBefore ("hessianTrace"). Needs the loss function.
     * Cost: {@code probes} Hessian-vector products.
     */
    static Diagnostic hessianTrace(int probes, long seed) {
        if (probes < 2) throw new IllegalArgumentException("hessianTrace: probes must be >= 2, got " + probes);
        return of("hessianTrace", ctx -> HessianSpectrum.trace(ctx.requireLossFunction("hessianTrace"), ctx.paramsBefore(),
                probes, stepSeed(seed, ctx.step())).toMap());
    }

    /**
     * The spectral density at paramsBefore by stochastic Lanczos quadrature ("spectralDensity").
     * Needs the loss function. Cost: probes·lanczosSteps Hessian-vector products.
     */
    static Diagnostic spectralDensity(HessianSpectrum.SlqOptions options, long seed) {
        Objects.requireNonNull(options, "options");
        return of("spectralDensity", ctx -> HessianSpectrum.density(ctx.requireLossFunction("spectralDensity"),
                ctx.paramsBefore(), options, stepSeed(seed, ctx.step())).toMap());
    }

    /**
     * Gradient flow through time of a recurrent layer ("gradientFlow"): ‖∂g_T/∂g_t‖ for every t
     * with both bounds and the regime test (see {@link GradientFlow#toEnd}). Cost: one batched
     * reverse pass and T + 1 SVDs of H × H.
     *
     * @param recurrence extracts the recurrence (weights from the step's parameters, a batch of inputs)
     * @param sample the sequence of the batch whose Jacobian is measured
     */
    static Diagnostic gradientFlow(Function<StepContext, RecurrenceSpec> recurrence, int sample) {
        Objects.requireNonNull(recurrence, "recurrence");
        if (sample < 0) throw new IllegalArgumentException("gradientFlow: sample must be >= 0, got " + sample);
        return of("gradientFlow", ctx -> GradientFlow.toEnd(recurrence.apply(ctx), sample).toMap());
    }

    /**
     * {@link #gradientFlow(Function, int)} plus the loss's sensitivity to each input, per sample
     * and batch-averaged (see {@link GradientFlow#inputSensitivity(RecurrenceSpec, Function)}):
     * one more forward and backward pass through the batch.
     *
     * @param recurrence extracts the recurrence (weights from the step's parameters, a batch of inputs)
     * @param sample the sequence of the batch whose Jacobian is measured
     * @param loss maps the stacked states g_1…g_T ([T, B, H], or [T, H] for one sequence) to a scalar
     */
    static Diagnostic gradientFlow(Function<StepContext, RecurrenceSpec> recurrence, int sample, Function<Var, Var> loss) {
        Objects.requireNonNull(recurrence, "recurrence");
        Objects.requireNonNull(loss, "loss");
        if (sample < 0) throw new IllegalArgumentException("gradientFlow: sample must be >= 0, got " + sample);
        return of("gradientFlow", ctx -> {
            RecurrenceSpec spec = recurrence.apply(ctx);
            Map<String, Object> m = new LinkedHashMap<>(GradientFlow.toEnd(spec, sample).toMap());
            m.putAll(GradientFlow.inputSensitivity(spec, loss).toMap());
            return m;
        });
    }

    /** A diagnostic from a name and a function of the step (stateless). */
    static Diagnostic of(String name, Function<StepContext, Map<String, Object>> compute) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(compute, "compute");
        return new Diagnostic() {
            @Override public String name() { return name; }
            @Override public Map<String, Object> compute(StepContext ctx) { return compute.apply(ctx); }
        };
    }

    /** The per-step seed of a stochastic diagnostic. */
    private static long stepSeed(long seed, long step) {
        return seed + step * 0x9E3779B97F4A7C15L;
    }
}
