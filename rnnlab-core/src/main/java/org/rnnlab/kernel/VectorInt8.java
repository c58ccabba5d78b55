package org.rnnlab.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector kernel's int8-weight product {@code C (+)= A W^T} ({@link Kernel#gemmInt8}), laid out as the float
 * product's blocked plan is: W in panels of W = 2 vector-widths of its rows ({@link Int8Matrix#panels}, the columns
 * of C), each step of the sum a row of W's bytes for the panel, widened to two float vectors ({@code B2F}) and
 * multiplied into an MR x W tile of accumulators held in registers, one broadcast value of A per row. So the bytes
 * are widened once for MR rows of A (8 with AVX-512's 32 registers, 6 with AVX2's 16; then 4 rows, then single rows
 * over four panels at a time, so that even one row keeps 8 sums in flight), and no entry's sum needs a horizontal
 * reduction. Every entry is {@code scale[j] * fma(a[k-1], q[j, k-1], ... fma(a[0], q[j, 0], 0))}, its sum over the
 * whole row in order, whatever the tile, the rows beside it or the part of the product it falls in: its bits depend
 * on its own row of A and row of W only, so batched sequences get the bits they get alone.
 *
 * <p>The code is written out inside the loops (no helper takes or returns a vector: see {@link VectorMath}).
 */
