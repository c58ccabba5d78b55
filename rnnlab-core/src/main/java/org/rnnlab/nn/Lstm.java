package org.rnnlab.nn;

import static org.rnnlab.kernel.Kernel.ACCUMULATE;
import static org.rnnlab.kernel.Kernel.NO_TRANS;
import static org.rnnlab.kernel.Kernel.OVERWRITE;
import static org.rnnlab.kernel.Kernel.TRANS;

import java.util.List;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.kernel.PackedB;

/**
 * One layer of {@code nn.LSTM}, PyTorch's equations and layout (gate blocks i f g o in the weight rows):
 * <pre>
 *   a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh          (B, 4H), split into a_i a_f a_g a_o
 *   i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
 *   c_t = f * c_{t-1} + i * g
 *   h_t = o * tanh(c_t)
 * </pre>
 * The input projection of all T steps is one GEMM; each step then adds its recurrence GEMM, with W_hh packed
 * for the kernel once per pass rather than once per step. Backward walks time in reverse (the kernel's fused
 * cell backward, then dh = da W_hh), keeping dh and dc for the state flowing into the step, and finishes with
 * the weight gradients of all steps as three GEMMs.
 */
public final class Lstm implements RecurrentLayer {
    private final Kernel k;
    private final Param wIh; // (4H, in)
    private final Param wHh; // (4H, H)
    private final Param bIh; // (4H)
    private final Param bHh; // (4H)
    private final int in;
    private final int hidden;

