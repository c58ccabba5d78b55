package org.rnnlab.train;

import org.rnnlab.Score;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;
import org.rnnlab.text.Tokens;

/**
 * Scores a text as ONE stream: from a zero state, chunk after chunk with the recurrent state carried, every
 * character but the first predicted from all the text before it. This is how PyTorch's word_language_model
 * evaluates (state carried across its bptt chunks), with one stream rather than its ten, so the figures do not
 * depend on a batch size and compare directly with a PyTorch loop that feeds the text through once.
 *
 * <p>The chunk length only bounds the work buffers: the state is carried, so the result is the same for any
 * chunk length up to float rounding of the per-chunk sums. Evaluation mode (no dropout).
 */
public final class Evaluator {
    /** Characters per forward pass. */
    public static final int CHUNK = 256;

    private Evaluator() {}

    public static Score score(CharModel model, int[] tokens) {
        return score(model, Tokens.of(tokens), CHUNK);
    }

    public static Score score(CharModel model, int[] tokens, int chunk) {
        return score(model, Tokens.of(tokens), chunk);
    }

    /** A text of any length, read a chunk at a time. */
    public static Score score(CharModel model, Tokens tokens) {
        return score(model, tokens, CHUNK);
    }

    public static Score score(CharModel model, Tokens tokens, int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("evaluation chunk must be at least 1, got " + chunk);
        long predictions = tokens.length() - 1;
        if (predictions < 1) {
            throw new IllegalArgumentException("a text of " + tokens.length() + " character(s) has nothing to predict; "
                    + "scoring needs at least 2");
        }
        int vocab = model.config().vocab();
        State state = model.zeroState(1);
        CharModel.Workspace ws = null;
        int[] inputs = null;
        int[] targets = null;
        double lossSum = 0;
        long correct = 0;
        for (long start = 0; start < predictions; start += chunk) {
            int n = (int) Math.min(chunk, predictions - start);
            if (ws == null || ws.steps() != n) { // one workspace for the full chunks, one for the tail
                ws = model.workspace(1, n);
                inputs = new int[n];
                targets = new int[n];
            }
            tokens.read(start, inputs, 0, n);
            tokens.read(start + 1, targets, 0, n);
            lossSum += model.forward(ws, inputs, targets, state, Mode.EVAL) * n;
            correct += countCorrect(ws.logits(), targets, n, vocab);
            state.copyFrom(ws.finalState());
        }
        return new Score(lossSum / predictions, (double) correct / predictions, predictions);
    }

    /** How many of the {@code rows} logit rows (rows, V) have their first maximum at the target. */
    public static long countCorrect(float[] logits, int[] targets, int rows, int vocab) {
        long correct = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * vocab;
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[o + v] > logits[o + best]) best = v;
            }
            if (best == targets[r]) correct++;
        }
        return correct;
    }
}
