package dev.descent.autodiff;

import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named {@link Var}s bound to a {@link Params} tree: what a differentiable function of model
 * parameters receives.
 */
public final class VarParams {
    private final LinkedHashMap<String, Var> vars;

    private VarParams(LinkedHashMap<String, Var> vars) {
        this.vars = vars;
    }

    /** Every tensor of {@code p} as a leaf needing a gradient, with tangents from {@code tangents} when non-null. */
    public static VarParams of(Params p, Params tangents, boolean requiresGrad) {
        if (tangents != null) p.checkCompatible("tangents", tangents);
        LinkedHashMap<String, Var> m = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : p.asMap().entrySet()) {
            Tensor t = tangents == null ? null : tangents.get(e.getKey());
            Var v = requiresGrad ? Var.parameter(e.getValue(), t)
                    : (t == null ? Var.constant(e.getValue()) : Var.withTangent(e.getValue(), t));
            m.put(e.getKey(), v);
        }
        return new VarParams(m);
    }

    /** Parameters as constants (no gradient, no tangent): for evaluation. */
    public static VarParams constants(Params p) {
        return of(p, null, false);
    }

    /** The Var called {@code name}; fails naming the known names if absent. */
    public Var get(String name) {
        Var v = vars.get(name);
        if (v == null) throw new IllegalArgumentException("no parameter '" + name + "' (have " + vars.keySet() + ")");
        return v;
    }

    /** Whether {@code name} is bound. */
    public boolean contains(String name) {
        return vars.containsKey(name);
    }

    /** The names in order. */
    public List<String> names() {
        return List.copyOf(vars.keySet());
    }

    /** The bound Vars in order. */
    public List<Var> vars() {
        return List.copyOf(vars.values());
    }

    /** The values as a Params tree. */
    public Params values() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        vars.forEach((k, v) -> m.put(k, v.value()));
        return Params.of(m);
    }
}
