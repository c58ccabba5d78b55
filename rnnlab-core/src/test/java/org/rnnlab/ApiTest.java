package org.rnnlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.generate.Completer;
import org.rnnlab.generate.CompletionOptions;
import org.rnnlab.generate.Prompt;
import org.rnnlab.generate.SamplingOptions;
import org.rnnlab.generate.UnknownPolicy;
import org.rnnlab.model.CellType;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.testing.Resources;
import org.rnnlab.text.Corpus;
import org.rnnlab.train.Batchers;
import org.rnnlab.train.Batching;
import org.rnnlab.train.Evaluator;
import org.rnnlab.train.TrainConfig;
import org.rnnlab.train.Trainer;

/** The public API as a program uses it: load, complete, next, score, train and resume. */
class ApiTest {
    static final Path NOTEBOOK_LSTM = Resources.path(ApiTest.class, "/org/rnnlab/notebook/lstm_L1_notebook.pt");

    static Model notebookLstm() throws IOException {
        return Model.load(NOTEBOOK_LSTM, LoadOptions.vocabularyOf(Corpus.lab().text()));
    }

    @Test
    void withInt8LoadsAQuantizedModelThatPredictsAsTheFloatOneToRounding() throws IOException {
        Model floats = notebookLstm();
        Model int8 = Model.load(NOTEBOOK_LSTM, LoadOptions.vocabularyOf(Corpus.lab().text()).withInt8());
        assertThat(LoadOptions.NONE.withInt8().withRelu().int8()).isTrue();
        double[] pf = floats.next("the ca").probabilities(), pq = int8.next("the ca").probabilities();
        assertThat(pq).isNotEqualTo(pf);
        for (int i = 0; i < pf.length; i++) assertThat(pq[i]).isCloseTo(pf[i], org.assertj.core.data.Offset.offset(0.01));
        CompleteOptions greedy = CompleteOptions.builder().length(30).greedy(true).build();
        assertThat(int8.complete("the cat", greedy).text()).isEqualTo(floats.complete("the cat", greedy).text());
    }

    @Test
    void completeIsTheEnginesCompletionStreamedAndTheSameSeedGivesTheSameText() throws IOException {
        Model m = notebookLstm();
        CompleteOptions o = CompleteOptions.builder().length(60).temperature(0.8).seed(7).build();
        StringBuilder streamed = new StringBuilder();
        Completion c = m.complete("the cat", o, streamed::append);
        assertThat(c.prompt()).isEqualTo("the cat");
        assertThat(c.text()).hasSize(60).isEqualTo(streamed.toString());
        assertThat(c.finishReason()).isEqualTo("length");
        assertThat(c.seed()).isEqualTo(7);
        assertThat(m.complete("the cat", o).text()).isEqualTo(c.text());

        ModelFiles.Loaded raw = ModelFiles.load(NOTEBOOK_LSTM,
                new ModelFiles.Hints(org.rnnlab.text.Vocabulary.fromText(Corpus.lab().text()), org.rnnlab.nn.Nonlinearity.TANH));
        String engine = new Completer(raw.model(), raw.vocabulary()).complete(
                Prompt.encode("the cat", raw.vocabulary(), UnknownPolicy.ERROR),
                new CompletionOptions(60, new SamplingOptions(0.8, 0, 1, false), 0, 1, 0, "", 7), cp -> { }).get(0).text();
        assertThat(c.text()).isEqualTo(engine);

        Completion stopped = m.complete("the cat", o.toBuilder().stop(".").build());
        assertThat(stopped.finishReason()).isEqualTo("stop");
        assertThat(stopped.text()).endsWith(".");
        Completion drawn = m.complete("the cat", CompleteOptions.builder().length(5).build());
        assertThat(m.complete("the cat", CompleteOptions.builder().length(5).seed(drawn.seed()).build()).text())
                .as("a drawn seed is returned and reproduces the text").isEqualTo(drawn.text());
    }

    @Test
    void nextIsAProbabilityDistributionWhoseArgmaxIsTheGreedyCharacter() throws IOException {
        Model m = notebookLstm();
        Distribution d = m.next("the ca");
        assertThat(d.chars()).hasSize(m.vocabulary().codePointCount(0, m.vocabulary().length()));
        assertThat(Arrays.stream(d.probabilities()).sum()).isCloseTo(1.0, within(1e-12));
        String greedy = m.complete("the ca", CompleteOptions.builder().greedy(true).length(1).build()).text();
        assertThat(d.top(1).get(0).character()).isEqualTo(greedy);
        assertThat(d.top(3)).hasSize(3);
        assertThat(d.top(3).get(0).probability()).isGreaterThanOrEqualTo(d.top(3).get(1).probability());
        assertThat(d.probability(greedy)).isEqualTo(d.top(1).get(0).probability());
        assertThat(d.probability("€")).isZero();
    }

