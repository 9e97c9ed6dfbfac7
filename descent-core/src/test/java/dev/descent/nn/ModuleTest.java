package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Autodiff;
import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The module tree: names, parameter and buffer access, validation, freezing, modes. */
class ModuleTest {
    static Sequential mlp(DType dtype) {
        Rng rng = new Rng(1);
        return new Sequential(new Linear(3, 4, rng, dtype), new Tanh(), new Linear(4, 2, rng, dtype));
    }

    /** A user-defined module with named children, as code outside this package would write one. */
    static final class EncoderHead extends Module {
        final Linear encoder, head;
        final BatchNorm norm;

        EncoderHead(Rng rng) {
            encoder = addChild("encoder", new Linear(3, 5, rng, DType.F64));
            norm = addChild("norm", new BatchNorm(5, DType.F64));
            head = addChild("head", new Linear(5, 1, false, Init.glorotUniform(1), rng, DType.F64));
        }

        @Override
        public Var apply(Scope scope, Var x) {
            Var h = encoder.apply(scope.child("encoder"), x);
            h = norm.apply(scope.child("norm"), h).relu();
            return head.apply(scope.child("head"), h);
        }
    }

    @Test
    void namesFollowTheTreeAndCountsAddUp() {
        Sequential m = mlp(DType.F32);
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"), m.parameters().names());
        assertEquals(List.of(4, 3), List.of(m.parameters().get("layers.0.weight").dim(0), m.parameters().get("layers.0.weight").dim(1)));
        assertEquals(3 * 4 + 4 + 4 * 2 + 2, m.parameterCount());
        assertEquals(DType.F32, m.parameters().get("layers.2.bias").dtype());
        EncoderHead e = new EncoderHead(new Rng(2));
        assertEquals(List.of("encoder.weight", "encoder.bias", "norm.weight", "norm.bias", "head.weight"), e.parameters().names());
        assertEquals(List.of("norm.running_mean", "norm.running_var"), e.buffers().names());
    }

    @Test
    void applyReadsParametersFromTheVarParamsNotTheModule() {
        Sequential m = mlp(DType.F64);
        Tensor x = new Rng(3).normal(DType.F64, 0, 1, 6, 3);
        Params other = m.parameters().map(t -> t.mul(2));
        Tensor viaOther = m.apply(VarParams.constants(other), Var.constant(x)).value();
        Sequential copy = mlp(DType.F64);
        copy.setParameters(other);
        assertEquals(0, copy.forward(x).maxAbsDiff(viaOther));
        assertTrue(m.forward(x).maxAbsDiff(viaOther) > 1e-3);
        // forward() is apply() with the held parameters.
        assertEquals(0, m.forward(x).maxAbsDiff(m.apply(VarParams.constants(m.parameters()), Var.constant(x)).value()));
    }

