package org.rnnlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rnnlab.model.CellType;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.text.Vocabulary;

/** The whole lab on the embedded corpus: the notebook's lines, in English and in the notebook's Spanish. */
class LabTest {
    static List<String> english = new ArrayList<>();
    static Lab.Result result;

    @BeforeAll
    static void runOnce() throws InterruptedException {
        result = Lab.run(new Lab.Options(List.of(CellType.RNN_TANH, CellType.LSTM), 1, 0, Corpus.lab(), RnnVsLstm.Lang.EN),
                english::add);
    }

    @Test
    void printsBothExercisesInTheNotebooksShape() {
        assertThat(english.subList(0, 6)).containsExactly("Epoch 0, Loss: 226.3948", "Epoch 100, Loss: 9.3322",
                "Epoch 159, Loss: 5.1682", "abc → d", "bcd → e", "cde → f");
        assertThat(english).contains("Loaded 339 characters.", "=== Training Models ===");
        assertThat(english).anyMatch(l -> l.matches("Epoch 0, RNN Loss: \\d+\\.\\d{4}, LSTM Loss: \\d+\\.\\d{4}"));
        assertThat(english).anyMatch(l -> l.matches("Character accuracy, LSTM: \\d+\\.\\d\\d%"));
        assertThat(english).anyMatch(l -> l.matches("Perplexity, RNN: \\d+\\.\\d\\d"));
        assertThat(english).anyMatch(l -> l.startsWith("On held-out windows the models never trained on ("));
        for (String prompt : LabCorpus.PROMPTS) assertThat(english).contains("Prompt: " + prompt);
        assertThat(english).contains("(note: '1' is not in the vocabulary; the models do not see it, as in the notebook)");
    }

    @Test
    void completionsAreTheLoweredPromptPlusVocabularySizeCharacters() {
        for (RnnVsLstm.ModelResult m : result.exercise2().models()) {
            for (int p = 0; p < LabCorpus.PROMPTS.size(); p++) {
                String lowered = LabCorpus.PROMPTS.get(p).toLowerCase();
                String text = m.completions().get(p);
                assertThat(text).startsWith(lowered);
                assertThat(text.codePointCount(0, text.length()) - lowered.length()).isEqualTo(39);
            }
        }
    }

    @Test
    void metricsAreConsistent() {
        for (RnnVsLstm.ModelResult m : result.exercise2().models()) {
            assertThat(m.train().positions()).isEqualTo(299L * 40);
            assertThat(m.train().perplexity()).isCloseTo(Math.exp(m.train().meanLoss()), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(m.train().accuracy()).isBetween(0.0, 1.0);
            assertThat(m.heldOut()).isNotNull();
            assertThat(m.gradientFlow()).hasSize(40);
            for (double g : m.gradientFlow()) assertThat(g).isPositive();
            assertThat(m.hiddenStates()).hasSize("if (a == b) {".length() * 128);
            assertThat(m.epochLoss()[0]).isPositive();
        }
    }

    @Test
    void theHeldOutLinesUseOnlyTheNotebooksCharacters() {
        assertThat(Vocabulary.fromText(LabCorpus.TEXT).unknown(HeldOut.TEXT)).isEmpty();
        assertThat(HeldOut.TEXT).doesNotContain(LabCorpus.TEXT.split("\n"));
    }

    @Test
    void theReportHoldsEveryPart() {
        assertThat(result.reportHtml()).contains("Exercise 1: backpropagation through time by hand",
                "Gradient flow through time", "RNN hidden state", "LSTM hidden state", "Completions", "<svg");
        // Self-contained: nothing is loaded from anywhere (the only URLs are XML namespace names).
        assertThat(result.reportHtml()).doesNotContain("src=\"http", "href=\"http", "url(http", "@import");
    }

    @Test
    void spanishPrintsTheNotebooksOwnLines() throws InterruptedException {
        List<String> es = new ArrayList<>();
        Lab.run(new Lab.Options(List.of(CellType.RNN_TANH, CellType.LSTM), 1, 3, Corpus.lab(), RnnVsLstm.Lang.ES), es::add);
        assertThat(es).contains("Cargamos 339 caracteres.");
        assertThat(es).anyMatch(l -> l.matches("Accuracy de caracteres en RNN: \\d+\\.\\d\\d%"));
        assertThat(es).anyMatch(l -> l.matches("Perplejidad de RNN: \\d+\\.\\d\\d"));
        assertThat(es).anyMatch(l -> l.matches("Perplejidad LSTM: \\d+\\.\\d\\d"));
    }
}
