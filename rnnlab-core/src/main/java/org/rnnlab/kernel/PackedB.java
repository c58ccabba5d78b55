package org.rnnlab.kernel;

/**
 * The B operand of many products {@code C (+)= A op(B)}, prepared once: typically a recurrent layer's
 * {@code W_hh}, which every time step of a batch multiplies. {@code op(B)} is (k, n).
 *
 * <p>Made by {@link Kernel#newPackedB} (once, with the workspace: it may hold a copy of the matrix, so it is
 * never reallocated), filled by {@link Kernel#pack} whenever the source changes (once per forward or backward
 * pass), used by {@link Kernel#sgemm(int, float[], int, int, PackedB, float[], int, int, boolean)}. A kernel that
 * gains nothing by preparing (the scalar one, or any kernel at very few rows) keeps a reference to the source
 * instead of a copy, so with it the product always reads the current values; with a copy it reads the values of
 * the last {@code pack}. Use it from one thread at a time, with the kernel that made it.
 */
public final class PackedB {
    final boolean trans;
    final int k;
    final int n;
    /** The kernel's own copy of op(B), or null when the source is used as it is. */
    final float[] packed;
    /** How {@link #packed} is laid out: a kernel's own code (the vector kernel's panels, or op(B) row-major). */
    final int layout;
    float[] source;
    int sourceOff;
    int ld;

    PackedB(boolean trans, int k, int n, float[] packed, int layout) {
        if (k < 0 || n < 0) throw new IllegalArgumentException("negative size of op(B): (" + k + ", " + n + ")");
        this.trans = trans;
        this.k = k;
        this.n = n;
        this.packed = packed;
        this.layout = layout;
    }

    /** Whether B is stored (n, k) and used transposed. */
    public boolean transposed() {
        return trans;
    }

    /** Rows of op(B): the inner dimension of the product. */
    public int k() {
        return k;
    }

    /** Columns of op(B) and of C. */
    public int n() {
        return n;
    }

    /** Whether the kernel holds its own copy (true) or reads the source at every product (false). */
    public boolean isCopy() {
        return packed != null;
    }

    void requireFilled() {
        if (source == null) throw new IllegalStateException("this PackedB has not been packed yet");
    }
}