    @Test
    void setParametersValidatesNamesShapesAndDtypes() {
        Sequential m = mlp(DType.F64);
        Params p = m.parameters();
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> m.setParameters(Params.of("layers.0.weight", p.get("layers.0.weight"))));
        assertTrue(missing.getMessage().contains("missing [layers.0.bias"), missing.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> m.setParameters(p.with("layers.2.bias", Tensor.zeros(DType.F64, 3))));
        assertTrue(shape.getMessage().contains("'layers.2.bias' is float64[3] but the module holds float64[2]"), shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.setParameters(p.to(DType.F32)));
        assertThrows(IllegalArgumentException.class, () -> m.setParameters(p.with("extra", Tensor.zeros(DType.F64, 1))));
        // Nothing was half-assigned by the failed calls.
        assertEquals(0, m.parameters().maxAbsDiff(p));
    }

    @Test
    void scopeNamesMissingOrMisshapenParameters() {
        Sequential m = mlp(DType.F64);
        Tensor x = Tensor.zeros(DType.F64, 2, 3);
        Params partial = Params.of("layers.0.weight", m.parameters().get("layers.0.weight"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.apply(VarParams.constants(partial), Var.constant(x)));
        assertTrue(e.getMessage().contains("parameter 'layers.0.bias' is not bound"), e.getMessage());
        Params wrong = m.parameters().with("layers.0.bias", Tensor.zeros(DType.F64, 5));
        e = assertThrows(IllegalArgumentException.class, () -> m.apply(VarParams.constants(wrong), Var.constant(x)));
        assertTrue(e.getMessage().contains("'layers.0.bias': bound value has shape [5] but the module expects [4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(DType.F64, 2, 4)));
        assertTrue(e.getMessage().contains("Linear: input [2, 4] has 4 features, expected 3"), e.getMessage());
    }

    @Test
    void frozenParametersAreConstantsAndOutOfTrainable() {
        Sequential m = mlp(DType.F64);
        m.freeze("layers.0");
        assertEquals(Set.of("layers.0.weight", "layers.0.bias"), m.frozen());
        assertEquals(List.of("layers.2.weight", "layers.2.bias"), m.trainable().names());
        Tensor x = new Rng(4).normal(DType.F64, 0, 1, 5, 3);
        Params gTrainable = Autodiff.grad(vp -> m.apply(vp, Var.constant(x)).square().sum(), m.trainable());
        Params gAll = Autodiff.grad(vp -> m.apply(vp, Var.constant(x)).square().sum(), m.parameters());
        for (String n : gTrainable.names()) assertEquals(0, gTrainable.get(n).maxAbsDiff(gAll.get(n)));
        Params stepped = m.trainable().axpy(-0.1, gTrainable);
        Tensor frozenBefore = m.parameters().get("layers.0.weight");
        m.setTrainable(stepped);
        assertEquals(0, m.parameters().get("layers.2.weight").maxAbsDiff(stepped.get("layers.2.weight")));
        assertTrue(m.parameters().get("layers.0.weight") == frozenBefore);
        assertThrows(IllegalArgumentException.class, () -> m.setTrainable(m.parameters()));
        assertThrows(IllegalArgumentException.class, () -> m.freeze("layers.9"));
        m.unfreeze("");
        assertTrue(m.frozen().isEmpty());
        // A full name freezes just that parameter.
        m.freeze("layers.2.bias");
        assertEquals(Set.of("layers.2.bias"), m.frozen());
    }

    @Test
    void freezingMatchesWholeDottedParts() {
        Rng rng = new Rng(2);
        Module[] layers = new Module[11];
        for (int i = 0; i < layers.length; i++) layers[i] = new Linear(1, 1, false, Init.constant(1), rng, DType.F64);
        Sequential m = new Sequential(layers);
        m.freeze("layers.1");
        assertEquals(Set.of("layers.1.weight"), m.frozen());
    }

    @Test
    void modePropagatesToTheWholeTree() {
        EncoderHead e = new EncoderHead(new Rng(5));
        assertTrue(e.isTraining() && e.norm.isTraining());
        e.eval();
        assertFalse(e.isTraining() || e.norm.isTraining() || e.encoder.isTraining());
        e.train();
        assertTrue(e.norm.isTraining());
        Sequential wrapped = new Sequential(WeightNorm.wrap(new Linear(2, 2, new Rng(1), DType.F64)));
        wrapped.eval();
        assertFalse(((WeightNorm<?>) wrapped.get(0)).inner().isTraining());
    }

    @Test
    void buffersAreReadAndReplacedByName() {
        EncoderHead e = new EncoderHead(new Rng(6));
        Params b = e.buffers().map(t -> t.add(1));
        e.setBuffers(b);
        assertEquals(0, e.buffers().maxAbsDiff(b));
        assertThrows(IllegalArgumentException.class, () -> e.setBuffers(Params.empty()));
    }

    @Test
    void aModuleBelongsToOneParent() {
        Linear shared = new Linear(2, 2, new Rng(1), DType.F64);
        new Sequential(shared);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new Sequential(shared));
        assertTrue(ex.getMessage().contains("already belongs"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sequential());
    }

    @Test
    void conversionToAnotherDtypeConvertsEverything() {
        EncoderHead e = new EncoderHead(new Rng(7));
        Params before = e.parameters();
        e.to(DType.F32);
        for (Tensor t : e.parameters().asMap().values()) assertEquals(DType.F32, t.dtype());
        for (Tensor t : e.buffers().asMap().values()) assertEquals(DType.F32, t.dtype());
        assertTrue(e.parameters().to(DType.F64).maxAbsDiff(before) < 1e-7);
        assertTrue(e.toString().startsWith("EncoderHead{encoder.weight: float32[5, 3]"), e.toString());
    }

    @Test
    void linearAcceptsAnyNumberOfLeadingAxes() {
        Linear l = new Linear(3, 2, new Rng(8), DType.F64);
        Tensor x = new Rng(9).normal(DType.F64, 0, 1, 4, 5, 3);
        Tensor y = l.forward(x);
        assertEquals(List.of(4, 5, 2), List.of(y.dim(0), y.dim(1), y.dim(2)));
        Tensor row = l.forward(x.select(0, 2).select(0, 3).reshape(1, 3));
        assertEquals(0, row.reshape(2).maxAbsDiff(y.select(0, 2).select(0, 3)), 1e-15);
        Linear noBias = new Linear(3, 2, false, Init.zeros(), new Rng(1), DType.F64);
        assertEquals(List.of("weight"), noBias.parameters().names());
        assertEquals(0, noBias.forward(x).maxAbs());
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 2, new Rng(1), DType.F64));
    }
}
