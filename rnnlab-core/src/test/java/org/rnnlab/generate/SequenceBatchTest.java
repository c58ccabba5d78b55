package org.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.text.Vocabulary;
import org.rnnlab.util.Rng;

/**
 * Continuous batching gives every sequence the text {@link Completer} gives it alone: sequences with different
 * prompts (one of 300 characters, fed while others generate), seeds, lengths, samplers (temperature, top-k, top-p,
 * greedy) and stop strings, joining at different steps into a batch of at most 5, leave it as they end; and a
 * cancelled or late one ends as asked without disturbing the rest.
 */
class SequenceBatchTest {
    static final Vocabulary VOCAB = Vocabulary.literal("\n abcdefghijklmnopqrstuvwxyz.,;(){}");

    record Request(String prompt, SamplingOptions sampling, long seed, String stop, int length) {}

    static List<Request> requests() {
        Rng r = new Rng(3);
        List<Request> out = new ArrayList<>();
        String[] prompts = {"the cat", "a", "while (x) {", "xyz. " .repeat(60), "hello world\n", "q"};
        SamplingOptions[] samplers = {SamplingOptions.NOTEBOOK, new SamplingOptions(1.4, 5, 1.0, false),
            new SamplingOptions(0.9, 0, 0.8, false), SamplingOptions.GREEDY, new SamplingOptions(2.0, 3, 0.9, false)};
        for (int i = 0; i < 14; i++) {
            out.add(new Request(prompts[i % prompts.length], samplers[i % samplers.length], 1000 + r.nextInt(1000),
                    i % 3 == 0 ? "e" : i % 5 == 0 ? "a " : "", 1 + r.nextInt(90)));
        }
        return out;
    }

    static SequenceBatch.Sequence sequence(CharModel model, Request q, long deadline) {
        Completer c = new Completer(model, VOCAB);
        return new SequenceBatch.Sequence(Prompt.encode(q.prompt(), VOCAB, UnknownPolicy.ERROR).slots(), q.sampling(),
                VOCAB.size(), q.seed(), c.stopTokens(q.stop()), q.length(), deadline, false);
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU", "RNN_TANH"})
    void everySequenceGetsTheTextItGetsAloneWhateverJoinsOrLeavesBesideIt(CellType cell) {
        batchedEqualsAlone(CharModel.create(new ModelConfig(cell, VOCAB.size(), 16, 37, 2, 0), 7).freeze());
    }

    /** The same with int8 weights: the quantized product is row-independent too. */
    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU"})
    void anInt8ModelsSequencesGetTheirTextAloneToo(CellType cell) {
        batchedEqualsAlone(CharModel.create(new ModelConfig(cell, VOCAB.size(), 16, 37, 2, 0), 9).quantizeInt8());
    }

    private static void batchedEqualsAlone(CharModel model) {
        List<Request> requests = requests();
        List<Completer.Result> alone = new ArrayList<>();
        for (Request q : requests) {
            alone.add(new Completer(model, VOCAB).complete(Prompt.encode(q.prompt(), VOCAB, UnknownPolicy.ERROR),
                    new CompletionOptions(q.length(), q.sampling(), 0, 1, 0, q.stop(), q.seed()), cp -> { }).get(0));
        }
        SequenceBatch batch = new SequenceBatch(model, 5);
        List<SequenceBatch.Sequence> seqs = new ArrayList<>();
        int next = 0, maxSeen = 0;
        for (int step = 0; step < 10_000 && (next < requests.size() || batch.size() > 0); step++) {
            // one joins every third step while there is room
            if (step % 3 == 0 && next < requests.size() && !batch.isFull()) {
                SequenceBatch.Sequence s = sequence(model, requests.get(next++), Long.MAX_VALUE);
                seqs.add(s);
                batch.add(s);
            }
            maxSeen = Math.max(maxSeen, batch.size());
            batch.step();
        }
        assertThat(maxSeen).as("sequences that ran together").isEqualTo(5);
        assertThat(batch.steps()).isLessThan(batch.rowsStepped());
        for (int i = 0; i < requests.size(); i++) {
            SequenceBatch.Sequence s = seqs.get(i);
            assertThat(VOCAB.decode(s.tokens())).as("text of request %d", i).isEqualTo(alone.get(i).text());
            assertThat(s.finish()).as("finish of request %d", i)
                    .isEqualTo(alone.get(i).stopped() ? SequenceBatch.Finish.STOP : SequenceBatch.Finish.LENGTH);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM"})
    void aCancelledOrLateSequenceEndsWithoutChangingTheOthers(CellType cell) {
        CharModel model = CharModel.create(new ModelConfig(cell, VOCAB.size(), 16, 37, 2, 0), 8).freeze();
        Request q = new Request("the cat", SamplingOptions.NOTEBOOK, 5, "", 60);
        String expected = new Completer(model, VOCAB).complete(Prompt.encode(q.prompt(), VOCAB, UnknownPolicy.ERROR),
                new CompletionOptions(60, q.sampling(), 0, 1, 0, "", 5), cp -> { }).get(0).text();
        SequenceBatch batch = new SequenceBatch(model, 4);
        SequenceBatch.Sequence kept = sequence(model, q, Long.MAX_VALUE);
        SequenceBatch.Sequence cancelled = sequence(model, q, Long.MAX_VALUE);
        SequenceBatch.Sequence late = sequence(model, q, System.nanoTime() - 1);
        batch.add(cancelled);
        batch.add(kept);
        batch.add(late);
        for (int i = 0; i < 12; i++) batch.step();
        assertThat(late.finish()).isEqualTo(SequenceBatch.Finish.TIME_LIMIT);
        assertThat(late.produced()).isZero();
        assertThat(cancelled.produced()).isEqualTo(12 - 7 + 1);
        cancelled.cancel();
        while (batch.size() > 0) batch.step();
        assertThat(cancelled.finish()).isEqualTo(SequenceBatch.Finish.CANCELLED);
        assertThat(cancelled.produced()).isEqualTo(6);
        assertThat(kept.finish()).isEqualTo(SequenceBatch.Finish.LENGTH);
        assertThat(VOCAB.decode(kept.tokens())).isEqualTo(expected);
        assertThatThrownBy(() -> batch.add(kept)).hasMessageContaining("batched before");
    }
}
