package org.rnnlab.train;

import org.rnnlab.Score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.testing.Resources;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.State;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.text.Vocabulary;

class EvaluatorTest {
    static final Vocabulary VOCAB = Vocabulary.fromText(LabCorpus.TEXT);
    static final int[] TOKENS = VOCAB.encode(LabCorpus.TEXT);

    /** The textbook definition: one character at a time through {@code step}, log-softmax in double. */
    static double[] reference(CharModel model, int[] tokens) {
        CharModel.StepWorkspace ws = model.stepWorkspace(1);
        State state = model.zeroState(1);
        int v = model.config().vocab();
        double nll = 0;
        long correct = 0;
        for (int i = 0; i + 1 < tokens.length; i++) {
            float[] logits = model.step(ws, new int[] {tokens[i]}, state, state);
            double max = Double.NEGATIVE_INFINITY;
            int arg = 0;
            for (int j = 0; j < v; j++) {
                if (logits[j] > max) {
                    max = logits[j];
                    arg = j;
                }
            }
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.exp(logits[j] - max);
            nll += max + Math.log(sum) - logits[tokens[i + 1]];
            if (arg == tokens[i + 1]) correct++;
        }
        return new double[] {nll / (tokens.length - 1), (double) correct / (tokens.length - 1)};
    }

    @Test
    void scoresTheTextAsOneStreamWithTheStateCarried() {
        for (CellType cell : CellType.values()) {
            CharModel model = CharModel.create(new ModelConfig(cell, VOCAB.size(), 6, 10, 2, 0), 5);
            double[] want = reference(model, TOKENS);
            for (int chunk : new int[] {1, 7, 40, 256, 1000}) {
                Score s = Evaluator.score(model, TOKENS, chunk);
                assertThat(s.chars()).isEqualTo(338);
                assertThat(s.loss()).as("%s chunk %d", cell, chunk).isCloseTo(want[0], within(1e-6));
                assertThat(s.accuracy()).as("%s chunk %d", cell, chunk).isEqualTo(want[1]);
            }
        }
    }

    /**
     * Notebook-trained PyTorch models scored by PyTorch the same way ({@code tools/make_train_fixtures.py}): the
     * loss agrees to 1e-6 relative (measured: below 2e-7; one forward pass agrees with PyTorch to about 1e-7) and
     * the same characters are predicted right.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lstm_L1_notebook", "rnn_L1_notebook", "gru_L3_lab"})
    void scoresLikePyTorchEvaluatingTheTextAsOneStream(String name) throws IOException {
        ModelFiles.Loaded pt = ModelFiles.load(Resources.path(getClass(), "../notebook/" + name + ".pt"),
                new ModelFiles.Hints(VOCAB, Nonlinearity.TANH));
        Map<String, NpyArray> f = Npz.read(Resources.path(getClass(), "eval_" + name + ".npz"));
        Score s = Evaluator.score(pt.model(), TOKENS);
        double want = f.get("loss").toDoubles()[0];
        assertThat(s.chars()).isEqualTo(f.get("chars").toLongs()[0]);
        System.out.printf("%s eval: relative loss difference %.2e%n", name, Math.abs(s.loss() - want) / want);
        assertThat(Math.abs(s.loss() - want) / want).as("%s loss %s vs PyTorch %s", name, s.loss(), want).isLessThan(1e-6);
        assertThat(Math.round(s.accuracy() * s.chars())).isEqualTo(f.get("correct").toLongs()[0]);
    }

    @Test
    void derivedFiguresFollowTheirDefinitions() {
        Score s = new Score(Math.log(4), 0.5, 10);
        assertThat(s.perplexity()).isCloseTo(4, within(1e-12));
        assertThat(s.bpc()).isCloseTo(2, within(1e-12));
        // A model that knows nothing about 39 characters scores about ln 39 (the weights are small at first).
        CharModel fresh = CharModel.create(new ModelConfig(CellType.LSTM, VOCAB.size(), 4, 8, 1, 0), 1);
        assertThat(Evaluator.score(fresh, TOKENS).perplexity()).isBetween(30.0, 50.0);
    }

    @Test
    void aTextWithNothingToPredictIsAnError() {
        CharModel model = CharModel.create(new ModelConfig(CellType.GRU, VOCAB.size(), 4, 8, 1, 0), 1);
        assertThatThrownBy(() -> Evaluator.score(model, new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a text of 1 character(s) has nothing to predict; scoring needs at least 2");
    }
}
