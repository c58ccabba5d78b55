package org.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.model.State;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.testing.Resources;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.text.Vocabulary;

class CharGeneratorTest {
    static final ModelFiles.Loaded GRU = NotebookModels.load("gru_L1_unicode");

    static String take(CharGenerator g, int n) {
        StringBuilder sb = new StringBuilder();
        g.codePoints().limit(n).forEach(sb::appendCodePoint);
        return sb.toString();
    }

    @Test
    void yieldsTheCharactersOfTheFirstSampleOfTheSameSeed() {
        SamplingOptions s = new SamplingOptions(1.1, 0, 1, false);
        CharGenerator g = new CharGenerator(GRU.model(), GRU.vocabulary(), s, 21).prime("el niño");
        String streamed = take(g, 120);
        Completer c = new Completer(GRU.model(), GRU.vocabulary());
        String completed = c.complete(Prompt.encode("el niño", GRU.vocabulary(), UnknownPolicy.ERROR),
                new CompletionOptions(120, s, 0, 1, 0, "", 21), cp -> { }).get(0).text();
        assertThat(streamed).isEqualTo(completed);
        assertThat(streamed.codePointCount(0, streamed.length())).isEqualTo(120); // emoji count as one character
    }

    @Test
    void theStateIsExplicitAndCarriesTheText() {
        CharGenerator a = new CharGenerator(GRU.model(), GRU.vocabulary(), SamplingOptions.GREEDY, 0).prime("the");
        State afterPrompt = a.state().copy();
        assertThat(afterPrompt.hTensor()).as("not the zero state").isNotEqualTo(new float[afterPrompt.hTensor().length]);
        int first = a.nextInt();
        assertThat(a.state().hTensor()).as("the state moved on with the character").isNotEqualTo(afterPrompt.hTensor());
        // priming a second generator with the prompt and the character gives the same state: it is the text's
        CharGenerator b = new CharGenerator(GRU.model(), GRU.vocabulary(), SamplingOptions.GREEDY, 0)
                .prime("the" + new String(Character.toChars(first)));
        assertThat(b.state().hTensor()).isEqualTo(a.state().hTensor());
        assertThat(take(b, 50)).isEqualTo(take(a, 50));
    }

    @Test
    void misuseIsReported() {
        CharGenerator g = new CharGenerator(GRU.model(), GRU.vocabulary(), SamplingOptions.GREEDY, 0);
        assertThat(g.hasNext()).isFalse();
        assertThatThrownBy(g::nextInt).isInstanceOf(NoSuchElementException.class).hasMessageContaining("prime");
        assertThatThrownBy(() -> g.prime("THE")).isInstanceOf(Vocabulary.UnknownCharactersException.class)
                .hasMessageContaining("'T', 'H', 'E'");
        assertThatThrownBy(() -> new CharGenerator(GRU.model(), Vocabulary.literal("abc"), SamplingOptions.GREEDY, 0))
                .hasMessageContaining("vocabulary has 3 characters");
    }

    /** The README's example, as written there (the model path aside); its two parts agree with each other. */
    @Test
    void theReadmeExampleRuns() throws IOException {
        Path lstmPt = Resources.path(getClass(), "/org/rnnlab/notebook/lstm_L1_notebook.pt");
        StringBuilder printed = new StringBuilder();
        StringBuilder sent = new StringBuilder();

        ModelFiles.Loaded m = ModelFiles.load(lstmPt,
                new ModelFiles.Hints(Vocabulary.fromText(LabCorpus.TEXT), Nonlinearity.TANH));
        CharGenerator g = new CharGenerator(m.model(), m.vocabulary(), SamplingOptions.NOTEBOOK, 42).prime("the cat");
        g.codePoints().limit(100).forEach(cp -> printed.append(Character.toString(cp)));

        Completer c = new Completer(m.model(), m.vocabulary());
        List<Completer.Result> out = c.complete(Prompt.encode("The cat", m.vocabulary(), UnknownPolicy.SKIP),
                new CompletionOptions(200, SamplingOptions.NOTEBOOK, 0, 1, 0, "\n", 42), cp -> sent.appendCodePoint(cp));

        assertThat(printed.toString()).hasSize(100).startsWith(" sat on the mat.\n");
        assertThat(out.get(0).text()).isEqualTo(sent.toString()).endsWith("\n");
        assertThat(out.get(0).stopped()).isTrue();
    }
}
