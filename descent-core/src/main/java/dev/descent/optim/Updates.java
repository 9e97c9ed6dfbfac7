package dev.descent.optim;

import dev.descent.tensor.Params;

/** Applying updates to parameters. */
public final class Updates {
    private Updates() {}

    /**
     * θ ← θ + u, entry by entry in one fused pass per tensor (same names, shapes and dtypes
     * required; the first mismatch is named).
     */
    public static Params apply(Params params, Params updates) {
        return Fused.map("apply updates", (n, in, out) -> {
            double[] p = in[0], u = in[1], r = out[0];
            for (int i = 0; i < n; i++) r[i] = p[i] + u[i];
        }, 1, params, updates)[0];
    }
}
