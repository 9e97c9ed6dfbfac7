/**
 * Second-order optimisers built on Hessian- and Gauss-Newton-vector products (SPEC §3).
 *
 * <p>Each method is an immutable, validated configuration implementing
 * {@link dev.descent.optim.second.SecondOrderOptimizer}: {@code init} gives its state, {@code step}
 * takes one step against a typed oracle for the current batch and returns the new parameters,
 * the next state and a report of what it did (never a hidden fallback):
 * <ul>
 *   <li>{@link dev.descent.optim.second.CurvatureStep}: steepest descent with ε* = gᵀg / gᵀHg
 *       from one HVP, with a counted Armijo fallback when gᵀHg ≤ 0;
 *       {@link dev.descent.optim.second.QuadraticModel} is the model it minimises;</li>
 *   <li>{@link dev.descent.optim.second.Newton}: exact Hessian from HVPs for small models, Cholesky
 *       (EJML) on H + λI with Levenberg-Marquardt damping and backtracking;</li>
 *   <li>{@link dev.descent.optim.second.HessianFree}: Martens' truncated Newton on Gauss-Newton
 *       products, with warm-started preconditioned CG, CG backtracking, LM damping and
 *       structural damping (its S from a {@link dev.descent.optim.second.StructuralDampingOracle},
 *       G v + μλ S v in one joint pass);</li>
 *   <li>{@link dev.descent.optim.second.Lbfgs}: L-BFGS with a strong-Wolfe line search, and a
 *       configuration that reproduces {@code torch.optim.LBFGS}
 *       ({@link dev.descent.optim.second.Lbfgs#pytorchCompatible()}).</li>
 * </ul>
 * {@link dev.descent.optim.second.LineSearches} makes the line searches public: Armijo
 * backtracking, Descent's strong-Wolfe search and PyTorch's.
 * Oracles: {@link dev.descent.optim.second.GradientOracle} ⊂
 * {@link dev.descent.optim.second.CurvatureOracle} (HVPs) and
 * {@link dev.descent.optim.second.GaussNewtonOracle} (GNVPs); {@link dev.descent.optim.second.Oracles}
 * builds them from differentiable functions.
 *
 * <p>Depends on {@code dev.descent.tensor}, {@code dev.descent.autodiff} (oracles),
 * {@code dev.descent.optim} (hyper-parameter validation) and EJML (Cholesky).
 */
package dev.descent.optim.second;
