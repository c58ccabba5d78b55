package org.rnnlab.nn;

import static org.rnnlab.kernel.Kernel.ACCUMULATE;
import static org.rnnlab.kernel.Kernel.OVERWRITE;

import org.rnnlab.kernel.Int8Matrix;
import org.rnnlab.kernel.Kernel;

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
 * What every cell shares (parameters, the input projection, the weight gradients) is {@link RecurrentBase}'s.
 */
public final class Gru extends RecurrentBase {
    public Gru(Kernel kernel, Param weightIh, Param weightHh, Param biasIh, Param biasHh) {
        this(kernel, weightIh, weightHh, biasIh, biasHh, null, null);
    }

    /** A layer whose products read int8 weights where {@code int8Ih} / {@code int8Hh} are given (generation only). */
    public Gru(Kernel kernel, Param weightIh, Param weightHh, Param biasIh, Param biasHh, Int8Matrix int8Ih,
                Int8Matrix int8Hh) {
        super("nn.GRU", 3, kernel, weightIh, weightHh, biasIh, biasHh, int8Ih, int8Hh);
    }

    @Override
    public Pass newPass(int batch, int steps) {
        return new Pass(batch, steps, false);
    }

    @Override
    public Pass newStepPass(int batch) {
        return new Pass(batch, 1, true);
    }

    /** The buffers of one (B, T) batch. */
    public final class Pass extends RecurrentBase.Pass {
        private final float[] gates; // (T, B, 3H) gx_t; after forward: the activations r z n
        private final float[] hProj; // (T, B, 3H) gh_t = W_hh h_{t-1} + b_hh
        private final float[] dGx;   // (T, B, 3H) dLoss/dgx_t
        private final float[] dGh;   // (T, B, 3H) dLoss/dgh_t

        Pass(int batch, int steps, boolean rows) {
            super(batch, steps, rows);
            int n = steps * batch * 3 * hidden;
            gates = new float[n];
            hProj = new float[n];
            dGx = new float[n];
            dGh = new float[n];
        }

        @Override
        float[] projection() {
            return gates;
        }

        @Override
        void recur(float[] h0In, float[] c0Ignored) {
            int B = active, H = hidden, G = 3 * H, bh = B * H;
            begin(h0In);
            // gx += b_ih
            k.addRowVector(steps * B, G, bIh.values(), bIh.offset(), gates, 0, G);
            for (int t = 0; t < steps; t++) {
                int g = t * B * G, s = t * bh;
                float[] hPrev = t == 0 ? h0 : out;
                int prev = t == 0 ? 0 : s - bh;
                // gh = h_{t-1} W_hh^T + b_hh
                recurrence(hPrev, prev, hProj, g, G, OVERWRITE);
                k.addRowVector(B, G, bHh.values(), bHh.offset(), hProj, g, G);
                // r z n; h_t = (1 - z) n + z h_{t-1}
                k.gruCell(B, H, gates, g, hProj, g, hPrev, prev, out, s);
            }
            end();
        }

        @Override
        public void backward(float[] x, float[] dOut, float[] dhT, float[] dcIgnored, float[] dx, float[] dhSteps) {
            int B = batch, H = hidden, G = 3 * H, bh = B * H;
            beginBackward(dhT);
            for (int t = steps - 1; t >= 0; t--) {
                keepHiddenGradient(dhSteps, t, dOut);
                float[] hPrev = t == 0 ? h0 : out;
                int prev = t == 0 ? 0 : (t - 1) * bh;
                // h_t feeds the output and step t+1; back through h = (1 - z) n + z h' (dh becomes the direct part
                // of dLoss/dh_{t-1}), n = tanh(gx_n + r gh_n) and the sigmoids (ScalarKernel.gruCellBackward)
                k.gruCellBackward(B, H, gates, t * B * G, hProj, t * B * G, hPrev, prev, dh, 0, dOut, t * bh, dGx, dGh,
                        t * B * G);
                // into h_{t-1} through the recurrence: dh += dgh_t W_hh
                k.sgemm(B, dGh, t * B * G, G, whh, dh, 0, H, ACCUMULATE);
            }
            // the input side's gradient for W_ih, b_ih and x; the hidden side's for W_hh and b_hh
            finishBackward(x, dGx, dGh, dx);
        }

        @Override
        public float[] gateActivations() {
            return gates;
        }
    }
}