final class VectorInt8 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Bytes with as many lanes as S has (at least 64 bits: with 4 float lanes the loads hold 8, the first 4 used). */
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, 8 * L)));
    /** Columns of C per panel. */
    static final int W = 2 * L;
    /** Rows of A per tile: 16 accumulators where the CPU has 32 vector registers, 12 where it has 16. */
    static final int MR = L >= 16 ? 8 : 6;

    private VectorInt8() {}

    /**
     * Whether the widening is worth it: with 8 or more float lanes (AVX2, AVX-512) a load of L bytes widens to L
     * floats in registers; with 4 (SSE only) the loads hold 8 bytes of which half are used, a reshaping conversion
     * JDK 17 does not compile to vector code (measured: QuantKernelTest took 79 s with -XX:UseAVX=0, under 1 s now).
     */
    static final boolean WIDENS = L >= 8;

    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[Math.max(MR, 4) * W]);

    /** Columns {@code j0 <= j < j1} of C (rows of W) for all m rows of A; j0 a multiple of {@link #W}. */
    static void gemm(int m, float[] a, int aOff, int lda, Int8Matrix w, int j0, int j1, float[] c, int cOff, int ldc,
                     boolean accumulate) {
        if (!WIDENS) {
            ScalarKernel.gemmInt8Rows(m, a, aOff, lda, w, j0, j1, c, cOff, ldc, accumulate);
            return;
        }
        Int8Matrix.Panels panels = w.panels(W);
        byte[] q = panels.q();
        float[] scale = panels.scale();
        float[] tile = TILE.get();
        int k = w.cols(), panel = k * W;
        int i = 0;
        for (; i + MR <= m; i += MR) {
            for (int j = j0; j < j1; j += W) {
                int cols = Math.min(W, j1 - j), ai = aOff + i * lda, co = cOff + i * ldc + j, qo = j / W * panel;
                boolean direct = cols == W && !accumulate;
                if (MR == 8) tile8(k, a, ai, lda, q, qo, scale, j, direct ? c : tile, direct ? co : 0, direct ? ldc : W);
                else tile6(k, a, ai, lda, q, qo, scale, j, direct ? c : tile, direct ? co : 0, direct ? ldc : W);
                if (!direct) addTile(tile, MR, cols, W, c, co, ldc, accumulate);
            }
        }
        for (; i + 4 <= m; i += 4) {
            for (int j = j0; j < j1; j += W) {
                int cols = Math.min(W, j1 - j), ai = aOff + i * lda, co = cOff + i * ldc + j, qo = j / W * panel;
                boolean direct = cols == W && !accumulate;
                tile4(k, a, ai, lda, q, qo, scale, j, direct ? c : tile, direct ? co : 0, direct ? ldc : W);
                if (!direct) addTile(tile, 4, cols, W, c, co, ldc, accumulate);
            }
        }
        for (; i < m; i++) {
            int ai = aOff + i * lda;
            int j = j0;
            for (; j + 3 * W < j1; j += 4 * W) { // four panels, the last of them possibly cut by j1
                int cols = Math.min(4 * W, j1 - j), co = cOff + i * ldc + j, qo = j / W * panel;
                boolean direct = cols == 4 * W && !accumulate;
                row4(k, a, ai, q, qo, scale, j, direct ? c : tile, direct ? co : 0);
                if (!direct) addTile(tile, 1, cols, 4 * W, c, co, ldc, accumulate);
            }
            for (; j < j1; j += W) {
                int cols = Math.min(W, j1 - j), co = cOff + i * ldc + j, qo = j / W * panel;
                boolean direct = cols == W && !accumulate;
                row1(k, a, ai, q, qo, scale, j, direct ? c : tile, direct ? co : 0);
                if (!direct) addTile(tile, 1, cols, W, c, co, ldc, accumulate);
            }
        }
    }

    /** C[0..rows, 0..cols) (+)= tile[0..rows, 0..cols), the tile's rows {@code ldt} apart. */
    private static void addTile(float[] tile, int rows, int cols, int ldt, float[] c, int co, int ldc, boolean add) {
        for (int r = 0; r < rows; r++) {
            int row = co + r * ldc, t = r * ldt;
            for (int j = 0; j < cols; j++) c[row + j] = add ? c[row + j] + tile[t + j] : tile[t + j];
        }
    }

    /** out[0..8, 0..W) = scale * (rows 8 of A, lda apart) · panel: 16 accumulators across the sum. */
    private static void tile8(int k, float[] a, int ao, int lda, byte[] q, int qo, float[] scale, int so, float[] out,
                              int oo, int ldo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int a0 = ao, a1 = ao + lda, a2 = ao + 2 * lda, a3 = ao + 3 * lda,
                a4 = ao + 4 * lda, a5 = ao + 5 * lda, a6 = ao + 6 * lda, a7 = ao + 7 * lda;
        for (int p = 0; p < k; p++) {
            int b = qo + p * W;
            FloatVector w0 = (FloatVector) ByteVector.fromArray(BS, q, b).convertShape(VectorOperators.B2F, S, 0);
            FloatVector w1 = (FloatVector) ByteVector.fromArray(BS, q, b + L).convertShape(VectorOperators.B2F, S, 0);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x0.fma(w0, c00);
            c01 = x0.fma(w1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x1.fma(w0, c10);
            c11 = x1.fma(w1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x2.fma(w0, c20);
            c21 = x2.fma(w1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x3.fma(w0, c30);
            c31 = x3.fma(w1, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x4.fma(w0, c40);
            c41 = x4.fma(w1, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x5.fma(w0, c50);
            c51 = x5.fma(w1, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[a6 + p]);
            c60 = x6.fma(w0, c60);
            c61 = x6.fma(w1, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[a7 + p]);
            c70 = x7.fma(w0, c70);
            c71 = x7.fma(w1, c71);
        }
        FloatVector s0 = FloatVector.fromArray(S, scale, so), s1 = FloatVector.fromArray(S, scale, so + L);
        c00.mul(s0).intoArray(out, oo);
        c01.mul(s1).intoArray(out, oo + L);
        c10.mul(s0).intoArray(out, oo + ldo);
        c11.mul(s1).intoArray(out, oo + ldo + L);
        c20.mul(s0).intoArray(out, oo + 2 * ldo);
        c21.mul(s1).intoArray(out, oo + 2 * ldo + L);
        c30.mul(s0).intoArray(out, oo + 3 * ldo);
        c31.mul(s1).intoArray(out, oo + 3 * ldo + L);
        c40.mul(s0).intoArray(out, oo + 4 * ldo);
        c41.mul(s1).intoArray(out, oo + 4 * ldo + L);
        c50.mul(s0).intoArray(out, oo + 5 * ldo);
        c51.mul(s1).intoArray(out, oo + 5 * ldo + L);
        c60.mul(s0).intoArray(out, oo + 6 * ldo);
        c61.mul(s1).intoArray(out, oo + 6 * ldo + L);
        c70.mul(s0).intoArray(out, oo + 7 * ldo);
        c71.mul(s1).intoArray(out, oo + 7 * ldo + L);
    }

    /** out[0..6, 0..W) = scale * (rows 6 of A, lda apart) · panel: 12 accumulators across the sum. */
    private static void tile6(int k, float[] a, int ao, int lda, byte[] q, int qo, float[] scale, int so, float[] out,
                              int oo, int ldo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a0 = ao, a1 = ao + lda, a2 = ao + 2 * lda, a3 = ao + 3 * lda, a4 = ao + 4 * lda, a5 = ao + 5 * lda;
        for (int p = 0; p < k; p++) {
            int b = qo + p * W;
            FloatVector w0 = (FloatVector) ByteVector.fromArray(BS, q, b).convertShape(VectorOperators.B2F, S, 0);
            FloatVector w1 = (FloatVector) ByteVector.fromArray(BS, q, b + L).convertShape(VectorOperators.B2F, S, 0);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x0.fma(w0, c00);
            c01 = x0.fma(w1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x1.fma(w0, c10);
            c11 = x1.fma(w1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x2.fma(w0, c20);
            c21 = x2.fma(w1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x3.fma(w0, c30);
            c31 = x3.fma(w1, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x4.fma(w0, c40);
            c41 = x4.fma(w1, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x5.fma(w0, c50);
            c51 = x5.fma(w1, c51);
        }
        FloatVector s0 = FloatVector.fromArray(S, scale, so), s1 = FloatVector.fromArray(S, scale, so + L);
        c00.mul(s0).intoArray(out, oo);
        c01.mul(s1).intoArray(out, oo + L);
        c10.mul(s0).intoArray(out, oo + ldo);
        c11.mul(s1).intoArray(out, oo + ldo + L);
        c20.mul(s0).intoArray(out, oo + 2 * ldo);
        c21.mul(s1).intoArray(out, oo + 2 * ldo + L);
        c30.mul(s0).intoArray(out, oo + 3 * ldo);
        c31.mul(s1).intoArray(out, oo + 3 * ldo + L);
        c40.mul(s0).intoArray(out, oo + 4 * ldo);
        c41.mul(s1).intoArray(out, oo + 4 * ldo + L);
        c50.mul(s0).intoArray(out, oo + 5 * ldo);
        c51.mul(s1).intoArray(out, oo + 5 * ldo + L);
    }

    /** out[0..4, 0..W) = scale * (rows 4 of A, lda apart) · panel: 8 accumulators across the sum. */
    private static void tile4(int k, float[] a, int ao, int lda, byte[] q, int qo, float[] scale, int so, float[] out,
                              int oo, int ldo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int a0 = ao, a1 = ao + lda, a2 = ao + 2 * lda, a3 = ao + 3 * lda;
        for (int p = 0; p < k; p++) {
            int b = qo + p * W;
            FloatVector w0 = (FloatVector) ByteVector.fromArray(BS, q, b).convertShape(VectorOperators.B2F, S, 0);
            FloatVector w1 = (FloatVector) ByteVector.fromArray(BS, q, b + L).convertShape(VectorOperators.B2F, S, 0);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x0.fma(w0, c00);
            c01 = x0.fma(w1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x1.fma(w0, c10);
            c11 = x1.fma(w1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x2.fma(w0, c20);
            c21 = x2.fma(w1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x3.fma(w0, c30);
            c31 = x3.fma(w1, c31);
        }
        FloatVector s0 = FloatVector.fromArray(S, scale, so), s1 = FloatVector.fromArray(S, scale, so + L);
        c00.mul(s0).intoArray(out, oo);
        c01.mul(s1).intoArray(out, oo + L);
        c10.mul(s0).intoArray(out, oo + ldo);
        c11.mul(s1).intoArray(out, oo + ldo + L);
        c20.mul(s0).intoArray(out, oo + 2 * ldo);
        c21.mul(s1).intoArray(out, oo + 2 * ldo + L);
        c30.mul(s0).intoArray(out, oo + 3 * ldo);
        c31.mul(s1).intoArray(out, oo + 3 * ldo + L);
    }

    /** out[0, 0..4W) = scale * (one row of A) · 4 panels in a row: 8 accumulators across the sum. */
    private static void row4(int k, float[] a, int ao, byte[] q, int qo, float[] scale, int so, float[] out, int oo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int panel = k * W;
        for (int p = 0; p < k; p++) {
            FloatVector x = FloatVector.broadcast(S, a[ao + p]);
            int b0 = qo + p * W;
            c00 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b0).convertShape(VectorOperators.B2F, S, 0), c00);
            c01 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b0 + L).convertShape(VectorOperators.B2F, S, 0), c01);
            int b1 = qo + p * W + panel;
            c10 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b1).convertShape(VectorOperators.B2F, S, 0), c10);
            c11 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b1 + L).convertShape(VectorOperators.B2F, S, 0), c11);
            int b2 = qo + p * W + 2 * panel;
            c20 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b2).convertShape(VectorOperators.B2F, S, 0), c20);
            c21 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b2 + L).convertShape(VectorOperators.B2F, S, 0), c21);
            int b3 = qo + p * W + 3 * panel;
            c30 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b3).convertShape(VectorOperators.B2F, S, 0), c30);
            c31 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b3 + L).convertShape(VectorOperators.B2F, S, 0), c31);
        }
        c00.mul(FloatVector.fromArray(S, scale, so)).intoArray(out, oo);
        c01.mul(FloatVector.fromArray(S, scale, so + L)).intoArray(out, oo + L);
        c10.mul(FloatVector.fromArray(S, scale, so + 1 * W)).intoArray(out, oo + 1 * W);
        c11.mul(FloatVector.fromArray(S, scale, so + 1 * W + L)).intoArray(out, oo + 1 * W + L);
        c20.mul(FloatVector.fromArray(S, scale, so + 2 * W)).intoArray(out, oo + 2 * W);
        c21.mul(FloatVector.fromArray(S, scale, so + 2 * W + L)).intoArray(out, oo + 2 * W + L);
        c30.mul(FloatVector.fromArray(S, scale, so + 3 * W)).intoArray(out, oo + 3 * W);
        c31.mul(FloatVector.fromArray(S, scale, so + 3 * W + L)).intoArray(out, oo + 3 * W + L);
    }

    /** out[0, 0..1W) = scale * (one row of A) · 1 panels in a row: 2 accumulators across the sum. */
    private static void row1(int k, float[] a, int ao, byte[] q, int qo, float[] scale, int so, float[] out, int oo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            FloatVector x = FloatVector.broadcast(S, a[ao + p]);
            int b0 = qo + p * W;
            c00 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b0).convertShape(VectorOperators.B2F, S, 0), c00);
            c01 = x.fma((FloatVector) ByteVector.fromArray(BS, q, b0 + L).convertShape(VectorOperators.B2F, S, 0), c01);
        }
        c00.mul(FloatVector.fromArray(S, scale, so)).intoArray(out, oo);
        c01.mul(FloatVector.fromArray(S, scale, so + L)).intoArray(out, oo + L);
    }

}
