package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every method of the vector kernel against its scalar twin ({@link ScalarKernel}), at sizes around the vector
 * width L (1, L - 1, L + 1, odd sizes: every loop's tail), at offsets inside larger buffers whose padding must come
 * back untouched, and for products with one and two threads.
 *
 * <p>Tolerances, from float rounding: products within {@code 4 k 2^-24 sum_p |a_ip b_pj|} of the exact (double)
 * sum, the bound of a k-term float sum in any order; sums of rows exactly (both kernels add in the same order);
 * activations within 4 ulp of the scalar result, which itself is within 1 ulp of exact while the vector
 * polynomials are within 2-3 ({@code VectorMathTest}), plus what an input error costs where an input is itself
 * computed (GRU's n); compositions of a few such values (cell states, gradients)
 * within {@code 1e-6 (1 + |x|)}, i.e. some 8 ulp of 1 for the O(1) values of a cell.
 */
class VectorKernelTest {
    private static final Kernel V = Kernel.named("vector");
    private static final Kernel S = Kernel.scalar();
    private static final int L = VectorGemm.L;
    private static final float PAD = -777f;
    private static final int THREADS = Parallelism.threads();

    @AfterEach
    void restoreThreads() {
        Parallelism.setThreads(THREADS);
    }

    private static int[] sizes() {
        return new int[] {1, 2, L - 1, L, L + 1, 2 * L + 3, 37, 100};
    }

    static float[] filled(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (scale * r.nextDouble(-1, 1));
        return x;
    }

    private static void near(float got, float want, double tol, String what) {
        if (Float.isNaN(want)) {
            assertThat(got).as(what).isNaN();
        } else {
            assertThat((double) got).as(what).isCloseTo(want, within(tol));
        }
    }

    private static void ulps(float got, float want, int ulps, String what) {
        near(got, want, ulps * Math.ulp(want), what);
    }

    // ---------------------------------------------------------------------------------------------- products

    @ParameterizedTest(name = "m={0} n={1} k={2} threads={3}")
    @CsvSource({"1,1,1,1", "1,300,77,2", "2,2048,512,2", "3,70,129,2", "4,513,64,2", "5,7,3,1", "13,47,300,2",
        "32,1024,256,2", "37,96,64,2", "100,33,257,2", "300,64,1024,2", "64,200,0,2", "1,2048,512,1"})
    void sgemmMatchesTheExactProductForEveryLayout(int m, int n, int k, int threads) {
        Parallelism.setThreads(threads);
        SplittableRandom r = new SplittableRandom(m * 1_000_003L + n * 1009L + k);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (boolean acc : new boolean[] {false, true}) {
                    checkProduct(V, r, ta, tb, acc, m, n, k);
                }
            }
        }
    }

    /** Runs {@code sgemm} at offsets with padded leading dimensions and checks every entry and the padding. */
    static void checkProduct(Kernel kernel, SplittableRandom r, boolean ta, boolean tb, boolean acc, int m, int n, int k) {
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + 3, ldb = bCols + 1, ldc = n + 5;
        float[] a = filled(r, 2 + aRows * lda, 1);
        float[] b = filled(r, 7 + bRows * ldb, 1);
        float[] c = new float[4 + m * ldc + 3];
        Arrays.fill(c, PAD);
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[4 + i * ldc + j] = (float) r.nextDouble(-1, 1);
        float[] before = c.clone();
        kernel.sgemm(ta, tb, m, n, k, a, 2, lda, b, 7, ldb, c, 4, ldc, acc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, mag = 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? a[2 + p * lda + i] : a[2 + i * lda + p];
                    double y = tb ? b[7 + j * ldb + p] : b[7 + p * ldb + j];
                    sum += x * y;
                    mag += Math.abs(x * y);
                }
                int at = 4 + i * ldc + j;
                double want = acc ? before[at] + sum : sum;
                double tol = 4 * Math.max(k, 1) * 0x1p-24 * (mag + Math.abs(before[at])) + 1e-30;
                assertThat((double) c[at]).as("ta=%s tb=%s acc=%s C[%d,%d]", ta, tb, acc, i, j)
                        .isCloseTo(want, within(tol));
            }
            for (int j = n; j < ldc; j++) assertThat(c[4 + i * ldc + j]).as("padding").isEqualTo(before[4 + i * ldc + j]);
        }
        for (int i = 0; i < 4; i++) assertThat(c[i]).as("before C").isEqualTo(PAD);
    }

    @ParameterizedTest(name = "rows={0} threads={1}")
    @CsvSource({"1,1", "3,2", "32,1", "32,2", "37,2", "64,2"})
    void packedOperandGivesTheSameProductAsTheMatrix(int rows, int threads) {
        Parallelism.setThreads(threads);
        SplittableRandom r = new SplittableRandom(rows);
        for (boolean tb : new boolean[] {false, true}) {
            int k = 300, n = 200, ldb = (tb ? k : n) + 2;
            float[] b = filled(r, 5 + (tb ? n : k) * ldb, 1);
            for (Kernel kernel : new Kernel[] {V, S}) {
                for (int uses : new int[] {1, 64}) {
                    PackedB p = kernel.newPackedB(tb, k, n, rows, uses);
                    kernel.pack(p, b, 5, ldb);
                    int lda = k + 1, ldc = n + 3;
                    float[] a = filled(r, 1 + rows * lda, 1);
                    float[] c = filled(r, 2 + rows * ldc, 1);
                    float[] direct = c.clone();
                    kernel.sgemm(rows, a, 1, lda, p, c, 2, ldc, true);
                    S.sgemm(false, tb, rows, n, k, a, 1, lda, b, 5, ldb, direct, 2, ldc, true);
                    for (int i = 0; i < c.length; i++) {
                        near(c[i], direct[i], 1e-4, kernel.name() + " tb=" + tb + " uses=" + uses + " at " + i);
                    }
                }
            }
        }
        assertThat(V.newPackedB(true, 300, 200, 32, 1).isCopy()).as("the vector kernel copies for many rows").isTrue();
        assertThat(V.newPackedB(true, 300, 200, 1, 64).isCopy()).as("transposes for one row and many uses").isTrue();
        assertThat(V.newPackedB(true, 300, 200, 1, 1).isCopy()).as("not for one row used once").isFalse();
        assertThat(V.newPackedB(false, 300, 200, 1, 64).isCopy()).as("nor when B is not transposed").isFalse();
        assertThat(S.newPackedB(true, 300, 200, 32, 64).isCopy()).isFalse();
    }

    @Test
    void copyOpTransposesExactlyWithEveryEdge() {
        SplittableRandom r = new SplittableRandom(8);
        int[][] shapes = {{1, 1}, {7, 9}, {8, 8}, {9, 7}, {16, 24}, {13, 37}, {64, 17}, {128, 512}, {300, 200}};
        for (int[] kn : shapes) {
            int k = kn[0], n = kn[1];
            for (int extra : new int[] {0, 3}) {
                int ldb = k + extra, off = extra * 2;
                float[] b = filled(r, off + n * ldb, 1);
                float[] out = new float[k * n];
                VectorGemm.copyOp(true, k, n, b, off, ldb, out);
                for (int p = 0; p < k; p++) {
                    for (int j = 0; j < n; j++) {
                        if (out[p * n + j] != b[off + j * ldb + p]) {
                            throw new AssertionError("k=" + k + " n=" + n + " ldb=" + ldb + ": op(B)[" + p + "," + j
                                    + "] = " + out[p * n + j] + ", B[" + j + "," + p + "] = " + b[off + j * ldb + p]);
                        }
                    }
                }
                float[] copy = new float[k * n];
                float[] plain = filled(r, off + k * (n + extra), 1);
                VectorGemm.copyOp(false, k, n, plain, off, n + extra, copy);
                for (int p = 0; p < k; p++) {
                    for (int j = 0; j < n; j++) assertThat(copy[p * n + j]).isEqualTo(plain[off + p * (n + extra) + j]);
                }
            }
        }
    }

    @ParameterizedTest(name = "transA={0} accumulate={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void sgemvMatchesTheScalarKernel(boolean transA, boolean accumulate) {
        SplittableRandom r = new SplittableRandom(11);
        for (int rows : sizes()) {
            for (int cols : new int[] {1, L + 1, 100, 513}) {
                int lda = cols + 2;
                float[] a = filled(r, 2 + rows * lda, 1);
                float[] x = filled(r, 1 + (transA ? rows : cols), 1);
                int ny = transA ? cols : rows;
                float[] y = filled(r, 3 + ny + 2, 1);
                float[] want = y.clone();
                V.sgemv(transA, rows, cols, a, 2, lda, x, 1, y, 3, accumulate);
                S.sgemv(transA, rows, cols, a, 2, lda, x, 1, want, 3, accumulate);
                double tol = 4 * Math.max(rows, cols) * 0x1p-24 * Math.max(rows, cols);
                for (int i = 0; i < y.length; i++) near(y[i], want[i], tol, rows + "x" + cols + " y[" + i + "]");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- broadcasts

    @Test
    void biasBroadcastAndColumnSumsEqualTheScalarOnesExactly() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : sizes()) {
            int rows = 5, ld = n + 3;
            float[] v = filled(r, n + 1, 1);
            float[] c = filled(r, 2 + rows * ld, 1);
            float[] cs = c.clone();
            V.addRowVector(rows, n, v, 1, c, 2, ld);
            S.addRowVector(rows, n, v, 1, cs, 2, ld);
            assertThat(c).containsExactly(cs);
            float[] sums = filled(r, n + 2, 1);
            float[] ss = sums.clone();
            V.addColumnSums(rows, n, c, 2, ld, sums, 1);
            S.addColumnSums(rows, n, c, 2, ld, ss, 1);
            assertThat(sums).containsExactly(ss);
        }
    }

    // ---------------------------------------------------------------------------------------------- activations

    @Test
    void tanhAndReluMatchTheScalarKernel() {
        SplittableRandom r = new SplittableRandom(4);
        for (int n : sizes()) {
            float[] x = filled(r, n + 4, 6);
            x[1] = Float.NaN;
            if (n > 2) x[3] = -0f;
            float[] vx = x.clone(), sx = x.clone();
            V.tanh(n, vx, 1);
            S.tanh(n, sx, 1);
            for (int i = 0; i < x.length; i++) ulps(vx[i], sx[i], 4, "tanh n=" + n + " at " + i);
            vx = x.clone();
            sx = x.clone();
            V.relu(n, vx, 1);
            S.relu(n, sx, 1);
            assertThat(vx).containsExactly(sx);
        }
    }

    @Test
    void lstmCellMatchesTheScalarKernel() {
        SplittableRandom r = new SplittableRandom(5);
        for (int hidden : sizes()) {
            int batch = 3;
            float[] gates = filled(r, 1 + batch * 4 * hidden, 4);
            float[] cPrev = filled(r, 2 + batch * hidden, 2);
            float[] c = new float[3 + batch * hidden], h = new float[batch * hidden + 1];
            float[] vg = gates.clone(), vc = c.clone(), vh = h.clone();
            S.lstmCell(batch, hidden, gates, 1, cPrev, 2, c, 3, h, 0);
            V.lstmCell(batch, hidden, vg, 1, cPrev, 2, vc, 3, vh, 0);
            for (int i = 0; i < gates.length; i++) ulps(vg[i], gates[i], 4, "activation " + i);
            for (int i = 0; i < c.length; i++) near(vc[i], c[i], 1e-6 * (1 + Math.abs(c[i])), "c " + i);
            for (int i = 0; i < h.length; i++) near(vh[i], h[i], 1e-6, "h " + i);
        }
    }

    @Test
    void gruCellMatchesTheScalarKernel() {
        SplittableRandom r = new SplittableRandom(6);
        for (int hidden : sizes()) {
            int batch = 3;
            float[] gx = filled(r, 2 + batch * 3 * hidden, 4), gh = filled(r, 1 + batch * 3 * hidden, 4);
            float[] hPrev = filled(r, batch * hidden, 1);
            float[] h = new float[4 + batch * hidden];
            float[] vgx = gx.clone(), vh = h.clone();
            S.gruCell(batch, hidden, gx, 2, gh, 1, hPrev, 0, h, 4);
            V.gruCell(batch, hidden, vgx, 2, gh, 1, hPrev, 0, vh, 4);
            // n = tanh(gx_n + r gh_n) inherits r's few-ulp error times |gh| <= 4: 1e-6 absolute
            for (int i = 0; i < gx.length; i++) near(vgx[i], gx[i], 4 * Math.ulp(gx[i]) + 1e-6, "activation " + i);
            for (int i = 0; i < h.length; i++) near(vh[i], h[i], 1e-6, "h " + i);
        }
    }

    // ---------------------------------------------------------------------------------------------- backward

    @Test
    void lstmCellBackwardMatchesTheScalarKernel() {
        SplittableRandom r = new SplittableRandom(7);
        for (int hidden : sizes()) {
            int batch = 2, bh = batch * hidden;
            float[] gates = filled(r, 4 * bh, 4);
            float[] cPrev = filled(r, bh, 2), c = new float[bh], h = new float[bh];
            S.lstmCell(batch, hidden, gates, 0, cPrev, 0, c, 0, h, 0); // gates now hold activations
            float[] dh = filled(r, bh + 1, 1), dOut = filled(r, bh + 2, 1), dc = filled(r, bh + 3, 1);
            float[] dG = new float[4 * bh + 5], vdG = dG.clone(), vdc = dc.clone();
            S.lstmCellBackward(batch, hidden, gates, 0, c, 0, cPrev, 0, dh, 1, dOut, 2, dc, 3, dG, 5);
            V.lstmCellBackward(batch, hidden, gates, 0, c, 0, cPrev, 0, dh, 1, dOut, 2, vdc, 3, vdG, 5);
            for (int i = 0; i < dG.length; i++) near(vdG[i], dG[i], 1e-6 * (1 + Math.abs(dG[i])), "dGates " + i);
            for (int i = 0; i < dc.length; i++) near(vdc[i], dc[i], 1e-6 * (1 + Math.abs(dc[i])), "dc " + i);
        }
    }

    @Test
    void gruCellBackwardMatchesTheScalarKernel() {
        SplittableRandom r = new SplittableRandom(8);
        for (int hidden : sizes()) {
            int batch = 2, bh = batch * hidden;
            float[] gx = filled(r, 3 * bh, 4), gh = filled(r, 3 * bh, 4), hPrev = filled(r, bh, 1), h = new float[bh];
            S.gruCell(batch, hidden, gx, 0, gh, 0, hPrev, 0, h, 0);
            float[] dh = filled(r, bh + 1, 1), dOut = filled(r, bh, 1), vdh = dh.clone();
            float[] dGx = new float[3 * bh + 2], dGh = new float[3 * bh + 2], vdGx = dGx.clone(), vdGh = dGh.clone();
            S.gruCellBackward(batch, hidden, gx, 0, gh, 0, hPrev, 0, dh, 1, dOut, 0, dGx, dGh, 2);
            V.gruCellBackward(batch, hidden, gx, 0, gh, 0, hPrev, 0, vdh, 1, dOut, 0, vdGx, vdGh, 2);
            for (int i = 0; i < dGx.length; i++) near(vdGx[i], dGx[i], 1e-6 * (1 + Math.abs(dGx[i])), "dGx " + i);
            for (int i = 0; i < dGh.length; i++) near(vdGh[i], dGh[i], 1e-6 * (1 + Math.abs(dGh[i])), "dGh " + i);
            for (int i = 0; i < dh.length; i++) near(vdh[i], dh[i], 1e-6 * (1 + Math.abs(dh[i])), "dh " + i);
        }
    }

    @Test
    void activationBackwardsMatchTheScalarKernel() {
        SplittableRandom r = new SplittableRandom(9);
        for (int n : sizes()) {
            float[] h = filled(r, n + 1, 1), dh = filled(r, n + 2, 1), dOut = filled(r, n, 1);
            if (n > 1) h[2] = 0f;
            float[] dA = new float[n + 3], vdA = dA.clone();
            S.tanhBackward(n, h, 1, dh, 2, dOut, 0, dA, 3);
            V.tanhBackward(n, h, 1, dh, 2, dOut, 0, vdA, 3);
            for (int i = 0; i < dA.length; i++) near(vdA[i], dA[i], 1e-6, "tanh' " + i);
            S.reluBackward(n, h, 1, dh, 2, dOut, 0, dA, 3);
            V.reluBackward(n, h, 1, dh, 2, dOut, 0, vdA, 3);
            assertThat(vdA).containsExactly(dA);
        }
    }

    // ---------------------------------------------------------------------------------------------- softmax

    @ParameterizedTest
    @ValueSource(doubles = {1, 30, 1000})
    void logSumExpSoftmaxAndCrossEntropyGradientMatchTheScalarKernel(double scale) {
        SplittableRandom r = new SplittableRandom(10);
        for (int n : sizes()) {
            float[] x = filled(r, n + 2, scale);
            // lse is O(max |x|); a float sum of n exponentials is good to n 2^-24 relative, log turns that absolute
            assertThat(V.logSumExp(x, 1, n)).as("n=" + n).isCloseTo(S.logSumExp(x, 1, n), within(2e-7 * (n + Math.abs(S.logSumExp(x, 1, n)))));
            float[] p = new float[n + 1], vp = p.clone();
            S.softmax(x, 1, n, p, 1);
            V.softmax(x, 1, n, vp, 1);
            // relative error: float rounding of x - max (up to 2^-24 |x - max|, which exp turns relative), exp's
            // own 2 ulp, and the n-term float sum
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 1; i <= n; i++) max = Math.max(max, x[i]);
            for (int i = 1; i <= n; i++) {
                near(vp[i], p[i], p[i] * (0x1p-23 * (Math.abs(x[i] - max) + 4 + n)), "softmax " + i);
            }
            assertThat(vp[0]).isEqualTo(0f);
            float[] in = x.clone();
            V.softmax(in, 1, n, in, 1);
            for (int i = 1; i <= n; i++) assertThat(in[i]).as("in place").isEqualTo(vp[i]);
        }
        int rows = 4, v = 37;
        float[] logits = filled(r, rows * v, scale);
        int[] targets = {0, 36, 5, 5};
        double[] lse = new double[rows];
        for (int i = 0; i < rows; i++) lse[i] = S.logSumExp(logits, i * v, v);
        float[] d = new float[rows * v], vd = d.clone();
        S.softmaxCrossEntropyBackward(rows, v, logits, targets, lse, 0.25, d);
        V.softmaxCrossEntropyBackward(rows, v, logits, targets, lse, 0.25, vd);
        for (int i = 0; i < d.length; i++) near(vd[i], d[i], 1e-6 * Math.abs(d[i]) + 1e-9, "dLogits " + i);
    }

    @Test
    void specialValuesBehaveAsInTheScalarKernel() {
        float[] x = {0f, 1000f, 999f, -1000f};
        assertThat(V.logSumExp(x, 1, 2)).isCloseTo(1000 + Math.log(1 + Math.exp(-1)), within(1e-4));
        assertThat(V.logSumExp(x, 3, 1)).isEqualTo(-1000.0);
        float[] ninf = new float[40];
        Arrays.fill(ninf, Float.NEGATIVE_INFINITY);
        assertThat(V.logSumExp(ninf, 0, 40)).isEqualTo(Double.NEGATIVE_INFINITY);
        ninf[17] = Float.NaN;
        assertThat(V.logSumExp(ninf, 0, 40)).isNaN();
        float[] p = new float[3];
        V.softmax(x, 1, 3, p, 0);
        assertThat(p[2]).isEqualTo(0f);
        assertThat(p[0] + p[1]).isCloseTo(1f, within(1e-6f));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 1023, 1024, 1025, 3000, 70_001})
    void sumOfSquaresIsTheDoubleSumToRoundingWhateverTheSize(int n) {
        float[] x = filled(new SplittableRandom(n), n + 5, 3);
        double exact = 0;
        for (int i = 0; i < n; i++) exact += (double) x[i + 5] * x[i + 5];
        double tol = 1e-6 * exact + 1e-300;
        assertThat(S.sumOfSquares(x, 5, n)).isCloseTo(exact, within(1e-12 * exact + 1e-300));
        assertThat(V.sumOfSquares(x, 5, n)).isCloseTo(exact, within(tol));
        assertThat(V.sumOfSquares(x, 5, n)).as("the same every time").isEqualTo(V.sumOfSquares(x, 5, n));
    }

    @Test
    void sumOfSquaresOverflowsOnlyWhereTheDoubleSumDoes() {
        float[] big = new float[4096];
        Arrays.fill(big, 1e30f); // each square overflows float, not double
        double want = 4096 * ((double) 1e30f * 1e30f);
        assertThat(V.sumOfSquares(big, 0, big.length)).isCloseTo(want, within(1e-12 * want));
        assertThat(S.sumOfSquares(big, 0, big.length)).isCloseTo(want, within(1e-12 * want));
        big[2000] = Float.NaN;
        assertThat(V.sumOfSquares(big, 0, big.length)).isNaN();
        big[2000] = Float.POSITIVE_INFINITY;
        assertThat(V.sumOfSquares(big, 0, big.length)).isInfinite();
    }
}
