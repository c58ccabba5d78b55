package org.rnnlab.lab;

import java.util.Arrays;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.nn.Linear;
import org.rnnlab.nn.Mode;
import org.rnnlab.nn.RecurrentStack;
import org.rnnlab.nn.SoftmaxCrossEntropy;

/**
 * How far back a loss reaches: for a window x_0 .. x_{T-1} and the loss L of the prediction after its last
 * character, the norm of dL/dh_t of the top recurrent layer for every step t. A vanilla RNN multiplies the gradient
 * by (roughly) the same Jacobian at every step back, so on a log scale its line falls straight; the LSTM's cell
 * state carries it. This is the vanishing gradient that motivates the LSTM, measured on a trained model.
 *
 * <p>One forward over the window and one backward, with the loss gradient entering at the last output only; the
 * backward pass keeps dL/dh_t at every step (what reaches h_t from step t+1; for the LSTM with c_t held fixed). It
 * runs through the model's own modules; the parameter gradients it leaves behind are cleared.
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
        float[] x = new float[T * c.embed()]; // (T, 1, E)
        model.embedding().forward(window, T, x);
        RecurrentStack.Pass pass = model.recurrent().newPass(1, T);
        float[][] zeros = new float[c.layers()][H];
        pass.forward(x, zeros, zeros, Mode.EVAL);
        // The last prediction's loss through the model's own output layer and cross-entropy: dL/dh_{T-1}.
        float[] last = Arrays.copyOfRange(pass.output(), (T - 1) * H, T * H);
        Linear fc = model.output();
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(model.kernel(), V);
        float[] logits = new float[V];
        float[] dLogits = new float[V];
        double[] lse = new double[1];
        int[] targets = {target};
        fc.forward(last, 1, logits);
        loss.forward(logits, targets, 1, lse);
        loss.backward(logits, targets, 1, lse, 1.0, dLogits);
        float[] dTop = new float[T * H];
        float[] dLast = new float[H];
        fc.backward(last, dLogits, 1, dLast);
        System.arraycopy(dLast, 0, dTop, (T - 1) * H, H);
        float[] dh = new float[T * H];
        pass.backward(x, dTop, zeros, zeros, new float[T * c.embed()], dh); // nothing reaches the final state
        model.zeroGrad();
        float[][] grads = new float[T][];
        for (int t = 0; t < T; t++) grads[t] = Arrays.copyOfRange(dh, t * H, (t + 1) * H);
        return grads;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }
}
