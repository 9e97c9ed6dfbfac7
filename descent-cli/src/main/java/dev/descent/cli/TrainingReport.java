package dev.descent.cli;

import dev.descent.chart.Chart;
import dev.descent.report.HtmlReport;
import dev.descent.report.Plot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plots of a run, drawn from its metrics records (the lines of {@code metrics.jsonl}), and a
 * small self-contained HTML page showing them with a summary.
 *
 * <p>Figures, each only when its data exist: training loss (log scale) with the held-out loss;
 * the held-out metric against its trivial baseline; the gradient norm before clipping with the
 * clipping threshold; the factor clipping applied; the learning rate; for second-order
 * optimisers, the damping, CG iterations, reduction ratio ρ and step size they report; and one per diagnostic
 * (per-layer gradient norms and update ratios, curvature along the gradient and ε*, top Hessian
 * eigenvalues, Hessian trace, gradient flow through time against (γ‖W‖)^(T−t), weight-norm ‖u‖
 * and effective learning rates).
 */
final class TrainingReport {
    private TrainingReport() {}

    /** A plot and the file it is written to. */
    record Figure(String fileName, Chart plot) {}

    /** Collects (x, y) points of one named series. */
    private static final class Points {
        final List<Double> x = new ArrayList<>(), y = new ArrayList<>();

        void add(double px, Object py) {
            if (py instanceof Number n && Double.isFinite(n.doubleValue())) {
                x.add(px);
                y.add(n.doubleValue());
            }
        }

        boolean isEmpty() {
            return y.isEmpty();
        }

        double[] xs() {
            return x.stream().mapToDouble(Double::doubleValue).toArray();
        }

