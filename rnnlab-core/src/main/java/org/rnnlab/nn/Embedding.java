package org.rnnlab.nn;

import java.util.Arrays;
import org.rnnlab.kernel.Kernel;

/**
 * {@code nn.Embedding}: a lookup table W (V, E).
 * <pre>
 *   forward:   out[n, :] = W[ids[n], :]
 *   backward:  dW[ids[n], :] += dOut[n, :]     for every n; a token seen twice adds twice
 * </pre>
 * A row gather and a scatter-add, never a one-hot matrix product: O(n E) instead of O(n V E).
 */
public final class Embedding {
    private final Kernel k;
    private final Param weight; // (V, E)
    private final int vocab;
    private final int dim;

    /** An embedding whose backward adds rows with {@link Kernel#preferred()}. */
    public Embedding(Param weight) {
        this(Kernel.preferred(), weight);
    }

    public Embedding(Kernel kernel, Param weight) {
        int[] s = weight.shape();
        if (s.length != 2) throw new IllegalArgumentException(weight.name() + ": an embedding table is (V, E), found "
                + Arrays.toString(s));
        this.k = java.util.Objects.requireNonNull(kernel, "kernel");
        this.weight = weight;
        this.vocab = s[0];
        this.dim = s[1];
    }

    public Param weight() {
        return weight;
    }

    public int vocabSize() {
        return vocab;
    }

    public int dim() {
        return dim;
    }

    /** Gathers the rows of {@code n} token ids into {@code out} (n, E). */
    public void forward(int[] ids, int n, float[] out) {
        float[] w = weight.values();
        for (int i = 0; i < n; i++) {
            System.arraycopy(w, weight.offset() + row(ids, i) * dim, out, i * dim, dim);
        }
    }

    /** Adds {@code dOut} (n, E) into the gradient rows of the same ids. */
    public void backward(int[] ids, int n, float[] dOut) {
        float[] g = weight.grads();
        for (int i = 0; i < n; i++) {
            // one row added: the kernel's vector add (a plain loop between two offsets does not vectorise)
            k.addRowVector(1, dim, dOut, i * dim, g, weight.offset() + row(ids, i) * dim, dim);
        }
    }

    public void zeroGrad() {
        weight.zeroGrad();
    }

    private int row(int[] ids, int i) {
        int id = ids[i];
        if (id < 0 || id >= vocab) {
            throw new IllegalArgumentException("token id " + id + " (position " + i + ") is outside the vocabulary [0, "
                    + vocab + ")");
        }
        return id;
    }
}
