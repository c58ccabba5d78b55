package org.rnnlab.lab;

import java.util.ArrayList;
import java.util.List;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.ParameterArena;
import org.rnnlab.model.State;
import org.rnnlab.nn.Gru;
import org.rnnlab.nn.Lstm;
import org.rnnlab.nn.Mode;
import org.rnnlab.nn.Param;
import org.rnnlab.nn.RecurrentLayer;
import org.rnnlab.nn.RecurrentStack;
import org.rnnlab.nn.Rnn;

/**
 * How far back a loss reaches: for a window x_0 .. x_{T-1} and the loss L of the prediction after its last
 * character, the norm of dL/dh_t of the top recurrent layer for every step t. A vanilla RNN multiplies the gradient
 * by (roughly) the same Jacobian at every step back, so on a log scale its line falls straight; the LSTM's cell
 * state carries it. This is the vanishing gradient that motivates the LSTM, measured on a trained model.
 *
 * <p>dL/dh_t is the gradient of the initial state of the suffix x_{t+1} .. x_{T-1} run from h_t, with the loss
 * gradient entering at the suffix's last output only: T short backward passes, each exact. They run on layers built
 * over the model's own parameters; the parameter gradients they leave behind are cleared.
 */
public final class GradientFlow {
    private GradientFlow() {}

    /** ||dL/dh_t|| for t = 0 .. T-1, where L is the cross-entropy of predicting {@code target} after {@code window}. */
    public static double[] norms(CharModel model, int[] window, int target) {
        float[][] g = gradients(model, window, target);
        double[] norms = new double[g.length];
        for (int t = 0; t < g.length; t++) norms[t] = norm(g[t]);
        return norms;
    }

    /** dL/dh_t (H) of the top layer for t = 0 .. T-1. */
    public static float[][] gradients(CharModel model, int[] window, int target) {
        ModelConfig c = model.config();
        int T = window.length;
        int H = c.hidden();
        int V = c.vocab();
        // Forward one step at a time, keeping the state after every step.
        CharModel.StepWorkspace ws = model.stepWorkspace(1);
        List<State> after = new ArrayList<>();
        State s = model.zeroState(1);
        int[] token = new int[1];
        float[] logits = null;
        for (int id : window) {
            token[0] = id;
            logits = model.step(ws, token, s, s);
            after.add(s.copy());
        }
        // dL/dlogits = softmax - onehot; dL/dh_{T-1} = fc.weight^T dlogits.
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) max = Math.max(max, logits[v]);
        double sum = 0;
        double[] p = new double[V];
        for (int v = 0; v < V; v++) sum += p[v] = Math.exp(logits[v] - max);
        ParameterArena params = model.parameters();
        Param fc = params.get("fc.weight"); // (V, H)
        float[] dTopLast = new float[H];
        for (int v = 0; v < V; v++) {
            double d = p[v] / sum - (v == target ? 1 : 0);
            for (int j = 0; j < H; j++) dTopLast[j] += (float) (d * fc.values()[fc.offset() + v * H + j]);
        }
        float[][] grads = new float[T][];
        grads[T - 1] = dTopLast;
        RecurrentStack stack = stack(model);
        Param emb = params.get("embedding.weight"); // (V, E)
        int E = c.embed();
        for (int t = 0; t < T - 1; t++) {
            int k = T - 1 - t;
            float[] x = new float[k * E]; // (k, 1, E)
            for (int i = 0; i < k; i++) {
                System.arraycopy(emb.values(), emb.offset() + window[t + 1 + i] * E, x, i * E, E);
            }
            State from = after.get(t);
            float[][] h0 = new float[c.layers()][];
            float[][] c0 = new float[c.layers()][];
            for (int l = 0; l < c.layers(); l++) {
                h0[l] = from.h(l);
                c0[l] = from.hasCell() ? from.c(l) : null;
            }
            RecurrentStack.Pass pass = stack.newPass(1, k);
            pass.forward(x, h0, c0, Mode.EVAL);
            float[] dTop = new float[k * H];
            System.arraycopy(dTopLast, 0, dTop, (k - 1) * H, H);
            pass.backward(x, dTop, new float[k * E]);
            grads[t] = pass.dInitialH(c.layers() - 1).clone();
        }
        model.zeroGrad();
        return grads;
    }

    private static RecurrentStack stack(CharModel model) {
        ModelConfig c = model.config();
        ParameterArena a = model.parameters();
        String m = c.cell().moduleName();
        List<RecurrentLayer> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            Param wIh = a.get(m + ".weight_ih_l" + l), wHh = a.get(m + ".weight_hh_l" + l);
            Param bIh = a.get(m + ".bias_ih_l" + l), bHh = a.get(m + ".bias_hh_l" + l);
            Kernel k = Kernel.preferred();
            layers.add(switch (c.cell()) {
                case RNN_TANH, RNN_RELU -> new Rnn(k, c.cell().nonlinearity(), wIh, wHh, bIh, bHh);
                case LSTM -> new Lstm(k, wIh, wHh, bIh, bHh);
                case GRU -> new Gru(k, wIh, wHh, bIh, bHh);
            });
        }
        return new RecurrentStack(layers, 0);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }
}
