package org.rnnlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The scalar kernel against textbook double-precision loops. Sizes are odd on purpose (remainders of the
 * four-way unrolling), matrices sit at offsets inside larger buffers with padded leading dimensions, and the
 * padding must come back untouched.
 */
class ScalarKernelTest {
    private static final Kernel K = Kernel.scalar();
    private static final float PAD = -777f;

    @ParameterizedTest(name = "transA={0} transB={1} accumulate={2} m={3} n={4} k={5}")
    @CsvSource({
        "false,false,false,5,7,9", "false,false,true,5,7,9", "false,true,false,5,7,9", "false,true,true,6,9,11",
        "true,false,false,5,7,9", "true,false,true,7,3,13", "true,true,false,5,7,9", "true,true,true,4,8,4",
        "false,false,true,1,1,1", "false,true,false,1,13,6", "true,false,true,3,5,1", "false,true,true,9,4,0"})
    void sgemmMatchesTheDefinition(boolean transA, boolean transB, boolean accumulate, int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(m * 100 + n * 10 + k);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + 2, ldb = bCols + 3, ldc = n + 1;
        float[] a = filled(r, 3 + aRows * lda);
        float[] b = filled(r, 5 + bRows * ldb);
        float[] c = new float[4 + m * ldc];
        java.util.Arrays.fill(c, PAD);
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[4 + i * ldc + j] = (float) r.nextDouble(-1, 1);
        float[] c0 = c.clone();

        K.sgemm(transA, transB, m, n, k, a, 3, lda, b, 5, ldb, c, 4, ldc, accumulate);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c0[4 + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    double aip = transA ? a[3 + p * lda + i] : a[3 + i * lda + p];
                    double bpj = transB ? b[5 + j * ldb + p] : b[5 + p * ldb + j];
                    s += aip * bpj;
                }
                assertThat((double) c[4 + i * ldc + j]).as("C[%d,%d]", i, j).isCloseTo(s, within(1e-5));
            }
            for (int j = n; j < ldc; j++) assertThat(c[4 + i * ldc + j]).as("padding").isEqualTo(PAD);
        }
        for (int i = 0; i < 4; i++) assertThat(c[i]).as("before C").isEqualTo(PAD);
    }

    @ParameterizedTest(name = "transA={0} accumulate={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void sgemvMatchesTheDefinition(boolean transA, boolean accumulate) {
        SplittableRandom r = new SplittableRandom(11);
        int rows = 7, cols = 10, lda = 12;
        float[] a = filled(r, 2 + rows * lda);
        float[] x = filled(r, 1 + (transA ? rows : cols));
        int ny = transA ? cols : rows;
        float[] y = filled(r, 3 + ny);
        float[] y0 = y.clone();

        K.sgemv(transA, rows, cols, a, 2, lda, x, 1, y, 3, accumulate);

        for (int o = 0; o < ny; o++) {
            double s = accumulate ? y0[3 + o] : 0;
            for (int p = 0; p < (transA ? rows : cols); p++) {
                s += transA ? a[2 + p * lda + o] * (double) x[1 + p] : a[2 + o * lda + p] * (double) x[1 + p];
            }
            assertThat((double) y[3 + o]).isCloseTo(s, within(1e-5));
        }
        assertThat(y[0]).isEqualTo(y0[0]);
    }

    @Test
    void biasBroadcastAndColumnSums() {
        float[] c = {9, 1, 2, 3, 9, 4, 5, 6, 9}; // two rows of three at offset 1, leading dimension 4
        K.addRowVector(2, 3, new float[] {0, 10, 20, 30}, 1, c, 1, 4);
        assertThat(c).containsExactly(9, 11, 22, 33, 9, 14, 25, 36, 9);
        float[] sums = {1, 1, 1};
        K.addColumnSums(2, 3, c, 1, 4, sums, 0);
        assertThat(sums).containsExactly(26, 48, 70);
    }

    @Test
    void tanhAndRelu() {
        float[] x = {-2f, 0f, 0.5f, Float.NaN};
        K.tanh(3, x, 0);
        assertThat(x[0]).isCloseTo((float) Math.tanh(-2), within(0f));
        assertThat(x[2]).isCloseTo((float) Math.tanh(0.5), within(0f));
        float[] y = {-1f, 0f, 2f, Float.NaN, -3f};
        K.relu(4, y, 0);
        assertThat(y[0]).isEqualTo(0f);
        assertThat(y[2]).isEqualTo(2f);
        assertThat(y[3]).isNaN();
        assertThat(y[4]).as("outside the range").isEqualTo(-3f);
    }

    @Test
    void lstmCellFollowsPyTorchsEquations() {
        int batch = 2, hidden = 3;
        SplittableRandom r = new SplittableRandom(5);
        float[] gates = filled(r, batch * 4 * hidden);
        float[] pre = gates.clone();
        float[] cPrev = filled(r, batch * hidden);
        float[] c = new float[batch * hidden];
        float[] h = new float[batch * hidden];
        K.lstmCell(batch, hidden, gates, 0, cPrev, 0, c, 0, h, 0);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int g = b * 4 * hidden + j;
                double i = sig(pre[g]), f = sig(pre[g + hidden]), cand = Math.tanh(pre[g + 2 * hidden]);
                double o = sig(pre[g + 3 * hidden]);
                double cj = f * cPrev[b * hidden + j] + i * cand;
                assertThat((double) gates[g]).isCloseTo(i, within(1e-7));
                assertThat((double) gates[g + 2 * hidden]).isCloseTo(cand, within(1e-7));
                assertThat((double) c[b * hidden + j]).isCloseTo(cj, within(1e-6));
                assertThat((double) h[b * hidden + j]).isCloseTo(o * Math.tanh(cj), within(1e-6));
            }
        }
    }

    @Test
    void gruCellFollowsPyTorchsEquations() {
        int batch = 2, hidden = 3;
        SplittableRandom r = new SplittableRandom(6);
        float[] gx = filled(r, batch * 3 * hidden);
        float[] gh = filled(r, batch * 3 * hidden);
        float[] pre = gx.clone();
        float[] ghBefore = gh.clone();
        float[] hPrev = filled(r, batch * hidden);
        float[] h = new float[batch * hidden];
        K.gruCell(batch, hidden, gx, 0, gh, 0, hPrev, 0, h, 0);
        assertThat(gh).containsExactly(ghBefore);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int g = b * 3 * hidden + j;
                double rr = sig(pre[g] + gh[g]);
                double z = sig(pre[g + hidden] + gh[g + hidden]);
                double n = Math.tanh(pre[g + 2 * hidden] + rr * gh[g + 2 * hidden]);
                double expected = (1 - z) * n + z * hPrev[b * hidden + j];
                assertThat((double) gx[g]).isCloseTo(rr, within(1e-7));
                assertThat((double) gx[g + hidden]).isCloseTo(z, within(1e-7));
                assertThat((double) gx[g + 2 * hidden]).isCloseTo(n, within(1e-6));
                assertThat((double) h[b * hidden + j]).isCloseTo(expected, within(1e-6));
            }
        }
    }

    @Test
    void logSumExpAndSoftmaxAreStableForHugeLogits() {
        float[] x = {0f, 1000f, 999f, -1000f};
        assertThat(K.logSumExp(x, 1, 2)).isCloseTo(1000 + Math.log(1 + Math.exp(-1)), within(1e-9));
        assertThat(K.logSumExp(x, 3, 1)).isEqualTo(-1000.0);
        assertThat(K.logSumExp(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 0, 2))
                .isEqualTo(Double.NEGATIVE_INFINITY);
        float[] p = new float[3];
        K.softmax(x, 1, 3, p, 0);
        assertThat((double) p[0]).isCloseTo(1 / (1 + Math.exp(-1)), within(1e-7));
        assertThat((double) p[1]).isCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), within(1e-7));
        assertThat(p[2]).isEqualTo(0f);
        K.softmax(x, 0, 4, x, 0);
        assertThat(x[0] + x[1] + x[2] + x[3]).isCloseTo(1f, within(1e-6f));
    }

    /**
     * The backward cells against centred differences of the same cells written in double here, for the loss
     * {@code sum(wh * h) + sum(wc * c)}: every gradient entry within 1e-5 (the kernel works in float, the difference
     * quotient with step 1e-5 is good to about 1e-9).
     */
    @Test
    void lstmCellBackwardIsTheGradientOfTheCell() {
        int batch = 2, hh = 3, bh = batch * hh;
        SplittableRandom r = new SplittableRandom(12);
        float[] pre = filled(r, 4 * bh, 2), cPrev = filled(r, bh, 2), dOut = filled(r, bh), dh = filled(r, bh);
        float[] dc = filled(r, bh);
        double[] wh = new double[bh], wc = toDoubles(dc);
        for (int i = 0; i < bh; i++) wh[i] = dh[i] + dOut[i]; // what reaches h
        float[] gates = pre.clone(), c = new float[bh], h = new float[bh], dG = new float[4 * bh];
        K.lstmCell(batch, hh, gates, 0, cPrev, 0, c, 0, h, 0);
        K.lstmCellBackward(batch, hh, gates, 0, c, 0, cPrev, 0, dh, 0, dOut, 0, dc, 0, dG, 0);
        double[] a0 = toDoubles(pre), c0 = toDoubles(cPrev);
        for (int i = 0; i < a0.length; i++) {
            assertThat((double) dG[i]).as("dGates[%d]", i)
                    .isCloseTo(centred(a -> lstmLoss(batch, hh, a, c0, wh, wc), a0, i), within(1e-5));
        }
        for (int i = 0; i < bh; i++) {
            assertThat((double) dc[i]).as("dc_prev[%d]", i)
                    .isCloseTo(centred(cp -> lstmLoss(batch, hh, a0, cp, wh, wc), c0, i), within(1e-5));
        }
    }

    private static double lstmLoss(int batch, int hh, double[] a, double[] cPrev, double[] wh, double[] wc) {
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hh; j++) {
                int g = b * 4 * hh + j, s = b * hh + j;
                double i = sig(a[g]), f = sig(a[g + hh]), cand = Math.tanh(a[g + 2 * hh]), o = sig(a[g + 3 * hh]);
                double c = f * cPrev[s] + i * cand;
                loss += wh[s] * o * Math.tanh(c) + wc[s] * c;
            }
        }
        return loss;
    }

    @Test
    void gruCellBackwardIsTheGradientOfTheCell() {
        int batch = 2, hh = 3, bh = batch * hh;
        SplittableRandom r = new SplittableRandom(13);
        float[] gx = filled(r, 3 * bh), gh = filled(r, 3 * bh), hPrev = filled(r, bh), dOut = filled(r, bh);
        float[] dh = filled(r, bh);
        double[] w = new double[bh];
        for (int i = 0; i < bh; i++) w[i] = dh[i] + dOut[i];
        float[] act = gx.clone(), h = new float[bh];
        K.gruCell(batch, hh, act, 0, gh, 0, hPrev, 0, h, 0);
        float[] dGx = new float[3 * bh], dGh = new float[3 * bh];
        K.gruCellBackward(batch, hh, act, 0, gh, 0, hPrev, 0, dh, 0, dOut, 0, dGx, dGh, 0);
        double[] x0 = toDoubles(gx), y0 = toDoubles(gh), p0 = toDoubles(hPrev);
        for (int i = 0; i < 3 * bh; i++) {
            assertThat((double) dGx[i]).as("dGx[%d]", i).isCloseTo(centred(x -> gruLoss(batch, hh, x, y0, p0, w), x0, i), within(1e-5));
            assertThat((double) dGh[i]).as("dGh[%d]", i).isCloseTo(centred(y -> gruLoss(batch, hh, x0, y, p0, w), y0, i), within(1e-5));
        }
        for (int i = 0; i < bh; i++) {
            assertThat((double) dh[i]).as("dh_prev through z [%d]", i)
                    .isCloseTo(centred(p -> gruLoss(batch, hh, x0, y0, p, w), p0, i), within(1e-5));
        }
    }

    private static double gruLoss(int batch, int hh, double[] gx, double[] gh, double[] hPrev, double[] w) {
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hh; j++) {
                int g = b * 3 * hh + j, s = b * hh + j;
                double rr = sig(gx[g] + gh[g]), z = sig(gx[g + hh] + gh[g + hh]);
                double n = Math.tanh(gx[g + 2 * hh] + rr * gh[g + 2 * hh]);
                loss += w[s] * ((1 - z) * n + z * hPrev[s]);
            }
        }
        return loss;
    }

    @Test
    void activationBackwardsAndTheCrossEntropyGradient() {
        float[] dA = new float[3];
        K.tanhBackward(2, new float[] {0f, 0.5f, -0.5f}, 1, new float[] {1f, 2f}, 0, new float[] {0f, 1f, 1f}, 1, dA, 1);
        assertThat(dA).containsExactly(0f, 2f * 0.75f, 3f * 0.75f);
        K.reluBackward(3, new float[] {0f, 2f, -1f}, 0, new float[] {1f, 1f, 1f}, 0, new float[] {1f, 1f, 1f}, 0, dA, 0);
        assertThat(dA).as("0 at 0, as PyTorch").containsExactly(0f, 2f, 0f);
        SplittableRandom r = new SplittableRandom(14);
        int rows = 3, v = 5;
        float[] logits = filled(r, rows * v);
        int[] targets = {4, 0, 2};
        double[] lse = new double[rows];
        for (int i = 0; i < rows; i++) lse[i] = K.logSumExp(logits, i * v, v);
        float[] d = new float[rows * v];
        K.softmaxCrossEntropyBackward(rows, v, logits, targets, lse, 0.5, d);
        double[] x0 = toDoubles(logits);
        for (int i = 0; i < d.length; i++) {
            double want = centred(x -> {
                double loss = 0;
                for (int row = 0; row < rows; row++) {
                    double sum = 0;
                    for (int j = 0; j < v; j++) sum += Math.exp(x[row * v + j]);
                    loss += 0.5 * (Math.log(sum) - x[row * v + targets[row]]);
                }
                return loss;
            }, x0, i);
            assertThat((double) d[i]).as("dLogits[%d]", i).isCloseTo(want, within(1e-6));
        }
    }

    private static double centred(java.util.function.ToDoubleFunction<double[]> f, double[] x, int i) {
        double step = 1e-5;
        double[] p = x.clone(), m = x.clone();
        p[i] += step;
        m[i] -= step;
        return (f.applyAsDouble(p) - f.applyAsDouble(m)) / (2 * step);
    }

    private static float[] toFloats(double[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (float) x[i];
        return y;
    }

    private static double[] toDoubles(float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i];
        return y;
    }

    private static double sig(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static float[] filled(SplittableRandom r, int n) {
        return filled(r, n, 1);
    }

    static float[] filled(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (scale * r.nextDouble(-1, 1));
        return x;
    }
}
