package org.rnnlab.nn;

import static org.rnnlab.kernel.Kernel.ACCUMULATE;
import static org.rnnlab.kernel.Kernel.NO_TRANS;
import static org.rnnlab.kernel.Kernel.OVERWRITE;
import static org.rnnlab.kernel.Kernel.TRANS;

import java.util.List;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.kernel.PackedB;

/**
 * One layer of {@code nn.RNN} (Elman), with {@code nonlinearity='tanh'} or {@code 'relu'}:
 * <pre>
 *   h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)        act = tanh or relu, h_t (B, H)
 * </pre>
 * The pre-activations are built in the output buffer itself and activated in place. Backward needs only the
 * outputs: tanh' = 1 - h^2 and relu' = [h > 0] (PyTorch's convention at 0).
 */
public final class Rnn implements RecurrentLayer {
    private final Kernel k;
    private final Nonlinearity act;
    private final Param wIh; // (H, in)
    private final Param wHh; // (H, H)
    private final Param bIh; // (H)
    private final Param bHh; // (H)
    private final int in;
    private final int hidden;

    public Rnn(Kernel kernel, Nonlinearity nonlinearity, Param weightIh, Param weightHh, Param biasIh, Param biasHh) {
        int[] dims = RecurrentShapes.check("nn.RNN", 1, weightIh, weightHh, biasIh, biasHh);
        this.k = kernel;
        this.act = java.util.Objects.requireNonNull(nonlinearity, "nonlinearity");
        this.wIh = weightIh;
        this.wHh = weightHh;
        this.bIh = biasIh;
        this.bHh = biasHh;
        this.in = dims[0];
        this.hidden = dims[1];
    }

    public Nonlinearity nonlinearity() { return act; }
    @Override public int inputSize() { return in; }
    @Override public int hiddenSize() { return hidden; }
    @Override public int gates() { return 1; }
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
        private final float[] out; // (T, B, H) h_t
        private final float[] h0;  // (B, H) copy of the initial state
        private final float[] hT;  // (B, H)
        private final float[] dA;  // (T, B, H) dLoss/d(pre-activation)
        private final float[] dh;  // (B, H) dLoss/dh_{t-1} while walking back; dLoss/dh0 at the end
        private final float[] biasSum; // (H) b_ih + b_hh
        private final PackedB whhT; // W_hh^T (H, H) for the recurrence, packed by forward
        private final PackedB whh;  // W_hh (H, H) for dh = da W_hh, packed by backward

        Pass(int batch, int steps) {
            RecurrentShapes.requireBatch(batch, steps);
            this.batch = batch;
            this.steps = steps;
            int bh = batch * hidden;
            out = new float[steps * bh];
            h0 = new float[bh];
            hT = new float[bh];
            dA = new float[steps * bh];
            dh = new float[bh];
            biasSum = new float[hidden];
            whhT = k.newPackedB(TRANS, hidden, hidden, batch, steps);
            whh = k.newPackedB(NO_TRANS, hidden, hidden, batch, steps);
        }

        @Override
        public void forward(float[] x, float[] h0In, float[] c0Ignored) {
            // a = x W_ih^T for all T * B rows at once, built in the output buffer
            k.sgemm(NO_TRANS, TRANS, steps * batch, hidden, in, x, 0, in, wIh.values(), wIh.offset(), in, out, 0,
                    hidden, OVERWRITE);
            recur(h0In);
        }

        @Override
        public void forwardProjected(float[] projected, float[] h0In, float[] c0Ignored) {
            System.arraycopy(projected, 0, out, 0, steps * batch * hidden);
            recur(h0In);
        }

        /** The rest of forward, from x W_ih^T in the output buffer. */
        private void recur(float[] h0In) {
            int B = batch, H = hidden, bh = B * H;
            System.arraycopy(h0In, 0, h0, 0, bh);
            // a += (b_ih + b_hh): both biases added here, once, rather than b_hh at every step (the sum rounds
            // differently from PyTorch by an ulp at most)
            float[] bIn = bIh.values(), bRec = bHh.values();
            for (int j = 0; j < H; j++) biasSum[j] = bIn[bIh.offset() + j] + bRec[bHh.offset() + j];
            k.addRowVector(steps * B, H, biasSum, 0, out, 0, H);
            k.pack(whhT, wHh.values(), wHh.offset(), H);
            for (int t = 0; t < steps; t++) {
                int s = t * bh;
                float[] hPrev = t == 0 ? h0 : out;
                int prev = t == 0 ? 0 : s - bh;
                // a += h_{t-1} W_hh^T
                k.sgemm(B, hPrev, prev, H, whhT, out, s, H, ACCUMULATE);
                // h_t = act(a)
                if (act == Nonlinearity.TANH) k.tanh(bh, out, s);
                else k.relu(bh, out, s);
            }
            System.arraycopy(out, (steps - 1) * bh, hT, 0, bh);
        }

        @Override
        public void backward(float[] x, float[] dOut, float[] dhT, float[] dcIgnored, float[] dx, float[] dhSteps) {
            int B = batch, H = hidden, bh = B * H, n = steps * B;
            System.arraycopy(dhT, 0, dh, 0, bh);
            k.pack(whh, wHh.values(), wHh.offset(), H);
            for (int t = steps - 1; t >= 0; t--) {
                RecurrentShapes.keepHiddenGradient(dhSteps, t, bh, dh, dOut);
                // h_t feeds the output and step t+1; back through tanh (1 - h^2) or relu ([h > 0])
                if (act == Nonlinearity.TANH) k.tanhBackward(bh, out, t * bh, dh, 0, dOut, t * bh, dA, t * bh);
                else k.reluBackward(bh, out, t * bh, dh, 0, dOut, t * bh, dA, t * bh);
                // into h_{t-1}: dh = da_t W_hh
                k.sgemm(B, dA, t * bh, H, whh, dh, 0, H, OVERWRITE);
            }
            // the weights, summed over all steps: dW_ih += da^T x, dW_hh += da_t^T h_{t-1}, both biases += sum da
            k.sgemm(TRANS, NO_TRANS, H, in, n, dA, 0, H, x, 0, in, wIh.grads(), wIh.offset(), in, ACCUMULATE);
            k.sgemm(TRANS, NO_TRANS, H, H, B, dA, 0, H, h0, 0, H, wHh.grads(), wHh.offset(), H, ACCUMULATE);
            k.sgemm(TRANS, NO_TRANS, H, H, n - B, dA, bh, H, out, 0, H, wHh.grads(), wHh.offset(), H, ACCUMULATE);
            k.addColumnSums(n, H, dA, 0, H, bIh.grads(), bIh.offset());
            k.addColumnSums(n, H, dA, 0, H, bHh.grads(), bHh.offset());
            // into x: dx = da W_ih
            k.sgemm(NO_TRANS, NO_TRANS, n, in, H, dA, 0, H, wIh.values(), wIh.offset(), in, dx, 0, in, OVERWRITE);
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
