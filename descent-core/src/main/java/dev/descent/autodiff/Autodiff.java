package dev.descent.autodiff;

import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;

import java.util.function.Function;

/**
 * The differentiation transforms: {@link #grad}, {@link #valueAndGrad}, {@link #vjp},
 * {@link #jvp}, {@link #hvp} (forward-over-reverse), {@link #gnvp} (Gauss-Newton-vector
 * products) and {@link #noGrad()}.
 *
 * <p>Reverse mode is define-by-run: operations on {@link Var}s that need gradients record the
 * primitive and its inputs; {@link #backward} walks that graph in reverse topological order
 * applying each primitive's VJP. Because VJP rules are {@code Var} operations, running the
 * backward pass on values that carry tangents yields the JVP of the gradient, i.e. the
 * Hessian-vector product, at roughly the cost of two gradients (Pearlmutter 1994).
 */
public final class Autodiff {
    private Autodiff() {}

    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /** Whether operations on this thread currently record for reverse mode. */
    public static boolean isRecording() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** A scope without recording; close it to restore the previous mode (nesting is allowed). */
    public static final class NoGrad implements AutoCloseable {
        private boolean closed;
        private NoGrad() { NO_GRAD_DEPTH.get()[0]++; }
        @Override public void close() {
            if (!closed) {
                closed = true;
                NO_GRAD_DEPTH.get()[0]--;
            }
        }
    }

    /** Enters no-gradient mode: {@code try (var ng = Autodiff.noGrad()) { ... }}. */
    public static NoGrad noGrad() {
        return new NoGrad();
    }

    /** A loss value and the gradient of the loss with respect to the parameters. */
    public record ValueAndGrad(Tensor value, Params grad) {}

    /** A function's output and its directional derivative (JVP). */
    public record JvpResult(Tensor value, Tensor tangent) {}

    /**
     * Cotangents of {@code output} with respect to {@code wrt}, seeded with {@code seed}
     * (same shape as the output). The result for a leaf that the output does not depend on is a
     * zero tensor. When {@code createGraph} is true the backward pass is itself recorded, so its
     * results can be differentiated again (double backward).
     */
    public static Var[] backward(Var output, Var seed, List<Var> wrt, boolean createGraph) {
        if (!seed.shape().equals(output.shape())) {
            throw new IllegalArgumentException("backward: seed shape " + seed.shape() + " does not match output shape " + output.shape());
        }
        List<Var> order = topologicalOrder(output);
        IdentityHashMap<Var, Var> cot = new IdentityHashMap<>();
        IdentityHashMap<Var, Boolean> keep = new IdentityHashMap<>();
        for (Var w : wrt) keep.put(w, Boolean.TRUE);
        cot.put(output, seed);
        NoGrad scope = createGraph ? null : noGrad();
        try {
            for (int i = order.size() - 1; i >= 0; i--) {
                Var v = order.get(i);
                Var ct = keep.containsKey(v) ? cot.get(v) : cot.remove(v);
                if (ct == null || v.op == null) continue;
                boolean[] need = new boolean[v.inputs.length];
                for (int j = 0; j < need.length; j++) need[j] = v.inputs[j].requiresGrad;
                Var[] g = v.op.vjp(v.inputs, v, ct, need);
                addCotangents(cot, v, need, g);
            }
        } finally {
            if (scope != null) scope.close();
        }
        Var[] out = new Var[wrt.size()];
        for (int i = 0; i < out.length; i++) {
            Var c = cot.get(wrt.get(i));
            out[i] = c != null ? c : Var.constant(Tensor.zerosLike(wrt.get(i).value()));
        }
        return out;
    }

