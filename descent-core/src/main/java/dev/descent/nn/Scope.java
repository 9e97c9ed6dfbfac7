package dev.descent.nn;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import java.util.HashMap;
import java.util.Map;

/**
 * What a module's forward pass reads its parameters from: the {@link VarParams} being
 * differentiated, the dotted name prefix of the module within the tree, whether buffers (running
 * statistics) may be updated by this pass, and parametrisation overrides.
 *
 * <p>Modules never hold Vars: {@link #parameter(Module, String)} resolves a module's local name
 * ({@code weight}) to its full name ({@code layers.0.weight}) and returns, in this order, an
 * override installed by a parametrisation such as {@link WeightNorm}, the Var bound in the
 * VarParams, or, for a frozen parameter absent from the VarParams, the module's current value as
 * a constant. Anything else is an error naming the missing parameter.
 *
 * <p>Immutable; {@link #child(String)} and {@link #withOverride(String, Var)} return new scopes.
 */
public final class Scope {
    private final VarParams params;
    private final String prefix;
    private final boolean updateBuffers;
    private final Map<String, Var> overrides;

    private Scope(VarParams params, String prefix, boolean updateBuffers, Map<String, Var> overrides) {
        this.params = params;
        this.prefix = prefix;
        this.updateBuffers = updateBuffers;
        this.overrides = overrides;
    }

    /** The root scope of a pure forward pass: buffers are read, never written. */
    public static Scope of(VarParams params) {
        return new Scope(params, "", false, Map.of());
    }

    /**
     * The root scope of a forward pass that also updates buffers (BatchNorm running statistics)
     * of modules in training mode. Use it once per training step, not inside functions that are
     * evaluated several times (gradient checks, line searches, Hessian-vector products).
     */
    public static Scope updatingBuffers(VarParams params) {
        return new Scope(params, "", true, Map.of());
    }

    /** The scope of the child called {@code name} (e.g. {@code layers.0}). */
    public Scope child(String name) {
        return new Scope(params, qualify(name), updateBuffers, overrides);
    }

    /** Whether this pass may update buffers. */
    public boolean updatesBuffers() {
        return updateBuffers;
    }

    /** The VarParams this pass reads from. */
    public VarParams params() {
        return params;
    }

    /** The full dotted name of {@code localName} in this scope. */
    public String qualify(String localName) {
        return prefix.isEmpty() ? localName : prefix + "." + localName;
    }

    /**
     * A scope in which the parameter {@code localName} of this scope reads as {@code value}
     * instead of being looked up: how a parametrisation (w = g·v/‖v‖) feeds a computed weight to
     * the layer it wraps.
     */
    public Scope withOverride(String localName, Var value) {
        Map<String, Var> m = new HashMap<>(overrides);
        m.put(qualify(localName), value);
        return new Scope(params, prefix, updateBuffers, m);
    }

    /**
     * The value of parameter {@code localName} of {@code owner} (see the class comment for the
     * lookup order).
     *
     * @throws IllegalArgumentException if it is not bound, or bound with a different shape
     */
    public Var parameter(Module owner, String localName) {
        String full = qualify(localName);
        Var v = overrides.get(full);
        if (v != null) return v;
        Module.Slot slot = owner.ownParameterSlot(localName);
        if (params.contains(full)) {
            v = params.get(full);
            if (slot != null && !v.shape().equals(slot.value.shape())) {
                throw new IllegalArgumentException("parameter '" + full + "': bound value has shape " + v.shape()
                        + " but the module expects " + slot.value.shape());
            }
            return v;
        }
        if (slot != null && slot.frozen) return Var.constant(slot.value);
        throw new IllegalArgumentException("parameter '" + full + "' is not bound (have " + params.names()
                + "); bind module.parameters(), or module.trainable() when it is frozen");
    }
}
