package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Products on row panels ({@link Kernel#newRowPanels}), generation's steps: each row of C must have the bits it has when computed
 * alone, whatever the number of rows, the other rows and the threads (which is what lets the server batch sequences
 * without changing their texts); and the vector kernel must agree with the scalar one to float rounding. Shapes
 * around the vector width and the four-row blocks (n mod 4 = 1..3, k mod L != 0), rows 1 to 9 (pairs and a row
 * left over), offsets and padded leading dimensions, overwrite and accumulate.
 */
class RowProductsTest {
    private static final Kernel V = Kernel.named("vector");
    private static final Kernel S = Kernel.scalar();
    private static final int L = VectorGemm.L;
    private static final int THREADS = Parallelism.threads();

    @AfterEach
    void restoreThreads() {
        Parallelism.setThreads(THREADS);
    }

    private static float[] filled(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-1, 1);
        return x;
    }

    /** C (m, n) on row panels of W, A (m, k) at offset 3, lda k + 2, W (n, k) at 5, ldw k + 1, C at 7, ldc n + 3. */
    private static float[] rows(Kernel kernel, int m, int n, int k, float[] a, float[] w, float[] c0, boolean acc) {
        float[] c = c0.clone();
        PackedB p = kernel.newRowPanels(k, n);
        kernel.pack(p, w, 5, k + 1);
        kernel.sgemm(m, a, 3, k + 2, p, c, 7, n + 3, acc);
        return c;
    }

    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @CsvSource({"1,1,1", "2,4,7", "3,5,16", "5,9,33", "8,37,100", "9,130,64", "7,2048,40", "16,200,512"})
    void eachRowHasTheBitsItHasAloneAndTheScalarKernelsValuesToRounding(int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(m * 7919L + n * 31L + k);
        float[] a = filled(r, 3 + m * (k + 2));
        float[] w = filled(r, 5 + n * (k + 1));
        float[] c0 = filled(r, 7 + m * (n + 3) + 4);
        for (boolean acc : new boolean[] {false, true}) {
            float[] batched = rows(V, m, n, k, a, w, c0, acc);
            float[] scalar = rows(S, m, n, k, a, w, c0, acc);
            for (int i = 0; i < m; i++) {
                // row i alone: A holds that row only, C that row only, at the same offsets
                float[] ai = new float[3 + (k + 2)];
                System.arraycopy(a, 3 + i * (k + 2), ai, 3, k);
                float[] ci = new float[7 + n + 3];
                System.arraycopy(c0, 7 + i * (n + 3), ci, 7, n);
                float[] alone = rows(V, 1, n, k, ai, w, ci, acc);
                float[] rowOfBatch = Arrays.copyOfRange(batched, 7 + i * (n + 3), 7 + i * (n + 3) + n);
                assertThat(rowOfBatch).as("row %d of %d, accumulate %s", i, m, acc)
                        .isEqualTo(Arrays.copyOfRange(alone, 7, 7 + n));
                for (int j = 0; j < n; j++) {
                    double mag = 0;
                    for (int p = 0; p < k; p++) mag += Math.abs(a[3 + i * (k + 2) + p] * w[5 + j * (k + 1) + p]);
                    int at = 7 + i * (n + 3) + j;
                    double tol = 4 * k * 0x1p-24 * (mag + (acc ? Math.abs(c0[at]) : 0)) + 1e-30;
                    assertThat((double) batched[at]).as("C[%d, %d]", i, j).isCloseTo(scalar[at], within(tol));
                }
            }
            // the padding between rows and after C is untouched
            for (int i = 0; i < m; i++) {
                for (int j = n; j < n + 3; j++) assertThat(batched[7 + i * (n + 3) + j]).isEqualTo(c0[7 + i * (n + 3) + j]);
            }
            for (int x = 0; x < 7; x++) assertThat(batched[x]).isEqualTo(c0[x]);
        }
    }

    @Test
    void aRowsBitsDoNotDependOnItsNeighboursOrOnTheThreadCount() {
        // large enough to be split into parts over threads (m n k >> 2^18)
        int m = 12, n = 1030, k = 515;
        SplittableRandom r = new SplittableRandom(4);
        float[] a = filled(r, 3 + m * (k + 2));
        float[] w = filled(r, 5 + n * (k + 1));
        float[] c0 = new float[7 + m * (n + 3)];
        Parallelism.setThreads(1);
        float[] one = rows(V, m, n, k, a, w, c0, false);
        Parallelism.setThreads(2);
        float[] two = rows(V, m, n, k, a, w, c0, false);
        Parallelism.setThreads(3);
        float[] three = rows(V, m, n, k, a, w, c0, false);
        assertThat(two).isEqualTo(one);
        assertThat(three).isEqualTo(one);
        // other neighbours: the same first row beside rows of other values, in a batch of another size
        float[] b = filled(r, 3 + 5 * (k + 2));
        System.arraycopy(a, 3, b, 3, k);
        float[] other = rows(V, 5, n, k, b, w, new float[7 + 5 * (n + 3)], false);
        assertThat(Arrays.copyOfRange(other, 7, 7 + n)).isEqualTo(Arrays.copyOfRange(one, 7, 7 + n));
    }

    @Test
    void manyRowsOfAnOrdinaryProductDoNotHaveTheirBitsAlone() {
        // Why steps use row panels: past VectorGemm.FEW_ROWS the ordinary product is blocked and at one row it takes
        // dot products, which sum differently (if this ever stops differing, the ordinary product became
        // row-independent and the panels could go).
        int m = 16, n = 64, k = 300;
        SplittableRandom r = new SplittableRandom(8);
        float[] a = filled(r, m * k);
        float[] w = filled(r, n * k);
        float[] many = new float[m * n];
        V.sgemm(Kernel.NO_TRANS, Kernel.TRANS, m, n, k, a, 0, k, w, 0, k, many, 0, n, false);
        float[] alone = new float[n];
        V.sgemm(Kernel.NO_TRANS, Kernel.TRANS, 1, n, k, a, 0, k, w, 0, k, alone, 0, n, false);
        assertThat(Arrays.copyOf(many, n)).isNotEqualTo(alone);
    }

    /**
     * The blocked plan with a packed B is row-independent as well: each entry is the same chain of multiply-adds over
     * k in KC blocks whatever rows share its tile, so row i of a 16-row product equals row i computed alone (one row,
     * through the same packed B), at any thread count. The property a faster batched step would build on
     * (docs/performance.md, "Continuous batching").
     */
    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @CsvSource({"16,2048,512", "9,96,300", "13,130,64"})
    void theBlockedPlanWithAPackedBIsRowIndependentToo(int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(m * 131L + n + k);
        float[] a = filled(r, m * k), w = filled(r, n * k);
        for (int threads = 1; threads <= 2; threads++) {
            Parallelism.setThreads(threads);
            PackedB p = V.newPackedB(Kernel.TRANS, k, n, m, 64);
            assertThat(p.packed).as("a packed B").isNotNull();
            V.pack(p, w, 0, k);
            float[] all = new float[m * n];
            V.sgemm(m, a, 0, k, p, all, 0, n, Kernel.OVERWRITE);
            for (int i = 0; i < m; i++) {
                float[] alone = new float[n];
                V.sgemm(1, a, i * k, k, p, alone, 0, n, Kernel.OVERWRITE);
                assertThat(Arrays.copyOfRange(all, i * n, (i + 1) * n)).as("row %d, %d threads", i, threads)
                        .containsExactly(alone);
            }
        }
    }
}
