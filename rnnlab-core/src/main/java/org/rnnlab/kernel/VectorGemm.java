package org.rnnlab.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply with the Vector API: {@code C (m, n) = op(A) (m, k) · op(B) (k, n)}, or
 * {@code +=} when accumulating; all matrices row-major with a leading dimension, {@code op} a transpose when its
 * flag is set (BLAS's sgemm with alpha = 1, beta = 0 or 1). Single-threaded: {@link VectorKernel} splits large
 * products over rows or columns of C on {@link Parallelism}'s pool, calling {@link #run} on each part.
 *
 * <p>Four ways to compute a product, chosen by {@link #plan} from its shape alone:
 * <ul>
 *   <li>{@link #BLOCKED}, the GotoBLAS/BLIS scheme: op(B) packed in panels of NR = 2 vector-widths of columns and
 *       KC rows, op(A) in slivers of MR rows, so that the micro-kernel streams both from contiguous memory
 *       whatever the transposes, and holds an MR x NR tile of C in 2 MR vector registers, one fused multiply-add
 *       per register per step of k. MR is 8 where the CPU has 32 vector registers (AVX-512: 16 accumulators; 12
 *       rows measured 5% faster in isolation, but its code is too big for C1 to compile, which leaves it in
 *       the slow fallback for seconds), 6 otherwise (AVX2: 12 of 16 registers), so nothing spills; rows left
 *       over use a 4-row kernel.
 *       op(B) can be packed once for many products ({@link PackedB}), as a recurrence needs.</li>
 *   <li>{@link #DOTS}, for a few rows of A times a transposed B (a GEMV such as {@code W_hh h} at batch 1): dot
 *       products of contiguous rows, four rows of B at a time; no packing, B is read once per row of A.</li>
 *   <li>{@link #AXPY}, for a few rows of A times an untransposed B ({@code dh W_hh} at batch 1): each row of C a
 *       combination of rows of B, eight vectors of C held in registers.</li>
 *   <li>{@link #SMALL}, products too small to repay packing: plain vectorised loops.</li>
 * </ul>
 * Each entry of C is a chain of fused multiply-adds over k in increasing order, restarted at each KC block in
 * the blocked scheme; it depends on the plan but not on how C is split into parts, so results are identical
 * for any thread count.
 *
 * <p>Scratch space is per thread and grows to the largest block once, so steady-state calls allocate nothing.
 */
public final class VectorGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** 32 vector registers (AVX-512) hold an 8 x 2-vector tile of accumulators; 16 (AVX2) hold 6 x 2. */
    static final boolean WIDE = L >= 16;
    static final int MR = WIDE ? 8 : 6;
    static final int NR = 2 * L;
    /** Depth and width of the blocks from the host's caches ({@link Host#blocking}); the properties override. */
    private static final int[] BLOCKING = Host.blocking(Host.caches(), NR);
    static final int KC = Integer.getInteger("rnnlab.gemm.kc", BLOCKING[0]);
    static final int MC = Integer.getInteger("rnnlab.gemm.mcTiles", 8) * MR;
    static final int NC = Integer.getInteger("rnnlab.gemm.nc", BLOCKING[1]) / NR * NR;

    /** Plans: how a product is computed (see the class comment). */
    static final int SMALL = 0;
    static final int DOTS = 1;
    static final int AXPY = 2;
    static final int BLOCKED = 3;

    /** At most this many rows of A use the unpacked {@link #DOTS} / {@link #AXPY} plans. */
    static final int FEW_ROWS = 4;
    /** Below this many multiply-adds, packing does not pay. */
    static final long TINY = 32L * 32 * 32;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread packing buffers, grown on demand. */
    private static final class Scratch {
        final float[] packA = new float[MC * KC];
        float[] packB = new float[0];
        final float[] tile = new float[MR * NR];

        float[] packB(int size) {
            if (packB.length < size) packB = new float[size];
            return packB;
        }
    }

    private VectorGemm() {}

    /** The plan for a product of this shape: {@link #SMALL}, {@link #DOTS}, {@link #AXPY} or {@link #BLOCKED}. */
    static int plan(boolean transA, boolean transB, int m, int n, int k) {
        if (!transA && m <= FEW_ROWS && k > 0) return transB ? DOTS : AXPY;
        if (k < 4 || (long) m * n * k < TINY) return SMALL; // packing k < 4 rows costs more than the products
        return BLOCKED;
    }

    /** The whole product on the calling thread. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        run(plan(transA, transB, m, n, k), transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
                accumulate);
    }

    /** A product (or one part of one: a block of rows or of columns of C) computed by the given plan. */
    static void run(int plan, boolean transA, boolean transB, int m, int n, int k,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        switch (plan) {
            case DOTS -> {
                for (int i = 0; i < m; i++) dotRows(n, k, b, bOff, ldb, a, aOff + i * lda, c, cOff + i * ldc, accumulate);
            }
            case AXPY -> {
                for (int i = 0; i < m; i++) combineRows(n, k, a, aOff + i * lda, b, bOff, ldb, c, cOff + i * ldc, accumulate);
            }
            case SMALL -> small(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            default -> blocked(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        }
    }

    // ---------------------------------------------------------------------------------------------- blocked

    private static void blocked(boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        blockedRange(transA, transB, m, n, k, 0, m, 0, n, a, aOff, lda, null, b, bOff, ldb, null, c, cOff, ldc,
                accumulate);
    }

    /** Floats a packed copy of op(B) (k, n) takes: every KC block of rows, in panels of NR columns. */
    static int packedSize(int k, int n) {
        return roundUp(n, NR) * k;
    }

    /** Floats a packed copy of op(A) (m, k) takes: every KC block of columns, in slivers of MR rows. */
    static int packedSizeA(int m, int k) {
        return roundUp(m, MR) * k;
    }

    /** Packs all of op(B) (k, n): KC block pc starts at pc * roundUp(n, NR), then panel after panel. */
    static void packAll(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] out) {
        int stride = roundUp(n, NR);
        for (int pc = 0; pc < k; pc += KC) packB(transB, b, bOff, ldb, pc, 0, Math.min(KC, k - pc), n, out, pc * stride);
    }

    /** op(B) (k, n) as a plain row-major matrix: a copy of B, or its transpose when {@code transB}. */
    static void copyOp(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] out) {
        if (!transB) {
            for (int p = 0; p < k; p++) System.arraycopy(b, bOff + p * ldb, out, p * n, n);
            return;
        }
        // Row j of the stored B is column j of op(B): transpose 16 x 16 blocks, each read and written along
        // contiguous runs that stay in a few cache lines.
        for (int j0 = 0; j0 < n; j0 += 16) {
            int j1 = Math.min(n, j0 + 16);
            for (int p0 = 0; p0 < k; p0 += 16) {
                int p1 = Math.min(k, p0 + 16);
                for (int j = j0; j < j1; j++) {
                    int src = bOff + j * ldb;
                    for (int p = p0; p < p1; p++) out[p * n + j] = b[src + p];
                }
            }
        }
    }

    /** Packs all of op(A) (m, k): KC block pc starts at pc * roundUp(m, MR), then sliver after sliver. */
    static void packAllA(boolean transA, int m, int k, float[] a, int aOff, int lda, float[] out) {
        int stride = roundUp(m, MR);
        for (int pc = 0; pc < k; pc += KC) packA(transA, a, aOff, lda, 0, pc, m, Math.min(KC, k - pc), out, pc * stride);
    }

    /**
     * {@code C[i0..i1, j0..j1) (+)=} the same block of {@code op(A) op(B)}, for one part of a product or all of it.
     * Either operand may come packed whole by {@link #packAllA} / {@link #packAll} ({@code packedA}, {@code packedB}
     * not null; i0 then a multiple of MR, j0 of NR), shared by the parts; otherwise this packs its own blocks.
     * Every entry's sum runs over k in the same KC blocks whatever the range, so parts agree with the whole.
     */
    static void blockedRange(boolean transA, boolean transB, int m, int n, int k, int i0, int i1, int j0, int j1,
                             float[] a, int aOff, int lda, float[] packedA,
                             float[] b, int bOff, int ldb, float[] packedB,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        if (i0 >= i1 || j0 >= j1) return;
        Scratch s = SCRATCH.get();
        int strideA = roundUp(m, MR), strideB = roundUp(n, NR);
        float[] ownB = packedB != null ? null : s.packB(Math.min(NC, roundUp(j1 - j0, NR)) * Math.min(KC, k));
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] bArr = packedB;
                int bBase;
                if (packedB != null) {
                    bBase = pc * strideB + (jc / NR) * kc * NR;
                } else {
                    packB(transB, b, bOff, ldb, pc, jc, kc, nc, ownB, 0);
                    bArr = ownB;
                    bBase = 0;
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    float[] aArr = packedA;
                    int aBase;
                    if (packedA != null) {
                        aBase = pc * strideA + (ic / MR) * kc * MR;
                    } else {
                        packA(transA, a, aOff, lda, ic, pc, mc, kc, s.packA, 0);
                        aArr = s.packA;
                        aBase = 0;
                    }
                    macroKernel(mc, nc, kc, aArr, aBase, bArr, bBase, c, cOff + ic * ldc + jc, ldc,
                            accumulate || pc > 0, s.tile);
                }
            }
        }
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /**
     * op(B)[pc .. pc+kc, jc .. jc+nc) into {@code out} from {@code o}: panels of NR columns, each kc rows of NR
     * floats, the last panel zero-padded.
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int jc, int kc, int nc,
                              float[] out, int o) {
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int w = Math.min(NR, nc - j0);
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, bOff + (pc + p) * ldb + jc + j0, out, o + p * NR, w);
                    if (w < NR) Arrays.fill(out, o + p * NR + w, o + (p + 1) * NR, 0f);
                }
            } else {
                // Row j of the stored B is column j of op(B): read it contiguously, write it down the panel.
                for (int j = 0; j < w; j++) {
                    int src = bOff + (jc + j0 + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) out[o + p * NR + j] = b[src + p];
                }
                for (int j = w; j < NR; j++) {
                    for (int p = 0; p < kc; p++) out[o + p * NR + j] = 0f;
                }
            }
            o += kc * NR;
        }
    }

    /** op(A)[ic .. ic+mc, pc .. pc+kc) into slivers of MR rows: sliver i holds kc columns of MR floats, zero-padded. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int pc, int mc, int kc, float[] out,
                              int o) {
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int h = Math.min(MR, mc - i0);
            if (transA) {
                // Row p of the stored A holds column p of op(A): MR consecutive floats per step.
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(a, aOff + (pc + p) * lda + ic + i0, out, o + p * MR, h);
                    for (int i = h; i < MR; i++) out[o + p * MR + i] = 0f;
                }
            } else {
                for (int i = 0; i < h; i++) {
                    int src = aOff + (ic + i0 + i) * lda + pc;
                    for (int p = 0; p < kc; p++) out[o + p * MR + i] = a[src + p];
                }
                for (int i = h; i < MR; i++) {
                    for (int p = 0; p < kc; p++) out[o + p * MR + i] = 0f;
                }
            }
            o += kc * MR;
        }
    }

    static final boolean PANEL_OUTER = !Boolean.getBoolean("rnnlab.gemm.sliverOuter");

    private static void macroKernel(int mc, int nc, int kc, float[] packA, int aBase, float[] packB, int bBase,
                                    float[] c, int cOff, int ldc, boolean add, float[] tile) {
        if (PANEL_OUTER) {
            for (int j0 = 0; j0 < nc; j0 += NR) {
                for (int i0 = 0; i0 < mc; i0 += MR) {
                    tile(mc, nc, kc, i0, j0, packA, aBase, packB, bBase, c, cOff, ldc, add, tile);
                }
            }
        } else {
            for (int i0 = 0; i0 < mc; i0 += MR) {
                for (int j0 = 0; j0 < nc; j0 += NR) {
                    tile(mc, nc, kc, i0, j0, packA, aBase, packB, bBase, c, cOff, ldc, add, tile);
                }
            }
        }
    }

    /**
     * One MR x NR tile of C (fewer rows or columns at the edges). The micro-kernels only store their
     * accumulators: straight into C for a whole tile that overwrites, into the scratch tile otherwise, which
     * {@link #addTile} then adds or copies into C. (A micro-kernel that branched on "add" would merge vectors
     * at the join, which C2 boxes, and would be too big for C1 to compile.)
     */
    private static void tile(int mc, int nc, int kc, int i0, int j0, float[] packA, int aBase, float[] packB,
                             int bBase, float[] c, int cOff, int ldc, boolean add, float[] tile) {
        int h = Math.min(MR, mc - i0);
        int aSliver = aBase + (i0 / MR) * kc * MR;
        int w = Math.min(NR, nc - j0);
        int bPanel = bBase + (j0 / NR) * kc * NR;
        int co = cOff + i0 * ldc + j0;
        if (h == MR) {
            if (w == NR && !add) {
                tileFull(kc, packA, aSliver, packB, bPanel, c, co, ldc);
            } else {
                tileFull(kc, packA, aSliver, packB, bPanel, tile, 0, NR);
                addTile(tile, MR, w, c, co, ldc, add);
            }
        } else if (!WIDE) {
            tileFull(kc, packA, aSliver, packB, bPanel, tile, 0, NR);
            addTile(tile, h, w, c, co, ldc, add);
        } else {
            // The last rows: 4 at a time (MR = 8 is a multiple of 4), reading the sliver with its stride MR.
            for (int r = 0; r < h; r += 4) {
                int rows = Math.min(4, h - r);
                if (rows == 4 && w == NR && !add) {
                    tile4(kc, packA, aSliver + r, packB, bPanel, c, co + r * ldc, ldc);
                } else {
                    tile4(kc, packA, aSliver + r, packB, bPanel, tile, 0, NR);
                    addTile(tile, rows, w, c, co + r * ldc, ldc, add);
                }
            }
        }
    }

    /** C[0..rows, 0..w) (+)= tile[0..rows, 0..w), the tile's rows NR apart. */
    private static void addTile(float[] tile, int rows, int w, float[] c, int co, int ldc, boolean add) {
        for (int i = 0; i < rows; i++) {
            int row = co + i * ldc, t = i * NR;
            int j = 0;
            if (w == NR) {
                for (; j < NR; j += L) {
                    if (add) FloatVector.fromArray(S, c, row + j).add(FloatVector.fromArray(S, tile, t + j)).intoArray(c, row + j);
                    else FloatVector.fromArray(S, tile, t + j).intoArray(c, row + j);
                }
            }
            for (; j < w; j++) c[row + j] = add ? c[row + j] + tile[t + j] : tile[t + j];
        }
    }

    private static void tileFull(int kc, float[] pa, int ao, float[] pb, int bo, float[] out, int oo, int ldo) {
        if (WIDE) tile8(kc, pa, ao, pb, bo, out, oo, ldo);
        else tile6(kc, pa, ao, pb, bo, out, oo, ldo);
    }

    /** out[0..8, 0..NR) = sliver(A) · panel(B): 16 accumulators in registers across the k loop. */
    private static void tile8(int kc, float[] pa, int ao, float[] pb, int bo, float[] out, int oo, int ldo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int a = ao + p * 8, b = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x0 = FloatVector.broadcast(S, pa[a]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, pa[a + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, pa[a + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, pa[a + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, pa[a + 4]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(S, pa[a + 5]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            FloatVector x6 = FloatVector.broadcast(S, pa[a + 6]);
            c60 = x6.fma(b0, c60);
            c61 = x6.fma(b1, c61);
            FloatVector x7 = FloatVector.broadcast(S, pa[a + 7]);
            c70 = x7.fma(b0, c70);
            c71 = x7.fma(b1, c71);
        }
        c00.intoArray(out, oo);
        c01.intoArray(out, oo + L);
        c10.intoArray(out, oo + ldo);
        c11.intoArray(out, oo + ldo + L);
        c20.intoArray(out, oo + 2 * ldo);
        c21.intoArray(out, oo + 2 * ldo + L);
        c30.intoArray(out, oo + 3 * ldo);
        c31.intoArray(out, oo + 3 * ldo + L);
        c40.intoArray(out, oo + 4 * ldo);
        c41.intoArray(out, oo + 4 * ldo + L);
        c50.intoArray(out, oo + 5 * ldo);
        c51.intoArray(out, oo + 5 * ldo + L);
        c60.intoArray(out, oo + 6 * ldo);
        c61.intoArray(out, oo + 6 * ldo + L);
        c70.intoArray(out, oo + 7 * ldo);
        c71.intoArray(out, oo + 7 * ldo + L);
    }

    /** out[0..6, 0..NR) = sliver(A) · panel(B): 12 accumulators, for CPUs with 16 vector registers. */
    private static void tile6(int kc, float[] pa, int ao, float[] pb, int bo, float[] out, int oo, int ldo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int a = ao + p * 6, b = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x0 = FloatVector.broadcast(S, pa[a]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, pa[a + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, pa[a + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, pa[a + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, pa[a + 4]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(S, pa[a + 5]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
        }
        c00.intoArray(out, oo);
        c01.intoArray(out, oo + L);
        c10.intoArray(out, oo + ldo);
        c11.intoArray(out, oo + ldo + L);
        c20.intoArray(out, oo + 2 * ldo);
        c21.intoArray(out, oo + 2 * ldo + L);
        c30.intoArray(out, oo + 3 * ldo);
        c31.intoArray(out, oo + 3 * ldo + L);
        c40.intoArray(out, oo + 4 * ldo);
        c41.intoArray(out, oo + 4 * ldo + L);
        c50.intoArray(out, oo + 5 * ldo);
        c51.intoArray(out, oo + 5 * ldo + L);
    }

    /** out[0..4, 0..NR) = 4 rows of a sliver (MR apart per step of k) · panel(B): the rows left over. */
    private static void tile4(int kc, float[] pa, int ao, float[] pb, int bo, float[] out, int oo, int ldo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int a = ao + p * MR, b = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x0 = FloatVector.broadcast(S, pa[a]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, pa[a + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, pa[a + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, pa[a + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        c00.intoArray(out, oo);
        c01.intoArray(out, oo + L);
        c10.intoArray(out, oo + ldo);
        c11.intoArray(out, oo + ldo + L);
        c20.intoArray(out, oo + 2 * ldo);
        c21.intoArray(out, oo + 2 * ldo + L);
        c30.intoArray(out, oo + 3 * ldo);
        c31.intoArray(out, oo + 3 * ldo + L);
    }

    // ---------------------------------------------------------------------------------------------- few rows

    /**
     * {@code y[j] (+)= dot(M[j, :], x)} for the n rows of M (n, len): four rows at a time, so that one load of x
     * feeds four independent sums, each kept in a vector and reduced once at the end.
     */
    static void dotRows(int n, int len, float[] mat, int mOff, int ldm, float[] x, int xOff,
                        float[] y, int yOff, boolean accumulate) {
        int bound = S.loopBound(len);
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            int m0 = mOff + j * ldm, m1 = m0 + ldm, m2 = m1 + ldm, m3 = m2 + ldm;
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            for (int p = 0; p < bound; p += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xOff + p);
                s0 = FloatVector.fromArray(S, mat, m0 + p).fma(xv, s0);
                s1 = FloatVector.fromArray(S, mat, m1 + p).fma(xv, s1);
                s2 = FloatVector.fromArray(S, mat, m2 + p).fma(xv, s2);
                s3 = FloatVector.fromArray(S, mat, m3 + p).fma(xv, s3);
            }
            // each sum's lanes added in VectorMath's fixed tree
            if (L > 32) {
                s0 = s0.add(s0.rearrange(VectorMath.H32));
                s1 = s1.add(s1.rearrange(VectorMath.H32));
                s2 = s2.add(s2.rearrange(VectorMath.H32));
                s3 = s3.add(s3.rearrange(VectorMath.H32));
            }
            if (L > 16) {
                s0 = s0.add(s0.rearrange(VectorMath.H16));
                s1 = s1.add(s1.rearrange(VectorMath.H16));
                s2 = s2.add(s2.rearrange(VectorMath.H16));
                s3 = s3.add(s3.rearrange(VectorMath.H16));
            }
            if (L > 8) {
                s0 = s0.add(s0.rearrange(VectorMath.H8));
                s1 = s1.add(s1.rearrange(VectorMath.H8));
                s2 = s2.add(s2.rearrange(VectorMath.H8));
                s3 = s3.add(s3.rearrange(VectorMath.H8));
            }
            if (L > 4) {
                s0 = s0.add(s0.rearrange(VectorMath.H4));
                s1 = s1.add(s1.rearrange(VectorMath.H4));
                s2 = s2.add(s2.rearrange(VectorMath.H4));
                s3 = s3.add(s3.rearrange(VectorMath.H4));
            }
            if (L > 2) {
                s0 = s0.add(s0.rearrange(VectorMath.H2));
                s1 = s1.add(s1.rearrange(VectorMath.H2));
                s2 = s2.add(s2.rearrange(VectorMath.H2));
                s3 = s3.add(s3.rearrange(VectorMath.H2));
            }
            if (L > 1) {
                s0 = s0.add(s0.rearrange(VectorMath.H1));
                s1 = s1.add(s1.rearrange(VectorMath.H1));
                s2 = s2.add(s2.rearrange(VectorMath.H1));
                s3 = s3.add(s3.rearrange(VectorMath.H1));
            }
            float r0 = s0.lane(0), r1 = s1.lane(0), r2 = s2.lane(0), r3 = s3.lane(0);
            for (int p = bound; p < len; p++) {
                float xp = x[xOff + p];
                r0 = Math.fma(mat[m0 + p], xp, r0);
                r1 = Math.fma(mat[m1 + p], xp, r1);
                r2 = Math.fma(mat[m2 + p], xp, r2);
                r3 = Math.fma(mat[m3 + p], xp, r3);
            }
            int o = yOff + j;
            if (accumulate) {
                y[o] += r0;
                y[o + 1] += r1;
                y[o + 2] += r2;
                y[o + 3] += r3;
            } else {
                y[o] = r0;
                y[o + 1] = r1;
                y[o + 2] = r2;
                y[o + 3] = r3;
            }
        }
        for (; j < n; j++) {
            int mj = mOff + j * ldm;
            FloatVector s0 = FloatVector.zero(S);
            for (int p = 0; p < bound; p += L) {
                s0 = FloatVector.fromArray(S, mat, mj + p).fma(FloatVector.fromArray(S, x, xOff + p), s0);
            }
            if (L > 32) s0 = s0.add(s0.rearrange(VectorMath.H32));
            if (L > 16) s0 = s0.add(s0.rearrange(VectorMath.H16));
            if (L > 8) s0 = s0.add(s0.rearrange(VectorMath.H8));
            if (L > 4) s0 = s0.add(s0.rearrange(VectorMath.H4));
            if (L > 2) s0 = s0.add(s0.rearrange(VectorMath.H2));
            if (L > 1) s0 = s0.add(s0.rearrange(VectorMath.H1));
            float r = s0.lane(0);
            for (int p = bound; p < len; p++) r = Math.fma(mat[mj + p], x[xOff + p], r);
            y[yOff + j] = accumulate ? y[yOff + j] + r : r;
        }
    }


    /**
     * {@code y (+)= sum_p x[p] B[p, :]} for one row x (k) and B (k, n): eight vectors of sums at a time held in
     * registers over the whole of k, then one, the last columns scalar; each sum starts at 0 and is added to y
     * at the end when accumulating, as in the blocked plan.
     */
    static void combineRows(int n, int k, float[] x, int xOff, float[] b, int bOff, int ldb,
                            float[] y, int yOff, boolean accumulate) {
        int j = 0;
        for (; j + 8 * L <= n; j += 8 * L) {
            int yo = yOff + j;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int p = 0; p < k; p++) {
                FloatVector xp = FloatVector.broadcast(S, x[xOff + p]);
                int bo = bOff + p * ldb + j;
                s0 = xp.fma(FloatVector.fromArray(S, b, bo), s0);
                s1 = xp.fma(FloatVector.fromArray(S, b, bo + L), s1);
                s2 = xp.fma(FloatVector.fromArray(S, b, bo + 2 * L), s2);
                s3 = xp.fma(FloatVector.fromArray(S, b, bo + 3 * L), s3);
                s4 = xp.fma(FloatVector.fromArray(S, b, bo + 4 * L), s4);
                s5 = xp.fma(FloatVector.fromArray(S, b, bo + 5 * L), s5);
                s6 = xp.fma(FloatVector.fromArray(S, b, bo + 6 * L), s6);
                s7 = xp.fma(FloatVector.fromArray(S, b, bo + 7 * L), s7);
            }
            // Separate stores per branch: vectors merged by an if would be boxed by C2 (a phi of vectors).
            if (accumulate) {
                FloatVector.fromArray(S, y, yo).add(s0).intoArray(y, yo);
                FloatVector.fromArray(S, y, yo + L).add(s1).intoArray(y, yo + L);
                FloatVector.fromArray(S, y, yo + 2 * L).add(s2).intoArray(y, yo + 2 * L);
                FloatVector.fromArray(S, y, yo + 3 * L).add(s3).intoArray(y, yo + 3 * L);
                FloatVector.fromArray(S, y, yo + 4 * L).add(s4).intoArray(y, yo + 4 * L);
                FloatVector.fromArray(S, y, yo + 5 * L).add(s5).intoArray(y, yo + 5 * L);
                FloatVector.fromArray(S, y, yo + 6 * L).add(s6).intoArray(y, yo + 6 * L);
                FloatVector.fromArray(S, y, yo + 7 * L).add(s7).intoArray(y, yo + 7 * L);
            } else {
                s0.intoArray(y, yo);
                s1.intoArray(y, yo + L);
                s2.intoArray(y, yo + 2 * L);
                s3.intoArray(y, yo + 3 * L);
                s4.intoArray(y, yo + 4 * L);
                s5.intoArray(y, yo + 5 * L);
                s6.intoArray(y, yo + 6 * L);
                s7.intoArray(y, yo + 7 * L);
            }
        }
        for (; j + L <= n; j += L) {
            int yo = yOff + j;
            FloatVector s0 = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                s0 = FloatVector.broadcast(S, x[xOff + p]).fma(FloatVector.fromArray(S, b, bOff + p * ldb + j), s0);
            }
            if (accumulate) FloatVector.fromArray(S, y, yo).add(s0).intoArray(y, yo);
            else s0.intoArray(y, yo);
        }
        for (; j < n; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s = Math.fma(x[xOff + p], b[bOff + p * ldb + j], s);
            y[yOff + j] = accumulate ? y[yOff + j] + s : s;
        }
    }

    // ---------------------------------------------------------------------------------------------- small

    /**
     * Small products without packing. Row i of C is a combination of rows of op(B) when B is not transposed
     * (axpy form, vectorised along n), or a set of dot products along k when it is (both operands contiguous).
     */
    static void small(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (!transB) {
                if (!accumulate) Arrays.fill(c, ci, ci + n, 0f);
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    axpy(n, aip, b, bOff + p * ldb, c, ci);
                }
            } else {
                for (int j = 0; j < n; j++) {
                    float s = transA ? dotStrided(k, a, aOff + i, lda, b, bOff + j * ldb)
                            : dot(k, a, aOff + i * lda, b, bOff + j * ldb);
                    c[ci + j] = accumulate ? c[ci + j] + s : s;
                }
            }
        }
    }

    /** {@code y[0..n) += alpha * x[0..n)}. */
    public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += L) {
            FloatVector vy = FloatVector.fromArray(S, y, yOff + j);
            va.fma(FloatVector.fromArray(S, x, xOff + j), vy).intoArray(y, yOff + j);
        }
        for (; j < n; j++) y[yOff + j] = Math.fma(alpha, x[xOff + j], y[yOff + j]);
    }

    /** {@code sum x[i] * y[i]} over n contiguous entries, with two vector accumulators. */
    public static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int i = 0;
        for (int bound = n - 2 * L + 1; i < bound; i += 2 * L) {
            s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
            s1 = FloatVector.fromArray(S, x, xOff + i + L).fma(FloatVector.fromArray(S, y, yOff + i + L), s1);
        }
        for (int bound = S.loopBound(n); i < bound; i += L) {
            s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
        }
        s0 = s0.add(s1);
        if (L > 32) s0 = s0.add(s0.rearrange(VectorMath.H32));
        if (L > 16) s0 = s0.add(s0.rearrange(VectorMath.H16));
        if (L > 8) s0 = s0.add(s0.rearrange(VectorMath.H8));
        if (L > 4) s0 = s0.add(s0.rearrange(VectorMath.H4));
        if (L > 2) s0 = s0.add(s0.rearrange(VectorMath.H2));
        if (L > 1) s0 = s0.add(s0.rearrange(VectorMath.H1));
        float s = s0.lane(0);
        for (; i < n; i++) s += x[xOff + i] * y[yOff + i];
        return s;
    }

    private static float dotStrided(int k, float[] a, int aOff, int lda, float[] b, int bOff) {
        float s = 0;
        for (int p = 0; p < k; p++) s += a[aOff + p * lda] * b[bOff + p];
        return s;
    }
}
