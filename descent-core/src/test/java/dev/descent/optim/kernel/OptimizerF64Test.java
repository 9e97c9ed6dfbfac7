package dev.descent.optim.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The optimiser passes of {@link OptimizerF64} against their formulas written as one scalar
 * expression per element, in the order the kernels document, bit for bit: the vector bodies (Adam's)
 * must perform exactly the scalar tail's operations, and every pass must touch only
 * [off, off + n). Lengths put elements in vector bodies, tails or both, at an offset. The float32
 * twin of this test is generated with the kernel's, so the float32 passes are checked against the
 * same formulas in float32 arithmetic.
 */
class OptimizerF64Test {
    private static final int[] LENGTHS = {0, 1, 5, 16, 37, 200};
    private static final int OFF = 3;

    private static void same(double expected, double actual, String what) { // @KeepDouble: widening is exact
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual), what + ": " + expected + " vs " + actual); // @KeepDouble
    }

    private static double[] gaussian(Random rnd, int n) {
        double[] v = new double[OFF + n + 2];
        for (int i = 0; i < v.length; i++) v[i] = (double) rnd.nextGaussian();
        return v;
    }

    private static double[] positive(Random rnd, int n) {
        double[] v = gaussian(rnd, n);
        for (int i = 0; i < v.length; i++) v[i] = v[i] * v[i];
        return v;
    }

    /** Elements outside [OFF, OFF + n) must keep the sentinel they were filled with. */
    private static double[] sentinel(int n) {
        double[] v = new double[OFF + n + 2];
        java.util.Arrays.fill(v, (double) 7.25);
        return v;
    }

    private static void untouchedOutside(double[] out, int n, String what) {
        for (int i = 0; i < out.length; i++) if (i < OFF || i >= OFF + n) same((double) 7.25, out[i], what + " outside the range at " + i);
    }

    @Test
    void adamInBothFormsMatchesItsFormula() {
        Random rnd = new Random(1);
        double beta1 = (double) 0.9, beta2 = (double) 0.999, c1 = (double) 0.1, c2 = (double) 0.001, eps = (double) 1e-8;
        double corr1 = (double) 0.271, sqrtCorr2 = (double) 0.0434, f = (double) -0.001;
        for (int n : LENGTHS) {
            double[] g = gaussian(rnd, n), m = gaussian(rnd, n), v = positive(rnd, n), p = gaussian(rnd, n);
            for (boolean apply : new boolean[] {false, true}) {
                double[] mo = sentinel(n), vo = sentinel(n), out = sentinel(n);
                OptimizerF64.adam(OFF, n, g, m, v, beta1, c1, beta2, c2, eps, corr1, sqrtCorr2, mo, vo, out, apply ? p : null, f);
                for (int i = OFF; i < OFF + n; i++) {
                    double nm = m[i] * beta1 + c1 * g[i];
                    double nv = v[i] * beta2 + c2 * (g[i] * g[i]);
                    double u = nm / ((double) Math.sqrt(nv) / sqrtCorr2 + eps) / corr1;
                    same(nm, mo[i], "adam m' n=" + n + " i=" + i);
                    same(nv, vo[i], "adam v' n=" + n + " i=" + i);
                    same(apply ? p[i] + f * u : u, out[i], "adam update n=" + n + " i=" + i + " apply=" + apply);
                }
                untouchedOutside(mo, n, "adam m'");
                untouchedOutside(out, n, "adam update");
            }
        }
    }

    @Test
    void rmsTraceMomentumAndEmaMatchTheirFormulas() {
        Random rnd = new Random(2);
        double decay = (double) 0.99, c = (double) 0.01, eps = (double) 1e-8, mu = (double) 0.9, lr = (double) 0.05, k = (double) 1.7;
        for (int n : LENGTHS) {
            double[] g = gaussian(rnd, n), s = positive(rnd, n), mg = gaussian(rnd, n), b = gaussian(rnd, n);
            for (int i = 0; i < mg.length; i++) mg[i] = mg[i] * (double) 0.01;
            double[] so = sentinel(n), mgo = sentinel(n), u = sentinel(n);
            OptimizerF64.rms(OFF, n, g, s, null, decay, c, eps, so, null, u);
            double[] so2 = sentinel(n), u2 = sentinel(n);
            OptimizerF64.rms(OFF, n, g, s, mg, decay, c, eps, so2, mgo, u2);
            for (boolean nesterov : new boolean[] {false, true}) {
                double[] bo = sentinel(n), to = sentinel(n), vo = sentinel(n), mo = sentinel(n), eo = sentinel(n), ev = sentinel(n);
                OptimizerF64.trace(OFF, n, g, b, mu, nesterov, bo, to);
                OptimizerF64.momentum(OFF, n, g, b, mu, lr, nesterov, vo, mo);
                OptimizerF64.ema(OFF, n, g, b, decay, c, nesterov, k, ev, eo);
                for (int i = OFF; i < OFF + n; i++) {
                    double nb = mu * b[i] + g[i];
                    same(nb, bo[i], "trace b'");
                    same(nesterov ? g[i] + mu * nb : nb, to[i], "trace u nesterov=" + nesterov);
                    double nv = mu * b[i] + lr * g[i];
                    same(nv, vo[i], "momentum v'");
                    same(nesterov ? -(lr * g[i] + mu * nv) : -nv, mo[i], "momentum u nesterov=" + nesterov);
                    double na = decay * b[i] + c * g[i];
                    same(na, ev[i], "ema v'");
                    same(nesterov ? na * k : na, eo[i], "ema u debias=" + nesterov);
                }
                untouchedOutside(to, n, "trace");
                untouchedOutside(mo, n, "momentum");
                untouchedOutside(eo, n, "ema");
            }
            for (int i = OFF; i < OFF + n; i++) {
                double ns = s[i] * decay + c * (g[i] * g[i]);
                same(ns, so[i], "rms s'");
                same(g[i] / ((double) Math.sqrt(ns) + eps), u[i], "rms u");
                same(ns, so2[i], "centred rms s'");
                double nmg = mg[i] * decay + c * g[i];
                same(nmg, mgo[i], "centred rms m'");
                same(g[i] / ((double) Math.sqrt(ns - nmg * nmg) + eps), u2[i], "centred rms u");
            }
            untouchedOutside(u, n, "rms");
            untouchedOutside(u2, n, "centred rms");
        }
    }

    @Test
    void elementwisePassesMatchTheirFormulas() {
        Random rnd = new Random(3);
        double lambda = (double) 0.01, clip = (double) 0.5, s = (double) -0.3;
        for (int n : LENGTHS) {
            double[] g = gaussian(rnd, n), p = gaussian(rnd, n);
            double[] wd = sentinel(n), cl = sentinel(n), sc = sentinel(n), sa = sentinel(n), ad = sentinel(n);
            OptimizerF64.addDecayedWeights(OFF, n, g, p, lambda, wd);
            OptimizerF64.clipByValue(OFF, n, g, clip, cl);
            OptimizerF64.scale(OFF, n, g, s, null, sc);
            OptimizerF64.scale(OFF, n, g, s, p, sa);
            OptimizerF64.add(OFF, n, p, g, ad);
            for (int i = OFF; i < OFF + n; i++) {
                same(g[i] + lambda * p[i], wd[i], "weight decay");
                same(Math.max(-clip, Math.min(clip, g[i])), cl[i], "clip by value");
                same(s * g[i], sc[i], "scale");
                same(p[i] + s * g[i], sa[i], "scale and apply");
                same(p[i] + g[i], ad[i], "add");
            }
            for (double[] out : new double[][] {wd, cl, sc, sa, ad}) untouchedOutside(out, n, "elementwise pass");
        }
    }
}
