package dev.descent.experiments;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.chart.Chart;
import dev.descent.nn.Init;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import dev.descent.nn.WeightNorm;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * SPEC.md §4.2, the weight-normalisation gradient is a projection (Salimans &amp; Kingma 2016,
 * eq. 4): for w = g·u/‖u‖ (per output unit),
 * <pre>
 *   ∇_u L = (g/‖u‖) · (I − u uᵀ/‖u‖²) · ∇_w L,   hence   uᵀ ∇_u L = 0.
 * </pre>
 *
 * <p>Set-up, float64: a two-layer network x ↦ WN₂(tanh(WN₁(x))) (6 → 5 → 3, both layers
 * {@link WeightNorm}-ed {@link Linear}s with biases, g ~ N(1, 0.5²), u ~ N(0, 1)) with a
 * squared-error loss on 32 random examples. The autodiff gradient with respect to each layer's
 * {@code weight_v} (= u) is compared with the formula evaluated on ∇_w L, the autodiff gradient of
 * the same network written with plain {@link Linear} layers holding w = g·u/‖u‖ (computed by
 * {@link WeightNorm#weight()}).
 *
 * <p>Rows per layer:
 * <ul>
 *   <li>‖∇_u L (autodiff) − formula‖ / ‖formula‖ ≤ 1e-12 (Frobenius norms over the layer): both
 *       evaluate the same expression through a different order of a few dozen float64 operations,
 *       so the difference is a few ulps times ‖∇_w L‖/‖∇_u L‖ (the cancellation in the projection,
 *       O(1)–O(10) here): measured 1e-16 to 1e-15, three orders or more inside the bound;</li>
 *   <li>max over units of |uᵀ∇_u L| / (‖u‖ ‖∇_u L‖) ≤ 1e-12 (the cosine between u and its
 *       gradient, the scale-free form of uᵀ∇_u L = 0): the component along u cancels exactly in
 *       exact arithmetic and to a few ulps in float64.</li>
 * </ul>
 * The plain network's weights w = g·u/‖u‖ are computed by loops from the parameters
 * ({@link WeightNormUnderTest#weight}), not by the layer under test, so the formula side shares
 * nothing with it; the layer is a {@link WeightNormUnderTest} seam (the tests pass layers whose
 * gradient lacks the projection or projects with the wrong coefficient).
 *
 * <p>The plot shows, per unit, |cos(u, ∇_u L)| next to |cos(u, ∇_w L)|: the unprojected gradient has
 * an O(1) component along u, the projected one does not.
 */
public final class Spec42WeightNormGradientProjection implements Experiment {
    static final int EXAMPLES = 32, INPUTS = 6, HIDDEN = 5, OUTPUTS = 3;
    static final double FORMULA_BOUND = 1e-12, ORTHOGONALITY_BOUND = 1e-12;

    private final WeightNormUnderTest weightNorm;

    /** The experiment as {@code descent verify} runs it, on {@link WeightNorm}. */
    public Spec42WeightNormGradientProjection() {
        this(WeightNormUnderTest.LIBRARY);
    }

    /** The experiment on another weight-normalisation layer (tests: a deliberately broken one). */
    Spec42WeightNormGradientProjection(WeightNormUnderTest weightNorm) {
        if (weightNorm == null) throw new IllegalArgumentException("4.2: layer is null");
        this.weightNorm = weightNorm;
    }

    @Override
    public String id() {
        return "4.2";
    }

    @Override
    public String claim() {
        return "The weight-normalization gradient ∇_u L = (g/‖u‖)(I − uuᵀ/‖u‖²)∇_w L is orthogonal to u";
    }

    @Override
    public String why() {
        return "w = g·u/‖u‖ has Jacobian ∂w/∂u = (g/‖u‖)(I − uuᵀ/‖u‖²), so the chain rule gives ∇_u L = "
                + "(g/‖u‖)(I − uuᵀ/‖u‖²)∇_w L. The matrix in brackets projects onto the complement of u, hence "
                + "uᵀ∇_u L = 0.";
    }

    @Override
    public Result run(Context ctx) {
        Rng rng = ctx.rng();
        Module first = randomWeightNormed(rng, INPUTS, HIDDEN), second = randomWeightNormed(rng, HIDDEN, OUTPUTS);
        Sequential normalised = new Sequential(first, new Tanh(), second);
        Sequential plain = new Sequential(plainCopy(first, INPUTS, HIDDEN, rng), new Tanh(), plainCopy(second, HIDDEN, OUTPUTS, rng));
        Tensor x = rng.normal(DType.F64, 0, 1, EXAMPLES, INPUTS), y = rng.normal(DType.F64, 0, 1, EXAMPLES, OUTPUTS);

        Params byDirection = Autodiff.grad(vp -> Losses.meanSquaredError(normalised.apply(vp, Var.constant(x)), Var.constant(y)),
                normalised.parameters());
        Params byWeight = Autodiff.grad(vp -> Losses.meanSquaredError(plain.apply(vp, Var.constant(x)), Var.constant(y)),
                plain.parameters());

        List<Row> rows = new ArrayList<>();
        List<double[]> projected = new ArrayList<>(), unprojected = new ArrayList<>();
        String[] layers = {"layers.0", "layers.2"};
        for (String layer : layers) {
            Tensor u = normalised.parameters().get(layer + ".weight_v"), g = normalised.parameters().get(layer + ".weight_g");
            Tensor autodiff = byDirection.get(layer + ".weight_v"), gradW = byWeight.get(layer + ".weight");
            Tensor formula = projection(u, g, gradW);
            double relative = autodiff.sub(formula).norm() / formula.norm();
            double[] cosProjected = rowCosines(u, autodiff), cosUnprojected = rowCosines(u, gradW);
            double worst = 0;
            for (double c : cosProjected) worst = Math.max(worst, Math.abs(c));
            String name = "layer " + u.dim(1) + " → " + u.dim(0);
            rows.add(Row.atMost(name + ": ‖autodiff − formula‖/‖formula‖", relative, FORMULA_BOUND));
            rows.add(Row.atMost(name + ": max over units |uᵀ∇_u L|/(‖u‖‖∇_u L‖)", worst, ORTHOGONALITY_BOUND));
            projected.add(cosProjected);
            unprojected.add(cosUnprojected);
        }

        Chart.Builder plot = Chart.builder("|cos| between u and its gradient, per unit").xLabel("unit (both layers)")
                .yLabel("|cos(u, gradient)|").yScale(Chart.Scale.LOG10)
                .xRange(-0.5, HIDDEN + OUTPUTS - 0.5).yRange(1e-17, 10);
        double[] units = new double[HIDDEN + OUTPUTS], along = new double[units.length], alongW = new double[units.length];
        int k = 0;
        for (int l = 0; l < layers.length; l++) {
            for (int j = 0; j < projected.get(l).length; j++, k++) {
                units[k] = k;
                // A cosine of exactly 0 cannot be drawn on a log axis; it is shown at the float64 resolution instead.
                along[k] = Math.max(Math.abs(projected.get(l)[j]), DType.F64.unitRoundoff());
                alongW[k] = Math.abs(unprojected.get(l)[j]);
            }
        }
        plot.markers("∇_u L (0 drawn at 2^-53)", units, along).markers("∇_w L (unprojected)", units, alongW)
                .horizontalLine("bound 1e-12", ORTHOGONALITY_BOUND);
        return new Result(rows, List.of(plot.build()), List.of(
                "network 6 → 5 → 3 with tanh, both layers weight-normalised, squared error on " + EXAMPLES + " examples; ∇_w L from "
                        + "the same network with plain layers holding w = g·u/‖u‖"));
    }

    private Module randomWeightNormed(Rng rng, int in, int out) {
        Module layer = weightNorm.wrap(new Linear(in, out, true, Init.pytorchDefault(), rng, DType.F64));
        layer.setParameters(Params.of("weight_g", rng.normal(DType.F64, 1, 0.5, out), "weight_v", rng.normal(DType.F64, 0, 1, out, in),
                "bias", rng.normal(DType.F64, 0, 0.5, out)));
        return layer;
    }

    /** A plain Linear holding the effective weight w = g·u/‖u‖ and the bias of {@code layer}. */
    private static Linear plainCopy(Module layer, int in, int out, Rng rng) {
        Linear copy = new Linear(in, out, true, Init.zeros(), rng, DType.F64);
        copy.setParameters(Params.of("weight", WeightNormUnderTest.weight(layer.parameters()), "bias", layer.parameters().get("bias")));
        return copy;
    }

    /** Row by row: (g_j/‖u_j‖)(∇w_j − u_j (u_jᵀ∇w_j)/‖u_j‖²). */
    static Tensor projection(Tensor u, Tensor g, Tensor gradW) {
        int rows = u.dim(0), cols = u.dim(1);
        double[] uu = u.toDoubleArray(), gw = gradW.toDoubleArray(), out = new double[rows * cols];
        for (int j = 0; j < rows; j++) {
            double squared = 0, dot = 0;
            for (int i = 0; i < cols; i++) {
                squared += uu[j * cols + i] * uu[j * cols + i];
                dot += uu[j * cols + i] * gw[j * cols + i];
            }
            double norm = Math.sqrt(squared), scale = g.getFlat(j) / norm;
            for (int i = 0; i < cols; i++) out[j * cols + i] = scale * (gw[j * cols + i] - uu[j * cols + i] * dot / squared);
        }
        return Tensor.wrap(out, rows, cols);
    }

    /** cos(a_j, b_j) for each row j (0 where either row is 0). */
    static double[] rowCosines(Tensor a, Tensor b) {
        int rows = a.dim(0), cols = a.dim(1);
        double[] x = a.toDoubleArray(), y = b.toDoubleArray(), out = new double[rows];
        for (int j = 0; j < rows; j++) {
            double xy = 0, xx = 0, yy = 0;
            for (int i = 0; i < cols; i++) {
                xy += x[j * cols + i] * y[j * cols + i];
                xx += x[j * cols + i] * x[j * cols + i];
                yy += y[j * cols + i] * y[j * cols + i];
            }
            out[j] = xx == 0 || yy == 0 ? 0 : xy / Math.sqrt(xx * yy);
        }
        return out;
    }
}
