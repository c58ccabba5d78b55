package org.rnnlab.nn;

import static org.rnnlab.kernel.Kernel.ACCUMULATE;
import static org.rnnlab.kernel.Kernel.NO_TRANS;
import static org.rnnlab.kernel.Kernel.OVERWRITE;
import static org.rnnlab.kernel.Kernel.TRANS;

import java.util.Arrays;
import java.util.List;
import org.rnnlab.kernel.Int8Matrix;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.kernel.PackedB;

/**
 * What every recurrent layer shares, so that {@link Rnn}, {@link Lstm} and {@link Gru} hold only their own
 * equations: PyTorch's four parameters and their shape rules ({@code weight_ih (G*H, in)}, {@code weight_hh (G*H,
 * H)}, {@code bias_ih}, {@code bias_hh (G*H)}), and in every {@link Pass} the outputs h_t, the copied initial state,
 * the packed W_hh of both directions, the input projection of all T steps as one GEMM, and the ending of backward:
 * the weight gradients summed over all steps and the gradient of the input, as GEMMs.
 *
 * <p>A layer made with int8 copies of its weights ({@link Int8Matrix}, for generation) computes its input and
 * recurrence products from them ({@link Kernel#gemmInt8}) instead of from the float weights, and refuses backward.
 */
abstract class RecurrentBase implements RecurrentLayer {
    final Kernel k;
    final Param wIh; // (G*H, in)
    final Param wHh; // (G*H, H)
    final Param bIh; // (G*H)
    final Param bHh; // (G*H)
    final Int8Matrix qIh; // (G*H, in) int8 W_ih, or null: the products then read wIh
    final Int8Matrix qHh; // (G*H, H) int8 W_hh, or null
    final int in;
    final int hidden;
    private final int gates;

    /**
     * Checks PyTorch's layout for {@code gates} gate blocks; errors name the tensor and {@code kind}. {@code int8Ih}
     * and {@code int8Hh}, when not null, are int8 versions of the weights (of their shapes) for the products to read.
     */
    RecurrentBase(String kind, int gates, Kernel kernel, Param weightIh, Param weightHh, Param biasIh, Param biasHh,
                  Int8Matrix int8Ih, Int8Matrix int8Hh) {
        int[] hh = weightHh.shape();
        if (hh.length != 2 || hh[1] < 1 || hh[0] != gates * hh[1]) {
            throw new IllegalArgumentException(weightHh.name() + ": the weight_hh of an " + kind + " layer is (" + gates
                    + "H, H), found " + Arrays.toString(hh));
        }
        int h = hh[1];
        int[] ih = weightIh.shape();
        if (ih.length != 2 || ih[0] != gates * h || ih[1] < 1) {
            throw new IllegalArgumentException(weightIh.name() + ": expected shape (" + gates * h + ", in) for H = "
                    + h + ", found " + Arrays.toString(ih));
        }
        biasIh.requireShape(gates * h);
        biasHh.requireShape(gates * h);
        requireShape(int8Ih, weightIh);
        requireShape(int8Hh, weightHh);
        this.qIh = int8Ih;
        this.qHh = int8Hh;
        this.k = kernel;
        this.wIh = weightIh;
        this.wHh = weightHh;
        this.bIh = biasIh;
        this.bHh = biasHh;
        this.in = ih[1];
        this.hidden = h;
        this.gates = gates;
    }

    static void requireShape(Int8Matrix q, Param p) {
        if (q != null && (q.rows() != p.shape()[0] || q.cols() != p.shape()[1])) {
            throw new IllegalArgumentException(p.name() + ": int8 weights of shape [" + q.rows() + ", " + q.cols()
                    + "] for a tensor of shape " + Arrays.toString(p.shape()));
        }
    }

    /** Whether the products read int8 weights (a layer for generation only). */
    /** After {@link #freezeSteps()}: {W_ih^T, W_hh^T} in row panels ({@link Kernel#newRowPanels}), for step passes. */
    private volatile PackedB[] frozenPanels;

    @Override
    public final void freezeSteps() {
        if (quantized() || frozenPanels != null) return;
        int G = gates * hidden;
        PackedB ih = k.newRowPanels(in, G), hh = k.newRowPanels(hidden, G);
        k.pack(ih, wIh.values(), wIh.offset(), in);
        k.pack(hh, wHh.values(), wHh.offset(), hidden);
        frozenPanels = new PackedB[] {ih, hh};
    }

