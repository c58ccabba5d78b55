package org.rnnlab.kernel;

/**
 * The arithmetic contract of the engine. Buffers are flat row-major {@code float[]} with an offset and, for
 * matrices, a leading dimension (the distance between the starts of two rows), as in BLAS.
 *
 * <p>Implementations must agree with {@link ScalarKernel} to float rounding; they may sum in a different order.
 * Output regions must not overlap inputs unless a method says so.
 */
public interface Kernel {
    /** Readable names for the {@code trans} and {@code accumulate} flags: {@code sgemm(NO_TRANS, TRANS, ...)}. */
    boolean TRANS = true;
    boolean NO_TRANS = false;
    boolean ACCUMULATE = true;
    boolean OVERWRITE = false;

    /** The plain-Java kernel: the fallback and the test reference. */
    static Kernel scalar() {
        return ScalarKernel.INSTANCE;
    }

    /** The kernel the engine uses by default: for now the scalar one (a SIMD twin will be chosen here). */
    static Kernel preferred() {
        return ScalarKernel.INSTANCE;
    }

    String name();

    /**
     * {@code C = op(A) op(B)}, or {@code C += op(A) op(B)} when {@code accumulate}. {@code op(A)} is (m, k),
     * {@code op(B)} is (k, n) and C is (m, n); {@code op(X)} is X, or X transposed when its flag is set, so A is
     * stored (m, k) or (k, m) and B (k, n) or (n, k).
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float[] c, int cOff, int ldc, boolean accumulate);

    /**
     * {@code y = op(A) x}, or {@code y += op(A) x} when {@code accumulate}. A is stored (rows, cols); without
     * {@code transA}, x has cols entries and y rows; with it, x has rows entries and y cols.
     */
    void sgemv(boolean transA, int rows, int cols, float[] a, int aOff, int lda,
               float[] x, int xOff, float[] y, int yOff, boolean accumulate);

    /** {@code C[r, :] += v} for each of the rows of C (rows, n): a bias broadcast. */
    void addRowVector(int rows, int n, float[] v, int vOff, float[] c, int cOff, int ldc);

    /** {@code sums += sum over r of A[r, :]} for A (rows, n): the gradient of a broadcast bias. */
    void addColumnSums(int rows, int n, float[] a, int aOff, int lda, float[] sums, int sOff);

    /** {@code x = tanh(x)} elementwise, in place. */
    void tanh(int n, float[] x, int off);

    /** {@code x = max(x, 0)} elementwise, in place. */
    void relu(int n, float[] x, int off);

    /**
     * One LSTM step for a batch, after the pre-activations are in {@code gates} (batch, 4 * hidden), gate blocks
     * in PyTorch's order i f g o: replaces them in place by {@code i = sigmoid, f = sigmoid, g = tanh,
     * o = sigmoid}, then writes {@code c = f * cPrev + i * g} and {@code h = o * tanh(c)}, each (batch, hidden).
     */
    void lstmCell(int batch, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff,
                  float[] c, int cOff, float[] h, int hOff);

    /**
     * One GRU step for a batch. {@code gx} (batch, 3 * hidden) holds {@code W_ih x + b_ih} and {@code gh}
     * (batch, 3 * hidden) holds {@code W_hh h + b_hh}, gate blocks in PyTorch's order r z n. Replaces
     * {@code gx} in place by the activations {@code r = sigmoid(gx_r + gh_r)}, {@code z = sigmoid(gx_z + gh_z)},
     * {@code n = tanh(gx_n + r * gh_n)}, leaves {@code gh} unchanged and writes
     * {@code h = (1 - z) * n + z * hPrev} (batch, hidden).
     */
    void gruCell(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff,
                 float[] hPrev, int hpOff, float[] h, int hOff);

    /** {@code log(sum exp x)} over n entries, stable for any magnitude (the maximum is factored out). */
    double logSumExp(float[] x, int off, int n);

    /** {@code out = softmax(x)} over n entries, stable for any magnitude; {@code out} may be {@code x}. */
    void softmax(float[] x, int off, int n, float[] out, int outOff);
}
