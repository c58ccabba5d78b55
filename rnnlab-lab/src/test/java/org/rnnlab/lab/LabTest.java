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
    void theReportSaysWhatTheCellsLearned() throws Exception {
        String html = result.reportHtml();
        // what the Spanish test below looks through sees the English report's words, tooltips included
        assertThat(visibleWords(html)).contains("epoch", "hidden unit", "Made by", "forget gate, cell 7", " the ");
        String section = html.substring(html.indexOf("<h2>What the cells learned</h2>"), html.indexOf("<h2>Completions</h2>"));
        assertThat(section).contains("RNN: best cell", "LSTM untrained: |r|", "inside ( )", "position in the line",
                "Not in this text, so not looked for: inside [ ], inside quotes, inside a comment, indentation depth.",
                "LSTM gate saturation", "forget gate");
        // the lab's ten lines, one epoch: no cell beats chance, and the report says so plainly
        assertThat(section).contains("339 characters are too little for a clear cell.").doesNotContain("<strong>");
        // each model's text tinted character by character, then the LSTM's gates (3 gates x 128 cells)
        assertThat(section.split("<pre class=\"rl-tint\">", -1)).hasSize(3);
        assertThat(section.split("<span style=\"background:", -1)).hasSize(2 * 339 + 1);
        assertThat(section.split("<title>", -1).length - 1).isGreaterThanOrEqualTo(3 * 128);
        for (RnnVsLstm.ModelResult m : result.exercise2().models()) {
            assertThat(m.cells().length()).isEqualTo(339);
            assertThat(m.untrainedBest()).hasSize(org.rnnlab.explore.TextFeatures.IDS.size());
        }
    }

    /** The visible words of a page: its text and tooltips, without the texts it quotes (the lab lines, completions). */
    static String visibleWords(String html) throws Exception {
        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        org.w3c.dom.Document doc = f.newDocumentBuilder().parse(new org.xml.sax.InputSource(new java.io.StringReader(html)));
        StringBuilder b = new StringBuilder();
        collect(doc.getDocumentElement(), b);
        return b.toString();
    }

    private static void collect(org.w3c.dom.Node n, StringBuilder b) {
        if (n.getNodeType() == org.w3c.dom.Node.TEXT_NODE) b.append(n.getNodeValue()).append(' ');
        if (n.getNodeType() != org.w3c.dom.Node.ELEMENT_NODE) return;
        org.w3c.dom.Element e = (org.w3c.dom.Element) n;
        if (e.getLocalName().equals("pre") || e.getLocalName().equals("style")) return;
        for (String a : List.of("title", "aria-label")) if (e.hasAttribute(a)) b.append(e.getAttribute(a)).append(' ');
        for (org.w3c.dom.Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) collect(c, b);
    }

    @Test
    void spanishPrintsTheNotebooksOwnLinesAndWritesTheWholeReportInSpanish() throws Exception {
        List<String> es = new ArrayList<>();
        Lab.Result r = Lab.run(new Lab.Options(List.of(CellType.RNN_TANH, CellType.LSTM), 1, 3, Corpus.lab(), RnnVsLstm.Lang.ES), es::add);
        String words = visibleWords(r.reportHtml());
        assertThat(r.reportHtml()).contains("lang=\"es\"");
        assertThat(words).contains("RNN frente a LSTM en el corpus del laboratorio", "Ejercicio 1", "Flujo del gradiente",
                "Dentro de los modelos", "Qué aprendieron las celdas", "Completados", "época", "parámetros",
                "perplejidad en texto no visto", "mejor celda", "sin entrenar", "puerta de olvido",
                "fracción saturada a la izquierda", "unidad oculta", "posición", "339 caracteres son demasiado pocos",
                "informe de rnnlab", "Hecho con rnnlab", "Resaltado", "sombreado");
        // no English left: the report's own words, headings, captions, axes, table headers and tooltips
        for (String english : List.of(" the ", " of ", " and ", "epoch", "hidden", "Hover", "cell ", "gate", "feature",
                "training", "position", "newline", "Made by", "lower is better", "best", "fraction", "untrained",
                "Highlighted", "shaded", "Completions", "steps back", "input character")) {
            assertThat(words).as("English in the Spanish report: '%s'", english).doesNotContainIgnoringCase(english);
        }
        assertThat(es).contains("Cargamos 339 caracteres.");
        assertThat(es).anyMatch(l -> l.matches("Accuracy de caracteres en RNN: \\d+\\.\\d\\d%"));
        assertThat(es).anyMatch(l -> l.matches("Perplejidad de RNN: \\d+\\.\\d\\d"));
        assertThat(es).anyMatch(l -> l.matches("Perplejidad LSTM: \\d+\\.\\d\\d"));
    }
}