    @Override
    public final void stepProjection(float[] x, int xOff, float[] out) {
        PackedB[] f = frozenPanels;
        if (f == null) throw new IllegalStateException(wIh.name() + ": stepProjection needs freezeSteps() first");
        k.sgemm(1, x, xOff, in, f[0], out, 0, gates * hidden, OVERWRITE);
    }

    public final boolean quantized() {
        return qIh != null || qHh != null;
    }

    @Override public final int inputSize() { return in; }
    @Override public final int hiddenSize() { return hidden; }
    @Override public final int gates() { return gates; }
    @Override public boolean hasCell() { return false; }
    @Override public final List<Param> params() { return List.of(wIh, wHh, bIh, bHh); }

    /** {@code into = b_ih + b_hh} (G*H): for the cells that add both biases to the input projection, once. */
    final void sumBiases(float[] into) {
        float[] bIn = bIh.values(), bRec = bHh.values();
        for (int j = 0; j < into.length; j++) into[j] = bIn[bIh.offset() + j] + bRec[bHh.offset() + j];
    }

    /** The buffers of one (B, T) batch that every cell has; a cell's pass adds its own. */
    abstract class Pass implements RecurrentLayer.Pass {
        final int batch;
        final int steps;
        final float[] out;  // (T, B, H) h_t
        final float[] h0;   // (B, H) copy of the initial state
        final float[] hT;   // (B, H)
        final float[] dh;   // (B, H) dLoss/dh_{t-1} while walking back; dLoss/dh0 at the end
        final PackedB whhT; // W_hh^T (H, G*H) for the recurrence, packed by forward (a step pass: row panels)
        final PackedB wihT; // a step pass's W_ih^T (in, G*H) in row panels; null otherwise
        /** A step pass of a layer not frozen: it packs its own panels at every step (the weights may change). */
        final boolean ownPanels;
        final PackedB whh;  // W_hh (G*H, H) for dh = da W_hh, packed by backward
        /** A step pass ({@link RecurrentLayer#newStepPass}): its forward products compute each row on its own. */
        final boolean rows;
        /** The rows forward computes: all B, or in a step pass the first {@link #useRows} of them. */
        int active;

        Pass(int batch, int steps, boolean rows) {
            if (batch < 1 || steps < 1) {
                throw new IllegalArgumentException("batch and steps must be at least 1, got B = " + batch + ", T = "
                        + steps);
            }
            this.batch = batch;
            this.steps = steps;
            this.rows = rows;
            this.active = batch;
            int bh = batch * hidden;
            out = new float[steps * bh];
            h0 = new float[bh];
            hT = new float[bh];
            dh = new float[bh];
            // A step pass computes each row as it would be alone: through row panels, the frozen layer's or its own
            // (packed at every step); a quantized one through its int8 copy.
            int G = gates * hidden;
            PackedB[] frozen = frozenPanels;
            ownPanels = rows && frozen == null;
            if (rows) {
                whhT = qHh != null ? null : frozen != null ? frozen[1] : k.newRowPanels(hidden, G);
                wihT = qIh != null ? null : frozen != null ? frozen[0] : k.newRowPanels(in, G);
            } else {
                whhT = qHh != null ? null : k.newPackedB(TRANS, hidden, G, batch, steps);
                wihT = null;
            }
            whh = quantized() || rows ? null : k.newPackedB(NO_TRANS, G, hidden, batch, steps);
        }

        /** Where the input projection x W_ih^T (T, B, G*H) goes, and where the cell's {@link #recur} reads it. */
        abstract float[] projection();

        /** The rest of forward, from x W_ih^T in {@link #projection()}: biases, the steps, h_T (and c_T). */
        abstract void recur(float[] h0In, float[] c0In);

        @Override
        public final void forward(float[] x, float[] h0In, float[] c0In) {
            // x W_ih^T for all T * B rows at once
            int G = gates * hidden;
            if (qIh != null) {
                k.gemmInt8(steps * active, x, 0, in, qIh, projection(), 0, G, OVERWRITE); // row-independent too
            } else if (rows) {
                if (ownPanels) k.pack(wihT, wIh.values(), wIh.offset(), in);
                k.sgemm(steps * active, x, 0, in, wihT, projection(), 0, G, OVERWRITE);
            } else {
                k.sgemm(NO_TRANS, TRANS, steps * batch, G, in, x, 0, in, wIh.values(), wIh.offset(), in, projection(), 0,
                        G, OVERWRITE);
            }
            recur(h0In, c0In);
        }

