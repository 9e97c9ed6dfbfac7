/**
 * Allocation-free numeric kernels over raw arrays, one class per concern and dtype.
 *
 * <p><b>One source for both dtypes.</b> Every {@code *F64.java} file here is hand-written for
 * {@code double}; its {@code *F32} twin is generated at build time (descent-core's pom, phase
 * generate-sources) by replacing {@code F64→F32}, {@code double→float} and
 * {@code Double→Float}. The F64 source therefore follows three rules so the replacement stays
 * valid Java: (1) values returned as {@code double} by {@code Math} are cast explicitly,
 * {@code (double) Math.exp(x)}; (2) decimal literals are written as {@code (double) 0.5};
 * (3) no identifier may contain "double" or "Double" unless its float twin also exists.
 *
 * <p>Kernels take arrays, offsets and lengths, write into an explicit output argument (documented
 * as "modified") and never allocate in their inner loops. Shapes are validated by callers in
 * {@code dev.descent.tensor}; kernels only assert what they need for memory safety. This package
 * depends on nothing but {@code jdk.incubator.vector}.
 */
package dev.descent.tensor.kernel;
