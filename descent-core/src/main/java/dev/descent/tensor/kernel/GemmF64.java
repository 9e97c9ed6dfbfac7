package dev.descent.tensor.kernel;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * General matrix multiply for float64 (one source for both dtypes, see the package docs):
 * {@code C = op(A)·op(B)} or {@code C += op(A)·op(B)}, where op(X) is X or Xᵀ.
 *
 * <p>A is m×k after op, B is k×n after op, C is m×n, all row-major with leading dimensions
 * lda, ldb, ldc (the row stride of the stored matrix, i.e. before op).
 *
 * <h2>Algorithm</h2>
 * The classic Goto/BLIS layering, written for the Vector API with {@code L =
 * S.length()} lanes per vector (on AVX-512, 8 lanes of 8-byte or 16 lanes of 4-byte elements;
 * everything below is in terms of L, so one source serves both dtypes and narrower machines):
 * <pre>
 * for each task (a block of columns, or rows, of C; tasks run on {@link Parallel}'s pool)
 *   for jc in task columns, step NC                       B panel  KC×NC  in L2
 *     for pc in 0..k, step KC
 *       pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide panels (zero-padded)
 *       for ic in task rows, step MC                      A block  MC×KC  in L2 (unpacked)
 *         for jr in 0..NC, step NR                        B micro-panel KC×NR in L1
 *           for ir in 0..MC, step MR
 *             C[ir:ir+MR, jr:jr+NR] (+)= A[ir:ir+MR, pc:pc+KC] · Bpanel   (micro-kernel)
 * </pre>
 *
 * <p><b>Micro-kernel</b>: MR = 6 rows × NV = 4 vectors (NR = 4L columns: 32 eight-byte or 64
 * four-byte elements). Its 24 accumulators, 4 B vectors and one broadcast A value use 29 of
 * the 32 vector registers; each step of p loads 4 vectors of B and 6 scalars of A for 24 FMAs,
 * so it is bound by the two FMA pipes, not by loads. On the development machine (Zen 5) it measured
 * 200–220 GFLOP/s in single precision on one core in isolation, against about 210 for a loop
 * of independent FMAs alone; 8×3 and 12×2 shapes were no faster, 8×2 and 4×6 slower. NR
 * divides the power-of-two layer widths of neural networks, so they leave no column edge.
 *
 * <p><b>Cache blocking</b>: KC = 128 so that the B micro-panel, KC × NR × element size =
 * 32 KiB, stays in the 48 KiB L1 data cache while the micro-kernel sweeps the MR-row strips of
 * A past it; KC = 256 (64 KiB) measured slower. MC and NC give the A block and the packed B
 * panel 256 KiB each (MC = 510 and NC = 512 for 4-byte elements, 252 and 256 for 8-byte
 * ones), so both stay in the 1 MiB L2 together with C's tiles. C is read and written once per
 * KC step.
 *
 * <p><b>Packing</b>: op(B) is always packed into contiguous KC×NR panels (this also performs
 * the transposition when B is transposed), except for products with few rows (m ≤ 64 per task)
 * where B is not transposed: then the micro-kernel reads B's rows in place and only a partial
 * last strip is packed, because a panel that is reused by few rows does not repay its copy.
 * A is never packed: the micro-kernel broadcasts A's elements in place with a row stride and a
 * k stride (lda and 1, or 1 and lda when A is transposed), which measured faster than packing
 * on this machine because A's elements are each used NR times per load. Only a partial last
 * strip of fewer than MR rows is copied into a zero-padded MR-row panel.
 *
 * <p><b>Edges</b>: zero-padded panels let the micro-kernel always compute a full MR×NR tile;
 * a tile that sticks out of C is computed into a per-thread buffer and only its valid part is
 * added to C. The padded rows and columns may hold NaN (0·∞) but are never written to C.
 *
 * <p><b>Threads</b>: products with m·n·k ≥ 2²² (about 161³; PARALLEL_MIN_MNK) are cut into
 * about four tasks per thread, column slabs of C first (each task packs only its own columns
 * of B, and A is read in place, so nothing is packed twice), row slabs when C is narrow.
 * Tasks are claimed dynamically, so a core shared with another process simply does fewer of
 * them. Smaller products run on the calling thread: waking a worker costs a few microseconds
 * when the machine is idle and can cost a scheduling quantum when it is not.
 *
 * <p><b>Memory</b>: each thread that calls gemm keeps one workspace per dtype (B panel, A
 * edge panel, edge tile: about 260 KiB) in a {@link ThreadLocal}, so steady-state calls
 * allocate nothing on the calling thread; a parallel call allocates one small job object.
 */
// NOTE: numerics. Each C entry is accumulated with fused multiply-adds in k order within a KC
// block, then added to the partial result in C block after block, so results differ from the
// reference loop (unfused, one running sum) by rounding only: both are within
// γ_{k+1}·(|C₀| + Σ|a||b|) of the exact value. Zeros are never skipped, so 0·∞ and NaN
// propagate as in the reference; with accumulate == false, C's old contents (even NaN) are
// never read.
// NOTE: performance traps. (1) The micro-kernel must stay one method with every Vector
// operation inlined: a helper call for the epilogue pushed C2 past its inlining node budget
// (NodeCountInliningCutoff), the vectors were boxed and throughput fell fivefold; hence the
// kernel reads its initial accumulators from C or from a row of zeros instead of branching.
// (2) The Vector API runs a hundred times slower or worse before C2 compiles the kernel (the
// interpreter and C1 box every vector), which takes one to several seconds of use: benchmark
// only after warming up. (3) Reading B in place with a power-of-two leading dimension maps
// the micro-panel's rows onto a few L1 sets; packing removes those conflict misses, which is
// why in-place B is limited to short products.
public final class GemmF64 {
    private GemmF64() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of the micro-kernel's tile. */
    static final int MR = 6;
    /** Vectors per row of the micro-kernel's tile. */
    static final int NV = 4;
    /** Columns of the micro-kernel's tile. */
    static final int NR = NV * L;
    /** Depth of one cache block: the KC×NR B micro-panel (32 KiB) stays in L1. */
    static final int KC = 128;
    /** Bytes given to the A block and to the packed B panel each (half the 1 MiB L2). */
    private static final int L2_BLOCK_BYTES = 256 * 1024;
    /** Rows of A per block (a multiple of MR). */
    static final int MC = L2_BLOCK_BYTES / (KC * Double.BYTES) / MR * MR;
    /** Columns of B per packed panel (a multiple of NR). */
    static final int NC = L2_BLOCK_BYTES / (KC * Double.BYTES) / NR * NR;
    /** Products with m·n·k below this run on the calling thread only; larger ones use the pool. */
    public static final long PARALLEL_MIN_MNK = 1L << 22;
    /** Tasks per thread in a parallel product, for balance on shared cores. */
    static final int TASKS_PER_THREAD = 4;
    /** Tasks with at most this many rows read an untransposed B in place instead of packing it. */
    static final int UNPACKED_B_MAX_ROWS = 64;

    /** Per-thread buffers, reused by every call on that thread. */
    private static final class Workspace {
        /** One zero-padded MR-row panel of A (a partial last strip). */
        final double[] a = new double[MR * KC];
        /** The packed B panel, KC × NC. */
        final double[] b = new double[KC * NC];
        /** One MR×NR tile for edges. */
        final double[] tile = new double[MR * NR];
    }

    /** A row of NR zeros: the initial accumulators when C is overwritten (never written). */
    private static final double[] ZERO = new double[NR];

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * C[m×n] (+)= op(A)[m×k] · op(B)[k×n]; {@code c} is modified. Only the m×n window of C is
     * written; with {@code accumulate == false} its old contents are never read (k = 0 then
     * zeroes it). Large products run on {@link Parallel}'s pool.
     *
     * @param transA     use Aᵀ: A is stored k×m
     * @param transB     use Bᵀ: B is stored n×k
     * @param m          rows of C
     * @param n          columns of C
     * @param k          inner dimension
     * @param a          A's array
     * @param aOff       index of A's first element
     * @param lda        row stride of A as stored, at least its stored row length
     * @param b          B's array
     * @param bOff       index of B's first element
     * @param ldb        row stride of B as stored, at least its stored row length
     * @param c          C's array (modified)
     * @param cOff       index of C's first element
     * @param ldc        row stride of C, at least n
     * @param accumulate add into C when true, overwrite C when false
     * @throws IllegalArgumentException  if m, n or k is negative
     * @throws IndexOutOfBoundsException if an operand does not fit its array or its stride is
     *                                   shorter than its rows
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double[] c, int cOff, int ldc, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(
                    "gemm: negative size m=" + m + ", n=" + n + ", k=" + k);
        }
        checkMatrix("C", c, cOff, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0);
                }
            }
            return;
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);

        if (Parallel.threads() == 1 || (long) m * n * k < PARALLEL_MIN_MNK) {
            block(transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                    0, m, 0, n, WORKSPACE.get());
            return;
        }
        int wanted = TASKS_PER_THREAD * Parallel.threads();
        int colTasks = Math.min(wanted, ceilDiv(n, NR));
        int rowTasks = Math.min(ceilDiv(wanted, colTasks), ceilDiv(m, MR));
        int rowStep = roundUp(ceilDiv(m, rowTasks), MR);
        int colStep = roundUp(ceilDiv(n, colTasks), NR);
        int cols = ceilDiv(n, colStep);
        int tasks = ceilDiv(m, rowStep) * cols;
        Parallel.forEach(tasks, t -> {
            int i0 = (t / cols) * rowStep;
            int j0 = (t % cols) * colStep;
            block(transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                    i0, Math.min(m, i0 + rowStep), j0, Math.min(n, j0 + colStep), WORKSPACE.get());
        });
    }

    /** C[i0:i1, j0:j1] (+)= op(A)[i0:i1, :] · op(B)[:, j0:j1], blocked as in the class docs. */
    private static void block(boolean transA, boolean transB, int k,
                              double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                              double[] c, int cOff, int ldc, boolean accumulate,
                              int i0, int i1, int j0, int j1, Workspace ws) {
        boolean packB = transB || i1 - i0 > UNPACKED_B_MAX_ROWS;
        // A's row stride and k stride as the micro-kernel walks it in place.
        int ars = transA ? 1 : lda;
        int aks = transA ? lda : 1;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean add = accumulate || pc > 0;
                if (packB) {
                    packB(transB, b, bOff, ldb, pc, kc, jc, nc, ws.b);
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    int mFull = mc - mc % MR;
                    if (mFull < mc) {
                        packEdgeA(transA, a, aOff, lda, ic + mFull, mc - mFull, pc, kc, ws.a);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        double[] bs = ws.b;
                        int bo = jr * kc;
                        int bks = NR;
                        if (!packB) {
                            if (nr == NR) {
                                bs = b;
                                bo = bOff + pc * ldb + jc + jr;
                                bks = ldb;
                            } else {
                                packB(false, b, bOff, ldb, pc, kc, jc + jr, nr, ws.b);
                                bo = 0;
                            }
                        }
                        for (int ir = 0; ir < mc; ir += MR) {
                            int co = cOff + (ic + ir) * ldc + jc + jr;
                            if (ir < mFull) {
                                int ao = aOff + (ic + ir) * ars + pc * aks;
                                if (nr == NR) {
                                    if (add) {
                                        kernel(kc, a, ao, ars, aks, bs, bo, bks, c, co, ldc, c, co, ldc);
                                    } else {
                                        kernel(kc, a, ao, ars, aks, bs, bo, bks, ZERO, 0, 0, c, co, ldc);
                                    }
                                } else {
                                    kernel(kc, a, ao, ars, aks, bs, bo, bks, ZERO, 0, 0, ws.tile, 0, NR);
                                    putPartial(ws.tile, c, co, ldc, MR, nr, add);
                                }
                            } else {
                                kernel(kc, ws.a, 0, 1, MR, bs, bo, bks, ZERO, 0, 0, ws.tile, 0, NR);
                                putPartial(ws.tile, c, co, ldc, mc - mFull, nr, add);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Copies rows [i0, i0+rows) × columns [pc, pc+kc) of op(A), rows &lt; MR, into one panel
     * laid out for the micro-kernel (element (i, p) at p·MR + i), with zero rows up to MR.
     */
    private static void packEdgeA(boolean transA, double[] a, int aOff, int lda, int i0, int rows,
                                  int pc, int kc, double[] dst) {
        int ars = transA ? 1 : lda;
        int aks = transA ? lda : 1;
        for (int p = 0, d = 0; p < kc; p++, d += MR) {
            int src = aOff + i0 * ars + (pc + p) * aks;
            for (int i = 0; i < rows; i++) {
                dst[d + i] = a[src + i * ars];
            }
            for (int i = rows; i < MR; i++) {
                dst[d + i] = 0;
            }
        }
    }

    /**
     * Packs rows [pc, pc+kc) × columns [j0, j0+cols) of op(B) into panels of NR columns: panel q
     * holds columns j0+q·NR.., element (p, j) at q·NR·kc + p·NR + j; columns past the end are
     * zero.
     */
    private static void packB(boolean transB, double[] b, int bOff, int ldb, int pc, int kc,
                              int j0, int cols, double[] dst) {
        for (int jr = 0; jr < cols; jr += NR) {
            int nr = Math.min(NR, cols - jr);
            int d = jr * kc;
            if (!transB) {
                int src = bOff + pc * ldb + j0 + jr;
                if (nr == NR) {
                    for (int p = 0; p < kc; p++, d += NR, src += ldb) {
                        for (int v = 0; v < NR; v += L) {
                            DoubleVector.fromArray(S, b, src + v).intoArray(dst, d + v);
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++, d += NR, src += ldb) {
                        for (int j = 0; j < nr; j++) {
                            dst[d + j] = b[src + j];
                        }
                        for (int j = nr; j < NR; j++) {
                            dst[d + j] = 0;
                        }
                    }
                }
            } else {
                // Column j of op(B) is row j of the stored B: read it contiguously, write with
                // stride NR (measured faster than gathering across rows or vector gathers).
                int src = bOff + (j0 + jr) * ldb + pc;
                for (int j = 0; j < nr; j++, src += ldb) {
                    for (int p = 0, dj = d + j; p < kc; p++, dj += NR) {
                        dst[dj] = b[src + p];
                    }
                }
                for (int j = nr; j < NR; j++) {
                    for (int p = 0, dj = d + j; p < kc; p++, dj += NR) {
                        dst[dj] = 0;
                    }
                }
            }
        }
    }

    /**
     * The MR×NR micro-kernel: C[0:MR, 0:NR] = C0[0:MR, 0:NR] + Σ_{p<kc} A[0:MR, p]·B[p, 0:NR].
     * Row i of A's strip is read at a[ao + i·ars + p·aks], row p of B's panel at b[bo + p·bks],
     * row i of the initial values at c0[c0o + i·c0s] (c0s = 0 with {@link #ZERO} overwrites),
     * row i of the result goes to c[co + i·ldc].
     */
    private static void kernel(int kc, double[] a, int ao, int ars, int aks,
                               double[] b, int bo, int bks,
                               double[] c0, int c0o, int c0s, double[] c, int co, int ldc) {
        DoubleVector c00 = DoubleVector.fromArray(S, c0, c0o), c01 = DoubleVector.fromArray(S, c0, c0o + L), c02 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c03 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        c0o += c0s;
        DoubleVector c10 = DoubleVector.fromArray(S, c0, c0o), c11 = DoubleVector.fromArray(S, c0, c0o + L), c12 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c13 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        c0o += c0s;
        DoubleVector c20 = DoubleVector.fromArray(S, c0, c0o), c21 = DoubleVector.fromArray(S, c0, c0o + L), c22 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c23 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        c0o += c0s;
        DoubleVector c30 = DoubleVector.fromArray(S, c0, c0o), c31 = DoubleVector.fromArray(S, c0, c0o + L), c32 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c33 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        c0o += c0s;
        DoubleVector c40 = DoubleVector.fromArray(S, c0, c0o), c41 = DoubleVector.fromArray(S, c0, c0o + L), c42 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c43 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        c0o += c0s;
        DoubleVector c50 = DoubleVector.fromArray(S, c0, c0o), c51 = DoubleVector.fromArray(S, c0, c0o + L), c52 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c53 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        for (int p = 0; p < kc; p++) {
            DoubleVector b0 = DoubleVector.fromArray(S, b, bo);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bo + L);
            DoubleVector b2 = DoubleVector.fromArray(S, b, bo + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(S, b, bo + 3 * L);
            DoubleVector x;
            x = DoubleVector.broadcast(S, a[ao]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = DoubleVector.broadcast(S, a[ao + ars]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = DoubleVector.broadcast(S, a[ao + 2 * ars]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = DoubleVector.broadcast(S, a[ao + 3 * ars]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = DoubleVector.broadcast(S, a[ao + 4 * ars]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = DoubleVector.broadcast(S, a[ao + 5 * ars]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
            ao += aks;
            bo += bks;
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
        co += ldc;
        c10.intoArray(c, co); c11.intoArray(c, co + L); c12.intoArray(c, co + 2 * L); c13.intoArray(c, co + 3 * L);
        co += ldc;
        c20.intoArray(c, co); c21.intoArray(c, co + L); c22.intoArray(c, co + 2 * L); c23.intoArray(c, co + 3 * L);
        co += ldc;
        c30.intoArray(c, co); c31.intoArray(c, co + L); c32.intoArray(c, co + 2 * L); c33.intoArray(c, co + 3 * L);
        co += ldc;
        c40.intoArray(c, co); c41.intoArray(c, co + L); c42.intoArray(c, co + 2 * L); c43.intoArray(c, co + 3 * L);
        co += ldc;
        c50.intoArray(c, co); c51.intoArray(c, co + L); c52.intoArray(c, co + 2 * L); c53.intoArray(c, co + 3 * L);
    }

    /** c[i, j] (+)= tile[i·NR + j] for i &lt; mr, j &lt; nr: the valid part of an edge tile. */
    private static void putPartial(double[] tile, double[] c, int co, int ldc, int mr, int nr,
                                   boolean add) {
        for (int i = 0; i < mr; i++, co += ldc) {
            for (int j = 0; j < nr; j++) {
                double t = tile[i * NR + j];
                c[co + j] = add ? c[co + j] + t : t;
            }
        }
    }

    private static void checkMatrix(String name, double[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (off < 0 || ld < cols || off + (long) (rows - 1) * ld + cols > x.length) {
            throw new IndexOutOfBoundsException("gemm: " + name + " [" + rows + " x " + cols
                    + "] at offset " + off + " with row stride " + ld + " does not fit an array of "
                    + x.length);
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int y) {
        return ceilDiv(x, y) * y;
    }

    /**
     * Plain triple loop (i, p, j order so the inner loop is contiguous in B and C when B is not
     * transposed). The correctness reference for every optimised path.
     */
    public static void reference(boolean transA, boolean transB, int m, int n, int k,
                                 double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                                 double[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (!accumulate) {
                for (int j = 0; j < n; j++) c[ci + j] = 0;
            }
            for (int p = 0; p < k; p++) {
                double aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                if (!transB) {
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
                } else {
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bOff + j * ldb + p];
                }
            }
        }
    }
}
