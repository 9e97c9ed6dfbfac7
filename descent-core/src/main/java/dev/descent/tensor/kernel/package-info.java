/**
 * Allocation-free numeric kernels over raw arrays, one class per concern and dtype: elementwise
 * operations ({@link dev.descent.tensor.kernel.UnaryOp}, {@link dev.descent.tensor.kernel.BinaryOp}),
 * reductions ({@link dev.descent.tensor.kernel.ReduceOp}), the GEMM, bit-reproducible
 * transcendental functions and the thread pool. Nothing here knows of layers or optimisers: their
 * kernels live in {@code dev.descent.nn.kernel} and {@code dev.descent.optim.kernel}.
 *
 * <p><b>One source for both dtypes.</b> Every {@code *F64.java} file in a {@code kernel} package
 * (this one, {@code nn.kernel}, {@code optim.kernel}) is hand-written for {@code double}; its
 * {@code *F32} twin is generated at build time by {@code dev.descent.build.Autocode}
 * (descent-core/src/build; run from descent-core's pom in phase generate-sources), which renames
 * {@code F64→F32}, {@code double→float} and {@code Double→Float} token by token, except where the
 * source marks a value to stay in float64 with {@code /*@KeepDouble*&#47;} (the next word) or
 * {@code // @KeepDouble} (the whole line). A {@code *F64Test.java} in the matching test package
 * gets its {@code *F32Test} twin the same way. The F64 source follows three rules so the twin is
 * valid Java: (1) values returned as {@code double} by {@code Math} are cast explicitly,
 * {@code (double) Math.exp(x)}; (2) decimal literals are written as {@code (double) 0.5};
 * (3) no identifier may contain "double" or "Double" unless its float twin also exists (or it
 * carries the marker).
 *
 * <p><b>Dispatch once.</b> Code above the kernels does not branch on dtype: a tensor holds a
 * {@link dev.descent.tensor.kernel.Storage} ({@code StorageF64}, hand-written, or its generated
 * {@code StorageF32}) whose methods call the static loops of their dtype, one virtual call per
 * operation, never per element. The kernels of layers and optimisers follow the same pattern in
 * their own packages ({@code nn.kernel.BatchNormKernels}, {@code nn.kernel.ActivationKernels},
 * {@code optim.kernel.OptimizerKernels}: abstract passes over storages, implemented by the
 * {@code *F64} class and its twin). {@link dev.descent.tensor.kernel.Widen} lets one source keep
 * float64 accumulators over float32 vectors ({@code ReduceF64.dotWide}).
 *
 * <p>Kernels take arrays, offsets and lengths, write into an explicit output argument (documented
 * as "modified") and never allocate in their inner loops. Shapes are validated by callers in
 * {@code dev.descent.tensor}; kernels only assert what they need for memory safety. This package
 * depends on nothing but {@code jdk.incubator.vector}.
 */
package dev.descent.tensor.kernel;
