package dev.descent.autodiff;

import dev.descent.tensor.DType;
import dev.descent.tensor.Params;
import dev.descent.tensor.Rng;
import dev.descent.tensor.Tensor;
import java.util.function.Function;

/**
 * A gradient checker users can run on their own functions (modelled on JAX's check_grads).
 *
 * <p>In float64, for random directions v and random output weights u it compares three numbers
 * that must agree for a correct implementation:
 * <ul>
 *   <li>the central difference (⟨u, f(x+hv)⟩ − ⟨u, f(x−hv)⟩) / 2h, accurate to O(h²) + O(ε/h);</li>
 *   <li>⟨u, J v⟩ from forward mode ({@link Autodiff#jvp});</li>
 *   <li>⟨Jᵀu, v⟩ from reverse mode ({@link Autodiff#vjp}).</li>
 * </ul>
 * Errors are relative to the larger of the values and the cancellation-free magnitude
 * Σ|u_i||(Jv)_i|, so a random direction whose dot product happens to cancel does not turn
 * rounding noise into a false alarm.
 * The first pair checks the derivative rules against the function; the second pair is the
 * adjoint identity ⟨u, J v⟩ = ⟨Jᵀu, v⟩, which holds to rounding error and so catches
 * inconsistent JVP/VJP rules even where finite differences are noisy.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Largest relative errors seen over all directions. */
    public record Report(double finiteDifferenceError, double adjointError, int directions) {
        /** Whether both errors are within {@code tolerance}. */
        public boolean passes(double tolerance) {
            return finiteDifferenceError <= tolerance && adjointError <= tolerance;
        }

        @Override
        public String toString() {
            return String.format("GradCheck{fd=%.3e, adjoint=%.3e, directions=%d}", finiteDifferenceError, adjointError, directions);
        }
    }

    /**
     * Checks {@code f} at {@code params} (converted to float64) along {@code directions} random
     * directions with step {@code h} (1e-5 is a good default for smooth float64 functions).
     */
    public static Report check(Function<VarParams, Var> f, Params params, int directions, double h, long seed) {
        Params x = params.to(DType.F64);
        Rng rng = new Rng(seed);
        double fdErr = 0, adjErr = 0;
        for (int k = 0; k < directions; k++) {
            Params v = x.map(t -> rng.normal(DType.F64, 0, 1, t.dims()));
            Autodiff.JvpResult jr = Autodiff.jvp(f, x, v);
            Tensor u = rng.normal(DType.F64, 0, 1, jr.value().dims());
            double jvpDot = u.dot(jr.tangent());
            Params jtu = Autodiff.vjp(f, x, u);
            double vjpDot = jtu.dot(v);
            // Cancellation-free magnitudes Σ|u_i||(Jv)_i| and Σ|(Jᵀu)_j||v_j|: a dot product that
            // cancels to near zero must not turn rounding noise into a large "relative" error.
            double scale = Math.max(u.abs().dot(jr.tangent().abs()), jtu.map(Tensor::abs).dot(v.map(Tensor::abs)));
            double plus, minus;
            try (Autodiff.NoGrad ng = Autodiff.noGrad()) {
                plus = u.dot(f.apply(VarParams.constants(x.axpy(h, v))).value());
                minus = u.dot(f.apply(VarParams.constants(x.axpy(-h, v))).value());
            }
            double fd = (plus - minus) / (2 * h);
            fdErr = Math.max(fdErr, relative(fd, jvpDot, scale));
            adjErr = Math.max(adjErr, relative(jvpDot, vjpDot, scale));
        }
        return new Report(fdErr, adjErr, directions);
    }

    /** Checks a function of one tensor; see {@link #check(Function, Params, int, double, long)}. */
    public static Report check(Function<Var, Var> f, Tensor x, int directions, double h, long seed) {
        return check(vp -> f.apply(vp.get("x")), Params.of("x", x), directions, h, seed);
    }

    /** |a − b| / max(|a|, |b|, 1e-8): relative where the values are large, absolute near zero. */
    public static double relative(double a, double b) {
        return relative(a, b, 0);
    }

    /** |a − b| / max(|a|, |b|, magnitude, 1e-8), where magnitude is a cancellation-free size of the terms. */
    public static double relative(double a, double b, double magnitude) {
        double scale = Math.max(Math.max(Math.max(Math.abs(a), Math.abs(b)), magnitude), 1e-8);
        double r = Math.abs(a - b) / scale;
        return Double.isNaN(r) ? Double.POSITIVE_INFINITY : r;
    }
}
