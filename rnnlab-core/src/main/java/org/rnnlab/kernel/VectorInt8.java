package org.rnnlab.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector kernel's int8-weight product {@code C (+)= A W^T} ({@link Kernel#gemmInt8}): for a block of four rows of
 * W, every row of A in turn (two at a time), so the block's bytes come from memory once for all the rows of A and
 * then from L1. Each step of an entry's sum loads L bytes of its W row, widens them to L float lanes
 * ({@code B2F}) and adds their product with L floats of its A row into that entry's own accumulator (an FMA); the
 * lanes are then summed in {@link VectorMath}'s fixed tree, the last {@code k mod L} terms added in order by scalar
 * FMAs, and the row's scale applied once. Every entry goes through exactly these operations whatever block,
 * pair or part it falls in, so its bits depend on its own row of A and row of W only.
 *
 * <p>The code is written out inside the loops (no helper takes or returns a vector: see {@link VectorMath}).
 */
final class VectorInt8 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Bytes with as many lanes as S has (at least 64 bits: with 4 float lanes the loads hold 8, the first 4 used). */
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, 8 * L)));
    private static final int BL = BS.length();

    private VectorInt8() {}

    /** How many leading entries of a row of k the vector loop covers: whole steps of L whose byte loads fit in k. */
    static int bound(int k) {
        return k < BL ? 0 : (k - BL) / L * L + L;
    }

    /**
     * Whether the widening is worth it: with 8 or more float lanes (AVX2, AVX-512) a load of L bytes widens to L
     * floats in registers; with 4 (SSE only) the loads hold 8 bytes of which half are used, a reshaping conversion
     * JDK 17 does not compile to vector code (measured: QuantKernelTest took 79 s with -XX:UseAVX=0, under 1 s now).
     */
    static final boolean WIDENS = L >= 8;

    /** Rows {@code j0 <= j < j1} of W, that is columns j0..j1 of C, for all m rows of A. */
    static void gemm(int m, float[] a, int aOff, int lda, Int8Matrix w, int j0, int j1, float[] c, int cOff, int ldc,
                     boolean accumulate) {
        if (!WIDENS) {
            ScalarKernel.gemmInt8Rows(m, a, aOff, lda, w, j0, j1, c, cOff, ldc, accumulate);
            return;
        }
        int k = w.cols(), bound = bound(k);
        byte[] q = w.q;
        float[] scale = w.scale;
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            int q0 = j * k, q1 = q0 + k, q2 = q1 + k, q3 = q2 + k;
            int i = 0;
            for (; i + 2 <= m; i += 2) {
                int x0 = aOff + i * lda, x1 = x0 + lda;
                FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s02 = FloatVector.zero(S), s03 = FloatVector.zero(S);
                FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S), s12 = FloatVector.zero(S), s13 = FloatVector.zero(S);
                for (int p = 0; p < bound; p += L) {
                    FloatVector w0 = (FloatVector) ByteVector.fromArray(BS, q, q0 + p).convertShape(VectorOperators.B2F, S, 0);
                    FloatVector w1 = (FloatVector) ByteVector.fromArray(BS, q, q1 + p).convertShape(VectorOperators.B2F, S, 0);
                    FloatVector w2 = (FloatVector) ByteVector.fromArray(BS, q, q2 + p).convertShape(VectorOperators.B2F, S, 0);
                    FloatVector w3 = (FloatVector) ByteVector.fromArray(BS, q, q3 + p).convertShape(VectorOperators.B2F, S, 0);
                    FloatVector xa = FloatVector.fromArray(S, a, x0 + p);
                    s00 = w0.fma(xa, s00);
                    s01 = w1.fma(xa, s01);
                    s02 = w2.fma(xa, s02);
                    s03 = w3.fma(xa, s03);
                    FloatVector xb = FloatVector.fromArray(S, a, x1 + p);
                    s10 = w0.fma(xb, s10);
                    s11 = w1.fma(xb, s11);
                    s12 = w2.fma(xb, s12);
                    s13 = w3.fma(xb, s13);
                }
                if (L > 32) {
                    s00 = s00.add(s00.rearrange(VectorMath.H32));
                    s01 = s01.add(s01.rearrange(VectorMath.H32));
                    s02 = s02.add(s02.rearrange(VectorMath.H32));
                    s03 = s03.add(s03.rearrange(VectorMath.H32));
                    s10 = s10.add(s10.rearrange(VectorMath.H32));
                    s11 = s11.add(s11.rearrange(VectorMath.H32));
                    s12 = s12.add(s12.rearrange(VectorMath.H32));
                    s13 = s13.add(s13.rearrange(VectorMath.H32));
                }
                if (L > 16) {
                    s00 = s00.add(s00.rearrange(VectorMath.H16));
                    s01 = s01.add(s01.rearrange(VectorMath.H16));
                    s02 = s02.add(s02.rearrange(VectorMath.H16));
                    s03 = s03.add(s03.rearrange(VectorMath.H16));
                    s10 = s10.add(s10.rearrange(VectorMath.H16));
                    s11 = s11.add(s11.rearrange(VectorMath.H16));
                    s12 = s12.add(s12.rearrange(VectorMath.H16));
                    s13 = s13.add(s13.rearrange(VectorMath.H16));
                }
                if (L > 8) {
                    s00 = s00.add(s00.rearrange(VectorMath.H8));
                    s01 = s01.add(s01.rearrange(VectorMath.H8));
                    s02 = s02.add(s02.rearrange(VectorMath.H8));
                    s03 = s03.add(s03.rearrange(VectorMath.H8));
                    s10 = s10.add(s10.rearrange(VectorMath.H8));
                    s11 = s11.add(s11.rearrange(VectorMath.H8));
                    s12 = s12.add(s12.rearrange(VectorMath.H8));
                    s13 = s13.add(s13.rearrange(VectorMath.H8));
                }
                if (L > 4) {
                    s00 = s00.add(s00.rearrange(VectorMath.H4));
                    s01 = s01.add(s01.rearrange(VectorMath.H4));
                    s02 = s02.add(s02.rearrange(VectorMath.H4));
                    s03 = s03.add(s03.rearrange(VectorMath.H4));
                    s10 = s10.add(s10.rearrange(VectorMath.H4));
                    s11 = s11.add(s11.rearrange(VectorMath.H4));
                    s12 = s12.add(s12.rearrange(VectorMath.H4));
                    s13 = s13.add(s13.rearrange(VectorMath.H4));
                }
                if (L > 2) {
                    s00 = s00.add(s00.rearrange(VectorMath.H2));
                    s01 = s01.add(s01.rearrange(VectorMath.H2));
                    s02 = s02.add(s02.rearrange(VectorMath.H2));
                    s03 = s03.add(s03.rearrange(VectorMath.H2));
                    s10 = s10.add(s10.rearrange(VectorMath.H2));
                    s11 = s11.add(s11.rearrange(VectorMath.H2));
                    s12 = s12.add(s12.rearrange(VectorMath.H2));
                    s13 = s13.add(s13.rearrange(VectorMath.H2));
                }
                if (L > 1) {
                    s00 = s00.add(s00.rearrange(VectorMath.H1));
                    s01 = s01.add(s01.rearrange(VectorMath.H1));
                    s02 = s02.add(s02.rearrange(VectorMath.H1));
                    s03 = s03.add(s03.rearrange(VectorMath.H1));
                    s10 = s10.add(s10.rearrange(VectorMath.H1));
                    s11 = s11.add(s11.rearrange(VectorMath.H1));
                    s12 = s12.add(s12.rearrange(VectorMath.H1));
                    s13 = s13.add(s13.rearrange(VectorMath.H1));
                }
                float r00 = s00.lane(0), r01 = s01.lane(0), r02 = s02.lane(0), r03 = s03.lane(0);
                float r10 = s10.lane(0), r11 = s11.lane(0), r12 = s12.lane(0), r13 = s13.lane(0);
                for (int p = bound; p < k; p++) {
                    float xa = a[x0 + p], xb = a[x1 + p];
                    r00 = Math.fma(q[q0 + p], xa, r00);
                    r01 = Math.fma(q[q1 + p], xa, r01);
                    r02 = Math.fma(q[q2 + p], xa, r02);
                    r03 = Math.fma(q[q3 + p], xa, r03);
                    r10 = Math.fma(q[q0 + p], xb, r10);
                    r11 = Math.fma(q[q1 + p], xb, r11);
                    r12 = Math.fma(q[q2 + p], xb, r12);
                    r13 = Math.fma(q[q3 + p], xb, r13);
                }
                int o = cOff + i * ldc + j, o1 = o + ldc;
                if (accumulate) {
                    c[o] += scale[j] * r00;
                    c[o + 1] += scale[j + 1] * r01;
                    c[o + 2] += scale[j + 2] * r02;
                    c[o + 3] += scale[j + 3] * r03;
                    c[o1] += scale[j] * r10;
                    c[o1 + 1] += scale[j + 1] * r11;
                    c[o1 + 2] += scale[j + 2] * r12;
                    c[o1 + 3] += scale[j + 3] * r13;
                } else {
                    c[o] = scale[j] * r00;
                    c[o + 1] = scale[j + 1] * r01;
                    c[o + 2] = scale[j + 2] * r02;
                    c[o + 3] = scale[j + 3] * r03;
                    c[o1] = scale[j] * r10;
                    c[o1 + 1] = scale[j + 1] * r11;
                    c[o1 + 2] = scale[j + 2] * r12;
                    c[o1 + 3] = scale[j + 3] * r13;
                }
            }
            for (; i < m; i++) {
                int x0 = aOff + i * lda;
                FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
                for (int p = 0; p < bound; p += L) {
                    FloatVector xa = FloatVector.fromArray(S, a, x0 + p);
                    s0 = ((FloatVector) ByteVector.fromArray(BS, q, q0 + p).convertShape(VectorOperators.B2F, S, 0)).fma(xa, s0);
                    s1 = ((FloatVector) ByteVector.fromArray(BS, q, q1 + p).convertShape(VectorOperators.B2F, S, 0)).fma(xa, s1);
                    s2 = ((FloatVector) ByteVector.fromArray(BS, q, q2 + p).convertShape(VectorOperators.B2F, S, 0)).fma(xa, s2);
                    s3 = ((FloatVector) ByteVector.fromArray(BS, q, q3 + p).convertShape(VectorOperators.B2F, S, 0)).fma(xa, s3);
                }
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
                for (int p = bound; p < k; p++) {
                    float xa = a[x0 + p];
                    r0 = Math.fma(q[q0 + p], xa, r0);
                    r1 = Math.fma(q[q1 + p], xa, r1);
                    r2 = Math.fma(q[q2 + p], xa, r2);
                    r3 = Math.fma(q[q3 + p], xa, r3);
                }
                int o = cOff + i * ldc + j;
                if (accumulate) {
                    c[o] += scale[j] * r0;
                    c[o + 1] += scale[j + 1] * r1;
                    c[o + 2] += scale[j + 2] * r2;
                    c[o + 3] += scale[j + 3] * r3;
                } else {
                    c[o] = scale[j] * r0;
                    c[o + 1] = scale[j + 1] * r1;
                    c[o + 2] = scale[j + 2] * r2;
                    c[o + 3] = scale[j + 3] * r3;
                }
            }
        }
        for (; j < j1; j++) { // the last rows of W, one at a time: the same operations per entry
            int q0 = j * k;
            for (int i = 0; i < m; i++) {
                int x0 = aOff + i * lda;
                FloatVector s0 = FloatVector.zero(S);
                for (int p = 0; p < bound; p += L) {
                    FloatVector xa = FloatVector.fromArray(S, a, x0 + p);
                    s0 = ((FloatVector) ByteVector.fromArray(BS, q, q0 + p).convertShape(VectorOperators.B2F, S, 0)).fma(xa, s0);
                }
                if (L > 32) s0 = s0.add(s0.rearrange(VectorMath.H32));
                if (L > 16) s0 = s0.add(s0.rearrange(VectorMath.H16));
                if (L > 8) s0 = s0.add(s0.rearrange(VectorMath.H8));
                if (L > 4) s0 = s0.add(s0.rearrange(VectorMath.H4));
                if (L > 2) s0 = s0.add(s0.rearrange(VectorMath.H2));
                if (L > 1) s0 = s0.add(s0.rearrange(VectorMath.H1));
                float r0 = s0.lane(0);
                for (int p = bound; p < k; p++) r0 = Math.fma(q[q0 + p], a[x0 + p], r0);
                int o = cOff + i * ldc + j;
                if (accumulate) c[o] += scale[j] * r0;
                else c[o] = scale[j] * r0;
            }
        }
    }
}
