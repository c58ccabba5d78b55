package org.rnnlab.nn;

import static org.rnnlab.kernel.Kernel.ACCUMULATE;
import static org.rnnlab.kernel.Kernel.NO_TRANS;
import static org.rnnlab.kernel.Kernel.OVERWRITE;
import static org.rnnlab.kernel.Kernel.TRANS;

import org.rnnlab.kernel.Int8Matrix;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.kernel.PackedB;

/**
 * {@code nn.Linear} applied to every row of a (N, in) matrix, with PyTorch's layout W (out, in), b (out).
 * <pre>
 *   forward:   y = x W^T + b                   x (N, in), y (N, out)
 *   backward:  dW += dy^T x     db += sum over rows of dy     dx = dy W
 * </pre>
 * Made with an int8 copy of W ({@link Int8Matrix}), forward computes {@code x W^T} from it and backward refuses.
 */
public final class Linear {
    private final Kernel k;
    private final Param weight; // (out, in)
    private final Param bias;   // (out)
    private final Int8Matrix int8; // (out, in) or null
    private final int in;
    private final int out;

    public Linear(Kernel kernel, Param weight, Param bias) {
        this(kernel, weight, bias, null);
    }

    /** A layer whose forward reads the int8 {@code int8Weight} (of W's shape) when it is not null. */
    public Linear(Kernel kernel, Param weight, Param bias, Int8Matrix int8Weight) {
        int[] s = weight.shape();
        if (s.length != 2) throw new IllegalArgumentException(weight.name() + ": a linear weight is (out, in), found "
                + java.util.Arrays.toString(s));
        bias.requireShape(s[0]);
        this.k = kernel;
        this.weight = weight;
        this.bias = bias;
        this.out = s[0];
        this.in = s[1];
        RecurrentBase.requireShape(int8Weight, weight);
        this.int8 = int8Weight;
    }

    public int inputSize() {
        return in;
    }

    public int outputSize() {
        return out;
    }

    /** After {@link #freezeRows()}: W^T in row panels ({@link Kernel#newRowPanels}), for {@link #forwardRows}. */
    private volatile PackedB frozenPanels;

    /** The caller's room for {@link #forwardRows} to pack W^T into while not frozen (null for int8 weights). */
    public PackedB newRowScratch() {
        return int8 != null ? null : k.newRowPanels(in, out);
    }

    /** Declares the weights final: {@link #forwardRows} reads them from row panels packed once. */
    public void freezeRows() {
        if (int8 != null || frozenPanels != null) return;
        PackedB p = k.newRowPanels(in, out);
        k.pack(p, weight.values(), weight.offset(), in);
        frozenPanels = p;
    }

    /** {@code y (rows, out) = x (rows, in) W^T + b}. */
    public void forward(float[] x, int rows, float[] y) {
        forward(x, rows, y, 0);
    }

    /**
     * {@link #forward} with each row computed on its own ({@link Kernel#newRowPanels}): a row's bits do not depend on
     * how many rows come with it. Generation's steps.
     */
    public void forwardRows(float[] x, int rows, float[] y, PackedB scratch) {
        if (int8 != null) {
            k.gemmInt8(rows, x, 0, in, int8, y, 0, out, OVERWRITE); // row-independent too
        } else {
            PackedB p = frozenPanels;
            if (p == null) { // not frozen: the weights may have changed since the last call
                p = scratch;
                k.pack(p, weight.values(), weight.offset(), in);
            }
            k.sgemm(rows, x, 0, in, p, y, 0, out, OVERWRITE);
        }
        k.addRowVector(rows, out, bias.values(), bias.offset(), y, 0, out);
    }

    /** {@link #forward} into {@code y} from row offset {@code yOff} (floats): y[yOff + r * out + j]. */
    public void forward(float[] x, int rows, float[] y, int yOff) {
        if (int8 != null) k.gemmInt8(rows, x, 0, in, int8, y, yOff, out, OVERWRITE);
        else k.sgemm(NO_TRANS, TRANS, rows, out, in, x, 0, in, weight.values(), weight.offset(), in, y, yOff, out, OVERWRITE);
        k.addRowVector(rows, out, bias.values(), bias.offset(), y, yOff, out);
    }

    /** Adds the parameter gradients and writes {@code dx (rows, in)}; {@code x} is the forward input. */
    public void backward(float[] x, float[] dy, int rows, float[] dx) {
        if (int8 != null) {
            throw new IllegalStateException(weight.name() + ": this layer computes with int8 weights, for generation "
                    + "only; it cannot be trained (training is float32)");
        }
        k.sgemm(TRANS, NO_TRANS, out, in, rows, dy, 0, out, x, 0, in, weight.grads(), weight.offset(), in, ACCUMULATE);
        k.addColumnSums(rows, out, dy, 0, out, bias.grads(), bias.offset());
        k.sgemm(NO_TRANS, NO_TRANS, rows, in, out, dy, 0, out, weight.values(), weight.offset(), in, dx, 0, in, OVERWRITE);
    }

    public void zeroGrad() {
        weight.zeroGrad();
        bias.zeroGrad();
    }
}
