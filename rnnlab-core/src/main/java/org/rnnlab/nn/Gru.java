package org.rnnlab.nn;

import static org.rnnlab.kernel.Kernel.ACCUMULATE;
import static org.rnnlab.kernel.Kernel.NO_TRANS;
import static org.rnnlab.kernel.Kernel.OVERWRITE;
import static org.rnnlab.kernel.Kernel.TRANS;

import java.util.List;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.kernel.PackedB;

/**
 * One layer of {@code nn.GRU}, PyTorch's equations and layout (gate blocks r z n in the weight rows):
 * <pre>
 *   gx_t = W_ih x_t + b_ih      gh_t = W_hh h_{t-1} + b_hh          (B, 3H) each, split into r z n blocks
 *   r = sigmoid(gx_r + gh_r)     z = sigmoid(gx_z + gh_z)
 *   n = tanh(gx_n + r * gh_n)                                       (r gates W_hn h + b_hn, bias included)
 *   h_t = (1 - z) * n + z * h_{t-1}
 * </pre>
 * Unlike the LSTM the two projections cannot be summed before the nonlinearity (r multiplies only the hidden
 * part of n), so both are kept, and backward has separate gradients for the input side and the hidden side.
 */
public final class Gru implements RecurrentLayer {
    private final Kernel k;
    private final Param wIh; // (3H, in)
    private final Param wHh; // (3H, H)
    private final Param bIh; // (3H)
    private final Param bHh; // (3H)
    private final int in;
    private final int hidden;

    public Gru(Kernel kernel, Param weightIh, Param weightHh, Param biasIh, Param biasHh) {
        int[] dims = RecurrentShapes.check("nn.GRU", 3, weightIh, weightHh, biasIh, biasHh);
        this.k = kernel;
        this.wIh = weightIh;
        this.wHh = weightHh;
        this.bIh = biasIh;
        this.bHh = biasHh;
        this.in = dims[0];
        this.hidden = dims[1];
    }

    @Override public int inputSize() { return in; }
    @Override public int hiddenSize() { return hidden; }
    @Override public int gates() { return 3; }
    @Override public boolean hasCell() { return false; }
    @Override public List<Param> params() { return List.of(wIh, wHh, bIh, bHh); }

    @Override
    public Pass newPass(int batch, int steps) {
        return new Pass(batch, steps);
    }

    /** The buffers of one (B, T) batch. */
    public final class Pass implements RecurrentLayer.Pass {
        private final int batch;
        private final int steps;
        private final float[] gates; // (T, B, 3H) gx_t; after forward: the activations r z n
        private final float[] hProj; // (T, B, 3H) gh_t = W_hh h_{t-1} + b_hh
        private final float[] out;   // (T, B, H) h_t
        private final float[] h0;    // (B, H) copy of the initial state
        private final float[] hT;    // (B, H)
        private final float[] dGx;   // (T, B, 3H) dLoss/dgx_t
        private final float[] dGh;   // (T, B, 3H) dLoss/dgh_t
        private final float[] dh;    // (B, H) dLoss/dh_{t-1} while walking back; dLoss/dh0 at the end
        private final PackedB whhT;  // W_hh^T (H, 3H) for the recurrence, packed by forward
        private final PackedB whh;   // W_hh (3H, H) for dh += dgh W_hh, packed by backward

        Pass(int batch, int steps) {
            RecurrentShapes.requireBatch(batch, steps);
            this.batch = batch;
            this.steps = steps;
            int bh = batch * hidden;
            gates = new float[steps * bh * 3];
            hProj = new float[steps * bh * 3];
            out = new float[steps * bh];
            h0 = new float[bh];
            hT = new float[bh];
            dGx = new float[steps * bh * 3];
            dGh = new float[steps * bh * 3];
            dh = new float[bh];
            whhT = k.newPackedB(TRANS, hidden, 3 * hidden, batch, steps);
            whh = k.newPackedB(NO_TRANS, 3 * hidden, hidden, batch, steps);
        }

        @Override
        public void forward(float[] x, float[] h0In, float[] c0Ignored) {
            // gx = x W_ih^T for all T * B rows at once
            int G = 3 * hidden;
            k.sgemm(NO_TRANS, TRANS, steps * batch, G, in, x, 0, in, wIh.values(), wIh.offset(), in, gates, 0, G,
                    OVERWRITE);
            recur(h0In);
        }

