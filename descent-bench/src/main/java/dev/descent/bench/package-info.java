/**
 * Benchmarks: JMH micro-benchmarks ({@code *Benchmark}) and the side-by-side harness
 * ({@link dev.descent.bench.SideBySide}) that runs Descent's workloads and the PyTorch peer suite
 * in {@code ../shared/bench/peer} alternately in one invocation and reports ratios, and the
 * size sweeps of {@link dev.descent.bench.ScalingCurves} (whose MLP peer is the repository's own
 * {@code descent-bench/peer/scaling_torch.py}).
 *
 * <p>Workloads mirror {@code peer_torch.py} exactly (shapes, initialisation scheme, data order,
 * optimiser settings); see {@link dev.descent.bench.Workloads}. Depends on {@code dev.descent.tensor} (and
 * {@code tensor.kernel}, whose GEMM it times directly), {@code dev.descent.autodiff},
 * {@code dev.descent.nn}, {@code dev.descent.optim} (and {@code .second}, for the Hessian-free
 * step benchmark), {@code dev.descent.data}, {@code dev.descent.io} (JSON result lines), JMH and
 * {@code com.sun.management} (CPU time of the probe); {@code jmh_generated} is JMH's output.
 */
package dev.descent.bench;
