package org.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.text.Vocabulary;

/** The sampling generators on the notebook-trained models: seeds, batches, every control, the window, stop strings. */
class GenerationTest {
    static final ModelFiles.Loaded LSTM = NotebookModels.load("lstm_L1_notebook");
    static final ModelFiles.Loaded RNN = NotebookModels.load("rnn_L1_notebook");
    static final ModelFiles.Loaded GRU = NotebookModels.load("gru_L1_unicode");

    static ModelFiles.Loaded model(String name) {
        return switch (name) {
            case "lstm_L1_notebook" -> LSTM;
            case "rnn_L1_notebook" -> RNN;
            case "gru_L1_unicode" -> GRU;
            default -> NotebookModels.load(name);
        };
    }

    static List<String> complete(ModelFiles.Loaded m, String prompt, CompletionOptions o) {
        Completer c = new Completer(m.model(), m.vocabulary());
        List<String> out = new ArrayList<>();
        for (Completer.Result x : c.complete(Prompt.encode(prompt, m.vocabulary(), UnknownPolicy.ERROR), o, cp -> { })) {
            out.add(x.text());
        }
        return out;
    }

    static CompletionOptions sample(SamplingOptions s, int length, int samples, long seed) {
        return new CompletionOptions(length, s, 0, samples, 0, "", seed);
    }

    static final SamplingOptions HOT = new SamplingOptions(1.5, 0, 1, false);

    @ParameterizedTest
    @ValueSource(strings = {"lstm_L1_notebook", "rnn_L1_notebook", "gru_L1_unicode", "lstm_L3_unicode", "rnn_relu_L2_unicode"})
    void theSameSeedGivesTheSameTextAndOtherSeedsOtherTexts(String name) {
        ModelFiles.Loaded m = model(name);
        CompletionOptions a = sample(SamplingOptions.NOTEBOOK, 300, 3, 42);
        List<String> first = complete(m, "the cat", a);
        assertThat(complete(m, "the cat", a)).isEqualTo(first);
        assertThat(first).allSatisfy(s -> assertThat(s.codePointCount(0, s.length())).isEqualTo(300));
        Set<String> others = new HashSet<>();
        for (long seed = 1; seed <= 5; seed++) others.add(complete(m, "the cat", sample(HOT, 300, 1, seed)).get(0));
        assertThat(others).as("five seeds at temperature 1.5").hasSizeGreaterThan(1);
    }

    @Test
    void sampleBIsTheSameWhateverTheBatchSizeAndTheSamplesDiffer() {
        List<String> one = complete(GRU, "the cat", sample(HOT, 200, 1, 7));
        List<String> four = complete(GRU, "the cat", sample(HOT, 200, 4, 7));
        List<String> six = complete(GRU, "the cat", sample(HOT, 200, 6, 7));
        assertThat(four.get(0)).isEqualTo(one.get(0));
        assertThat(six.subList(0, 4)).isEqualTo(four);
        assertThat(new HashSet<>(six)).as("six samples, each from its own random stream").hasSizeGreaterThan(1);
    }

