package dev.descent.experiments;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The experiments {@code descent verify} knows, in report order: the framework's self-test, then
 * the twelve claims of SPEC.md (1.1 … 4.3), each with the experiment wired to it or none yet.
 * A claim without an experiment is reported as a failure ("not run"), never skipped silently.
 *
 * <p>Wiring an experiment is one line in {@link #standard()}: {@code .with(new MyExperiment())},
 * where {@code MyExperiment.id()} is the claim's id. Immutable.
 */
public final class ExperimentRegistry {
    /** A claim and the experiment that checks it ({@code null} while none is wired). */
    public record Entry(String id, String claim, Experiment experiment) {
        /** Whether an experiment is wired to this claim. */
        public boolean wired() {
            return experiment != null;
        }
    }

    /** The twelve claims of SPEC.md, in order, as one sentence each. */
    public static final List<Entry> SPEC_CLAIMS = List.of(
            new Entry("1.1", "Two forms of one RNN: the pre-activation form h_t = W σ(h_{t−1}) + U x_t + b and the activation "
                    + "form g_t = σ(W g_{t−1} + U x_t + b) agree, σ(h_t) = g_t", null),
            new Entry("1.2", "Vanishing gradients: if λ1(WᵀW) ≤ δ²/γ² with δ < 1 then ‖∂g_T/∂g_0‖ ≤ δ^T → 0", null),
            new Entry("1.3", "Above that bound gradients may explode but need not; clipping by global norm keeps training "
                    + "finite", null),
            new Entry("2.1", "Momentum (α, ε) and a running average (β, δ) give the same trajectory when α = β and "
                    + "ε = δ(1−β)", null),
            new Entry("2.2", "The running average is the explicit weighted sum v_t = β^t v_0 + Σ β^{t−i}(1−β) g_i", null),
            new Entry("2.3", "With v_0 = 0, E[v_t] = (1−β^t) E[g], so v_t/(1−β^t) is unbiased (Adam's correction)", null),
            new Entry("3.1", "One gradient step in the quadratic model: f̂(x0 − εg) = f(x0) − ε gᵀg + ½ε² gᵀHg, "
                    + "exact on quadratics, error O(ε³) otherwise", null),
            new Entry("3.2", "The curvature-optimal step ε* = gᵀg / gᵀHg when gᵀHg > 0, with a reported fallback "
                    + "otherwise", null),
            new Entry("3.3", "Newton's method x = x0 − H⁻¹g: one step on a quadratic, quadratic convergence on a strongly "
                    + "convex problem", null),
            new Entry("4.1", "Weight normalization equals batch normalization on whitened inputs", null),
            new Entry("4.2", "The weight-normalization gradient ∇_u L = (g/‖u‖)(I − uuᵀ/‖u‖²)∇_w L is orthogonal to u", null),
            new Entry("4.3", "Under gradient descent ‖u‖ grows (‖u_{t+1}‖² = ‖u_t‖² + ‖Δu_t‖²), making weight "
                    + "normalization robust to the learning rate", null));

    /**
     * The anchor of the SPEC.md section that states claim {@code id} ("1.2" → the heading of §1), as
     * a Markdown renderer derives it from the heading; {@code null} for an id that is not a SPEC
     * claim.
     */
    public static String specAnchor(String id) {
        if (id == null || !id.matches("[1-4]\\.[0-9]+")) return null;
        switch (id.charAt(0)) {
            case '1': return "1-recurrent-networks-and-the-flow-of-gradients-through-time";
            case '2': return "2-momentum-running-averages-and-bias-correction";
            case '3': return "3-curvature-the-quadratic-model-the-optimal-step-and-newtons-method";
            default: return "4-weight-normalization-and-batch-normalization";
        }
    }

    private final List<Entry> entries;

    private ExperimentRegistry(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The twelve SPEC claims with no experiments wired. */
    public static ExperimentRegistry specClaims() {
        return new ExperimentRegistry(SPEC_CLAIMS);
    }

    /** What {@code descent verify} runs: the gradient-checker self-test, then the SPEC claims. */
    public static ExperimentRegistry standard() {
        List<Entry> list = new ArrayList<>();
        GradCheckExperiment selfTest = new GradCheckExperiment();
        list.add(new Entry(selfTest.id(), selfTest.claim(), selfTest));
        list.addAll(SPEC_CLAIMS);
        return new ExperimentRegistry(list)
                .with(new Spec11RnnForms())
                .with(new Spec12VanishingGradients())
                .with(new Spec13ExplodingGradients())
                .with(new Spec41WeightNormEqualsBatchNorm())
                .with(new Spec42WeightNormGradientProjection())
                .with(new Spec43WeightNormGrowth())
                .with(new Spec21MomentumIsRunningAverage())
                .with(new Spec22AverageIsWeightedSum())
                .with(new Spec23BiasCorrection())
                .with(new Spec31QuadraticModel())
                .with(new Spec32OptimalStep())
                .with(new Spec33Newton());
    }

    /**
     * This registry with {@code experiment} wired to the entry of the same id (taking the
     * experiment's own claim text), or appended if no entry has that id.
     */
    public ExperimentRegistry with(Experiment experiment) {
        String id = experiment.id();
        if (id == null || id.isBlank() || id.contains(",") || id.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("ExperimentRegistry: experiment id must be non-blank without commas or spaces, got '"
                    + id + "'");
        }
        List<Entry> list = new ArrayList<>(entries);
        Entry e = new Entry(id, experiment.claim(), experiment);
        int i = ids().indexOf(id);
        if (i >= 0) list.set(i, e); else list.add(e);
        return new ExperimentRegistry(list);
    }

    /** All entries in order. */
    public List<Entry> entries() {
        return entries;
    }

    /** All ids in order. */
    public List<String> ids() {
        return entries.stream().map(Entry::id).collect(Collectors.toList());
    }

    /**
     * The entries whose ids are in {@code ids}, in registry order.
     *
     * @throws IllegalArgumentException naming the unknown ids and listing the valid ones
     */
    public List<Entry> select(Collection<String> ids) {
        Set<String> wanted = new LinkedHashSet<>(ids);
        List<String> unknown = wanted.stream().filter(id -> !ids().contains(id)).collect(Collectors.toList());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown experiment id" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; valid ids: " + String.join(", ", ids()));
        }
        return entries.stream().filter(e -> wanted.contains(e.id())).collect(Collectors.toList());
    }
}
