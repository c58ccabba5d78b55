package org.rnnlab.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rnnlab.kernel.Kernel;

/** What the layers promise besides their gradients: shapes checked up front, dropout's statistics, stability. */
class LayerContractTest {
    private static final Kernel K = Kernel.scalar();

    /**
     * 100 000 draws at p = 0.3: the kept fraction's standard error is sqrt(p (1 - p) / n) = 1.4e-3, so 0.7 +- 0.01
     * is seven of them; kept entries are scaled by exactly 1 / (1 - p) (float), dropped ones are 0.
     */
    @Test
    void dropoutKeepsOneMinusPAndRescales() {
        int n = 100_000;
        Dropout d = new Dropout(0.3);
        float[] x = new float[n], y = new float[n], mask = new float[n];
        java.util.Arrays.fill(x, 2f);
        d.forward(x, n, mask, y, new SplittableRandom(1));
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (mask[i] != 0) {
                kept++;
                assertThat(mask[i]).isEqualTo((float) (1 / 0.7));
                assertThat(y[i]).isEqualTo(2f * mask[i]);
            } else {
                assertThat(y[i]).isZero();
            }
        }
        assertThat(kept / (double) n).isCloseTo(0.7, within(0.01));
        float[] dx = new float[n];
        d.backward(x, n, mask, dx);
        assertThat(dx).containsExactly(y);
        assertThatThrownBy(() -> new Dropout(1)).hasMessage("dropout probability must be in [0, 1), got 1.0");
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(K, 3);
        float[] logits = {1e4f, -1e4f, 0f, 88f, 89f, 90f};
        double[] lse = new double[2];
        double l = loss.forward(logits, new int[] {1, 2}, 2, lse);
        assertThat(l).isCloseTo((2e4 + Math.log1p(Math.exp(-1) + Math.exp(-2))) / 2, within(1e-9));
        float[] d = new float[6];
        loss.backward(logits, new int[] {1, 2}, 2, lse, 1.0, d);
        assertThat(d[0]).isCloseTo(0.5f, within(1e-7f));
        assertThat(d[1]).isCloseTo(-0.5f, within(1e-7f));
        assertThatThrownBy(() -> loss.forward(logits, new int[] {1, 3}, 2, lse))
                .hasMessage("target 3 (position 1) is outside the classes [0, 3)");
    }

    @Test
    void shapesAreCheckedWhenALayerIsBuilt() {
        Param wIh = Param.standalone("lstm.weight_ih_l0", 16, 3);
        Param wHh = Param.standalone("lstm.weight_hh_l0", 16, 4);
        Param b = Param.standalone("lstm.bias_ih_l0", 16);
        Param bad = Param.standalone("lstm.bias_hh_l0", 12);
        assertThatThrownBy(() -> new Lstm(K, wIh, wHh, b, bad))
                .hasMessage("lstm.bias_hh_l0: expected shape [16], found [12]");
        assertThatThrownBy(() -> new Gru(K, wIh, wHh, b, b)).hasMessageContaining("lstm.weight_hh_l0")
                .hasMessageContaining("(3H, H)");
        Param w12 = Param.standalone("gru.weight_ih_l0", 12, 3);
        assertThatThrownBy(() -> new Gru(K, w12, Param.standalone("gru.weight_hh_l0", 15, 5), b, b))
                .hasMessageContaining("gru.weight_ih_l0: expected shape (15, in) for H = 5, found [12, 3]");
        assertThatThrownBy(() -> new Linear(K, Param.standalone("fc.weight", 4, 3), Param.standalone("fc.bias", 3)))
                .hasMessage("fc.bias: expected shape [4], found [3]");
        assertThatThrownBy(() -> new Embedding(Param.standalone("embedding.weight", 5)))
                .hasMessageContaining("(V, E)");
        Lstm lstm = new Lstm(K, wIh, wHh, b, Param.standalone("lstm.bias_hh_l0", 16));
        assertThatThrownBy(() -> lstm.newPass(0, 3)).hasMessageContaining("B = 0");
        Rnn rnn = new Rnn(K, Nonlinearity.TANH, Param.standalone("a", 4, 2), Param.standalone("b", 4, 4),
                Param.standalone("c", 4), Param.standalone("d", 4));
        assertThatThrownBy(() -> new RecurrentStack(List.of(rnn, rnn), 0))
                .hasMessageContaining("layer 1 (input 2) does not fit on layer 0 (hidden 4)");
        assertThatThrownBy(() -> new Param("x", new int[] {2, 3}, new float[5], new float[5], 0))
                .hasMessageContaining("does not fit");
    }

    @Test
    void embeddingRejectsIdsOutsideTheTable() {
        Embedding e = new Embedding(Param.standalone("embedding.weight", 4, 2));
        assertThatThrownBy(() -> e.forward(new int[] {0, 4}, 2, new float[4]))
                .hasMessage("token id 4 (position 1) is outside the vocabulary [0, 4)");
    }

    @Test
    void modeCarriesItsRandomSource() {
        assertThat(Mode.EVAL.training()).isFalse();
        assertThat(Mode.training(new SplittableRandom(1)).training()).isTrue();
        assertThatThrownBy(() -> Mode.training(null)).isInstanceOf(NullPointerException.class);
    }
}
