package org.rnnlab.nn;

import static org.rnnlab.kernel.Kernel.ACCUMULATE;
import static org.rnnlab.kernel.Kernel.NO_TRANS;
import static org.rnnlab.kernel.Kernel.OVERWRITE;
import static org.rnnlab.kernel.Kernel.TRANS;

import org.rnnlab.kernel.Kernel;

/**
 * {@code nn.Linear} applied to every row of a (N, in) matrix, with PyTorch's layout W (out, in), b (out).
 * <pre>
 *   forward:   y = x W^T + b                   x (N, in), y (N, out)
 *   backward:  dW += dy^T x     db += sum over rows of dy     dx = dy W
 * </pre>
 */
public final class Linear {
    private final Kernel k;
    private final Param weight; // (out, in)
    private final Param bias;   // (out)
    private final int in;
    private final int out;

    public Linear(Kernel kernel, Param weight, Param bias) {
        int[] s = weight.shape();
        if (s.length != 2) throw new IllegalArgumentException(weight.name() + ": a linear weight is (out, in), found "
                + java.util.Arrays.toString(s));
        bias.requireShape(s[0]);
        this.k = kernel;
        this.weight = weight;
        this.bias = bias;
        this.out = s[0];
        this.in = s[1];
    }

    public int inputSize() {
        return in;
    }

    public int outputSize() {
        return out;
    }

    /** {@code y (rows, out) = x (rows, in) W^T + b}. */
    public void forward(float[] x, int rows, float[] y) {
        k.sgemm(NO_TRANS, TRANS, rows, out, in, x, 0, in, weight.values(), weight.offset(), in, y, 0, out, OVERWRITE);
        k.addRowVector(rows, out, bias.values(), bias.offset(), y, 0, out);
    }

    /**
     * {@link #forward} with each row computed on its own ({@link Kernel#sgemmRows}): a row's bits do not depend on
     * how many rows come with it. Generation's steps.
     */
    public void forwardRows(float[] x, int rows, float[] y) {
        k.sgemmRows(rows, out, in, x, 0, in, weight.values(), weight.offset(), in, y, 0, out, OVERWRITE);
        k.addRowVector(rows, out, bias.values(), bias.offset(), y, 0, out);
    }

    /** {@link #forward} into {@code y} from row offset {@code yOff} (floats): y[yOff + r * out + j]. */
    public void forward(float[] x, int rows, float[] y, int yOff) {
        k.sgemm(NO_TRANS, TRANS, rows, out, in, x, 0, in, weight.values(), weight.offset(), in, y, yOff, out, OVERWRITE);
        k.addRowVector(rows, out, bias.values(), bias.offset(), y, yOff, out);
    }

    /** Adds the parameter gradients and writes {@code dx (rows, in)}; {@code x} is the forward input. */
    public void backward(float[] x, float[] dy, int rows, float[] dx) {
        k.sgemm(TRANS, NO_TRANS, out, in, rows, dy, 0, out, x, 0, in, weight.grads(), weight.offset(), in, ACCUMULATE);
        k.addColumnSums(rows, out, dy, 0, out, bias.grads(), bias.offset());
        k.sgemm(NO_TRANS, NO_TRANS, rows, in, out, dy, 0, out, weight.values(), weight.offset(), in, dx, 0, in, OVERWRITE);
    }

    public void zeroGrad() {
        weight.zeroGrad();
        bias.zeroGrad();
    }
}
