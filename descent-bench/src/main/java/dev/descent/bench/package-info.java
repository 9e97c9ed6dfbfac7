/**
 * Benchmarks: JMH micro-benchmarks ({@code *Benchmark}) and the side-by-side harness
 * ({@link dev.descent.bench.SideBySide}) that runs Descent's workloads and the PyTorch peer suite
 * in {@code ../shared/bench/peer} alternately in one invocation and reports ratios, and the
 * size sweeps of {@link dev.descent.bench.ScalingCurves} (whose MLP peer is the repository's own
 * {@code descent-bench/peer/scaling_torch.py}).
 *
 * <p>Workloads mirror {@code peer_torch.py} exactly (shapes, initialisation scheme, data order,
 * optimiser settings); see {@link dev.descent.bench.Workloads}. Depends on descent-core and JMH.
 */
package dev.descent.bench;