    @Test
    void severalSamplesRunAsOneBatch() {
        StepGenerator g = new StepGenerator(GRU.model(), HOT, 5, 3);
        g.prime(GRU.vocabulary().encode("the cat"));
        int[] tokens = g.next();
        assertThat(tokens).hasSize(5);
        assertThat(g.state().batch()).isEqualTo(5);
        assertThat(g.logits()).hasSize(5 * GRU.vocabulary().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm_L1_notebook", "gru_L1_unicode", "lstm_L3_unicode"})
    void carriedStateIsBitForBitAWindowLongerThanTheText(String name) {
        ModelFiles.Loaded m = model(name);
        SamplingOptions s = new SamplingOptions(1.2, 0, 0.95, false);
        List<String> carried = complete(m, "the cat", sample(s, 150, 3, 11));
        List<String> window = complete(m, "the cat", new CompletionOptions(150, s, 0, 3, 10_000, "", 11));
        assertThat(window).isEqualTo(carried);
    }

    @Test
    void aWindowSeesOnlyTheLastNCharacters() {
        // The two prompts share their last 9 characters: with a window of 9 the completions cannot differ.
        CompletionOptions w9 = new CompletionOptions(60, HOT, 0, 2, 9, "", 5);
        List<String> a = complete(GRU, "if (a == b) { return a; }\nwhile (tr", w9);
        List<String> b = complete(GRU, "el niño comió 🍎\nwhile (tr", w9);
        assertThat(a).isEqualTo(b);
        StepGenerator x = new StepGenerator(GRU.model(), HOT, 1, 5), y = new StepGenerator(GRU.model(), HOT, 1, 5);
        x.prime(GRU.vocabulary().encode("if (a == b) { return a; }\nwhile (tr"));
        y.prime(GRU.vocabulary().encode("el niño comió 🍎\nwhile (tr"));
        assertThat(x.logits()).as("the carried state remembers the start").isNotEqualTo(y.logits());
    }

    @Test
    void greedyIgnoresTheSeedAndTopK1OrATinyTopPIsGreedy() {
        List<String> greedy = complete(RNN, "for (i", sample(SamplingOptions.GREEDY, 120, 1, 1));
        assertThat(complete(RNN, "for (i", sample(SamplingOptions.GREEDY, 120, 1, 99))).isEqualTo(greedy);
        assertThat(complete(RNN, "for (i", sample(new SamplingOptions(2.0, 1, 1, false), 120, 1, 5))).isEqualTo(greedy);
        assertThat(complete(RNN, "for (i", sample(new SamplingOptions(2.0, 0, 1e-9, false), 120, 1, 5))).isEqualTo(greedy);
        assertThat(complete(RNN, "for (i", sample(HOT, 120, 1, 5))).as("sampling at 1.5").isNotEqualTo(greedy);
    }

    /** Ranks of each chosen token among the logits it was chosen from (0 = the most likely), over n steps. */
    static int[] ranks(ModelFiles.Loaded m, SamplingOptions s, int n, long seed) {
        StepGenerator g = new StepGenerator(m.model(), s, 1, seed);
        g.prime(m.vocabulary().encode("the "));
        int V = m.vocabulary().size();
        int[] ranks = new int[n];
        for (int i = 0; i < n; i++) {
            float[] logits = g.logits().clone();
            int t = g.next()[0];
            for (int v = 0; v < V; v++) {
                if (logits[v] > logits[t] || logits[v] == logits[t] && v < t) ranks[i]++;
            }
        }
        return ranks;
    }

    @Test
    void topKNeverChoosesBeyondTheKMostLikely() {
        SamplingOptions s = new SamplingOptions(3.0, 3, 1, false);
        int[] ranks = ranks(GRU, s, 400, 2);
        assertThat(java.util.Arrays.stream(ranks).max().getAsInt()).isLessThan(3);
        assertThat(ranks).as("at temperature 3 the second and third choices come up").contains(1, 2);
        assertThat(java.util.Arrays.stream(ranks(GRU, new SamplingOptions(3.0, 0, 1, false), 400, 2)).max().getAsInt())
                .as("without top-k").isGreaterThanOrEqualTo(3);
    }

    @Test
    void topPChoosesOnlyFromTheNucleus() {
        double t = 2.0, p = 0.6;
        StepGenerator g = new StepGenerator(GRU.model(), new SamplingOptions(t, 0, p, false), 1, 4);
        g.prime(GRU.vocabulary().encode("the "));
        int V = GRU.vocabulary().size();
        double[] probs = new double[V];
        int outsideTop1 = 0;
        for (int i = 0; i < 400; i++) {
            Sampler.distribution(g.logits(), 0, t, probs);
            int chosen = g.next()[0];
            double above = 0; // probability of the characters more likely than the chosen one
            for (int v = 0; v < V; v++) if (probs[v] > probs[chosen]) above += probs[v];
            assertThat(above).as("step %d: the mass before the chosen character is below p", i).isLessThan(p);
            if (above > 0) outsideTop1++;
        }
        assertThat(outsideTop1).as("the nucleus holds more than the top character").isPositive();
    }

    @Test
    void lowerTemperatureTakesTheMostLikelyCharacterMoreOften() {
        long cold = java.util.Arrays.stream(ranks(GRU, new SamplingOptions(0.3, 0, 1, false), 500, 8)).filter(r -> r == 0).count();
        long hot = java.util.Arrays.stream(ranks(GRU, new SamplingOptions(2.5, 0, 1, false), 500, 8)).filter(r -> r == 0).count();
        assertThat(cold).as("argmax picks at T=0.3 vs T=2.5 (%d)", hot).isGreaterThan(hot + 100);
    }

    @Test
    void eachSampleStopsAtItsOwnStopString() {
        Completer c = new Completer(GRU.model(), GRU.vocabulary());
        List<Completer.Result> out = c.complete(Prompt.encode("the", GRU.vocabulary(), UnknownPolicy.ERROR),
                new CompletionOptions(400, HOT, 0, 6, 0, "\n", 3), cp -> { });
        assertThat(out).hasSize(6);
        Set<Integer> lengths = new HashSet<>();
        for (Completer.Result x : out) {
            int nl = x.text().indexOf('\n');
            if (x.stopped()) assertThat(nl).isEqualTo(x.text().length() - 1);
            else assertThat(nl).isEqualTo(-1);
            lengths.add(x.text().length());
        }
        assertThat(out).anySatisfy(x -> assertThat(x.stopped()).isTrue());
        assertThat(lengths).as("samples stop independently").hasSizeGreaterThan(1);
    }

    @Test
    void theStopStringMustBeGeneratedNotPartlyInThePrompt() {
        // Greedy continues "{ x-" with "-; }": the text then ends with "--", but the completion does not.
        Completer c = new Completer(LSTM.model(), LSTM.vocabulary());
        Prompt p = Prompt.encode("while (x > 0) { x-", LSTM.vocabulary(), UnknownPolicy.ERROR);
        Completer.Result x = c.complete(p, new CompletionOptions(30, SamplingOptions.GREEDY, 0, 1, 0, "--", 0), cp -> { }).get(0);
        assertThat(x.text()).startsWith("-; }").doesNotContain("--");
        assertThat(x.stopped()).isFalse();
        Completer.Result y = c.complete(p, new CompletionOptions(30, SamplingOptions.GREEDY, 0, 1, 0, "; }", 0), cp -> { }).get(0);
        assertThat(y.text()).isEqualTo("-; }");
        assertThat(y.stopped()).isTrue();
    }

    @Test
    void aStopStringTheModelCannotGenerateIsAnError() {
        Completer c = new Completer(LSTM.model(), LSTM.vocabulary());
        Prompt p = Prompt.encode("the", LSTM.vocabulary(), UnknownPolicy.ERROR);
        assertThatThrownBy(() -> c.complete(p, new CompletionOptions(5, HOT, 0, 1, 0, "END", 0), cp -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'E', 'N', 'D'").hasMessageContaining("never generates")
                .hasMessageContaining(LSTM.vocabulary().display());
    }

    @Test
    void theFirstSampleStreamsCharacterByCharacter() {
        Completer c = new Completer(GRU.model(), GRU.vocabulary());
        StringBuilder streamed = new StringBuilder();
        List<Completer.Result> out = c.complete(Prompt.encode("the", GRU.vocabulary(), UnknownPolicy.ERROR),
                new CompletionOptions(80, HOT, 0, 3, 0, "", 9), streamed::appendCodePoint);
        assertThat(streamed.toString()).isEqualTo(out.get(0).text());
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> new CompletionOptions(0, HOT, 0, 1, 0, "", 0)).hasMessageContaining("length");
        assertThatThrownBy(() -> new CompletionOptions(5, HOT, -1, 1, 0, "", 0)).hasMessageContaining("beam width");
        assertThatThrownBy(() -> new CompletionOptions(5, HOT, 0, 0, 0, "", 0)).hasMessageContaining("samples");
        assertThatThrownBy(() -> new CompletionOptions(5, HOT, 0, 1, -3, "", 0)).hasMessageContaining("window");
        assertThatThrownBy(() -> new CompletionOptions(5, HOT, 2, 3, 0, "", 0)).hasMessageContaining("several samples");
        assertThatThrownBy(() -> new CompletionOptions(5, HOT, 2, 1, 40, "", 0)).hasMessageContaining("window");
        assertThatThrownBy(() -> new StepGenerator(GRU.model(), HOT, 0, 1)).hasMessageContaining("at least one sequence");
        assertThatThrownBy(() -> new WindowGenerator(GRU.model(), HOT, 1, 1, 0)).hasMessageContaining("at least 1 character");
        assertThatThrownBy(() -> new StepGenerator(GRU.model(), HOT, 1, 1).next()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("prime");
        CharModel other = LSTM.model();
        Vocabulary v = GRU.vocabulary();
        assertThatThrownBy(() -> new Completer(other, v)).hasMessageContaining("vocabulary has " + v.size());
    }

    @Test
    void aWindowOfOnlySkippedCharactersIsAnError() {
        Prompt p = Prompt.encode("the MOON", LSTM.vocabulary(), UnknownPolicy.SKIP);
        WindowGenerator g = new WindowGenerator(LSTM.model(), HOT, 1, 1, 3);
        g.prime(p.slots());
        assertThatThrownBy(g::next).hasMessageContaining("last 3 characters of the prompt are all unknown")
                .hasMessageContaining("widen the window");
        WindowGenerator wide = new WindowGenerator(LSTM.model(), HOT, 1, 1, 5);
        wide.prime(p.slots());
        assertThat(wide.next()).hasSize(1);
    }
}
