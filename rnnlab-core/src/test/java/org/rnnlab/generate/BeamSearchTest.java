package org.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.model.State;

/** Beam search: width 1 is greedy, scores are the model's log-probabilities, and the answer streams as it settles. */
class BeamSearchTest {
    static final String[] PROMPTS = {"the cat", "if (a == b) {", "for (i = 0; i < n; i++) {", "t", "while (x > 0) {"};

    @ParameterizedTest
    @ValueSource(strings = {"lstm_L1_notebook", "rnn_L1_notebook", "gru_L3_lab", "rnn_L3_lab", "lstm_L2_unicode",
        "gru_L1_unicode", "rnn_relu_L2_unicode", "lstm_L3_unicode"})
    void widthOneIsGreedyWithAndWithoutAStopString(String name) {
        ModelFiles.Loaded m = NotebookModels.load(name);
        Completer c = new Completer(m.model(), m.vocabulary());
        for (String text : PROMPTS) {
            Prompt p = Prompt.encode(text, m.vocabulary(), UnknownPolicy.ERROR);
            for (String stop : new String[] {"", "\n", ";", " t"}) {
                Completer.Result greedy = c.complete(p, new CompletionOptions(120, SamplingOptions.GREEDY, 0, 1, 0, stop, 0),
                        cp -> { }).get(0);
                Completer.Result beam = c.complete(p, new CompletionOptions(120, SamplingOptions.GREEDY, 1, 1, 0, stop, 0),
                        cp -> { }).get(0);
                assertThat(beam.text()).as("%s '%s' stop '%s'", name, text, stop).isEqualTo(greedy.text());
                assertThat(beam.stopped()).isEqualTo(greedy.stopped());
            }
        }
    }

    /** The total log-probability of a completion, by stepping the model through it. */
    static double logProbability(CharModel model, int[] prompt, int[] completion) {
        CharModel.StepWorkspace ws = model.stepWorkspace(1);
        State s = model.zeroState(1);
        float[] logits = null;
        for (int id : prompt) logits = model.step(ws, new int[] {id}, s, s);
        double total = 0;
        double[] lp = new double[model.config().vocab()];
        for (int id : completion) {
            BeamSearch.logSoftmax(logits, 0, lp);
            total += lp[id];
            logits = model.step(ws, new int[] {id}, s, s);
        }
        return total;
    }

    @Test
    void theScoreIsTheMeanLogProbabilityOfTheAnswerAndWiderBeamsFindLikelierText() {
        ModelFiles.Loaded m = NotebookModels.load("gru_L1_unicode"); // a weak model: the beams disagree
        int[] prompt = m.vocabulary().encode("el ");
        double previous = Double.NEGATIVE_INFINITY;
        for (int k : new int[] {1, 4, 16}) {
            BeamSearch.Result r = new BeamSearch(m.model(), k).search(prompt, 25, new int[0], id -> { });
            assertThat(r.tokens()).hasSize(25);
            // The beam runs K sequences as one batch and the check runs one: a SIMD kernel may round the two
            // differently, by float32 ulps of each logit; over 25 characters that stays far below 1e-5.
            assertThat(r.logProbability()).isCloseTo(logProbability(m.model(), prompt, r.tokens()), within(1e-5));
            assertThat(r.score()).isEqualTo(r.logProbability() / 25);
            // Equal answers may score a float32 rounding apart when computed in batches of different widths.
            assertThat(r.score()).as("width %d", k).isGreaterThanOrEqualTo(previous - 1e-6);
            previous = r.score();
        }
    }

    /**
     * On the 3-layer GRU the four beams keep re-merging, so the answer streams steadily; a character is never
     * streamed before the step that generated it. (On the overfit LSTM, beams that split at the second character
     * stay apart to the end, and the rest of the answer comes when the search ends: streaming is only as early as
     * the beams agree.)
     */
    @Test
    void theAnswerStreamsAsItSettles() {
        ModelFiles.Loaded m = NotebookModels.load("gru_L3_lab");
        BeamSearch search = new BeamSearch(m.model(), 4);
        List<Integer> stepsAtEmission = new ArrayList<>();
        List<Integer> streamed = new ArrayList<>();
        BeamSearch.Result r = search.search(m.vocabulary().encode("the cat"), 150, new int[0], id -> {
            streamed.add(id);
            stepsAtEmission.add(search.steps());
        });
        assertThat(streamed).containsExactly(java.util.Arrays.stream(r.tokens()).boxed().toArray(Integer[]::new));
        for (int i = 0; i < streamed.size(); i++) {
            assertThat(stepsAtEmission.get(i)).as("character %d", i).isGreaterThan(i);
        }
        assertThat(stepsAtEmission.get(0)).as("the first character is known long before the end").isLessThan(30);
        assertThat(stepsAtEmission.get(100)).isLessThan(150);
    }

    @Test
    void aStopStringEndsTheSearchAndNormalisationComparesLengths() {
        ModelFiles.Loaded m = NotebookModels.load("lstm_L1_notebook");
        int[] stop = m.vocabulary().encode("\n");
        BeamSearch.Result r = new BeamSearch(m.model(), 3).search(m.vocabulary().encode("the cat"), 200, stop, id -> { });
        assertThat(r.stopped()).isTrue();
        assertThat(m.vocabulary().decode(r.tokens())).isEqualTo(" sat on the mat.\n");
        assertThat(r.steps()).as("no live beam could beat the finished one long before 200").isLessThan(200);
    }

    @Test
    void badArgumentsAreErrors() {
        ModelFiles.Loaded m = NotebookModels.load("lstm_L1_notebook");
        assertThatThrownBy(() -> new BeamSearch(m.model(), 0)).hasMessageContaining("beam width must be at least 1, got 0");
        BeamSearch b = new BeamSearch(m.model(), 2);
        assertThatThrownBy(() -> b.search(new int[] {1}, 0, new int[0], id -> { })).hasMessageContaining("length");
        assertThatThrownBy(() -> b.search(new int[] {Prompt.SKIPPED}, 5, new int[0], id -> { }))
                .hasMessageContaining("no character");
    }
}
