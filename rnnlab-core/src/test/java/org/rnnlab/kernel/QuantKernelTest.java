package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Int8 weights ({@link Int8Matrix}) and their product ({@link Kernel#gemmInt8}) on both kernels: quantizing and
 * dequantizing, the product against the float product of the dequantized matrix (odd sizes, every tail of the
 * vector loops, offsets, accumulate), and each entry's bits independent of how many rows of A come with it and of
 * the thread count.
 *
 * <p>Tolerance of a product: {@code 4 (k + 1) 2^-24 scale sum_p |a_p q_p|} of the exact sum of the dequantized
 * weights, the bound of a k-term float sum in any order plus the scale's one rounding and the dequantized weight's.
 */
class QuantKernelTest {
    private static final Kernel V = Kernel.named("vector");
    private static final Kernel S = Kernel.scalar();
    private static final int L = VectorGemm.L;
    private static final float PAD = -777f;
    private static final int THREADS = Parallelism.threads();

    @AfterEach
    void restoreThreads() {
        Parallelism.setThreads(THREADS);
    }

    private static float[] filled(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (scale * r.nextDouble(-1, 1));
        return x;
    }

    @Test
    void quantizesEachRowSymmetricallyToWithinHalfAStep() {
        SplittableRandom r = new SplittableRandom(1);
        int rows = 9, cols = 37;
        float[] w = filled(r, rows * cols, 3);
        for (int p = 0; p < cols; p++) w[4 * cols + p] *= 1e-30f; // a row of tiny values: its own small scale
        Int8Matrix q = Int8Matrix.quantize(w, 0, rows, cols);
        float[] back = q.dequantize();
        byte[] values = q.values();
        float[] scales = q.scales();
        for (int j = 0; j < rows; j++) {
            float max = 0;
            for (int p = 0; p < cols; p++) max = Math.max(max, Math.abs(w[j * cols + p]));
            assertThat(scales[j]).as("scale of row %d", j).isEqualTo(max / 127f);
            boolean reached = false;
            for (int p = 0; p < cols; p++) {
                int i = j * cols + p;
                assertThat((int) values[i]).isBetween(-127, 127);
                reached |= Math.abs(values[i]) == 127;
                assertThat(back[i]).isEqualTo(scales[j] * values[i]);
                assertThat((double) Math.abs(back[i] - w[i])).as("[%d, %d]", j, p)
                        .isLessThanOrEqualTo(0.5 * scales[j] * (1 + 1e-6));
            }
            assertThat(reached).as("row %d's largest magnitude is +-127", j).isTrue();
        }
    }

    @Test
    void roundsHalfToEvenAndGivesARowOfZerosScaleOne() {
        // max 127 makes the scale 1, so the others are their own quotients: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2
        float[] w = {127f, 2.5f, 3.5f, -2.5f, -0.5f, 0.5f, 1.5f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        Int8Matrix q = Int8Matrix.quantize(w, 0, 2, 7);
        assertThat(q.values()).containsExactly(127, 2, 4, -2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0);
        assertThat(q.scales()).containsExactly(1f, 1f);
        assertThat(q.dequantize()).containsExactly(127f, 2f, 4f, -2f, 0f, 0f, 2f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
        assertThatThrownBy(() -> Int8Matrix.quantize(new float[] {1f, Float.NaN}, 0, 1, 2))
                .hasMessage("cannot quantize NaN at [0, 1]");
    }

    @Test
    void valuesAndScalesFromAFileAreCheckedAndCopied() {
        byte[] values = {1, 2, 3, 4, 5, 6};
        float[] scales = {0.5f, 2f};
        Int8Matrix m = Int8Matrix.of(2, 3, values, scales);
        values[0] = 9;
        scales[0] = 9;
        assertThat(m.dequantize()).containsExactly(0.5f, 1f, 1.5f, 8f, 10f, 12f);
        assertThat(m).isEqualTo(Int8Matrix.of(2, 3, new byte[] {1, 2, 3, 4, 5, 6}, new float[] {0.5f, 2f}));
        for (float bad : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, -0f}) {
            assertThatThrownBy(() -> Int8Matrix.of(2, 3, new byte[6], new float[] {1f, bad}))
                    .hasMessage("row 1 has scale " + bad + "; a scale is a finite float > 0");
        }
        assertThatThrownBy(() -> Int8Matrix.of(2, 3, new byte[5], new float[2]))
                .hasMessage("(2, 3) needs 6 int8 values, got 5");
        assertThatThrownBy(() -> Int8Matrix.of(2, 3, new byte[6], new float[3]))
                .hasMessage("(2, 3) needs 2 row scales, got 3");
    }

    /** Sizes around the vector width and the four-row blocks: every loop's tail. */
    private static int[] sizes() {
        return new int[] {1, 3, 4, 5, L - 1, L, L + 1, 2 * L + 3, 37};
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector"})
    void productIsTheFloatProductOfTheDequantizedWeights(String kernel) {
        Kernel k = Kernel.named(kernel);
        SplittableRandom r = new SplittableRandom(7);
        for (int m : new int[] {1, 2, 3, 5, 8, 9, 13}) {
            for (int n : sizes()) {
                for (int kk : sizes()) {
                    for (boolean acc : new boolean[] {false, true}) {
                        check(k, r, m, n, kk, acc);
                    }
                }
            }
        }
    }

    private static void check(Kernel k, SplittableRandom r, int m, int n, int kk, boolean acc) {
        int lda = kk + 3, ldc = n + 2, aOff = 5, cOff = 3;
        float[] a = filled(r, aOff + m * lda, 2);
        Int8Matrix w = Int8Matrix.quantize(filled(r, n * kk, 0.7), 0, n, kk);
        float[] deq = w.dequantize();
        byte[] q = w.values();
        float[] scale = w.scales();
        float[] c = new float[cOff + m * ldc + 4];
        Arrays.fill(c, PAD);
        float[] c0 = filled(r, c.length, 1);
        for (int i = 0; i < m; i++) System.arraycopy(c0, cOff + i * ldc, c, cOff + i * ldc, n);
        k.gemmInt8(m, a, aOff, lda, w, c, cOff, ldc, acc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = acc ? c0[cOff + i * ldc + j] : 0, size = Math.abs(exact);
                for (int p = 0; p < kk; p++) {
                    exact += (double) a[aOff + i * lda + p] * deq[j * kk + p];
                    size += Math.abs((double) a[aOff + i * lda + p] * q[j * kk + p]) * scale[j];
                }
                double tol = 4 * (kk + 1) * Math.ulp(1f) / 2 * size + Float.MIN_NORMAL;
                assertThat((double) c[cOff + i * ldc + j]).as("%s m=%d n=%d k=%d acc=%s C[%d, %d]", k.name(), m, n, kk,
                        acc, i, j).isCloseTo(exact, org.assertj.core.api.Assertions.within(tol));
            }
            for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                assertThat(c[cOff + i * ldc + j]).as("padding after row %d", i).isEqualTo(PAD);
            }
        }
        for (int x = 0; x < cOff; x++) assertThat(c[x]).as("padding before C").isEqualTo(PAD);
    }

    @Test
    void vectorAndScalarKernelsAgreeToRounding() {
        SplittableRandom r = new SplittableRandom(3);
        int m = 3, n = 2 * L + 5, k = 5 * L + 7;
        float[] a = filled(r, m * k, 1);
        Int8Matrix w = Int8Matrix.quantize(filled(r, n * k, 1), 0, n, k);
        float[] cs = new float[m * n], cv = new float[m * n];
        S.gemmInt8(m, a, 0, k, w, cs, 0, n, false);
        V.gemmInt8(m, a, 0, k, w, cv, 0, n, false);
        for (int i = 0; i < cs.length; i++) {
            assertThat((double) cv[i]).as("C[%d]", i).isCloseTo(cs[i], org.assertj.core.api.Assertions.within(1e-4 * (1 + Math.abs(cs[i]))));
        }
        assertThat(cv).isNotEqualTo(new float[m * n]);
    }

    /**
     * Each entry's bits depend on its own row of A only: the product of m rows at once equals, bit for bit, each row
     * computed alone (at another offset), for every m, on both kernels, with the large product split over threads
     * (2048 x 512: the large model's W_hh) or not.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector"})
    void eachRowGetsTheSameBitsWhateverTheBatchAndThreads(String kernel) {
        Kernel k = Kernel.named(kernel);
        SplittableRandom r = new SplittableRandom(11);
        for (int[] shape : new int[][] {{37, 2 * L + 3}, {2048, 512}}) {
            int n = shape[0], kk = shape[1], maxM = 17; // every tile: 8 (6) rows, 4, single rows
            Int8Matrix w = Int8Matrix.quantize(filled(r, n * kk, 1), 0, n, kk);
            float[] a = filled(r, maxM * kk, 1);
            float[][] alone = new float[maxM][n];
            for (int i = 0; i < maxM; i++) {
                float[] row = new float[kk + 1]; // row i at offset 1 of an array of its own
                System.arraycopy(a, i * kk, row, 1, kk);
                k.gemmInt8(1, row, 1, kk, w, alone[i], 0, n, false);
            }
            for (int threads : new int[] {1, 2, 3}) {
                Parallelism.setThreads(threads);
                for (int m = 1; m <= maxM; m++) {
                    float[] c = new float[m * n];
                    k.gemmInt8(m, a, 0, kk, w, c, 0, n, false);
                    for (int i = 0; i < m; i++) {
                        assertThat(Arrays.copyOfRange(c, i * n, (i + 1) * n))
                                .as("%s %dx%d: row %d of %d, %d threads", kernel, n, kk, i, m, threads).isEqualTo(alone[i]);
                    }
                }
            }
        }
    }
}
