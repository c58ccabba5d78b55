package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rnnlab.util.Rng;

/**
 * {@link VectorGemm} against a plain double-precision triple loop, for every transpose combination, with offsets,
 * padded leading dimensions, accumulation and sizes that hit every plan (few rows: dot products or row
 * combinations; small; blocked) and every edge of the blocking (not multiples of MR, NR, KC; leftover rows of 1
 * to 11). The tolerance is float32 summation error: each entry within {@code 4 k 2^-24 sum_p |a_ip b_pj|}.
 */
class VectorGemmTest {
    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @CsvSource({"1,1,1", "3,5,7", "6,32,8", "7,33,300", "97,65,257", "200,130,600", "1,512,128", "40,512,128", "13,1,700",
        "2,37,300", "4,100,513", "5,40,40", "29,70,513", "32,96,64", "25,33,129", "12,32,256", "11,31,257"})
    void matchesTheReferenceForEveryLayout(int m, int n, int k) {
        Rng rng = new Rng(m * 1000L + n * 10L + k);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (boolean acc : new boolean[] {false, true}) {
                    check(rng, ta, tb, acc, m, n, k);
                }
            }
        }
    }

    private static float[] random(Rng rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    private static void check(Rng rng, boolean ta, boolean tb, boolean acc, int m, int n, int k) {
        int aRows = ta ? k : m;
        int aCols = ta ? m : k;
        int bRows = tb ? n : k;
        int bCols = tb ? k : n;
        int lda = aCols + 3;
        int ldb = bCols + 1;
        int ldc = n + 5;
        int aOff = 2;
        int bOff = 7;
        int cOff = 4;
        float[] a = random(rng, aOff + aRows * lda);
        float[] b = random(rng, bOff + bRows * ldb);
        float[] c = random(rng, cOff + m * ldc);
        float[] before = c.clone();
        VectorGemm.sgemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double mag = 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double y = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += x * y;
                    mag += Math.abs(x * y);
                }
                int at = cOff + i * ldc + j;
                double want = acc ? before[at] + sum : sum;
                double tol = 4 * Math.max(k, 1) * 0x1p-24 * (mag + Math.abs(before[at])) + 1e-30;
                assertThat((double) c[at]).as("ta=%s tb=%s acc=%s C[%d,%d]", ta, tb, acc, i, j).isCloseTo(want,
                        org.assertj.core.data.Offset.offset(tol));
            }
            // Padding between rows of C is never written.
            for (int j = n; j < ldc && i < m - 1; j++) {
                assertThat(c[cOff + i * ldc + j]).isEqualTo(before[cOff + i * ldc + j]);
            }
        }
        assertThat(c[cOff - 1]).isEqualTo(before[cOff - 1]);
    }
}
