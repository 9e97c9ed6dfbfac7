package dev.descent.nn;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A layer or a network: functional over parameters, stateful over buffers and mode.
 *
 * <p><b>Parameters.</b> A module creates its parameters when it is constructed (from an
 * {@link Init} and an {@link dev.descent.tensor.Rng}) and holds their current values, reachable
 * under stable dotted names ({@code layers.0.weight}) through {@link #parameters()} and replaced
 * wholesale with {@link #setParameters(Params)}. The forward pass {@link #apply(VarParams, Var)}
 * does not use those held values: it reads every parameter by name from the {@link VarParams}
 * it is given, so that
 * <pre>{@code
 * var vg = Autodiff.valueAndGrad(vp -> Losses.mse(model.apply(vp, x), y), model.parameters());
 * }</pre>
 * differentiates with respect to all parameters, and {@code Autodiff.hvp} works through every
 * layer. {@link #forward(Tensor)} is the convenience for evaluation with the held values.
 *
 * <p><b>Buffers and mode.</b> Buffers (e.g. {@code bn.running_mean}) are state that is not
 * trained. {@link #train()} / {@link #eval()} set the mode of the whole subtree (new modules are
 * in training mode, as in PyTorch). A forward pass updates buffers only when it runs in a scope
 * made by {@link Scope#updatingBuffers} (see {@link #applyUpdatingBuffers}) and the module is
 * training. <em>Difference from PyTorch</em>, where every training-mode forward updates running
 * statistics: here gradient checks, line searches and Hessian-vector products evaluate the same
 * function several times, and must neither see nor cause a change of state in between.
 *
 * <p><b>Freezing.</b> {@link #freeze(String)} marks parameters (by name prefix) as frozen:
 * {@link #trainable()} omits them, and a forward pass whose VarParams lacks a frozen parameter
 * uses its held value as a constant. Optimise {@code trainable()} and write the result back with
 * {@link #setTrainable(Params)}.
 *
 * <p><b>Writing a module.</b> Register parameters, buffers and children in the constructor with
 * {@link #addParameter}, {@link #addBuffer} and {@link #addChild}, and implement
 * {@link #apply(Scope, Var)}, reading parameters with {@code scope.parameter(this, "weight")} and
 * calling children with {@code child.apply(scope.child("name"), x)}. A module instance belongs to
 * at most one parent.
 */
public abstract class Module {
    /** A named tensor held by a module: a parameter or a buffer. */
    static final class Slot {
        Tensor value;
        boolean frozen;

        Slot(Tensor value) {
            this.value = value;
        }
    }

    /** Receives every slot of a subtree with its full dotted name. */
    @FunctionalInterface
    interface SlotVisitor {
        void visit(String fullName, Slot slot, boolean isBuffer);
    }

    private final LinkedHashMap<String, Slot> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Slot> buffers = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean attached;

    // ------------------------------------------------------------------ registration

    /** Registers parameter {@code name} with its initial value; returns the value. */
    protected final Tensor addParameter(String name, Tensor initial) {
        checkNewName(name);
        params.put(name, new Slot(initial));
        return initial;
    }

    /** Registers buffer {@code name} with its initial value; returns the value. */
    protected final Tensor addBuffer(String name, Tensor initial) {
        checkNewName(name);
        buffers.put(name, new Slot(initial));
        return initial;
    }

    /** Registers {@code child} under {@code name} (its names become {@code name.…}); returns it. */
    protected final <M extends Module> M addChild(String name, M child) {
        checkNewName(name);
        child.attach(name);
        children.put(name, child);
        return child;
    }

    /** Marks this module as owned by a parent (or a wrapper); a module has at most one. */
    final void attach(String where) {
        if (attached) {
            throw new IllegalArgumentException("module " + getClass().getSimpleName() + " registered as '" + where
                    + "' already belongs to another module; create a new instance instead of sharing one");
        }
        attached = true;
    }

    /** Releases this module from its owner (see {@link WeightNorm#toPlain()}). */
    final void detach() {
        attached = false;
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
            throw new IllegalArgumentException("module name '" + name + "' must be non-empty without empty dotted parts");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("name '" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /** The current value of this module's own parameter {@code name}. */
    protected final Tensor ownParameter(String name) {
        Slot s = params.get(name);
        if (s == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        return s.value;
    }

    /** The current value of this module's own buffer {@code name}. */
    protected final Tensor ownBuffer(String name) {
        Slot s = buffers.get(name);
        if (s == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        return s.value;
    }

    /** Replaces this module's own parameter {@code name} (same shape and dtype). */
    protected final void setOwnParameter(String name, Tensor value) {
        ownParameter(name);
        replace(params.get(name), name, value);
    }

    /** Replaces this module's own buffer {@code name} (same shape and dtype). */
    protected final void setOwnBuffer(String name, Tensor value) {
        ownBuffer(name);
        replace(buffers.get(name), name, value);
    }

    /** Whether this module itself has a parameter called {@code name}. */
    protected final boolean hasOwnParameter(String name) {
        return params.containsKey(name);
    }

    Slot ownParameterSlot(String name) {
        return params.get(name);
    }

    private static void replace(Slot slot, String name, Tensor value) {
        if (!value.shape().equals(slot.value.shape()) || value.dtype() != slot.value.dtype()) {
            throw new IllegalArgumentException("'" + name + "': new value " + value.dtype() + value.shape()
                    + " does not match " + slot.value.dtype() + slot.value.shape());
        }
        slot.value = value;
    }

    // ------------------------------------------------------------------ traversal

    /**
     * Visits the parameters and buffers of this subtree with their full names, own slots first
     * (parameters, then buffers), then each child's in registration order.
     */
    void visitSlots(String prefix, SlotVisitor visitor) {
        params.forEach((n, s) -> visitor.visit(qualify(prefix, n), s, false));
        buffers.forEach((n, s) -> visitor.visit(qualify(prefix, n), s, true));
        children.forEach((n, c) -> c.visitSlots(qualify(prefix, n), visitor));
    }

    /** Adds this module and its descendants to {@code out}. */
    void collectModules(List<Module> out) {
        out.add(this);
        for (Module c : children.values()) c.collectModules(out);
    }

    /**
     * This module and its registered descendants by dotted path ({@code ""} for this one,
     * {@code layers.0}, …), depth first in registration order, like PyTorch's
     * {@code named_modules()}. The layer a {@link WeightNorm} wraps is not listed (it is reached
     * through {@link WeightNorm#inner()}; its parameters appear under the wrapper's path).
     */
    public final Map<String, Module> namedModules() {
        LinkedHashMap<String, Module> out = new LinkedHashMap<>();
        collectNamed("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectNamed(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        children.forEach((n, c) -> c.collectNamed(qualify(prefix, n), out));
    }

    static String qualify(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private LinkedHashMap<String, Slot> slots(boolean wantBuffers) {
        LinkedHashMap<String, Slot> m = new LinkedHashMap<>();
        visitSlots("", (n, s, isBuffer) -> {
            if (isBuffer == wantBuffers) m.put(n, s);
        });
        return m;
    }

    // ------------------------------------------------------------------ parameters and buffers

    /** All parameters of this subtree under their dotted names. */
    public final Params parameters() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        slots(false).forEach((n, s) -> m.put(n, s.value));
        return Params.of(m);
    }

    /** The parameters that are not frozen. */
    public final Params trainable() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        slots(false).forEach((n, s) -> {
            if (!s.frozen) m.put(n, s.value);
        });
        return Params.of(m);
    }

    /** All buffers of this subtree under their dotted names. */
    public final Params buffers() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        slots(true).forEach((n, s) -> m.put(n, s.value));
        return Params.of(m);
    }

    /**
     * Replaces every parameter. {@code p} must hold exactly the names of {@link #parameters()},
     * each with the same shape and dtype.
     */
    public final void setParameters(Params p) {
        assign("setParameters", slots(false), p);
    }

    /** Replaces the trainable parameters; {@code p} must hold exactly the names of {@link #trainable()}. */
    public final void setTrainable(Params p) {
        LinkedHashMap<String, Slot> m = slots(false);
        m.values().removeIf(s -> s.frozen);
        assign("setTrainable", m, p);
    }

    /** Replaces every buffer; {@code p} must hold exactly the names of {@link #buffers()}. */
    public final void setBuffers(Params p) {
        assign("setBuffers", slots(true), p);
    }

    private static void assign(String op, LinkedHashMap<String, Slot> slots, Params p) {
        Set<String> missing = new LinkedHashSet<>(slots.keySet());
        missing.removeAll(p.names());
        Set<String> unexpected = new LinkedHashSet<>(p.names());
        unexpected.removeAll(slots.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException(op + ": names differ: missing " + missing + ", unexpected " + unexpected);
        }
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            Tensor cur = e.getValue().value, t = p.get(e.getKey());
            if (!cur.shape().equals(t.shape()) || cur.dtype() != t.dtype()) {
                throw new IllegalArgumentException(op + ": '" + e.getKey() + "' is " + t.dtype() + t.shape()
                        + " but the module holds " + cur.dtype() + cur.shape());
            }
        }
        for (Map.Entry<String, Slot> e : slots.entrySet()) e.getValue().value = p.get(e.getKey());
    }

    /** Number of scalar parameters (frozen ones included). */
    public final long parameterCount() {
        return parameters().elementCount();
    }

    /** Converts every parameter and buffer to {@code dtype}, in place. */
    public final void to(DType dtype) {
        visitSlots("", (n, s, b) -> s.value = s.value.to(dtype));
    }

    // ------------------------------------------------------------------ freezing

    /**
     * Freezes every parameter whose name equals {@code prefix} or starts with {@code prefix.}
     * ({@code ""} freezes all).
     *
     * @throws IllegalArgumentException if no parameter matches
     */
    public final void freeze(String prefix) {
        setFrozen("freeze", prefix, true);
    }

    /** Unfreezes the parameters that {@link #freeze(String)} with the same prefix would freeze. */
    public final void unfreeze(String prefix) {
        setFrozen("unfreeze", prefix, false);
    }

    private void setFrozen(String op, String prefix, boolean frozen) {
        int[] matched = {0};
        slots(false).forEach((n, s) -> {
            if (prefix.isEmpty() || n.equals(prefix) || n.startsWith(prefix + ".")) {
                s.frozen = frozen;
                matched[0]++;
            }
        });
        if (matched[0] == 0) {
            throw new IllegalArgumentException(op + ": no parameter matches '" + prefix + "' (have " + parameters().names() + ")");
        }
    }

    /** The names of the frozen parameters, in parameter order. */
    public final Set<String> frozen() {
        Set<String> out = new LinkedHashSet<>();
        slots(false).forEach((n, s) -> {
            if (s.frozen) out.add(n);
        });
        return Collections.unmodifiableSet(out);
    }

    // ------------------------------------------------------------------ mode

    /** Puts this module and all its descendants in training mode; returns this. */
    public final Module train() {
        return setMode(true);
    }

    /** Puts this module and all its descendants in evaluation mode; returns this. */
    public final Module eval() {
        return setMode(false);
    }

    private Module setMode(boolean t) {
        List<Module> all = new ArrayList<>();
        collectModules(all);
        for (Module m : all) m.training = t;
        return this;
    }

    /** Whether this module is in training mode. */
    public final boolean isTraining() {
        return training;
    }

    // ------------------------------------------------------------------ forward

    /**
     * The forward pass within {@code scope}: read parameters with
     * {@code scope.parameter(this, name)}, call children with {@code scope.child(name)}.
     */
    public abstract Var apply(Scope scope, Var x);

    /** The pure forward pass with parameters read from {@code params}; buffers are not updated. */
    public final Var apply(VarParams params, Var x) {
        return apply(Scope.of(params), x);
    }

    /**
     * The forward pass of a training step: as {@link #apply(VarParams, Var)}, and modules in
     * training mode also update their buffers from this batch.
     */
    public final Var applyUpdatingBuffers(VarParams params, Var x) {
        return apply(Scope.updatingBuffers(params), x);
    }

    /**
     * Evaluates the module on {@code x} with its held parameters, without recording gradients
     * and without updating buffers (the current mode decides, e.g., batch or running statistics).
     */
    public final Tensor forward(Tensor x) {
        Autodiff.NoGrad noGrad = Autodiff.noGrad();
        try {
            return apply(Scope.of(VarParams.constants(parameters())), Var.constant(x)).value();
        } finally {
            noGrad.close();
        }
    }

    /** The class name and the parameter shapes, e.g. {@code Linear{weight: float32[4, 3], bias: float32[4]}}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('{');
        LinkedHashMap<String, Slot> all = new LinkedHashMap<>();
        visitSlots("", (n, s, b) -> all.put(n, s));
        all.forEach((n, s) -> sb.append(sb.charAt(sb.length() - 1) == '{' ? "" : ", ")
                .append(n).append(": ").append(s.value.dtype()).append(s.value.shape()));
        return sb.append('}').toString();
    }
}
