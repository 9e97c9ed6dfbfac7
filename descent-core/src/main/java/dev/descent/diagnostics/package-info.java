/**
 * Diagnostics that show why a network trains the way it does, computed from the quantities of
 * SPEC.md §1.2–1.3, §3 and §4.3, at a cost the caller chooses.
 *
 * <h2>What lives here</h2>
 * <ul>
 *   <li><b>Gradient flow through time</b> — {@link dev.descent.diagnostics.GradientFlow}: exact
 *       ‖∂g_T/∂g_t‖ (reverse mode, every t) and ‖∂g_t/∂g_0‖ (forward mode, every t) by batched
 *       autodiff Jacobian products and exact SVDs, next to the bounds Π‖diag(σ'(a_s))‖‖W‖ and
 *       (γ‖W‖)^{span}; λ1(WᵀW) by power iteration ({@link dev.descent.diagnostics.MatrixSpectra});
 *       the regime ({@link dev.descent.diagnostics.RegimeAssessment}); the loss's sensitivity to
 *       each input ({@link dev.descent.diagnostics.InputSensitivity}). Seams:
 *       {@link dev.descent.diagnostics.RecurrenceSpec} (activation form, W/U/b/σ/inputs/g_0) and
 *       {@link dev.descent.diagnostics.RecurrentStep} (any other recurrence).</li>
 *   <li><b>Curvature</b> — {@link dev.descent.diagnostics.Curvature}: gᵀHg and ε* along the
 *       gradient, the quadratic model's agreement with a step;
 *       {@link dev.descent.diagnostics.HessianSpectrum}: extreme eigenvalues by Lanczos with full
 *       reorthogonalisation, Hutchinson's trace with its standard error, the spectral density by
 *       stochastic Lanczos quadrature. Seam: {@link dev.descent.diagnostics.HessianOperator}.</li>
 *   <li><b>Weight-norm dynamics</b> — {@link dev.descent.diagnostics.WeightNormDynamics}: per
 *       layer (PyTorch names {@code <prefix>weight_v}/{@code <prefix>weight_g}) ‖u‖, g, the
 *       effective learning rate η·|g|/‖u‖, cos(Δu, u) and the Pythagorean residual.</li>
 *   <li><b>Training health</b> — {@link dev.descent.diagnostics.TrainingHealth} (norms and
 *       update ratios per layer, first non-finite value),
 *       {@link dev.descent.diagnostics.ClippingStatistics}.</li>
 *   <li><b>Attaching to training</b> — {@link dev.descent.diagnostics.TrainingListener},
 *       {@link dev.descent.diagnostics.StepContext}, {@link dev.descent.diagnostics.Diagnostic}
 *       (built-ins as static factories), {@link dev.descent.diagnostics.DiagnosticsMonitor}
 *       (schedule "every k steps", timings) emitting
 *       {@link dev.descent.diagnostics.DiagnosticRecord}s, plain values that a metrics
 *       writer (the CLI's) serialises.</li>
 * </ul>
 *
 * <h2>Cost relative to a training step</h2>
 * A Hessian-vector product costs a few training steps (forward-over-reverse through the tape),
 * so HVP-based diagnostics belong on a schedule of hundreds of steps; the O(n) ones can run every
 * step. The measured ratios per diagnostic are in docs/performance.md ("Cost of the diagnostics
 * relative to a training step").
 *
 * <h2>Dependencies</h2>
 * {@code dev.descent.tensor}, {@code dev.descent.autodiff} and EJML (dense SVD and symmetric
 * eigen-decompositions of small matrices). Nothing here depends on the layer or optimiser
 * packages: models enter as loss functions of {@link dev.descent.tensor.Params}, recurrences as
 * {@link dev.descent.diagnostics.RecurrenceSpec}/{@link dev.descent.diagnostics.RecurrentStep},
 * and optimisers as the {@link dev.descent.diagnostics.StepContext} they fill in.
 */
package dev.descent.diagnostics;
