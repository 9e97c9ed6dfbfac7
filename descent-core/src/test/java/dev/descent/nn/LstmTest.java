package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.Var;
import dev.descent.autodiff.VarParams;
import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LSTM against the gate equations evaluated element by element. */
class LstmTest {
    static double sigmoid(double a) {
        return 1 / (1 + Math.exp(-a));
    }

    @Test
    void layoutAndForgetGateBias() {
        Lstm l = new Lstm(3, 4, new Rng(1), DType.F32);
        assertEquals(List.of("weight_ih", "weight_hh", "bias"), l.parameters().names());
        Params p = l.parameters();
        assertEquals(16, p.get("weight_ih").dim(0));
        assertEquals(3, p.get("weight_ih").dim(1));
        assertEquals(4, p.get("weight_hh").dim(1));
        for (int j = 0; j < 16; j++) {
            double b = p.get("bias").get(j);
            if (j >= 4 && j < 8) assertEquals(1, b, 0);
            else assertTrue(Math.abs(b) <= 0.5);
        }
    }

    @Test
    void statesFollowTheGateEquations() {
        int in = 2, hidden = 3, batch = 2, steps = 4;
        Lstm l = new Lstm(in, hidden, new Rng(2), DType.F64);
        Rng rng = new Rng(3);
        Tensor x = rng.normal(DType.F64, 0, 1, steps, batch, in);
        Tensor h0 = rng.normal(DType.F64, 0, 0.5, batch, hidden), c0 = rng.normal(DType.F64, 0, 0.5, batch, hidden);
        Lstm.Result r = l.run(VarParams.constants(l.parameters()), Var.constant(x), Var.constant(h0), Var.constant(c0));
        Params p = l.parameters();
        Tensor wih = p.get("weight_ih"), whh = p.get("weight_hh"), b = p.get("bias");
        double[][] h = new double[batch][hidden], c = new double[batch][hidden];
        for (int s = 0; s < batch; s++) for (int j = 0; j < hidden; j++) {
            h[s][j] = h0.get(s, j);
            c[s][j] = c0.get(s, j);
        }
        for (int t = 0; t < steps; t++) {
            double[][] hn = new double[batch][hidden];
            for (int s = 0; s < batch; s++) {
                double[] gate = new double[4 * hidden];
                for (int k = 0; k < 4 * hidden; k++) {
                    double a = b.get(k);
                    for (int j = 0; j < in; j++) a += wih.get(k, j) * x.get(t, s, j);
                    for (int j = 0; j < hidden; j++) a += whh.get(k, j) * h[s][j];
                    gate[k] = a;
                }
                for (int j = 0; j < hidden; j++) {
                    c[s][j] = sigmoid(gate[hidden + j]) * c[s][j] + sigmoid(gate[j]) * Math.tanh(gate[2 * hidden + j]);
                    hn[s][j] = sigmoid(gate[3 * hidden + j]) * Math.tanh(c[s][j]);
                }
            }
            h = hn;
            for (int s = 0; s < batch; s++) for (int j = 0; j < hidden; j++) {
                assertEquals(h[s][j], r.states().value().get(t, s, j), 1e-14);
            }
        }
        for (int s = 0; s < batch; s++) for (int j = 0; j < hidden; j++) {
            assertEquals(h[s][j], r.lastHidden().value().get(s, j), 1e-14);
            assertEquals(c[s][j], r.lastCell().value().get(s, j), 1e-14);
        }
        assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(DType.F64, steps, batch, 3)));
        assertEquals(0, l.forward(Tensor.zeros(DType.F64, 0, batch, in)).size());
    }
}
