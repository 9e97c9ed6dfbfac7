package dev.descent.diagnostics;

/**
 * What gradient clipping by global norm did in one step, as reported by the training loop:
 * the gradient's global norm before clipping and the threshold. Clipping by global norm scales
 * the whole gradient by {@code min(1, maxNorm/‖g‖)} (Pascanu, Mikolov &amp; Bengio 2013), as
 * PyTorch's {@code clip_grad_norm_} and Optax's {@code clip_by_global_norm} do.
 *
 * @param preClipNorm ‖g‖ before clipping; may be +∞ or NaN (that is worth reporting), never negative
 * @param maxNorm the threshold, finite and &gt; 0
 */
public record ClipInfo(double preClipNorm, double maxNorm) {
    /** Validates the values. */
    public ClipInfo {
        if (preClipNorm < 0) throw new IllegalArgumentException("clip info: preClipNorm must be >= 0, got " + preClipNorm);
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("clip info: maxNorm must be finite and > 0, got " + maxNorm);
        }
    }

    /** Whether clipping changed the gradient (a non-finite norm counts as clipped). */
    public boolean clipped() {
        return !(preClipNorm <= maxNorm);
    }

    /** The factor applied to the gradient, min(1, maxNorm/‖g‖) (0 for a non-finite norm). */
    public double scale() {
        if (!Double.isFinite(preClipNorm)) return 0;
        return preClipNorm <= maxNorm ? 1 : maxNorm / preClipNorm;
    }
}