    @Test
    void scoreIsTheEvaluatorsOneStreamScore() throws IOException {
        Model m = notebookLstm();
        String text = "the cat sat on the mat.\nthe dog barked at the moon.";
        Score s = m.score(text);
        ModelFiles.Loaded raw = ModelFiles.load(NOTEBOOK_LSTM,
                new ModelFiles.Hints(org.rnnlab.text.Vocabulary.fromText(Corpus.lab().text()), org.rnnlab.nn.Nonlinearity.TANH));
        Score engine = Evaluator.score(raw.model(), raw.vocabulary().encode(text));
        assertThat(s).isEqualTo(engine);
        assertThat(s.chars()).isEqualTo(text.length() - 1);
        assertThat(s.bpc()).isCloseTo(s.loss() / Math.log(2), within(1e-12));
    }

    @Test
    void badInputIsAnInputExceptionNamingTheField() throws IOException {
        Model m = notebookLstm();
        assertField(() -> CompleteOptions.builder().temperature(0).build(), "temperature");
        assertThatThrownBy(() -> CompleteOptions.builder().temperature(1e-320).build()).hasMessage("temperature must "
                + "be at least 1e-6, got 1.0E-320 (dividing by less overflows; for the most likely character every "
                + "time, use greedy decoding)");
        assertField(() -> CompleteOptions.builder().topP(1.5).build(), "top_p");
        assertField(() -> CompleteOptions.builder().topK(-1).build(), "top_k");
        assertField(() -> CompleteOptions.builder().length(0).build(), "length");
        assertField(() -> m.complete("THE CAT", CompleteOptions.builder().build()), "prompt");
        assertField(() -> m.complete("", CompleteOptions.builder().build()), "prompt");
        assertField(() -> m.complete("the", CompleteOptions.builder().stop("Z").build()), "stop");
        assertField(() -> m.next("¿"), "prompt");
        assertField(() -> m.score("x"), "text");
        assertField(() -> m.score("the CAT"), "text");
        assertThatThrownBy(() -> Model.load(NOTEBOOK_LSTM)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not record its vocabulary");
    }

    private static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOf(InputException.class)
                .satisfies(e -> assertThat(((InputException) e).field()).isEqualTo(field));
    }

    @Test
    void trainingWritesARunFolderThatLoadsAndResumesToTheWeightsOfARunThatNeverStopped(@TempDir Path dir)
            throws IOException {
        TrainConfig config = TrainConfig.builder().corpus("lab").cell(CellType.GRU).embed(8).hidden(12)
                .mode(Batching.STREAM).batch(4).seq(10).epochs(0).steps(30).evalEvery(10).build();
        Path straight = dir.resolve("straight");
        try (Training t = Training.start(config, straight)) {
            assertThat(t.run(null).stop()).isEqualTo(Trainer.Stop.STEPS);
        }
        Path run = dir.resolve("run");
        Model early;
        try (Training t = Training.start(config.toBuilder().steps(12).build(), run)) {
            t.run(null);
            early = t.model();
        }
        assertThat(early.source()).isEqualTo(run);
        try (Training more = Training.resume(run, b -> b.steps(30))) {
            assertThat(more.step()).isEqualTo(12);
            more.run(null);
            assertThat(more.model().score("the cat sat on the mat.")).isNotEqualTo(early.score("the cat sat on the mat."));
        }
        Model a = Model.load(straight.resolve("last.safetensors"));
        Model b = Model.load(run.resolve("last.safetensors"));
        assertThat(b.score(Corpus.lab().text())).isEqualTo(a.score(Corpus.lab().text()));

        Model fromFolder = Model.load(run);
        assertThat(fromFolder.source()).isEqualTo(run.resolve("best.safetensors"));
        assertThat(fromFolder.cell()).isEqualTo("gru");
        assertThat(fromFolder.hidden()).isEqualTo(12);
        assertThat(fromFolder.vocabulary()).isEqualTo(org.rnnlab.text.Vocabulary.fromText(Corpus.lab().text()).asString());
    }
}
