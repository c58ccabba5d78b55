package org.rnnlab.nn;

import static org.rnnlab.kernel.Kernel.ACCUMULATE;
import static org.rnnlab.kernel.Kernel.OVERWRITE;

import org.rnnlab.kernel.Int8Matrix;
import org.rnnlab.kernel.Kernel;

/**
 * One layer of {@code nn.RNN} (Elman), with {@code nonlinearity='tanh'} or {@code 'relu'}:
 * <pre>
 *   h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)        act = tanh or relu, h_t (B, H)
 * </pre>
 * The pre-activations are built in the output buffer itself and activated in place. Backward needs only the
 * outputs: tanh' = 1 - h^2 and relu' = [h > 0] (PyTorch's convention at 0). What every cell shares (parameters,
 * the input projection, the weight gradients) is {@link RecurrentBase}'s.
 */
public final class Rnn extends RecurrentBase {
    private final Nonlinearity act;

    public Rnn(Kernel kernel, Nonlinearity nonlinearity, Param weightIh, Param weightHh, Param biasIh, Param biasHh) {
        this(kernel, nonlinearity, weightIh, weightHh, biasIh, biasHh, null, null);
    }

    /** A layer whose products read int8 weights where {@code int8Ih} / {@code int8Hh} are given (generation only). */
    public Rnn(Kernel kernel, Nonlinearity nonlinearity, Param weightIh, Param weightHh, Param biasIh, Param biasHh,
               Int8Matrix int8Ih, Int8Matrix int8Hh) {
        super("nn.RNN", 1, kernel, weightIh, weightHh, biasIh, biasHh, int8Ih, int8Hh);
        this.act = java.util.Objects.requireNonNull(nonlinearity, "nonlinearity");
    }

    public Nonlinearity nonlinearity() { return act; }

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
        private final float[] dA;      // (T, B, H) dLoss/d(pre-activation)
        private final float[] biasSum; // (H) b_ih + b_hh

        Pass(int batch, int steps, boolean rows) {
            super(batch, steps, rows);
            dA = new float[steps * batch * hidden];
            biasSum = new float[hidden];
        }

        @Override
        float[] projection() {
            return out; // a is built where h will be
        }

        @Override
        void recur(float[] h0In, float[] c0Ignored) {
            int B = active, H = hidden, bh = B * H;
            begin(h0In);
            // a += (b_ih + b_hh): both biases added here, once, rather than b_hh at every step (the sum rounds
            // differently from PyTorch by an ulp at most)
            sumBiases(biasSum);
            k.addRowVector(steps * B, H, biasSum, 0, out, 0, H);
            for (int t = 0; t < steps; t++) {
                int s = t * bh;
                float[] hPrev = t == 0 ? h0 : out;
                int prev = t == 0 ? 0 : s - bh;
                // a += h_{t-1} W_hh^T
                recurrence(hPrev, prev, out, s, H, ACCUMULATE);
                // h_t = act(a)
                if (act == Nonlinearity.TANH) k.tanh(bh, out, s);
                else k.relu(bh, out, s);
            }
            end();
        }

        @Override
        public void backward(float[] x, float[] dOut, float[] dhT, float[] dcIgnored, float[] dx, float[] dhSteps) {
            int B = batch, H = hidden, bh = B * H;
            beginBackward(dhT);
            for (int t = steps - 1; t >= 0; t--) {
                keepHiddenGradient(dhSteps, t, dOut);
                // h_t feeds the output and step t+1; back through tanh (1 - h^2) or relu ([h > 0])
                if (act == Nonlinearity.TANH) k.tanhBackward(bh, out, t * bh, dh, 0, dOut, t * bh, dA, t * bh);
                else k.reluBackward(bh, out, t * bh, dh, 0, dOut, t * bh, dA, t * bh);
                // into h_{t-1}: dh = da_t W_hh
                k.sgemm(B, dA, t * bh, H, whh, dh, 0, H, OVERWRITE);
            }
            // both biases and both weights see the same da
            finishBackward(x, dA, dA, dx);
        }
    }
}