        @Override
        public void forwardProjected(float[] projected, float[] h0In, float[] c0Ignored) {
            System.arraycopy(projected, 0, gates, 0, steps * batch * 3 * hidden);
            recur(h0In);
        }

        /** The rest of forward, from x W_ih^T in the gate buffer. */
        private void recur(float[] h0In) {
            int B = batch, H = hidden, G = 3 * H, bh = B * H;
            System.arraycopy(h0In, 0, h0, 0, bh);
            // gx += b_ih
            k.addRowVector(steps * B, G, bIh.values(), bIh.offset(), gates, 0, G);
            k.pack(whhT, wHh.values(), wHh.offset(), H);
            for (int t = 0; t < steps; t++) {
                int g = t * B * G, s = t * bh;
                float[] hPrev = t == 0 ? h0 : out;
                int prev = t == 0 ? 0 : s - bh;
                // gh = h_{t-1} W_hh^T + b_hh
                k.sgemm(B, hPrev, prev, H, whhT, hProj, g, G, OVERWRITE);
                k.addRowVector(B, G, bHh.values(), bHh.offset(), hProj, g, G);
                // r z n; h_t = (1 - z) n + z h_{t-1}
                k.gruCell(B, H, gates, g, hProj, g, hPrev, prev, out, s);
            }
            System.arraycopy(out, (steps - 1) * bh, hT, 0, bh);
        }

        @Override
        public void backward(float[] x, float[] dOut, float[] dhT, float[] dcIgnored, float[] dx, float[] dhSteps) {
            int B = batch, H = hidden, G = 3 * H, bh = B * H, n = steps * B;
            System.arraycopy(dhT, 0, dh, 0, bh);
            k.pack(whh, wHh.values(), wHh.offset(), H);
            for (int t = steps - 1; t >= 0; t--) {
                RecurrentShapes.keepHiddenGradient(dhSteps, t, bh, dh, dOut);
                float[] hPrev = t == 0 ? h0 : out;
                int prev = t == 0 ? 0 : (t - 1) * bh;
                // h_t feeds the output and step t+1; back through h = (1 - z) n + z h' (dh becomes the direct part
                // of dLoss/dh_{t-1}), n = tanh(gx_n + r gh_n) and the sigmoids (ScalarKernel.gruCellBackward)
                k.gruCellBackward(B, H, gates, t * B * G, hProj, t * B * G, hPrev, prev, dh, 0, dOut, t * bh, dGx, dGh,
                        t * B * G);
                // into h_{t-1} through the recurrence: dh += dgh_t W_hh
                k.sgemm(B, dGh, t * B * G, G, whh, dh, 0, H, ACCUMULATE);
            }
            // the weights, summed over all steps: dW_ih += dgx^T x, dW_hh += dgh_t^T h_{t-1}, b_ih and b_hh likewise
            k.sgemm(TRANS, NO_TRANS, G, in, n, dGx, 0, G, x, 0, in, wIh.grads(), wIh.offset(), in, ACCUMULATE);
            k.sgemm(TRANS, NO_TRANS, G, H, B, dGh, 0, G, h0, 0, H, wHh.grads(), wHh.offset(), H, ACCUMULATE);
            k.sgemm(TRANS, NO_TRANS, G, H, n - B, dGh, B * G, G, out, 0, H, wHh.grads(), wHh.offset(), H, ACCUMULATE);
            k.addColumnSums(n, G, dGx, 0, G, bIh.grads(), bIh.offset());
            k.addColumnSums(n, G, dGh, 0, G, bHh.grads(), bHh.offset());
            // into x: dx = dgx W_ih
            k.sgemm(NO_TRANS, NO_TRANS, n, in, G, dGx, 0, G, wIh.values(), wIh.offset(), in, dx, 0, in, OVERWRITE);
        }

        @Override public int batch() { return batch; }
        @Override public int steps() { return steps; }
        @Override public float[] output() { return out; }
        @Override public float[] finalH() { return hT; }
        @Override public float[] finalC() { return null; }
        @Override public float[] dInitialH() { return dh; }
        @Override public float[] dInitialC() { return null; }
    }
}
