package org.rnnlab.kernel;

import java.util.Arrays;

/**
 * The plain-Java {@link Kernel}: single-threaded loops, no SIMD intrinsics. It is the fallback on every JVM and
 * the reference faster kernels are tested against, so it favours obviously-right code; its only speed concern
 * is memory order. Every inner loop walks contiguous memory, so HotSpot can auto-vectorise the axpy loops:
 * <ul>
 *   <li>{@code C += A B} (no transposes) runs i-k-j: row i of C is updated from rows of B, four at a time to
 *       cut the loads and stores of C by four;</li>
 *   <li>{@code C += A^T B} (weight gradients) runs k-i-j, again streaming rows of B and C;</li>
 *   <li>{@code C = A B^T} (every forward projection: PyTorch stores weights (out, in)) is a dot product of two
 *       contiguous rows, computed for four rows of B at once so four independent sums are in flight.</li>
 * </ul>
 * Nonlinearities go through {@code double} ({@link Math#exp}, {@link Math#tanh}) and round once to float,
 * which is at least as accurate as PyTorch's float32 versions.
 */
public final class ScalarKernel implements Kernel {
    static final ScalarKernel INSTANCE = new ScalarKernel();

    private ScalarKernel() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (!transB) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            if (transA) gemmTN(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            else gemmNN(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else if (!transA) {
            for (int i = 0; i < m; i++) {
                dots(n, k, b, bOff, ldb, a, aOff + i * lda, c, cOff + i * ldc, accumulate);
            }
        } else {
            gemmTT(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        }
    }

    /** C (m, n) += A (m, k) B (k, n), i-k-j. */
    private static void gemmNN(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            int ai = aOff + i * lda;
            int p = 0;
            for (; p + 4 <= k; p += 4) {
                float a0 = a[ai + p], a1 = a[ai + p + 1], a2 = a[ai + p + 2], a3 = a[ai + p + 3];
                int b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
                }
            }
            for (; p < k; p++) {
                float ap = a[ai + p];
                int bp = bOff + p * ldb;
                for (int j = 0; j < n; j++) c[ci + j] += ap * b[bp + j];
            }
        }
    }