        double[] ys() {
            return y.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        if (o instanceof double[] a) {
            List<Object> l = new ArrayList<>(a.length);
            for (double v : a) l.add(v);
            return l;
        }
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    /** The figures of a training run from its metrics records. */
    static List<Figure> figures(List<Map<String, Object>> records, Double clipNorm) {
        Points loss = new Points(), gradNorm = new Points(), clipScale = new Points(), lr = new Points(), evalLoss = new Points();
        Map<String, Points> evalMetric = new LinkedHashMap<>();
        String baselineMetric = null;
        double baselineValue = Double.NaN;
        Map<String, List<Map<String, Object>>> diagnostics = new LinkedHashMap<>();
        for (Map<String, Object> r : records) {
            double step = num(r.get("step"));
            String kind = String.valueOf(r.get("kind"));
            switch (kind) {
                case "train" -> {
                    loss.add(step, r.get("loss"));
                    gradNorm.add(step, r.get("gradientNorm"));
                    clipScale.add(step, r.get("clipScale"));
                    lr.add(step, r.get("learningRate"));
                }
                case "eval" -> {
                    Map<String, Object> m = map(r.get("metrics"));
                    evalLoss.add(step, m.get("loss"));
                    Map<String, Object> b = map(r.get("baseline"));
                    if (b.get("metric") instanceof String s) {
                        baselineMetric = s;
                        baselineValue = num(b.get("value"));
                        evalMetric.computeIfAbsent(s, k -> new Points()).add(step, m.get(s));
                    }
                    if (m.containsKey("accuracy") && !"accuracy".equals(baselineMetric)) {
                        evalMetric.computeIfAbsent("accuracy", k -> new Points()).add(step, m.get("accuracy"));
                    }
                }
                case "diagnostic" -> diagnostics.computeIfAbsent(String.valueOf(r.get("diagnostic")), k -> new ArrayList<>()).add(r);
                default -> { }
            }
        }
        List<Figure> out = new ArrayList<>();
        if (!loss.isEmpty()) {
            Chart.Builder p = Chart.builder("Loss").xLabel("step").yLabel("loss").yScale(Chart.Scale.LOG10).line("training (batch)", loss.xs(), loss.ys());
            if (!evalLoss.isEmpty()) p.lineWithMarkers("held-out", evalLoss.xs(), evalLoss.ys());
            out.add(new Figure("loss.png", p.build()));
        }
        for (Map.Entry<String, Points> e : evalMetric.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            Chart.Builder p = Chart.builder("Held-out " + e.getKey()).xLabel("step").yLabel(e.getKey())
                    .lineWithMarkers("model", e.getValue().xs(), e.getValue().ys());
            if (e.getKey().equals(baselineMetric) && Double.isFinite(baselineValue)) p.horizontalLine("trivial baseline", baselineValue);
            out.add(new Figure(e.getKey().replace(' ', '-') + ".png", p.build()));
        }
        if (!gradNorm.isEmpty()) {
            Chart.Builder p = Chart.builder("Gradient norm before clipping").xLabel("step").yLabel("||g||").yScale(Chart.Scale.LOG10)
                    .line("||g||", gradNorm.xs(), gradNorm.ys());
            if (clipNorm != null) p.horizontalLine("clip threshold", clipNorm);
            out.add(new Figure("gradient-norm.png", p.build()));
        }
        if (!clipScale.isEmpty()) {
            out.add(new Figure("clipping.png", Chart.builder("Clipping: factor applied to the gradient").xLabel("step")
                    .yLabel("min(1, c/||g||)").markers("factor", clipScale.xs(), clipScale.ys()).build()));
        }
        if (!lr.isEmpty()) {
            out.add(new Figure("learning-rate.png", Chart.builder("Learning rate").xLabel("step").yLabel("η").line("η", lr.xs(), lr.ys()).build()));
        }
        secondOrderFigures(records, out);
        diagnostics.forEach((name, recs) -> diagnosticFigures(name, recs, out));
        return out;
    }

    /**
     * The figures of a second-order optimiser's step reports (the {@code details} of training
     * records), each only when some step reported the quantity: the damping λ (hessian-free,
     * newton); CG iterations per step with the iterate backtracking chose
     * (hessian-free); the reduction ratio ρ = actual / predicted decrease (hessian-free, newton)
     * against the Levenberg-Marquardt thresholds ¼ and ¾ that move λ; the step size (the line
     * search's α of lbfgs and hessian-free, ε of curvature-step).
     */
    private static void secondOrderFigures(List<Map<String, Object>> records, List<Figure> out) {
        Points damping = new Points(), cg = new Points(), chosen = new Points(), ratio = new Points(),
                step = new Points();
        for (Map<String, Object> r : records) {
            if (!"train".equals(r.get("kind"))) continue;
            Map<String, Object> d = map(r.get("details"));
            if (d.isEmpty()) continue;
            double x = num(r.get("step"));
            damping.add(x, d.get("damping"));
            cg.add(x, d.get("cgIterations"));
            chosen.add(x, d.get("chosenIterate"));
            ratio.add(x, d.get("ratio"));
            step.add(x, d.containsKey("stepSize") ? d.get("stepSize") : d.get("rate"));
        }
        if (!damping.isEmpty()) {
            // A log scale where it can show every point (newton may keep λ = 0).
            Chart.Builder p = Chart.builder("Damping λ").xLabel("step").yLabel("λ").yScale(positive(damping) ? Chart.Scale.LOG10 : Chart.Scale.LINEAR)
                    .lineWithMarkers("λ used", damping.xs(), damping.ys());
            out.add(new Figure("damping.png", p.build()));
        }
        if (!cg.isEmpty()) {
            Chart.Builder p = Chart.builder("Conjugate-gradient iterations per step").xLabel("step").yLabel("iterations")
                    .lineWithMarkers("CG iterations run", cg.xs(), cg.ys());
            if (!chosen.isEmpty()) p.markers("chosen iterate", chosen.xs(), chosen.ys());
            out.add(new Figure("cg-iterations.png", p.build()));
        }
        if (!ratio.isEmpty()) {
            // "rho", not the Greek letter: the plots' bitmap font has no ρ.
            out.add(new Figure("reduction-ratio.png", Chart.builder("Reduction ratio rho = actual / predicted decrease").xLabel("step")
                    .yLabel("rho").markers("rho", ratio.xs(), ratio.ys()).horizontalLine("3/4: λ shrinks above", 0.75)
                    .horizontalLine("1/4: λ grows below", 0.25).build()));
        }
        if (!step.isEmpty()) {
            out.add(new Figure("step-size.png", Chart.builder("Step size taken").xLabel("step").yLabel("α")
                    .yScale(positive(step) ? Chart.Scale.LOG10 : Chart.Scale.LINEAR)
                    .markers("α", step.xs(), step.ys()).build()));
        }
    }

    /** Per-layer series of a map-valued field ({@code values.<field>.<layer>}). */
    private static Map<String, Points> byLayer(List<Map<String, Object>> recs, String field) {
        Map<String, Points> m = new TreeMap<>();
        for (Map<String, Object> r : recs) {
            double step = num(r.get("step"));
            map(map(r.get("values")).get(field)).forEach((layer, v) -> m.computeIfAbsent(layer.isEmpty() ? "(root)" : layer, k -> new Points()).add(step, v));
        }
        return m;
    }

    private static void diagnosticFigures(String name, List<Map<String, Object>> recs, List<Figure> out) {
        switch (name) {
            case "gradientNorms" -> {
                Chart.Builder p = Chart.builder("Gradient norm per layer").xLabel("step").yLabel("||g_layer||").yScale(Chart.Scale.LOG10);
                byLayer(recs, "layers").forEach((l, pts) -> p.line(l, pts.xs(), pts.ys()));
                out.add(new Figure("diagnostic-gradient-norms.png", p.build()));
            }
            case "updateRatios" -> {
                Chart.Builder p = Chart.builder("Update ratio ||Δθ||/||θ|| per layer").xLabel("step").yLabel("ratio").yScale(Chart.Scale.LOG10);
                byLayer(recs, "layers").forEach((l, pts) -> p.line(l, pts.xs(), pts.ys()));
                out.add(new Figure("diagnostic-update-ratios.png", p.build()));
            }
            case "curvature" -> {
                Points gHg = new Points(), eps = new Points(), rq = new Points();
                for (Map<String, Object> r : recs) {
                    Map<String, Object> v = map(r.get("values"));
                    double step = num(r.get("step"));
                    gHg.add(step, v.get("curvatureAlongGradient"));
                    eps.add(step, v.get("optimalStep"));
                    rq.add(step, v.get("rayleighQuotient"));
                }
                if (!rq.isEmpty()) {
                    out.add(new Figure("diagnostic-curvature.png", Chart.builder("Curvature along the gradient gᵀHg/gᵀg").xLabel("step")
                            .yLabel("Rayleigh quotient").lineWithMarkers("gᵀHg/gᵀg", rq.xs(), rq.ys()).build()));
                }
                if (!eps.isEmpty()) {
                    out.add(new Figure("diagnostic-optimal-step.png", Chart.builder("Curvature-optimal step ε* = gᵀg/gᵀHg").xLabel("step")
                            .yLabel("ε*").yScale(Chart.Scale.LOG10).lineWithMarkers("ε*", eps.xs(), eps.ys()).build()));
                }
            }
            case "hessianEigenvalues" -> {
                Map<Integer, Points> k = new TreeMap<>();
                for (Map<String, Object> r : recs) {
                    List<Object> ev = list(map(r.get("values")).get("eigenvalues"));
                    for (int i = 0; i < ev.size(); i++) k.computeIfAbsent(i, j -> new Points()).add(num(r.get("step")), ev.get(i));
                }
                Chart.Builder p = Chart.builder("Largest Hessian eigenvalues (Lanczos)").xLabel("step").yLabel("λ");
                k.forEach((i, pts) -> p.lineWithMarkers("λ" + (i + 1), pts.xs(), pts.ys()));
                if (!k.isEmpty()) out.add(new Figure("diagnostic-hessian-eigenvalues.png", p.build()));
            }
            case "hessianTrace" -> {
                Points tr = new Points();
                for (Map<String, Object> r : recs) tr.add(num(r.get("step")), map(r.get("values")).get("trace"));
                if (!tr.isEmpty()) {
                    out.add(new Figure("diagnostic-hessian-trace.png", Chart.builder("Hessian trace (Hutchinson)").xLabel("step").yLabel("tr H")
                            .lineWithMarkers("tr H", tr.xs(), tr.ys()).build()));
                }
            }
            case "gradientFlow" -> {
                Map<String, Object> last = map(recs.get(recs.size() - 1).get("values"));
                Figure f = gradientFlowFigure(last, "Gradient flow through time at step " + (long) num(recs.get(recs.size() - 1).get("step")),
                        "diagnostic-gradient-flow.png");
                if (f != null) out.add(f);
            }
            case "weightNorm" -> {
                Map<String, Points> u = new TreeMap<>(), eff = new TreeMap<>();
                for (Map<String, Object> r : recs) {
                    double step = num(r.get("step"));
                    for (Object o : list(map(r.get("values")).get("layers"))) {
                        Map<String, Object> l = map(o);
                        String layer = String.valueOf(l.get("layer"));
                        u.computeIfAbsent(layer, k -> new Points()).add(step, mean(list(l.get("directionNorms"))));
                        eff.computeIfAbsent(layer, k -> new Points()).add(step, mean(list(l.get("effectiveLearningRates"))));
                    }
                }
                Chart.Builder p = Chart.builder("Weight norm: mean ||u|| per layer").xLabel("step").yLabel("||u||");
                u.forEach((l, pts) -> { if (!pts.isEmpty()) p.line(l, pts.xs(), pts.ys()); });
                if (!u.isEmpty()) out.add(new Figure("diagnostic-weight-norm.png", p.build()));
                Chart.Builder q = Chart.builder("Weight norm: mean effective learning rate η|g|/||u||").xLabel("step").yLabel("η|g|/||u||")
                        .yScale(Chart.Scale.LOG10);
                boolean any = false;
                for (Map.Entry<String, Points> e : eff.entrySet()) {
                    if (e.getValue().isEmpty()) continue;
                    q.line(e.getKey(), e.getValue().xs(), e.getValue().ys());
                    any = true;
                }
                if (any) out.add(new Figure("diagnostic-effective-learning-rate.png", q.build()));
            }
            default -> { }
        }
    }

    private static boolean positive(Points p) {
        for (double v : p.y) if (!(v > 0)) return false;
        return true;
    }

    private static Double mean(List<Object> xs) {
        if (xs.isEmpty()) return null;
        double s = 0;
        for (Object o : xs) s += num(o);
        return s / xs.size();
    }

    /**
     * ‖∂g_T/∂g_t‖ against T − t with both bounds, on a log scale, from a gradient-flow record's
     * values ({@code jacobianNorms}, {@code productBound}, {@code crudeBound}).
     */
    static Figure gradientFlowFigure(Map<String, Object> v, String title, String fileName) {
        List<Object> norms = list(v.get("jacobianNorms")), product = list(v.get("productBound")), crude = list(v.get("crudeBound"));
        if (norms.isEmpty()) return null;
        int n = norms.size();
        // Index t runs over 0…T; the horizontal axis is the span T − t of the Jacobian product.
        double[] span = new double[n], a = new double[n], b = new double[n], c = new double[n];
        for (int t = 0; t < n; t++) {
            span[t] = n - 1 - t;
            a[t] = num(norms.get(t));
            b[t] = t < product.size() ? num(product.get(t)) : Double.NaN;
            c[t] = t < crude.size() ? num(crude.get(t)) : Double.NaN;
        }
        return new Figure(fileName, Chart.builder(title).xLabel("T − t").yLabel("||∂g_T/∂g_t||").yScale(Chart.Scale.LOG10)
                .lineWithMarkers("measured", span, a).bound("Π ||diag σ'|| ||W||", span, b).bound("(γ||W||)^(T−t)", span, c).build());
    }

    /**
     * Writes every figure as a PNG in {@code dir} and {@code index.html} showing them after the
     * {@code summary} lines; returns the page. A figure that cannot be rendered is left out and
     * named in the page instead of failing the run.
     */
    static Path write(Path dir, String title, List<String> summary, List<Figure> figures) throws IOException {
        Files.createDirectories(dir);
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(HtmlReport.escape(title))
                .append("</title>\n<style>\nbody{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#202020}")
                .append("li{font-family:monospace}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}")
                .append("figcaption{color:#555}\n</style>\n</head>\n<body>\n<h1>").append(HtmlReport.escape(title)).append("</h1>\n<ul>\n");
        for (String s : summary) h.append("<li>").append(HtmlReport.escape(s)).append("</li>\n");
        h.append("</ul>\n");
        for (Figure f : figures) {
            byte[] png;
            try {
                png = Plot.png(f.plot());
            } catch (RuntimeException e) {
                h.append("<p>plot '").append(HtmlReport.escape(f.plot().title())).append("' could not be rendered: ")
                        .append(HtmlReport.escape(Errors.firstLine(e.getMessage(), e))).append("</p>\n");
                continue;
            }
            dev.descent.io.AtomicFiles.write(dir.resolve(f.fileName()), png);
            h.append("<figure>\n<img alt=\"").append(HtmlReport.escape(f.plot().title())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(png)).append("\">\n<figcaption>").append(HtmlReport.escape(f.plot().title()))
                    .append(" (<a href=\"").append(f.fileName()).append("\">").append(f.fileName()).append("</a>)</figcaption>\n</figure>\n");
        }
        h.append("</body>\n</html>\n");
        Path index = dir.resolve("index.html");
        RunDirectory.writeAtomically(index, h.toString());
        return index;
    }
}