        @Override
        public final void forwardProjected(float[] projected, float[] h0In, float[] c0In) {
            System.arraycopy(projected, 0, projection(), 0, steps * active * gates * hidden);
            recur(h0In, c0In);
        }

        /** Copies the initial state in, packs W_hh^T for the steps. */
        final void begin(float[] h0In) {
            System.arraycopy(h0In, 0, h0, 0, active * hidden);
            if (whhT != null && (!rows || ownPanels)) k.pack(whhT, wHh.values(), wHh.offset(), hidden);
        }

        /**
         * The recurrence's product {@code C (B, G*H) (+)= h (B, H) W_hh^T}: with the packed W_hh^T (in a step pass
         * row panels, so each sequence's row has the bits it has alone); in a quantized layer from its int8 W_hh
         * (whose product is row-independent as well).
         */
        final void recurrence(float[] h, int hOff, float[] c, int cOff, int ldc, boolean accumulate) {
            if (qHh != null) k.gemmInt8(active, h, hOff, hidden, qHh, c, cOff, ldc, accumulate);
            else k.sgemm(active, h, hOff, hidden, whhT, c, cOff, ldc, accumulate);
        }

        /** h_T from the last step. */
        final void end() {
            int bh = active * hidden;
            System.arraycopy(out, (steps - 1) * bh, hT, 0, bh);
        }

        /** Starts a backward pass from dLoss/dh_T; packs W_hh for dh = da W_hh. */
        final void beginBackward(float[] dhT) {
            if (quantized()) {
                throw new IllegalStateException(wHh.name() + ": this layer computes with int8 weights, for generation "
                        + "only; it cannot be trained (training is float32)");
            }
            System.arraycopy(dhT, 0, dh, 0, batch * hidden);
            k.pack(whh, wHh.values(), wHh.offset(), hidden);
        }

        /** At step t of a backward pass: dLoss/dh_t = dOut_t + what came back from step t+1, into {@code into}. */
        final void keepHiddenGradient(float[] into, int t, float[] dOut) {
            if (into == null) return;
            int bh = batch * hidden, s = t * bh;
            for (int j = 0; j < bh; j++) into[s + j] = dOut[s + j] + dh[j];
        }

        /**
         * The ending of backward, from the gradients of the input side {@code dIn} and of the hidden side {@code dRec}
         * of the pre-activations (T, B, G*H; the same array when the cell sums the two): the weights, summed over all
         * steps, {@code dW_ih += dIn^T x}, {@code dW_hh += dRec_t^T h_{t-1}}, {@code db_ih += sum dIn},
         * {@code db_hh += sum dRec}; and the input, {@code dx = dIn W_ih}.
         */
        final void finishBackward(float[] x, float[] dIn, float[] dRec, float[] dx) {
            int B = batch, H = hidden, G = gates * H, n = steps * B;
            k.sgemm(TRANS, NO_TRANS, G, in, n, dIn, 0, G, x, 0, in, wIh.grads(), wIh.offset(), in, ACCUMULATE);
            k.sgemm(TRANS, NO_TRANS, G, H, B, dRec, 0, G, h0, 0, H, wHh.grads(), wHh.offset(), H, ACCUMULATE);
            k.sgemm(TRANS, NO_TRANS, G, H, n - B, dRec, B * G, G, out, 0, H, wHh.grads(), wHh.offset(), H, ACCUMULATE);
            k.addColumnSums(n, G, dIn, 0, G, bIh.grads(), bIh.offset());
            k.addColumnSums(n, G, dRec, 0, G, bHh.grads(), bHh.offset());
            k.sgemm(NO_TRANS, NO_TRANS, n, in, G, dIn, 0, G, wIh.values(), wIh.offset(), in, dx, 0, in, OVERWRITE);
        }

        @Override
        public final void useRows(int n) {
            if (n < 1 || n > batch) throw new IllegalArgumentException("rows must be in 1.." + batch + ", got " + n);
            if (!rows && n != batch) throw new IllegalStateException("only a step pass computes fewer rows than its batch");
            active = n;
        }

        @Override public final int batch() { return batch; }
        @Override public final int steps() { return steps; }
        @Override public final float[] output() { return out; }
        @Override public final float[] finalH() { return hT; }
        @Override public final float[] dInitialH() { return dh; }
        @Override public float[] finalC() { return null; }
        @Override public float[] dInitialC() { return null; }
    }
}
