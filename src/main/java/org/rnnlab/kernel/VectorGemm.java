package org.rnnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply with the Vector API, blocked the GotoBLAS way:
 * {@code C (m, n) = op(A) (m, k) · op(B) (k, n)}, or {@code +=} when accumulating; all matrices row-major with a
 * leading dimension, {@code op} a transpose when its flag is set (BLAS's sgemm with alpha = 1, beta = 0 or 1).
 *
 * <p>op(B) is packed in panels of NR = 2 vector-widths of columns and kc rows, op(A) in slivers of MR = 6 rows, so
 * the micro-kernel streams both from contiguous memory whatever the transposes are, and keeps a 6 x NR tile of C in
 * 12 vector registers, one fused multiply-add per register per step of k. Packing costs O(mk + kn) against the
 * O(mnk) of the product; for a product too small to repay it ({@link #SMALL}), a plain vectorised loop is used.
 *
 * <p>Deliberately single-threaded: callers split work over rows of C. Scratch space is per thread and grows to
 * the largest block once, so steady-state calls allocate nothing.
 */
public final class VectorGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 6;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 16 * MR;
    static final int NC = 4096;
    /** Below this many multiply-adds, packing does not pay. */
    static final long SMALL = 32L * 32 * 32;

    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[MC * KC], new float[KC * NC], new float[MR * NR]});

    private VectorGemm() {}

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (k == 0 || (long) m * n * k < SMALL) {
            small(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        float[][] scratch = SCRATCH.get();
        float[] packA = scratch[0];
        float[] packB = scratch[1];
        float[] tile = scratch[2];
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean add = accumulate || pc > 0;
                packB(transB, b, bOff, ldb, pc, jc, kc, nc, packB);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(transA, a, aOff, lda, ic, pc, mc, kc, packA);
                    macroKernel(mc, nc, kc, packA, packB, c, cOff + ic * ldc + jc, ldc, add, tile);
                }
            }
        }
    }

    /** op(B)[pc .. pc+kc, jc .. jc+nc) into panels of NR columns: panel j holds kc rows of NR floats, zero-padded. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int jc, int kc, int nc, float[] out) {
        int o = 0;
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int w = Math.min(NR, nc - j0);
            for (int p = 0; p < kc; p++) {
                if (!transB) {
                    int src = bOff + (pc + p) * ldb + jc + j0;
                    System.arraycopy(b, src, out, o, w);
                } else {
                    int src = bOff + (jc + j0) * ldb + pc + p;
                    for (int j = 0; j < w; j++) out[o + j] = b[src + j * ldb];
                }
                for (int j = w; j < NR; j++) out[o + j] = 0f;
                o += NR;
            }
        }
    }

    /** op(A)[ic .. ic+mc, pc .. pc+kc) into slivers of MR rows: sliver i holds kc columns of MR floats, zero-padded. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int pc, int mc, int kc, float[] out) {
        int o = 0;
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int h = Math.min(MR, mc - i0);
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < h; i++) {
                    int row = ic + i0 + i;
                    int col = pc + p;
                    out[o + i] = transA ? a[aOff + col * lda + row] : a[aOff + row * lda + col];
                }
                for (int i = h; i < MR; i++) out[o + i] = 0f;
                o += MR;
            }
        }
    }

    private static void macroKernel(int mc, int nc, int kc, float[] packA, float[] packB,
                                    float[] c, int cOff, int ldc, boolean add, float[] tile) {
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int w = Math.min(NR, nc - j0);
            int bPanel = (j0 / NR) * kc * NR;
            for (int i0 = 0; i0 < mc; i0 += MR) {
                int h = Math.min(MR, mc - i0);
                int aSliver = (i0 / MR) * kc * MR;
                if (h == MR && w == NR) {
                    microKernel(kc, packA, aSliver, packB, bPanel, c, cOff + i0 * ldc + j0, ldc, add);
                } else {
                    // Edge tile: compute the full MR x NR tile into scratch, then copy the valid part.
                    microKernel(kc, packA, aSliver, packB, bPanel, tile, 0, NR, false);
                    for (int i = 0; i < h; i++) {
                        int row = cOff + (i0 + i) * ldc + j0;
                        for (int j = 0; j < w; j++) c[row + j] = add ? c[row + j] + tile[i * NR + j] : tile[i * NR + j];
                    }
                }
            }
        }
    }

    /** C[0..MR, 0..NR) (+)= sliver(A) · panel(B), the 12 accumulators held in registers across the k loop. */
    private static void microKernel(int kc, float[] pa, int ao, float[] pb, int bo,
                                    float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bo);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ao + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ao + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ao + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, pa[ao + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, pa[ao + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            ao += MR;
            bo += NR;
        }
        store(c00, c01, c, co, add);
        store(c10, c11, c, co + ldc, add);
        store(c20, c21, c, co + 2 * ldc, add);
        store(c30, c31, c, co + 3 * ldc, add);
        store(c40, c41, c, co + 4 * ldc, add);
        store(c50, c51, c, co + 5 * ldc, add);
    }

    private static void store(FloatVector v0, FloatVector v1, float[] c, int o, boolean add) {
        if (add) {
            v0 = v0.add(FloatVector.fromArray(S, c, o));
            v1 = v1.add(FloatVector.fromArray(S, c, o + L));
        }
        v0.intoArray(c, o);
        v1.intoArray(c, o + L);
    }

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
                if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    if (aip == 0f) continue;
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
        for (; j < n; j++) y[yOff + j] += alpha * x[xOff + j];
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
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[xOff + i] * y[yOff + i];
        return s;
    }

    private static float dotStrided(int k, float[] a, int aOff, int lda, float[] b, int bOff) {
        float s = 0;
        for (int p = 0; p < k; p++) s += a[aOff + p * lda] * b[bOff + p];
        return s;
    }
}
