package org.rnnlab.generate;

import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;

/** The notebook's {@code predict_next} for any model: the next-character distribution after a prompt. */
public final class NextChar {
    private NextChar() {}

    /**
     * Runs the prompt from a zero state, one token at a time with the state carried, and returns
     * {@code log_softmax} of the last logits (V), computed in double.
     */
    public static double[] logProbabilities(CharModel model, int[] prompt) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one character");
        CharModel.StepWorkspace ws = model.stepWorkspace(1);
        State state = model.zeroState(1);
        int[] token = new int[1];
        float[] logits = null;
        for (int id : prompt) {
            token[0] = id;
            logits = model.step(ws, token, state, state);
        }
        int v = model.config().vocab();
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) max = Math.max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < v; i++) sum += Math.exp(logits[i] - max);
        double logZ = max + Math.log(sum);
        double[] out = new double[v];
        for (int i = 0; i < v; i++) out[i] = logits[i] - logZ;
        return out;
    }
}
