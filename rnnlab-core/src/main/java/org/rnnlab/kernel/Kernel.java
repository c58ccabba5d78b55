package org.rnnlab.kernel;

/**
 * The arithmetic contract of the engine. Buffers are flat row-major {@code float[]} with an offset and, for
 * matrices, a leading dimension (the distance between the starts of two rows), as in BLAS.
 *
 * <p>Implementations must agree with {@link ScalarKernel} to float rounding; they may sum in a different order.
 * Output regions must not overlap inputs unless a method says so. A kernel is stateless and may be used from
 * several threads at once (each with its own buffers).
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

    /**
     * The kernel the engine uses by default: the Vector API one ({@code "vector"}) when the JVM has
     * {@code jdk.incubator.vector} (run with {@code --add-modules jdk.incubator.vector}, as {@code bin/rnnlab}
     * does), the scalar one otherwise or when {@code -Drnnlab.kernel=scalar} or {@code RNNLAB_KERNEL=scalar} says
     * so. Decided once per JVM; {@link #preferredReason()} says why.
     */
    static Kernel preferred() {
        return KernelChoice.KERNEL;
    }

    /** Why {@link #preferred()} is what it is, in a line (for {@code rnnlab bench} and diagnostics). */
    static String preferredReason() {
        return KernelChoice.REASON;
    }

    /**
     * The kernel of that name: {@code "scalar"}, or {@code "vector"} (an {@link UnsupportedOperationException}
     * naming the cause when the Vector API is unavailable).
     */
    static Kernel named(String name) {
        return switch (name) {
            case "scalar" -> scalar();
            case "vector" -> KernelChoice.vector();
            default -> throw new IllegalArgumentException("unknown kernel '" + name + "' (scalar or vector)");
        };
    }

    /** {@code "scalar"} or {@code "vector"}. */
    String name();

    /** The name with what it runs on, e.g. {@code vector (16 float lanes, 8x32 tiles, 2 threads)}. */
    default String description() {
        return name();
    }

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

    /**
     * {@code C (m, n) = A (m, k) W^T}, or {@code C += A W^T} when {@code accumulate}, for a weight W (n, k) quantized
     * to int8 per row ({@link Int8Matrix}): entry (i, j) is {@code scale[j] * (sum over p of A[i, p] q[j, p])}, the
     * sum in float and the scale applied once, at the end. The products of generation (a recurrent layer's W_ih
     * and W_hh, the output layer's weight) for m rows at once: each block of W is read once for all m rows.
     * Each entry's bits depend only on row i of A and row j of W (not on m, on the other rows, or on threads),
     * so a sequence stepped in a batch gets the bits it gets alone.
     */
    void gemmInt8(int m, float[] a, int aOff, int lda, Int8Matrix w, float[] c, int cOff, int ldc,
                  boolean accumulate);

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

    /**
     * {@code sum x[i]^2} over n entries, in double precision (as if each square were added in double; the kernels
     * differ in the order, and so agree to rounding): the squared L2 norm of a gradient arena.
     */
    double sumOfSquares(float[] x, int off, int n);

    /** {@code log(sum exp x)} over n entries, stable for any magnitude (the maximum is factored out). */
    double logSumExp(float[] x, int off, int n);

    /** {@code out = softmax(x)} over n entries, stable for any magnitude; {@code out} may be {@code x}. */
    void softmax(float[] x, int off, int n, float[] out, int outOff);

    /**
     * Backward of {@link #lstmCell} for one step, given its activations {@code gates} (batch, 4 * hidden: i f g o
     * after the forward), the cell states {@code c} (c_t) and {@code cPrev} (c_{t-1}), and the upstream gradients
     * {@code dh} (from step t + 1) plus {@code dOut} (from the layer's output), each (batch, hidden); {@code dc}
     * holds dLoss/dc_t from step t + 1 and is replaced by dLoss/dc_{t-1}. Writes dLoss/d(pre-activations) into
     * {@code dGates} (batch, 4 * hidden). {@code dh} is read, not changed.
     */
    void lstmCellBackward(int batch, int hidden, float[] gates, int gOff, float[] c, int cOff,
                          float[] cPrev, int cpOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                          float[] dc, int dcOff, float[] dGates, int dgOff);

    /**
     * Backward of {@link #gruCell} for one step, given its activations {@code gates} (batch, 3 * hidden: r z n),
     * the hidden projection {@code gh} (batch, 3 * hidden), h_{t-1} {@code hPrev} and the upstream gradients
     * {@code dh} (from step t + 1; replaced by the part of dLoss/dh_{t-1} that flows through z) plus {@code dOut}.
     * Writes dLoss/dgx into {@code dGx} and dLoss/dgh into {@code dGh}, each (batch, 3 * hidden), at {@code dgOff}.
     */
    void gruCellBackward(int batch, int hidden, float[] gates, int gOff, float[] gh, int ghOff,
                         float[] hPrev, int hpOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                         float[] dGx, float[] dGh, int dgOff);

    /** {@code dA = (dh + dOut) * (1 - h * h)} over n entries: back through {@code h = tanh(a)}. */
    void tanhBackward(int n, float[] h, int hOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                      float[] dA, int dAOff);

    /** {@code dA = h > 0 ? dh + dOut : 0} over n entries: back through {@code h = relu(a)} (0 at 0, as PyTorch). */
    void reluBackward(int n, float[] h, int hOff, float[] dh, int dhOff, float[] dOut, int dOutOff,
                      float[] dA, int dAOff);

    /**
     * The gradient of mean cross-entropy for {@code rows} rows of logits (rows, n) with their log-sum-exps
     * {@code lse} (rows): {@code d[r, v] = scale * (exp(logits[r, v] - lse[r]) - [v == targets[r]])}.
     * Targets must be in [0, n) (the caller checks).
     */
    void softmaxCrossEntropyBackward(int rows, int n, float[] logits, int[] targets, double[] lse,
                                     double scale, float[] d);

    /**
     * Room for a B operand used by many products with about {@code rows} rows of A: {@code op(B)} is (k, n),
     * B stored (n, k) when {@code transB}; {@code uses} is about how many products follow each {@link #pack} (the
     * time steps of a pass), so the kernel can tell whether a copy repays itself. Allocates (once).
     */
    default PackedB newPackedB(boolean transB, int k, int n, int rows, int uses) {
        return new PackedB(transB, k, n, null, 0);
    }

    /**
     * Room for {@code op(B) = B^T}, B stored (n, k) (a layer's weight), laid out for {@link #sgemm(int, float[], int,
     * int, PackedB, float[], int, int, boolean)} at any number of rows, each row of C computed as it would be alone
     * (the vector kernel's blocked panels: every entry the same chain of multiply-adds over k, whatever rows share its
     * tile). Generation's steps: a frozen model packs its weights into these once. Allocates; fill with
     * {@link #pack}.
     */
    default PackedB newRowPanels(int k, int n) {
        return new PackedB(TRANS, k, n, null, 0);
    }

    /** Fills {@code p} from B at {@code bOff} with leading dimension {@code ldb} (a copy, or a reference). */
    default void pack(PackedB p, float[] b, int bOff, int ldb) {
        p.source = b;
        p.sourceOff = bOff;
        p.ld = ldb;
    }

    /** {@code C (m, n) (+)= A (m, k) op(B)} with a B made by this kernel's {@link #newPackedB} and packed. */
    default void sgemm(int m, float[] a, int aOff, int lda, PackedB b, float[] c, int cOff, int ldc,
                       boolean accumulate) {
        b.requireFilled();
        sgemm(NO_TRANS, b.trans, m, b.n, b.k, a, aOff, lda, b.source, b.sourceOff, b.ld, c, cOff, ldc, accumulate);
    }
}
