package dev.descent.tensor.kernel;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * General matrix multiply for float64 (float32 twin generated):
 * {@code C = op(A)·op(B)} or {@code C += op(A)·op(B)}, where op(X) is X or Xᵀ.
 *
 * <p>A is m×k after op, B is k×n after op, C is m×n, all row-major with leading dimensions
 * lda, ldb, ldc (the row stride of the stored matrix, i.e. before op).
 */
public final class GemmF64 {
    private GemmF64() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 6;
    static final int NV = 4;
    static final int NR = NV * L;
    static final int KC = Integer.getInteger("descent.gemm.kc", 256);
    private static final int BLOCK_BYTES = Integer.getInteger("descent.gemm.block", 256 * 1024);
    static final int MC = Math.max(MR, Integer.getInteger("descent.gemm.mcBytes", BLOCK_BYTES) / (KC * Double.BYTES) / MR * MR);
    static final int NC = Math.max(NR, Integer.getInteger("descent.gemm.ncBytes", BLOCK_BYTES) / (KC * Double.BYTES) / NR * NR);
    /** Products with m·n·k below this run on the calling thread (override: -Ddescent.gemm.par). */
    public static final long PARALLEL_MIN_MNK = Long.getLong("descent.gemm.par", 1L << 21);
    static final int DIRECT_MAX_ROWS = Integer.getInteger("descent.gemm.directRows", 64);
    static final boolean DIRECT_A = Boolean.parseBoolean(System.getProperty("descent.gemm.directA", "true"));
    static final int TASK_MAX = Integer.getInteger("descent.gemm.task", 1 << 30);
    /**
     * Untransposed A read in place is first copied, MR rows at a time, into a buffer with row
     * stride KC (a compile-time constant) when its block is used for at least this many columns
     * of C; {@link #kernelRows} then reads all MR rows from one index plus constant
     * displacements, with no range checks in its loop. 0 turns the copy off. Four panels, because
     * a group's copy is paid once per panel sweep: with two (the RNN's 32×128×128 step products,
     * the MLP's 128-column tasks) the copy cost more than the kernel saved when the VM was not in
     * a slow phase (docs/performance.md, "GEMM: when to copy rows of A"). Read on every call (not final) so that a test can compare the two paths in one
     * JVM.
     */
    static int rowCopyMinCols = Integer.getInteger("descent.gemm.rowCopyCols", 4 * NR);

    /** Per-thread packing buffers, reused by every call on that thread. */
    private static final class Workspace {
        final double[] a = new double[MC * KC];
        final double[] b = new double[KC * NC];
        final double[] tile = new double[MR * NR];
        /** MR rows of A at stride KC, for {@link #kernelRows}. */
        final double[] rows = new double[MR * KC];
    }

