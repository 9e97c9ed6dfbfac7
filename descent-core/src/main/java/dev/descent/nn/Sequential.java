package dev.descent.nn;

import dev.descent.autodiff.Var;
import java.util.List;

/**
 * A chain of modules applied in order: y = f_n(… f_1(x)). The i-th module is registered as
 * {@code layers.i}, so its parameters are named {@code layers.0.weight}, {@code layers.0.bias},
 * {@code layers.2.weight}… (PyTorch gives the same names to an {@code nn.Sequential} held in an
 * attribute called {@code layers}).
 */
public final class Sequential extends Module {
    private final List<Module> layers;

    /** The chain of {@code layers} (at least one). */
    public Sequential(Module... layers) {
        if (layers.length == 0) throw new IllegalArgumentException("Sequential: needs at least one layer");
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == null) throw new IllegalArgumentException("Sequential: layer " + i + " is null");
            addChild("layers." + i, layers[i]);
        }
        this.layers = List.of(layers);
    }

    /** The i-th module. */
    public Module get(int i) {
        if (i < 0 || i >= layers.size()) {
            throw new IllegalArgumentException("Sequential: index " + i + " outside [0, " + layers.size() + ")");
        }
        return layers.get(i);
    }

    /** Number of modules. */
    public int size() {
        return layers.size();
    }

    @Override
    public Var apply(Scope scope, Var x) {
        Var h = x;
        for (int i = 0; i < layers.size(); i++) h = layers.get(i).apply(scope.child("layers." + i), h);
        return h;
    }
}
