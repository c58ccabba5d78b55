package org.rnnlab.nn;

import static org.rnnlab.kernel.Kernel.ACCUMULATE;
import static org.rnnlab.kernel.Kernel.OVERWRITE;

import org.rnnlab.kernel.Int8Matrix;
import org.rnnlab.kernel.Kernel;

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
 * the weight gradients of all steps as GEMMs ({@link RecurrentBase}, with what every cell shares).
 */
public final class Lstm extends RecurrentBase {
    public Lstm(Kernel kernel, Param weightIh, Param weightHh, Param biasIh, Param biasHh) {
        this(kernel, weightIh, weightHh, biasIh, biasHh, null, null);
    }

    /** A layer whose products read int8 weights where {@code int8Ih} / {@code int8Hh} are given (generation only). */
    public Lstm(Kernel kernel, Param weightIh, Param weightHh, Param biasIh, Param biasHh, Int8Matrix int8Ih,
                Int8Matrix int8Hh) {
        super("nn.LSTM", 4, kernel, weightIh, weightHh, biasIh, biasHh, int8Ih, int8Hh);
    }

    @Override
    public boolean hasCell() {
        return true;
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
        private final float[] gates;   // (T, B, 4H) x W_ih^T; after forward: the activations i f g o
        private final float[] cells;   // (T, B, H) c_t
        private final float[] c0;      // (B, H) copy of the initial cell state
        private final float[] cT;      // (B, H)
        private final float[] dGates;  // (T, B, 4H) dLoss/da_t
        private final float[] dc;      // (B, H) dLoss/dc_{t-1} while walking back; dLoss/dc0 at the end
        private final float[] biasSum; // (4H) b_ih + b_hh

        Pass(int batch, int steps, boolean rows) {
            super(batch, steps, rows);
            int bh = batch * hidden;
            gates = new float[steps * bh * 4];
            cells = new float[steps * bh];
            c0 = new float[bh];
            cT = new float[bh];
            dGates = new float[steps * bh * 4];
            dc = new float[bh];
            biasSum = new float[4 * hidden];
        }

        @Override
        float[] projection() {
            return gates;
        }

        @Override
        void recur(float[] h0In, float[] c0In) {
            int B = active, H = hidden, G = 4 * H, bh = B * H;
            begin(h0In);
            System.arraycopy(c0In, 0, c0, 0, bh);
            // a += (b_ih + b_hh): both biases added here, once, rather than b_hh at every step (the sum rounds
            // differently from PyTorch's order by an ulp at most)
            sumBiases(biasSum);
            k.addRowVector(steps * B, G, biasSum, 0, gates, 0, G);
            for (int t = 0; t < steps; t++) {
                int g = t * B * G, s = t * bh;
                float[] hPrev = t == 0 ? h0 : out;
                float[] cPrev = t == 0 ? c0 : cells;
                int prev = t == 0 ? 0 : s - bh;
                // a += h_{t-1} W_hh^T
                recurrence(hPrev, prev, gates, g, G, ACCUMULATE);
                // i f g o; c_t = f c_{t-1} + i g; h_t = o tanh(c_t)
                k.lstmCell(B, H, gates, g, cPrev, prev, cells, s, out, s);
            }
            end();
            System.arraycopy(cells, (steps - 1) * bh, cT, 0, bh);
        }

        @Override
        public void backward(float[] x, float[] dOut, float[] dhT, float[] dcT, float[] dx, float[] dhSteps) {
            int B = batch, H = hidden, G = 4 * H, bh = B * H;
            beginBackward(dhT);
            System.arraycopy(dcT, 0, dc, 0, bh);
            for (int t = steps - 1; t >= 0; t--) {
                keepHiddenGradient(dhSteps, t, dOut);
                float[] cPrev = t == 0 ? c0 : cells;
                int prev = t == 0 ? 0 : (t - 1) * bh;
                // h_t feeds the output and step t+1; back through h = o tanh(c) and c = f c' + i g, into c_{t-1},
                // and through the gate nonlinearities (the equations: ScalarKernel.lstmCellBackward)
                k.lstmCellBackward(B, H, gates, t * B * G, cells, t * bh, cPrev, prev, dh, 0, dOut, t * bh, dc, 0,
                        dGates, t * B * G);
                // into h_{t-1}: dh = da_t W_hh
                k.sgemm(B, dGates, t * B * G, G, whh, dh, 0, H, OVERWRITE);
            }
            // both biases and both weights see the same da
            finishBackward(x, dGates, dGates, dx);
        }

        @Override public float[] finalC() { return cT; }
        @Override public float[] dInitialC() { return dc; }
        @Override public float[] cells() { return cells; }
        @Override public float[] gateActivations() { return gates; }
    }
}