    /**
     * The reverse pass of a Hessian-vector product: like {@link #backward} (nothing recorded),
     * but for the leaves in {@code wrt} only the tangents of their cotangents are formed, through
     * {@link Primitive#vjpTangent}; their values, the gradient itself, are never computed. For
     * an MLP that skips one matrix product per weight.
     */
    static Tensor[] leafCotangentTangents(Var output, Var seed, List<Var> wrt) {
        List<Var> order = topologicalOrder(output);
        IdentityHashMap<Var, Var> cot = new IdentityHashMap<>();
        IdentityHashMap<Var, Tensor> leafTangents = new IdentityHashMap<>();
        IdentityHashMap<Var, Boolean> leaves = new IdentityHashMap<>();
        for (Var w : wrt) if (w.op == null) leaves.put(w, Boolean.TRUE);
        cot.put(output, seed);
        try (NoGrad scope = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Var v = order.get(i);
                Var ct = cot.remove(v);
                if (ct == null || v.op == null) continue;
                int k = v.inputs.length;
                boolean[] need = new boolean[k];
                boolean anyFull = false;
                for (int j = 0; j < k; j++) {
                    need[j] = v.inputs[j].requiresGrad && !leaves.containsKey(v.inputs[j]);
                    anyFull |= need[j];
                }
                if (anyFull) {
                    Var[] g = v.op.vjp(v.inputs, v, ct, need);
                    addCotangents(cot, v, need, g);
                }
                for (int j = 0; j < k; j++) {
                    Var in = v.inputs[j];
                    if (!leaves.containsKey(in)) continue;
                    Tensor t = v.op.vjpTangent(v.inputs, v, ct, j);
                    if (t == null) continue;
                    requireShape(v, t.shape(), in);
                    Tensor prev = leafTangents.get(in);
                    leafTangents.put(in, prev == null ? t : prev.add(t));
                }
            }
        }
        Tensor[] out = new Tensor[wrt.size()];
        for (int i = 0; i < out.length; i++) {
            Tensor t = leafTangents.get(wrt.get(i));
            out[i] = t != null ? t : Tensor.zerosLike(wrt.get(i).value());
        }
        return out;
    }

    private static void requireShape(Var node, dev.descent.tensor.Shape got, Var input) {
        if (!got.equals(input.shape())) {
            throw new IllegalStateException("vjp of " + node.op.name() + " returned shape " + got + " for input of shape " + input.shape());
        }
    }

    /**
     * Adds the input cotangents {@code g} that node {@code v}'s vjp returned (where {@code need}) to
     * the running sums in {@code cot}, after checking each has its input's shape.
     */
    private static void addCotangents(IdentityHashMap<Var, Var> cot, Var v, boolean[] need, Var[] g) {
        for (int j = 0; j < need.length; j++) {
            if (!need[j] || g[j] == null) continue;
            Var in = v.inputs[j];
            requireShape(v, g[j].shape(), in);
            Var prev = cot.get(in);
            cot.put(in, prev == null ? g[j] : prev.add(g[j]));
        }
    }

    /** Vars reachable from {@code root} through recorded inputs, inputs before their users. */
    static List<Var> topologicalOrder(Var root) {
        return topologicalOrder(List.of(root));
    }

    /** Vars reachable from any of {@code roots} through recorded inputs, each once, inputs before their users. */
    static List<Var> topologicalOrder(List<Var> roots) {
        List<Var> order = new ArrayList<>();
        IdentityHashMap<Var, Boolean> visited = new IdentityHashMap<>();
        for (Var root : roots) {
            if (root.requiresGrad && visited.put(root, Boolean.TRUE) == null) visitFrom(root, visited, order);
        }
        return order;
    }

    /** Depth-first post-order from {@code root} (already marked visited), skipping visited Vars. */
    private static void visitFrom(Var root, IdentityHashMap<Var, Boolean> visited, List<Var> order) {
        ArrayDeque<Var> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        stack.push(root);
        next.push(0);
        while (!stack.isEmpty()) {
            Var v = stack.peek();
            int i = next.pop();
            if (v.inputs != null && i < v.inputs.length) {
                next.push(i + 1);
                Var in = v.inputs[i];
                if (in.requiresGrad && visited.put(in, Boolean.TRUE) == null) {
                    stack.push(in);
                    next.push(0);
                }
            } else {
                stack.pop();
                order.add(v);
            }
        }
    }

    private static void requireScalar(String op, Var loss) {
        if (loss.value().size() != 1) {
            throw new IllegalArgumentException(op + ": the function must return a scalar, got shape " + loss.shape()
                    + " (use vjp for non-scalar outputs)");
        }
    }

    /** Gradients of a scalar {@code loss} with respect to the leaves {@code wrt}. */
    public static Tensor[] grad(Var loss, List<Var> wrt) {
        requireScalar("grad", loss);
        Var[] g = backward(loss, Var.constant(Tensor.ones(loss.dtype(), loss.value().dims())), wrt, false);
        Tensor[] out = new Tensor[g.length];
        for (int i = 0; i < g.length; i++) out[i] = g[i].value();
        return out;
    }

    /** The loss and its gradient with respect to every entry of {@code params}. */
    public static ValueAndGrad valueAndGrad(Function<VarParams, Var> f, Params params) {
        VarParams vp = VarParams.of(params, null, true);
        Var loss = f.apply(vp);
        Tensor[] g = grad(loss, vp.vars());
        return new ValueAndGrad(loss.value(), pack(vp.names(), g));
    }

    /** The gradient of a scalar function with respect to every entry of {@code params}. */
    public static Params grad(Function<VarParams, Var> f, Params params) {
        return valueAndGrad(f, params).grad();
    }

    /** The gradient of a scalar function of one tensor. */
    public static Tensor grad(Function<Var, Var> f, Tensor x) {
        Var v = Var.parameter(x);
        return grad(f.apply(v), List.of(v))[0];
    }

    /** Jᵀu for a function of a parameter tree: the vector-Jacobian product. */
    public static Params vjp(Function<VarParams, Var> f, Params params, Tensor u) {
        VarParams vp = VarParams.of(params, null, true);
        Var out = f.apply(vp);
        Var[] g = backward(out, Var.constant(u), vp.vars(), false);
        Tensor[] t = new Tensor[g.length];
        for (int i = 0; i < g.length; i++) t[i] = g[i].value();
        return pack(vp.names(), t);
    }

    /** Jᵀu for a function of one tensor. */
    public static Tensor vjp(Function<Var, Var> f, Tensor x, Tensor u) {
        Var v = Var.parameter(x);
        return backward(f.apply(v), Var.constant(u), List.of(v), false)[0].value();
    }

    /** f(x) and J v (forward mode) for a function of a parameter tree. */
    public static JvpResult jvp(Function<VarParams, Var> f, Params params, Params v) {
        VarParams vp;
        try (NoGrad ng = noGrad()) {
            vp = VarParams.of(params, v, false);
            Var out = f.apply(vp);
            Tensor t = out.tangent() != null ? out.tangent() : Tensor.zerosLike(out.value());
            return new JvpResult(out.value(), t);
        }
    }

    /** f(x) and J v for a function of one tensor. */
    public static JvpResult jvp(Function<Var, Var> f, Tensor x, Tensor v) {
        try (NoGrad ng = noGrad()) {
            Var out = f.apply(Var.withTangent(x, v));
            Tensor t = out.tangent() != null ? out.tangent() : Tensor.zerosLike(out.value());
            return new JvpResult(out.value(), t);
        }
    }

    /**
     * The Hessian-vector product H v of a scalar function, by forward-over-reverse: the
     * parameters carry tangent v through the forward pass, and the reverse pass, built from
     * differentiable VJP rules, propagates those tangents into the gradient. H is never formed.
     */
    public static Params hvp(Function<VarParams, Var> f, Params params, Params v) {
        VarParams vp = VarParams.of(params, v, true);
        Var loss = f.apply(vp);
        requireScalar("hvp", loss);
        // Only the tangents of the parameters' cotangents are wanted: the gradient values at the
        // leaves are skipped (see leafCotangentTangents); gradAndHvp computes both.
        Tensor[] hv = leafCotangentTangents(loss, Var.constant(Tensor.ones(loss.dtype(), loss.value().dims())), vp.vars());
        return pack(vp.names(), hv);
    }

    /** The gradient and H v together from one forward-over-reverse pass. */
    public record GradAndHvp(Tensor value, Params grad, Params hvp) {}

    /** Loss, gradient and Hessian-vector product from one forward-over-reverse pass. */
    public static GradAndHvp gradAndHvp(Function<VarParams, Var> f, Params params, Params v) {
        VarParams vp = VarParams.of(params, v, true);
        Var loss = f.apply(vp);
        requireScalar("hvp", loss);
        Var[] g = backward(loss, Var.constant(Tensor.ones(loss.dtype(), loss.value().dims())), vp.vars(), false);
        Tensor[] gv = new Tensor[g.length], hv = new Tensor[g.length];
        for (int i = 0; i < g.length; i++) {
            gv[i] = g[i].value();
            hv[i] = g[i].tangent() != null ? g[i].tangent() : Tensor.zerosLike(g[i].value());
        }
        return new GradAndHvp(loss.value(), pack(vp.names(), gv), pack(vp.names(), hv));
    }

    /**
     * The Gauss-Newton-vector product G v = Jᵀ H_L J v for a loss L(z) of model outputs
     * z = model(θ): J v by forward mode, H_L (J v) by forward-over-reverse on the loss alone, then
     * Jᵀ(·) by reverse mode on the same forward pass ({@link #linearize}). G is positive
     * semi-definite whenever L is convex in z, which is what Hessian-free optimisation needs
     * (Schraudolph 2002; Martens 2010).
     */
    public static Params gnvp(Function<VarParams, Var> model, Function<Var, Var> loss, Params params, Params v) {
        Linearization lin = linearize(vp -> new Var[] {model.apply(vp)}, params, v);
        return lin.transpose(lossHvp("gnvp", loss, lin.value(0), lin.tangent(0)));
    }

    /**
     * H_L u for a scalar function L of one tensor at z, by forward-over-reverse on L alone (z is
     * the leaf): what a Gauss-Newton product applies between its forward and reverse halves.
     */
    public static Tensor lossHvp(String op, Function<Var, Var> loss, Tensor z, Tensor u) {
        Var zv = Var.parameter(z, u);
        Var l = loss.apply(zv);
        requireScalar(op, l);
        Var gz = backward(l, Var.constant(Tensor.ones(l.dtype(), l.value().dims())), List.of(zv), false)[0];
        return gz.tangent() != null ? gz.tangent() : Tensor.zerosLike(z);
    }

    /**
     * A function f of the parameters linearised at θ in a direction v: the outputs y_i = f_i(θ),
     * their tangents J_i v, and the recorded graph of that single forward pass, through which
     * {@link #transpose} takes Σ_i J_iᵀ u_i without running f again (Jᵀ is the transpose of the
     * linear map v ↦ J v). A Gauss-Newton product Jᵀ H_L J v is then one forward pass carrying
     * tangents and one reverse pass, instead of a JVP pass plus a VJP pass that repeats the
     * forward computation.
     *
     * <p>The reverse pass hands each primitive its inputs and output without their tangents, so
     * the primitive runs its plain (not differentiated) VJP, the same numbers as
     * {@link #vjp} on a fresh forward pass: the tangents belong to the direction v, and Jᵀ u does
     * not depend on them.
     */
    public static final class Linearization {
        private final VarParams vars;
        private final Var[] outputs;

        private Linearization(VarParams vars, Var[] outputs) {
            this.vars = vars;
            this.outputs = outputs;
        }

        /** The number of outputs. */
        public int size() {
            return outputs.length;
        }

        /** y_i = f_i(θ). */
        public Tensor value(int i) {
            return outputs[i].value;
        }

        /** J_i v (zeros where the output does not depend on the parameters along v). */
        public Tensor tangent(int i) {
            Var o = outputs[i];
            return o.tangent != null ? o.tangent : Tensor.zerosLike(o.value);
        }

        /**
         * Σ_i J_iᵀ u_i, one cotangent per output (same shape; {@code null} = zero), by one reverse
         * pass over the recorded graph. May be called more than once.
         */
        public Params transpose(Tensor... cotangents) {
            if (cotangents.length != outputs.length) {
                throw new IllegalArgumentException("linearization: " + cotangents.length + " cotangents for " + outputs.length + " outputs");
            }
            List<Var> wrt = vars.vars();
            List<Var> roots = new ArrayList<>();
            IdentityHashMap<Var, Var> cot = new IdentityHashMap<>();
            for (int i = 0; i < outputs.length; i++) {
                if (cotangents[i] == null) continue;
                Var o = outputs[i];
                if (!cotangents[i].shape().equals(o.shape()) || cotangents[i].dtype() != o.dtype()) {
                    throw new IllegalArgumentException("linearization: cotangent " + i + " is " + cotangents[i].dtype() + cotangents[i].shape()
                            + ", output is " + o.dtype() + o.shape());
                }
                roots.add(o);
                Var c = Var.constant(cotangents[i]);
                Var prev = cot.get(o);
                try (NoGrad ng = noGrad()) {
                    cot.put(o, prev == null ? c : prev.add(c));
                }
            }
            Tensor[] t = transposedBackward(roots, cot, wrt);
            return pack(vars.names(), t);
        }
    }

    /**
     * Runs f once with the parameters carrying tangents v, recording the graph: see
     * {@link Linearization}.
     */
    public static Linearization linearize(Function<VarParams, Var[]> f, Params params, Params v) {
        VarParams vp = VarParams.of(params, v, true);
        Var[] out = f.apply(vp);
        if (out == null || out.length == 0) throw new IllegalArgumentException("linearize: the function returned no outputs");
        return new Linearization(vp, out.clone());
    }

    /** {@code v} without its tangent (same value, graph node and inputs); {@code v} itself if it has none. */
    private static Var withoutTangent(Var v) {
        return v.tangent == null ? v : new Var(v.value, null, v.op, v.inputs, v.requiresGrad);
    }

    /**
     * The reverse pass of {@link Linearization#transpose}: like {@link #backward} from several
     * roots with their cotangents already in {@code cot}, nothing recorded, each primitive's VJP
     * given tangent-free inputs and output (see {@link Linearization}).
     */
    private static Tensor[] transposedBackward(List<Var> roots, IdentityHashMap<Var, Var> cot, List<Var> wrt) {
        List<Var> order = topologicalOrder(roots);
        IdentityHashMap<Var, Boolean> keep = new IdentityHashMap<>();
        for (Var w : wrt) keep.put(w, Boolean.TRUE);
        try (NoGrad scope = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Var v = order.get(i);
                Var ct = keep.containsKey(v) ? cot.get(v) : cot.remove(v);
                if (ct == null || v.op == null) continue;
                int k = v.inputs.length;
                boolean[] need = new boolean[k];
                Var[] in = new Var[k];
                for (int j = 0; j < k; j++) {
                    need[j] = v.inputs[j].requiresGrad;
                    in[j] = withoutTangent(v.inputs[j]);
                }
                Var[] g = v.op.vjp(in, withoutTangent(v), ct, need);
                addCotangents(cot, v, need, g);
            }
        }
        Tensor[] out = new Tensor[wrt.size()];
        for (int i = 0; i < out.length; i++) {
            Var c = cot.get(wrt.get(i));
            out[i] = c != null ? c.value : Tensor.zerosLike(wrt.get(i).value);
        }
        return out;
    }

    static Params pack(List<String> names, Tensor[] values) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) m.put(names.get(i), values[i]);
        return Params.of(m);
    }

    /** A dense Hessian of a scalar function of a parameter tree, one HVP per column (tests and small-model Newton only). */
    public static double[][] denseHessian(Function<VarParams, Var> f, Params params) {
        int n = Math.toIntExact(params.elementCount());
        double[][] h = new double[n][];
        double[] e = new double[n];
        for (int j = 0; j < n; j++) {
            e[j] = 1;
            h[j] = hvp(f, params, params.unflatten(e)).flatten();
            e[j] = 0;
        }
        // H is symmetric in exact arithmetic; column j was computed as H e_j, so transpose in place.
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) {
            double t = h[i][j];
            h[i][j] = h[j][i];
            h[j][i] = t;
        }
        return h;
    }

}