    public Lstm(Kernel kernel, Param weightIh, Param weightHh, Param biasIh, Param biasHh) {
        int[] dims = RecurrentShapes.check("nn.LSTM", 4, weightIh, weightHh, biasIh, biasHh);
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
    @Override public int gates() { return 4; }
    @Override public boolean hasCell() { return true; }
    @Override public List<Param> params() { return List.of(wIh, wHh, bIh, bHh); }

    @Override
    public Pass newPass(int batch, int steps) {
        return new Pass(batch, steps);
    }

    /** The buffers of one (B, T) batch. */
    public final class Pass implements RecurrentLayer.Pass {
        private final int batch;
        private final int steps;
        private final float[] gates;  // (T, B, 4H) after forward: the activations i f g o
        private final float[] cells;  // (T, B, H) c_t
        private final float[] out;    // (T, B, H) h_t
        private final float[] h0;     // (B, H) copy of the initial state
        private final float[] c0;     // (B, H)
        private final float[] hT;     // (B, H)
        private final float[] cT;     // (B, H)
        private final float[] dGates; // (T, B, 4H) dLoss/da_t
        private final float[] dh;     // (B, H) dLoss/dh_{t-1} while walking back; dLoss/dh0 at the end
        private final float[] dc;     // (B, H) dLoss/dc_{t-1} likewise
        private final float[] biasSum; // (4H) b_ih + b_hh
        private final PackedB whhT;   // W_hh^T (H, 4H) for the recurrence, packed by forward
        private final PackedB whh;    // W_hh (4H, H) for dh = da W_hh, packed by backward

        Pass(int batch, int steps) {
            RecurrentShapes.requireBatch(batch, steps);
            this.batch = batch;
            this.steps = steps;
            int bh = batch * hidden;
            gates = new float[steps * bh * 4];
            cells = new float[steps * bh];
            out = new float[steps * bh];
            h0 = new float[bh];
            c0 = new float[bh];
            hT = new float[bh];
            cT = new float[bh];
            dGates = new float[steps * bh * 4];
            dh = new float[bh];
            dc = new float[bh];
            biasSum = new float[4 * hidden];
            whhT = k.newPackedB(TRANS, hidden, 4 * hidden, batch, steps);
            whh = k.newPackedB(NO_TRANS, 4 * hidden, hidden, batch, steps);
        }

        @Override
        public void forward(float[] x, float[] h0In, float[] c0In) {
            // a = x W_ih^T for all T * B rows at once
            int G = 4 * hidden;
            k.sgemm(NO_TRANS, TRANS, steps * batch, G, in, x, 0, in, wIh.values(), wIh.offset(), in, gates, 0, G,
                    OVERWRITE);
            recur(h0In, c0In);
        }

        @Override
        public void forwardProjected(float[] projected, float[] h0In, float[] c0In) {
            System.arraycopy(projected, 0, gates, 0, steps * batch * 4 * hidden);
            recur(h0In, c0In);
        }

        /** The rest of forward, from x W_ih^T in the gate buffer. */
        private void recur(float[] h0In, float[] c0In) {
            int B = batch, H = hidden, G = 4 * H, bh = B * H;
            System.arraycopy(h0In, 0, h0, 0, bh);
            System.arraycopy(c0In, 0, c0, 0, bh);
            // a += (b_ih + b_hh): both biases added here, once, rather than b_hh at every step (the sum rounds
            // differently from PyTorch's order by an ulp at most)
            float[] bIn = bIh.values(), bRec = bHh.values();
            for (int j = 0; j < G; j++) biasSum[j] = bIn[bIh.offset() + j] + bRec[bHh.offset() + j];
            k.addRowVector(steps * B, G, biasSum, 0, gates, 0, G);
            k.pack(whhT, wHh.values(), wHh.offset(), H);
            for (int t = 0; t < steps; t++) {
                int g = t * B * G, s = t * bh;
                float[] hPrev = t == 0 ? h0 : out;
                float[] cPrev = t == 0 ? c0 : cells;
                int prev = t == 0 ? 0 : s - bh;
                // a += h_{t-1} W_hh^T
                k.sgemm(B, hPrev, prev, H, whhT, gates, g, G, ACCUMULATE);
                // i f g o; c_t = f c_{t-1} + i g; h_t = o tanh(c_t)
                k.lstmCell(B, H, gates, g, cPrev, prev, cells, s, out, s);
            }
            System.arraycopy(out, (steps - 1) * bh, hT, 0, bh);
            System.arraycopy(cells, (steps - 1) * bh, cT, 0, bh);
        }

        @Override
        public void backward(float[] x, float[] dOut, float[] dhT, float[] dcT, float[] dx, float[] dhSteps) {
            int B = batch, H = hidden, G = 4 * H, bh = B * H, n = steps * B;
            System.arraycopy(dhT, 0, dh, 0, bh);
            System.arraycopy(dcT, 0, dc, 0, bh);
            k.pack(whh, wHh.values(), wHh.offset(), H);
            for (int t = steps - 1; t >= 0; t--) {
                RecurrentShapes.keepHiddenGradient(dhSteps, t, bh, dh, dOut);
                float[] cPrev = t == 0 ? c0 : cells;
                int prev = t == 0 ? 0 : (t - 1) * bh;
                // h_t feeds the output and step t+1; back through h = o tanh(c) and c = f c' + i g, into c_{t-1},
                // and through the gate nonlinearities (the equations: ScalarKernel.lstmCellBackward)
                k.lstmCellBackward(B, H, gates, t * B * G, cells, t * bh, cPrev, prev, dh, 0, dOut, t * bh, dc, 0,
                        dGates, t * B * G);
                // into h_{t-1}: dh = da_t W_hh
                k.sgemm(B, dGates, t * B * G, G, whh, dh, 0, H, OVERWRITE);
            }
            // the weights, summed over all steps: dW_ih += da^T x, dW_hh += da_t^T h_{t-1}, both biases += sum da
            k.sgemm(TRANS, NO_TRANS, G, in, n, dGates, 0, G, x, 0, in, wIh.grads(), wIh.offset(), in, ACCUMULATE);
            k.sgemm(TRANS, NO_TRANS, G, H, B, dGates, 0, G, h0, 0, H, wHh.grads(), wHh.offset(), H, ACCUMULATE);
            k.sgemm(TRANS, NO_TRANS, G, H, n - B, dGates, B * G, G, out, 0, H, wHh.grads(), wHh.offset(), H,
                    ACCUMULATE);
            k.addColumnSums(n, G, dGates, 0, G, bIh.grads(), bIh.offset());
            k.addColumnSums(n, G, dGates, 0, G, bHh.grads(), bHh.offset());
            // into x: dx = da W_ih
            k.sgemm(NO_TRANS, NO_TRANS, n, in, G, dGates, 0, G, wIh.values(), wIh.offset(), in, dx, 0, in, OVERWRITE);
        }

        @Override public int batch() { return batch; }
        @Override public int steps() { return steps; }
        @Override public float[] output() { return out; }
        @Override public float[] finalH() { return hT; }
        @Override public float[] finalC() { return cT; }
        @Override public float[] dInitialH() { return dh; }
        @Override public float[] dInitialC() { return dc; }
    }
}
