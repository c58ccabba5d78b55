package org.rnnlab.explore;

import java.util.Random;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.nn.Param;
import org.rnnlab.text.Vocabulary;

/**
 * Models whose cells are set by hand, so that what a cell follows is known. A ReLU RNN with a one-hot embedding
 * (E = V): cell 0 is relu(h0 + [x = '('] - [x = ')']), the bracket depth itself; cell 1 is relu([x = newline]),
 * "after a newline"; the other cells have random weights and read neither of them, as noise.
 */
final class HandMadeModels {
    static final int H = 8;

    private HandMadeModels() {}

    static CharModel bracketCounter(Vocabulary v, long seed) {
        int V = v.size();
        CharModel m = CharModel.create(new ModelConfig(CellType.RNN_RELU, V, V, H, 1, 0), seed);
        Random r = new Random(seed);
        Param emb = m.parameters().get("embedding.weight");
        Param wIh = m.parameters().get("rnn.weight_ih_l0"), wHh = m.parameters().get("rnn.weight_hh_l0");
        Param bIh = m.parameters().get("rnn.bias_ih_l0"), bHh = m.parameters().get("rnn.bias_hh_l0");
        float[] w = m.parameters().values();
        for (int i = 0; i < V; i++) for (int k = 0; k < V; k++) w[emb.offset() + i * V + k] = i == k ? 1 : 0;
        for (int j = 0; j < H; j++) {
            w[bIh.offset() + j] = 0;
            w[bHh.offset() + j] = 0;
            for (int k = 0; k < V; k++) w[wIh.offset() + j * V + k] = j < 2 ? 0 : (float) (r.nextDouble() * 2 - 1);
            // the noise cells read each other weakly and never cells 0 and 1
            for (int k = 0; k < H; k++) w[wHh.offset() + j * H + k] = j < 2 || k < 2 ? 0 : (float) (0.3 * (r.nextDouble() * 2 - 1));
        }
        w[wIh.offset() + v.indexOf('(')] = 1;
        w[wIh.offset() + v.indexOf(')')] = -1;
        w[wHh.offset()] = 1;
        w[wIh.offset() + V + v.indexOf('\n')] = 1;
        return m;
    }

    /** Letters, spaces, newlines and nested brackets, the brackets balanced more or less. */
    static String bracketText(int n, long seed) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder();
        int depth = 0;
        while (b.length() < n) {
            double u = r.nextDouble();
            if (u < 0.08 && depth < 6) {
                b.append('(');
                depth++;
            } else if (u < 0.15 && depth > 0) {
                b.append(')');
                depth--;
            } else if (u < 0.2) {
                b.append('\n');
            } else if (u < 0.35) {
                b.append(' ');
            } else {
                b.append((char) ('a' + r.nextInt(6)));
            }
        }
        return b.toString();
    }
}