    /** C (m, n) += A^T B with A stored (k, m) and B (k, n), k-i-j. */
    private static void gemmTN(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            int a0 = aOff + p * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            int b0 = bOff + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            for (int i = 0; i < m; i++) {
                float x0 = a[a0 + i], x1 = a[a1 + i], x2 = a[a2 + i], x3 = a[a3 + i];
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
                }
            }
        }
        for (; p < k; p++) {
            int ap = aOff + p * lda;
            int bp = bOff + p * ldb;
            for (int i = 0; i < m; i++) {
                float x = a[ap + i];
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) c[ci + j] += x * b[bp + j];
            }
        }
    }

    /** C (m, n) (+)= A^T B^T with A stored (k, m) and B (n, k): rare, so the plain triple loop. */
    private static void gemmTT(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) s += a[aOff + p * lda + i] * b[bOff + j * ldb + p];
                int cij = cOff + i * ldc + j;
                c[cij] = accumulate ? c[cij] + s : s;
            }
        }
    }

    /**
     * {@code y[r] (+)= dot(M[r, :], x)} for the rows of M (rows, len): four rows at a time, so that one load of
     * x feeds four independent sums.
     */
    private static void dots(int rows, int len, float[] mat, int mOff, int ldm, float[] x, int xOff,
                             float[] y, int yOff, boolean accumulate) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int m0 = mOff + r * ldm, m1 = m0 + ldm, m2 = m1 + ldm, m3 = m2 + ldm;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int p = 0; p < len; p++) {
                float xp = x[xOff + p];
                s0 += mat[m0 + p] * xp;
                s1 += mat[m1 + p] * xp;
                s2 += mat[m2 + p] * xp;
                s3 += mat[m3 + p] * xp;
            }
            int o = yOff + r;
            if (accumulate) {
                y[o] += s0;
                y[o + 1] += s1;
                y[o + 2] += s2;
                y[o + 3] += s3;
            } else {
                y[o] = s0;
                y[o + 1] = s1;
                y[o + 2] = s2;
                y[o + 3] = s3;
            }
        }
        for (; r < rows; r++) {
            int mr = mOff + r * ldm;
            float s = 0f;
            for (int p = 0; p < len; p++) s += mat[mr + p] * x[xOff + p];
            y[yOff + r] = accumulate ? y[yOff + r] + s : s;
        }
    }

    /** Four rows of W at a time (its bytes read once for all m rows of A), each entry's sum in order of p. */
    @Override
    public void gemmInt8(int m, float[] a, int aOff, int lda, Int8Matrix w, float[] c, int cOff, int ldc,
                         boolean accumulate) {
        gemmInt8Rows(m, a, aOff, lda, w, 0, w.rows(), c, cOff, ldc, accumulate);
    }

    /** {@link #gemmInt8} for rows {@code j0 <= j < j1} of W (columns of C) only. */
    static void gemmInt8Rows(int m, float[] a, int aOff, int lda, Int8Matrix w, int j0, int n, float[] c, int cOff,
                             int ldc, boolean accumulate) {
        int k = w.cols();
        byte[] q = w.q;
        float[] scale = w.scale;
        int j = j0;
        for (; j + 4 <= n; j += 4) {
            int q0 = j * k, q1 = q0 + k, q2 = q1 + k, q3 = q2 + k;
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * lda;
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                for (int p = 0; p < k; p++) {
                    float x = a[ai + p];
                    s0 += q[q0 + p] * x;
                    s1 += q[q1 + p] * x;
                    s2 += q[q2 + p] * x;
                    s3 += q[q3 + p] * x;
                }
                int o = cOff + i * ldc + j;
                c[o] = accumulate ? c[o] + scale[j] * s0 : scale[j] * s0;
                c[o + 1] = accumulate ? c[o + 1] + scale[j + 1] * s1 : scale[j + 1] * s1;
                c[o + 2] = accumulate ? c[o + 2] + scale[j + 2] * s2 : scale[j + 2] * s2;
                c[o + 3] = accumulate ? c[o + 3] + scale[j + 3] * s3 : scale[j + 3] * s3;
            }
        }
        for (; j < n; j++) {
            int qj = j * k;
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * lda;
                float s = 0f;
                for (int p = 0; p < k; p++) s += q[qj + p] * a[ai + p];
                int o = cOff + i * ldc + j;
                c[o] = accumulate ? c[o] + scale[j] * s : scale[j] * s;
            }
        }
    }

    @Override
    public void sgemv(boolean transA, int rows, int cols, float[] a, int aOff, int lda,
                      float[] x, int xOff, float[] y, int yOff, boolean accumulate) {
        if (!transA) {
            dots(rows, cols, a, aOff, lda, x, xOff, y, yOff, accumulate);
            return;
        }
        if (!accumulate) Arrays.fill(y, yOff, yOff + cols, 0f);
        for (int r = 0; r < rows; r++) {
            float xr = x[xOff + r];
            int ar = aOff + r * lda;
            for (int j = 0; j < cols; j++) y[yOff + j] += xr * a[ar + j];
        }
    }

    @Override
    public void addRowVector(int rows, int n, float[] v, int vOff, float[] c, int cOff, int ldc) {
        for (int r = 0; r < rows; r++) {
            int cr = cOff + r * ldc;
            for (int j = 0; j < n; j++) c[cr + j] += v[vOff + j];
        }
    }

    @Override
    public void addColumnSums(int rows, int n, float[] a, int aOff, int lda, float[] sums, int sOff) {
        for (int r = 0; r < rows; r++) {
            int ar = aOff + r * lda;
            for (int j = 0; j < n; j++) sums[sOff + j] += a[ar + j];
        }
    }

    @Override
    public void tanh(int n, float[] x, int off) {
        for (int i = off; i < off + n; i++) x[i] = (float) Math.tanh(x[i]);
    }

    @Override
    public void relu(int n, float[] x, int off) {
        // x > 0 ? x : 0 rather than Math.max, so that NaN stays NaN as in torch.relu.
        for (int i = off; i < off + n; i++) x[i] = x[i] > 0f || Float.isNaN(x[i]) ? x[i] : 0f;
    }

    @Override
    public void lstmCell(int batch, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                         float[] c, int cOff, float[] h, int hOff) {
        int hh = hidden;
        for (int bi = 0; bi < batch; bi++) {
            int g = gOff + bi * 4 * hh;
            int s = bi * hh;
            for (int j = 0; j < hh; j++) {
                float in = sigmoid(gates[g + j]);
                float forget = sigmoid(gates[g + hh + j]);
                float cand = (float) Math.tanh(gates[g + 2 * hh + j]);
                float out = sigmoid(gates[g + 3 * hh + j]);
                gates[g + j] = in;
                gates[g + hh + j] = forget;
                gates[g + 2 * hh + j] = cand;
                gates[g + 3 * hh + j] = out;
                float cj = forget * cPrev[cpOff + s + j] + in * cand;
                c[cOff + s + j] = cj;
                h[hOff + s + j] = out * (float) Math.tanh(cj);
            }
        }
    }

    @Override
    public void gruCell(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                        float[] hPrev, int hpOff, float[] h, int hOff) {
        int hh = hidden;
        for (int bi = 0; bi < batch; bi++) {
            int x = gxOff + bi * 3 * hh;
            int y = ghOff + bi * 3 * hh;
            int s = bi * hh;
            for (int j = 0; j < hh; j++) {
                float r = sigmoid(gx[x + j] + gh[y + j]);
                float z = sigmoid(gx[x + hh + j] + gh[y + hh + j]);
                float n = (float) Math.tanh(gx[x + 2 * hh + j] + r * gh[y + 2 * hh + j]);
                gx[x + j] = r;
                gx[x + hh + j] = z;
                gx[x + 2 * hh + j] = n;
                // PyTorch's own arrangement of (1 - z) * n + z * h, for the same rounding.
                h[hOff + s + j] = n + z * (hPrev[hpOff + s + j] - n);
            }
        }
    }

    private static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    @Override
    public double sumOfSquares(float[] x, int off, int n) {
        // eight partial sums combined pairwise at the end: one running sum would make each addition wait for the
        // one before; eight let the processor overlap them
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            int o = off + i;
            s0 += (double) x[o] * x[o];
            s1 += (double) x[o + 1] * x[o + 1];
            s2 += (double) x[o + 2] * x[o + 2];
            s3 += (double) x[o + 3] * x[o + 3];
            s4 += (double) x[o + 4] * x[o + 4];
            s5 += (double) x[o + 5] * x[o + 5];
            s6 += (double) x[o + 6] * x[o + 6];
            s7 += (double) x[o + 7] * x[o + 7];
        }
        double sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (; i < n; i++) sum += (double) x[off + i] * x[off + i];
        return sum;
    }

    @Override
    public double logSumExp(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) max = Math.max(max, x[i]);
        // All -inf (sum would be 0/0) or +inf or NaN: the maximum already is the answer.
        if (Float.isInfinite(max) || Float.isNaN(max)) return max;
        double sum = 0;
        for (int i = off; i < off + n; i++) sum += Math.exp((double) x[i] - max);
        return max + Math.log(sum);
    }

    @Override
    public void softmax(float[] x, int off, int n, float[] out, int outOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) max = Math.max(max, x[i]);
        double sum = 0;
        for (int i = off; i < off + n; i++) sum += Math.exp((double) x[i] - max);
        // A second exp per entry rather than a buffer: each output is rounded once, and out may be x.
        for (int i = 0; i < n; i++) out[outOff + i] = (float) (Math.exp((double) x[off + i] - max) / sum);
    }

    @Override
    public void lstmCellBackward(int batch, int hidden, float[] gates, int gOff, float[] c, int cOff,
                                 float[] cPrev, int cpOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                                 float[] dc, int dcOff, float[] dGates, int dgOff) {
        int hh = hidden;
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hh; j++) {
                int s = b * hh + j, q = b * 4 * hh + j;
                float i = gates[gOff + q], f = gates[gOff + q + hh], g = gates[gOff + q + 2 * hh];
                float o = gates[gOff + q + 3 * hh];
                float tanhC = (float) Math.tanh(c[cOff + s]);
                float dH = dh[dhOff + s] + dOut[dOutOff + s];           // h_t feeds the output and step t+1
                float dO = dH * tanhC;                                  // back through h = o tanh(c)
                float dC = dc[dcOff + s] + dH * o * (1 - tanhC * tanhC); // ... and into c, beside step t+1's dc
                float dI = dC * g;                                      // back through c = f c' + i g
                float dF = dC * cPrev[cpOff + s];
                float dG = dC * i;
                dc[dcOff + s] = dC * f;                                 // into c_{t-1}
                dGates[dgOff + q] = dI * i * (1 - i);                   // back through the sigmoids and tanh
                dGates[dgOff + q + hh] = dF * f * (1 - f);
                dGates[dgOff + q + 2 * hh] = dG * (1 - g * g);
                dGates[dgOff + q + 3 * hh] = dO * o * (1 - o);
            }
        }
    }

    @Override
    public void gruCellBackward(int batch, int hidden, float[] gates, int gOff, float[] gh, int ghOff,
                                float[] hPrev, int hpOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                                float[] dGx, float[] dGh, int dgOff) {
        int hh = hidden;
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hh; j++) {
                int s = b * hh + j, q = b * 3 * hh + j;
                float r = gates[gOff + q], z = gates[gOff + q + hh], n = gates[gOff + q + 2 * hh];
                float ghN = gh[ghOff + q + 2 * hh];
                float dH = dh[dhOff + s] + dOut[dOutOff + s];   // h_t feeds the output and step t+1
                float dN = dH * (1 - z);                        // back through h = (1 - z) n + z h'
                float dZ = dH * (hPrev[hpOff + s] - n);
                dh[dhOff + s] = dH * z;                         // into h_{t-1} directly (the recurrence adds more)
                float dAn = dN * (1 - n * n);                   // back through n = tanh(a_n)
                float dR = dAn * ghN;                           // back through a_n = gx_n + r gh_n
                float dAr = dR * r * (1 - r);                   // back through the sigmoids
                float dAz = dZ * z * (1 - z);
                dGx[dgOff + q] = dAr;                           // a_r = gx_r + gh_r
                dGh[dgOff + q] = dAr;
                dGx[dgOff + q + hh] = dAz;                      // a_z = gx_z + gh_z
                dGh[dgOff + q + hh] = dAz;
                dGx[dgOff + q + 2 * hh] = dAn;
                dGh[dgOff + q + 2 * hh] = dAn * r;
            }
        }
    }

    @Override
    public void tanhBackward(int n, float[] h, int hOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                             float[] dA, int dAOff) {
        for (int i = 0; i < n; i++) {
            float hi = h[hOff + i];
            dA[dAOff + i] = (dh[dhOff + i] + dOut[dOutOff + i]) * (1 - hi * hi);
        }
    }

    @Override
    public void reluBackward(int n, float[] h, int hOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                             float[] dA, int dAOff) {
        for (int i = 0; i < n; i++) dA[dAOff + i] = h[hOff + i] > 0 ? dh[dhOff + i] + dOut[dOutOff + i] : 0f;
    }

    @Override
    public void softmaxCrossEntropyBackward(int rows, int n, float[] logits, int[] targets, double[] lse,
                                            double scale, float[] d) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            int t = targets[r];
            for (int v = 0; v < n; v++) {
                double p = Math.exp(logits[o + v] - lse[r]);
                d[o + v] = (float) (scale * (v == t ? p - 1 : p));
            }
        }
    }
}