    /** A row of NR zeros: the initial accumulator row when C is overwritten (never written). */
    private static final double[] ZERO = new double[NR];

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * C[m×n] (+)= op(A)[m×k] · op(B)[k×n]; {@code c} is modified.
     *
     * @param accumulate add into C when true, overwrite C when false
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double[] c, int cOff, int ldc, boolean accumulate) {
        checkSizes("gemm", m, n, k, c, cOff, ldc);
        if (isEmpty(m, n, k, c, cOff, ldc, accumulate)) {
            return;
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        if (n < NARROW && m >= 2 * n) {
            narrow(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }

        int rowChunks = ceilDiv(m, TASK_MAX);
        int colChunks = ceilDiv(n, TASK_MAX);
        boolean parallel = Parallel.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_MNK;
        if (parallel) {
            int wanted = 2 * Parallel.threads();
            while (rowChunks * colChunks < wanted) {
                boolean rowsSplit = ceilDiv(m, rowChunks + 1) >= MR;
                boolean colsSplit = ceilDiv(n, colChunks + 1) >= NR;
                if (colsSplit && (!rowsSplit || n / colChunks >= m / rowChunks)) {
                    colChunks++;
                } else if (rowsSplit) {
                    rowChunks++;
                } else {
                    break;
                }
            }
        }
        int rowStep = roundUp(ceilDiv(m, rowChunks), MR);
        int colStep = roundUp(ceilDiv(n, colChunks), NR);
        int rows = ceilDiv(m, rowStep);
        int cols = ceilDiv(n, colStep);
        if (parallel && rows * cols > 1) {
            Parallel.forEach(rows * cols, t -> {
                int i0 = (t / cols) * rowStep;
                int j0 = (t % cols) * colStep;
                chunk(transA, transB, k, a, aOff, lda, b, bOff, ldb, null, 0, c, cOff, ldc, accumulate,
                        i0, Math.min(m, i0 + rowStep), j0, Math.min(n, j0 + colStep), WORKSPACE.get());
            });
        } else {
            Workspace ws = WORKSPACE.get();
            for (int i0 = 0; i0 < m; i0 += rowStep) {
                for (int j0 = 0; j0 < n; j0 += colStep) {
                    chunk(transA, transB, k, a, aOff, lda, b, bOff, ldb, null, 0, c, cOff, ldc, accumulate,
                            i0, Math.min(m, i0 + rowStep), j0, Math.min(n, j0 + colStep), ws);
                }
            }
        }
    }

    /** Rejects negative sizes (naming {@code op}) and a C that does not fit its array. */
    private static void checkSizes(String op, int m, int n, int k, double[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": negative size m=" + m + ", n=" + n + ", k=" + k);
        }
        checkMatrix("C", c, cOff, ldc, m, n);
    }

    /**
     * True, after finishing the product, when there is nothing to multiply: C is empty, or k = 0
     * (C stays as it is when accumulating, becomes zeros when overwritten).
     */
    private static boolean isEmpty(int m, int n, int k, double[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) {
            return true;
        }
        if (k != 0) {
            return false;
        }
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0);
            }
        }
        return true;
    }

    /** Below this many columns a product is computed transposed (see {@link #narrow}). */
    static final int NARROW = NR / 4;

    /**
     * op(B) [k×n] packed once into the layout the micro-kernel reads, for
     * {@link #gemmPacked}: blocks of up to KC rows of op(B), each cut into panels of NR columns
     * stored contiguously (NR·kc elements, zero-padded past column n). A B that is used in many
     * products with different A (an RNN's recurrent matrix over T steps) is then packed once
     * instead of being read in place with a stride every time.
     *
     * @return the packed matrix, {@link #packedLength(int, int)} elements
     */
    public static double[] packB(boolean transB, int k, int n, double[] b, int bOff, int ldb) {
        if (k < 0 || n < 0) throw new IllegalArgumentException("packB: negative size k=" + k + ", n=" + n);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        int padded = roundUp(n, NR);
        double[] dst = new double[packedLength(k, n)];
        for (int pc = 0; pc < k; pc += KC) {
            packB(transB, b, bOff, ldb, pc, Math.min(KC, k - pc), 0, n, dst, pc * padded);
        }
        return dst;
    }

    /** The length of {@link #packB(boolean, int, int, double[], int, int)}'s result for a k×n op(B). */
    public static int packedLength(int k, int n) {
        return Math.multiplyExact(roundUp(n, NR), k);
    }

    /**
     * C[m×n] (+)= op(A)[m×k] · B[k×n] with B from {@link #packB(boolean, int, int, double[], int, int)}:
     * the same numbers as {@link #gemm} (same kernels, same order of the k sums), without reading
     * or packing B on every call.
     *
     * @param accumulate add into C when true, overwrite C when false
     */
    public static void gemmPacked(boolean transA, int m, int n, int k, double[] a, int aOff, int lda, double[] packed,
                                  double[] c, int cOff, int ldc, boolean accumulate) {
        checkSizes("gemmPacked", m, n, k, c, cOff, ldc);
        if (packed.length < packedLength(k, n)) {
            throw new IllegalArgumentException("gemmPacked: packed B has " + packed.length + " elements, a packed "
                    + k + "x" + n + " needs " + packedLength(k, n));
        }
        if (isEmpty(m, n, k, c, cOff, ldc, accumulate)) return;
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        int padded = roundUp(n, NR);
        boolean parallel = Parallel.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_MNK && m >= 2 * MR;
        if (parallel) {
            int rowStep = roundUp(ceilDiv(m, 2 * Parallel.threads()), MR);
            int rows = ceilDiv(m, rowStep);
            Parallel.forEach(rows, t -> chunk(transA, false, k, a, aOff, lda, null, 0, 0, packed, padded, c, cOff, ldc,
                    accumulate, t * rowStep, Math.min(m, (t + 1) * rowStep), 0, n, WORKSPACE.get()));
        } else {
            chunk(transA, false, k, a, aOff, lda, null, 0, 0, packed, padded, c, cOff, ldc, accumulate, 0, m, 0, n,
                    WORKSPACE.get());
        }
    }

    /**
     * C = op(A)·op(B) for a C with few columns (a weight gradient against a 2-channel input, a
     * matrix-vector product): the kernel computes NR columns at a time, so n = 2 would waste 31
     * of every 32 multiplications. Instead Cᵀ = op(B)ᵀ·op(A)ᵀ, which has n rows and m columns, is
     * computed into a scratch array and transposed into C (m·n elements, few by assumption).
     */
    private static void narrow(boolean transA, boolean transB, int m, int n, int k,
                               double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                               double[] c, int cOff, int ldc, boolean accumulate) {
        double[] t = new double[n * m];
        gemm(!transB, !transA, n, m, k, b, bOff, ldb, a, aOff, lda, t, 0, m, false);
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[ci + j] = accumulate ? c[ci + j] + t[j * m + i] : t[j * m + i];
            }
        }
    }

    /**
     * Rows [i0, i1) × columns [j0, j1) of C. B is read from {@code packed} when it is not null
     * (the layout of {@link #packB(boolean, int, int, double[], int, int)} with {@code packedN}
     * padded columns), else in place or packed here per block.
     */
    private static void chunk(boolean transA, boolean transB, int k,
                              double[] a, int aOff, int lda, double[] b, int bOff, int ldb, double[] packed, int packedN,
                              double[] c, int cOff, int ldc, boolean accumulate,
                              int i0, int i1, int j0, int j1, Workspace ws) {
        boolean directA = DIRECT_A;
        boolean directB = packed == null && !transB && i1 - i0 <= DIRECT_MAX_ROWS;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean add = accumulate || pc > 0;
                if (!directB && packed == null) {
                    packB(transB, b, bOff, ldb, pc, kc, jc, nc, ws.b, 0);
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    int mFull = mc - mc % MR;
                    // 2 or 4 rows left over (m = 32 or 128 leaves 2): four-row kernels read the
                    // last 8 or 4 rows in place instead (see below), so nothing is packed for them.
                    boolean fourRowTail = directA && (mc % MR == 4 || (mc % MR == 2 && mc >= MR + 2));
                    if (!directA) {
                        packA(transA, a, aOff, lda, ic, mc, pc, kc, ws.a);
                    } else if (mFull < mc && !fourRowTail) {
                        packA(transA, a, aOff, lda, ic + mFull, mc - mFull, pc, kc, ws.a);
                    }
                    int irStart = 0;
                    if (directA && !transA && !directB && rowCopyMinCols > 0 && nc >= rowCopyMinCols) {
                        irStart = rowsFirst(a, aOff, lda, packed, packedN, c, cOff, ldc, add,
                                ic, mc, fourRowTail, jc, nc, pc, kc, ws);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        double[] bs = ws.b;
                        int bo = jr * kc;
                        int bks = NR;
                        if (packed != null) {
                            bs = packed;
                            bo = pc * packedN + (jc + jr) * kc;
                        } else if (directB) {
                            if (nr == NR) {
                                bs = b;
                                bo = bOff + pc * ldb + jc + jr;
                                bks = ldb;
                            } else {
                                packB(false, b, bOff, ldb, pc, kc, jc + jr, nr, ws.b, 0);
                                bo = 0;
                            }
                        }
                        for (int ir = irStart; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            if (startsFourRowTail(mc, ir, fourRowTail)) {
                                // The last 8 or 4 rows in four-row kernels, which keep 16 FMAs in
                                // flight where the two-row kernel has 8 (docs/performance.md).
                                for (int i = ir; i < mc; i += 4) {
                                    int ai = transA ? aOff + pc * lda + ic + i : aOff + (ic + i) * lda + pc;
                                    int ars4 = transA ? 1 : lda, aks4 = transA ? lda : 1;
                                    int ci = cOff + (ic + i) * ldc + jc + jr;
                                    if (nr == NR) {
                                        kernel4(kc, a, ai, ars4, aks4, bs, bo, bks, add ? c : ZERO, add ? ci : 0, add ? ldc : 0, c, ci, ldc);
                                    } else {
                                        kernel4(kc, a, ai, ars4, aks4, bs, bo, bks, ZERO, 0, 0, ws.tile, 0, NR);
                                        putPartial(ws.tile, c, ci, ldc, 4, nr, add);
                                    }
                                }
                                break;
                            }
                            double[] as = ws.a;
                            int ao = ir * kc;
                            int ars = 1;
                            int aks = MR;
                            if (directA) {
                                if (mr == MR) {
                                    as = a;
                                    if (transA) {
                                        ao = aOff + pc * lda + ic + ir;
                                        aks = lda;
                                    } else {
                                        ao = aOff + (ic + ir) * lda + pc;
                                        ars = lda;
                                        aks = 1;
                                    }
                                } else {
                                    ao = 0;
                                }
                            }
                            int co = cOff + (ic + ir) * ldc + jc + jr;
                            if (mr == MR && nr == NR) {
                                if (add) {
                                    kernel(kc, as, ao, ars, aks, bs, bo, bks, c, co, ldc, c, co, ldc);
                                } else {
                                    kernel(kc, as, ao, ars, aks, bs, bo, bks, ZERO, 0, 0, c, co, ldc);
                                }
                            } else if (nr == NR) {
                                // Fewer than MR rows left (m = 32 leaves 2, m = 128 leaves 2): two-row
                                // and one-row kernels on exactly those rows, instead of a padded MR-row
                                // tile that multiplies zeros and is then copied out.
                                for (int i = 0; i < mr; ) {
                                    int ai = ao + i * ars, ci = co + i * ldc;
                                    if (mr - i >= 2) {
                                        kernel2(kc, as, ai, ars, aks, bs, bo, bks, add ? c : ZERO, add ? ci : 0, add ? ldc : 0, c, ci, ldc);
                                        i += 2;
                                    } else {
                                        kernel1(kc, as, ai, aks, bs, bo, bks, add ? c : ZERO, add ? ci : 0, c, ci);
                                        i += 1;
                                    }
                                }
                            } else {
                                kernel(kc, as, ao, ars, aks, bs, bo, bks, ZERO, 0, 0, ws.tile, 0, NR);
                                putPartial(ws.tile, c, co, ldc, mr, nr, add);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The full MR-row groups of one block of {@link #chunk} for untransposed A read in place,
     * group by group: the group's rows [pc, pc+kc) are copied to {@code ws.rows} (stride KC), and
     * {@link #kernelRows} multiplies them by every NR-column panel of B before the next group is
     * copied, so the copy stays in L1 while B's panels stream from L2 (as they do in the
     * panel-by-panel order: a KC × NR panel is larger than L1). Same products, same order within
     * each element, as the general path.
     *
     * @return the first row of the block left to the general path (the four-row tail or a
     *     partial group)
     */
    private static int rowsFirst(double[] a, int aOff, int lda, double[] packed, int packedN,
                                 double[] c, int cOff, int ldc, boolean add,
                                 int ic, int mc, boolean fourRowTail, int jc, int nc, int pc, int kc, Workspace ws) {
        int ir = 0;
        for (; mc - ir >= MR; ir += MR) {
            if (startsFourRowTail(mc, ir, fourRowTail)) {
                break;
            }
            for (int i = 0; i < MR; i++) {
                System.arraycopy(a, aOff + (ic + ir + i) * lda + pc, ws.rows, i * KC, kc);
            }
            for (int jr = 0; jr < nc; jr += NR) {
                int nr = Math.min(NR, nc - jr);
                double[] bs = packed != null ? packed : ws.b;
                int bo = packed != null ? pc * packedN + (jc + jr) * kc : jr * kc;
                int co = cOff + (ic + ir) * ldc + jc + jr;
                if (nr < NR) {
                    kernelRows(kc, ws.rows, 0, bs, bo, ZERO, 0, 0, ws.tile, 0, NR);
                    putPartial(ws.tile, c, co, ldc, MR, nr, add);
                } else if (add) {
                    kernelRows(kc, ws.rows, 0, bs, bo, c, co, ldc, c, co, ldc);
                } else {
                    kernelRows(kc, ws.rows, 0, bs, bo, ZERO, 0, 0, c, co, ldc);
                }
            }
        }
        return ir;
    }

    /**
     * True when row {@code ir} of a block of {@code mc} rows begins the last 8 or 4 rows that the
     * four-row kernels take (see {@link #chunk}); {@link #rowsFirst} stops there, and the general
     * loop starts them there, so both must ask this.
     */
    private static boolean startsFourRowTail(int mc, int ir, boolean fourRowTail) {
        return fourRowTail && mc - ir < 2 * MR && (mc - ir) % 4 == 0;
    }

    /**
     * Packs rows [i0, i0+rows) × columns [pc, pc+kc) of op(A) into panels of MR rows: panel q
     * holds rows i0+q·MR.., element (i, p) at q·MR·kc + p·MR + i; rows past the end are zero.
     */
    private static void packA(boolean transA, double[] a, int aOff, int lda, int i0, int rows,
                              int pc, int kc, double[] dst) {
        for (int ir = 0; ir < rows; ir += MR) {
            int mr = Math.min(MR, rows - ir);
            int d = ir * kc;
            if (!transA) {
                int src = aOff + (i0 + ir) * lda + pc;
                if (mr == MR) {
                    for (int i = 0; i < MR; i++) {
                        int si = src + i * lda, di = d + i;
                        for (int p = 0; p < kc; p++) {
                            dst[di + p * MR] = a[si + p];
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++, d += MR) {
                        for (int i = 0; i < mr; i++) {
                            dst[d + i] = a[src + i * lda + p];
                        }
                        for (int i = mr; i < MR; i++) {
                            dst[d + i] = 0;
                        }
                    }
                }
            } else {
                int src = aOff + pc * lda + i0 + ir;
                for (int p = 0; p < kc; p++, d += MR, src += lda) {
                    for (int i = 0; i < mr; i++) {
                        dst[d + i] = a[src + i];
                    }
                    for (int i = mr; i < MR; i++) {
                        dst[d + i] = 0;
                    }
                }
            }
        }
    }

    /**
     * Packs rows [pc, pc+kc) × columns [j0, j0+cols) of op(B) into panels of NR columns: panel q
     * holds columns j0+q·NR.., element (p, j) at q·NR·kc + p·NR + j; columns past the end are
     * zero.
     */
    private static void packB(boolean transB, double[] b, int bOff, int ldb, int pc, int kc,
                              int j0, int cols, double[] dst, int dOff) {
        for (int jr = 0; jr < cols; jr += NR) {
            int nr = Math.min(NR, cols - jr);
            int d = dOff + jr * kc;
            if (!transB) {
                int src = bOff + pc * ldb + j0 + jr;
                if (nr == NR) {
                    // Affine indices in p, as in the kernel, so the range checks leave the loop.
                    for (int p = 0; p < kc; p++) {
                        int sp = src + p * ldb, dp = d + p * NR;
                        for (int v = 0; v < NR; v += L) {
                            DoubleVector.fromArray(S, b, sp + v).intoArray(dst, dp + v);
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
            } else if (nr == NR) {
                // Transposing a full panel with plain loads and stores, sixteen source rows at a
                // time, so that in float32 each p writes one whole 64-byte line of the panel
                // (with eight rows, each line of a 64 KB panel was written in eight passes and
                // evicted between them). Not a Vector API gather: JDK 17 does not compile
                // fromArray(species, a, offset, indexMap, 0) to a gather instruction here, and its
                // fallback allocates (docs/performance.md, "GEMM: transposed-B panels").
                for (int jb = 0; jb < NR; jb += 16) {
                    int s0 = bOff + (j0 + jr + jb) * ldb + pc;
                    int s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb, s4 = s3 + ldb, s5 = s4 + ldb, s6 = s5 + ldb, s7 = s6 + ldb;
                    int s8 = s7 + ldb, s9 = s8 + ldb, s10 = s9 + ldb, s11 = s10 + ldb, s12 = s11 + ldb, s13 = s12 + ldb;
                    int s14 = s13 + ldb, s15 = s14 + ldb;
                    for (int p = 0; p < kc; p++) {
                        int dp = d + p * NR + jb;
                        dst[dp] = b[s0 + p];
                        dst[dp + 1] = b[s1 + p];
                        dst[dp + 2] = b[s2 + p];
                        dst[dp + 3] = b[s3 + p];
                        dst[dp + 4] = b[s4 + p];
                        dst[dp + 5] = b[s5 + p];
                        dst[dp + 6] = b[s6 + p];
                        dst[dp + 7] = b[s7 + p];
                        dst[dp + 8] = b[s8 + p];
                        dst[dp + 9] = b[s9 + p];
                        dst[dp + 10] = b[s10 + p];
                        dst[dp + 11] = b[s11 + p];
                        dst[dp + 12] = b[s12 + p];
                        dst[dp + 13] = b[s13 + p];
                        dst[dp + 14] = b[s14 + p];
                        dst[dp + 15] = b[s15 + p];
                    }
                }
            } else {
                int src = bOff + (j0 + jr) * ldb + pc;
                for (int p = 0; p < kc; p++, d += NR) {
                    for (int j = 0; j < nr; j++) {
                        dst[d + j] = b[src + j * ldb + p];
                    }
                    for (int j = nr; j < NR; j++) {
                        dst[d + j] = 0;
                    }
                }
            }
        }
    }

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
        // Indices are affine in p (not running sums), so that C2 can hoist the range checks of
        // every load out of the loop (docs/performance.md, item 6).
        int a1 = ao + ars, a2 = ao + 2 * ars, a3 = ao + 3 * ars, a4 = ao + 4 * ars, a5 = ao + 5 * ars;
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * bks, ap = p * aks;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
            DoubleVector b2 = DoubleVector.fromArray(S, b, bp + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(S, b, bp + 3 * L);
            DoubleVector x;
            x = DoubleVector.broadcast(S, a[ao + ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = DoubleVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = DoubleVector.broadcast(S, a[a2 + ap]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = DoubleVector.broadcast(S, a[a3 + ap]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = DoubleVector.broadcast(S, a[a4 + ap]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = DoubleVector.broadcast(S, a[a5 + ap]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
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

    /**
     * {@link #kernel} for A's MR rows stored at stride {@link #KC} and B packed in NR-wide panels
     * (see {@link #rowsFirst}): the same products in the same order, so the same bits. With both
     * strides known to the compiler the loop has no range checks and one index per operand
     * (about 44 instructions per 24 FMAs against 63 for the general kernel), which keeps its
     * speed when the core's integer units are shared (docs/performance.md, item 21).
     */
    private static void kernelRows(int kc, double[] a, int ao, double[] b, int bo,
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
        // Both strides are constants: C2 removes every range check from the loop and addresses the
        // six rows of A from one index with constant displacements.
        int a1 = ao + KC, a2 = ao + 2 * KC, a3 = ao + 3 * KC, a4 = ao + 4 * KC, a5 = ao + 5 * KC;
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
            DoubleVector b2 = DoubleVector.fromArray(S, b, bp + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(S, b, bp + 3 * L);
            DoubleVector x;
            x = DoubleVector.broadcast(S, a[ao + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = DoubleVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = DoubleVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = DoubleVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = DoubleVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = DoubleVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
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

    /** {@link #kernel} for four rows of A: C[4×NR] = C0 + A[4×kc]·B[kc×NR]. */
    private static void kernel4(int kc, double[] a, int ao, int ars, int aks,
                                double[] b, int bo, int bks,
                                double[] c0, int c0o, int c0s, double[] c, int co, int ldc) {
        DoubleVector c00 = DoubleVector.fromArray(S, c0, c0o), c01 = DoubleVector.fromArray(S, c0, c0o + L), c02 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c03 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        c0o += c0s;
        DoubleVector c10 = DoubleVector.fromArray(S, c0, c0o), c11 = DoubleVector.fromArray(S, c0, c0o + L), c12 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c13 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        c0o += c0s;
        DoubleVector c20 = DoubleVector.fromArray(S, c0, c0o), c21 = DoubleVector.fromArray(S, c0, c0o + L), c22 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c23 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        c0o += c0s;
        DoubleVector c30 = DoubleVector.fromArray(S, c0, c0o), c31 = DoubleVector.fromArray(S, c0, c0o + L), c32 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c33 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        int a1 = ao + ars, a2 = ao + 2 * ars, a3 = ao + 3 * ars;
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * bks, ap = p * aks;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
            DoubleVector b2 = DoubleVector.fromArray(S, b, bp + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(S, b, bp + 3 * L);
            DoubleVector x = DoubleVector.broadcast(S, a[ao + ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = DoubleVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = DoubleVector.broadcast(S, a[a2 + ap]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = DoubleVector.broadcast(S, a[a3 + ap]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
        co += ldc;
        c10.intoArray(c, co); c11.intoArray(c, co + L); c12.intoArray(c, co + 2 * L); c13.intoArray(c, co + 3 * L);
        co += ldc;
        c20.intoArray(c, co); c21.intoArray(c, co + L); c22.intoArray(c, co + 2 * L); c23.intoArray(c, co + 3 * L);
        co += ldc;
        c30.intoArray(c, co); c31.intoArray(c, co + L); c32.intoArray(c, co + 2 * L); c33.intoArray(c, co + 3 * L);
    }

    /** {@link #kernel} for two rows of A: C[2×NR] = C0 + A[2×kc]·B[kc×NR]. */
    private static void kernel2(int kc, double[] a, int ao, int ars, int aks,
                                double[] b, int bo, int bks,
                                double[] c0, int c0o, int c0s, double[] c, int co, int ldc) {
        DoubleVector c00 = DoubleVector.fromArray(S, c0, c0o), c01 = DoubleVector.fromArray(S, c0, c0o + L), c02 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c03 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        c0o += c0s;
        DoubleVector c10 = DoubleVector.fromArray(S, c0, c0o), c11 = DoubleVector.fromArray(S, c0, c0o + L), c12 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c13 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        int a1 = ao + ars;
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * bks, ap = p * aks;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
            DoubleVector b2 = DoubleVector.fromArray(S, b, bp + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(S, b, bp + 3 * L);
            DoubleVector x = DoubleVector.broadcast(S, a[ao + ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = DoubleVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
        co += ldc;
        c10.intoArray(c, co); c11.intoArray(c, co + L); c12.intoArray(c, co + 2 * L); c13.intoArray(c, co + 3 * L);
    }

    /** {@link #kernel} for one row of A: C[1×NR] = C0 + A[1×kc]·B[kc×NR]. */
    private static void kernel1(int kc, double[] a, int ao, int aks, double[] b, int bo, int bks,
                                double[] c0, int c0o, double[] c, int co) {
        DoubleVector c00 = DoubleVector.fromArray(S, c0, c0o), c01 = DoubleVector.fromArray(S, c0, c0o + L), c02 = DoubleVector.fromArray(S, c0, c0o + 2 * L), c03 = DoubleVector.fromArray(S, c0, c0o + 3 * L);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * bks;
            DoubleVector x = DoubleVector.broadcast(S, a[ao + p * aks]);
            c00 = x.fma(DoubleVector.fromArray(S, b, bp), c00);
            c01 = x.fma(DoubleVector.fromArray(S, b, bp + L), c01);
            c02 = x.fma(DoubleVector.fromArray(S, b, bp + 2 * L), c02);
            c03 = x.fma(DoubleVector.fromArray(S, b, bp + 3 * L), c03);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
    }

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
