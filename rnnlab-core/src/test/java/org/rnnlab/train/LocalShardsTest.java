package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.kernel.Parallelism;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;
import org.rnnlab.text.Corpus;
import org.rnnlab.util.Rng;

/**
 * The step on shards of the batch ({@code --shards P}): the mean-loss gradient of the whole batch, its bits the same
 * on one thread or two, those of shards computed one after the other on separate models, and the state carried.
 */
class LocalShardsTest {
    private static final int THREADS = Parallelism.threads();

    @AfterEach
    void restore() {
        Parallelism.setThreads(THREADS);
    }

    record Batch(int[] in, int[] tg, int n, int seq, State initial) {}

    static Batch batch(CharModel m, int n, int seq, long seed) {
        Rng r = new Rng(seed);
        int v = m.config().vocab();
        int[] in = new int[n * seq], tg = new int[n * seq];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextInt(v);
            tg[i] = r.nextInt(v);
        }
        State s = m.zeroState(n);
        for (int l = 0; l < s.layers(); l++) {
            for (int i = 0; i < s.h(l).length; i++) s.h(l)[i] = (float) (r.nextDouble() - 0.5);
            if (s.hasCell()) for (int i = 0; i < s.c(l).length; i++) s.c(l)[i] = (float) (r.nextDouble() - 0.5);
        }
        return new Batch(in, tg, n, seq, s);
    }

    static CharModel model(CellType cell, double dropout) {
        return CharModel.create(new ModelConfig(cell, 11, 6, 16, 2, dropout), 5);
    }

    /** The same sum done plainly: shard after shard on a copy of the model, then 0 + share * g in shard order. */
    static float[] reference(CharModel m, Batch b, int shards, long seed, long step) {
        int parts = Math.min(shards, b.n);
        float[] g = new float[m.parameters().size()];
        for (int p = 0; p < parts; p++) {
            int r0 = Shards.rowStart(b.n, parts, p), rows = Shards.rowStart(b.n, parts, p + 1) - r0;
            CharModel copy = CharModel.create(m.config(), 0);
            System.arraycopy(m.parameters().values(), 0, copy.parameters().values(), 0, g.length);
            State init = copy.zeroState(rows);
            for (int l = 0; l < init.layers(); l++) {
                System.arraycopy(b.initial.h(l), r0 * init.hidden(), init.h(l), 0, rows * init.hidden());
                if (init.hasCell()) System.arraycopy(b.initial.c(l), r0 * init.hidden(), init.c(l), 0, rows * init.hidden());
            }
            CharModel.Workspace ws = copy.workspace(rows, b.seq);
            copy.forward(ws, Arrays.copyOfRange(b.in, r0 * b.seq, (r0 + rows) * b.seq),
                    Arrays.copyOfRange(b.tg, r0 * b.seq, (r0 + rows) * b.seq), init,
                    Mode.training(new Rng(Shards.dropoutSeed(seed, step, p))));
            copy.backward(ws);
            float share = (float) rows / b.n;
            float[] rg = copy.parameters().grads();
            for (int i = 0; i < g.length; i++) g[i] += share * rg[i];
        }
        return g;
    }

    static float[] sharded(CharModel m, Batch b, int shards, int threads, State after) {
        Parallelism.setThreads(threads);
        LocalShards engine = new LocalShards(shards, 7);
        Arrays.fill(m.parameters().grads(), 1f); // the engine overwrites the gradient, it does not add to it
        engine.gradients(m, b.in, b.tg, b.n, b.seq, b.initial, after, 3);
        return m.parameters().grads().clone();
    }

    @Test
    void theGradientIsTheSumOfTheShardsInOrderWithTheSameBitsOnOneThreadOrTwo() {
        for (CellType cell : new CellType[] {CellType.LSTM, CellType.GRU, CellType.RNN_TANH}) {
            CharModel m = model(cell, 0.25); // dropout: every shard draws its own masks, from the run's seed and the step
            Batch b = batch(m, 11, 7, 1); // 11 rows in 4 shards of 2, 3, 3, 3
            float[] expected = reference(m, b, 4, 7, 3);
            assertThat(sharded(m, b, 4, 1, null)).as(cell + ", 1 thread").isEqualTo(expected);
            assertThat(sharded(m, b, 4, 2, null)).as(cell + ", 2 threads").isEqualTo(expected);
            assertThat(sharded(m, b, 4, 3, null)).as(cell + ", 3 threads").isEqualTo(expected);
        }
    }

    @Test
    void withoutDropoutItIsTheWholeBatchsGradientAndFinalStateToRounding() {
        CharModel m = model(CellType.LSTM, 0);
        Batch b = batch(m, 10, 9, 2);
        CharModel.Workspace ws = m.workspace(b.n, b.seq);
        m.zeroGrad();
        double loss = m.forward(ws, b.in, b.tg, b.initial, Mode.EVAL);
        m.backward(ws);
        float[] whole = m.parameters().grads().clone();
        State wholeAfter = ws.finalState().copy();

        State after = m.zeroState(b.n);
        Parallelism.setThreads(2);
        StepEngine.Result r = new LocalShards(3, 7).gradients(m, b.in, b.tg, b.n, b.seq, b.initial, after, 1);
        float[] g = m.parameters().grads();
        double max = 0;
        for (float x : whole) max = Math.max(max, Math.abs(x));
        for (int i = 0; i < g.length; i++) assertThat((double) g[i]).isCloseTo(whole[i], org.assertj.core.api.Assertions.within(1e-5 * max));
        assertThat(r.loss()).isCloseTo(loss, org.assertj.core.api.Assertions.within(1e-6 * loss));
        assertThat(r.correct()).isEqualTo(Evaluator.countCorrect(ws.logits(), b.tg, b.n * b.seq, m.config().vocab()));
        for (int l = 0; l < after.layers(); l++) {
            for (int i = 0; i < after.h(l).length; i++) {
                assertThat(after.h(l)[i]).isCloseTo(wholeAfter.h(l)[i], org.assertj.core.api.Assertions.within(1e-6f));
                assertThat(after.c(l)[i]).isCloseTo(wholeAfter.c(l)[i], org.assertj.core.api.Assertions.within(1e-6f));
            }
        }
        assertThat(m.parameters().values()).as("the weights are the trainer's to update").isEqualTo(
                model(CellType.LSTM, 0).parameters().values());
    }

    @Test
    void aBatchOfFewerRowsThanShardsGetsOneRowPerShardAndTheStateMayBeCarriedInPlace() {
        CharModel m = model(CellType.GRU, 0);
        Batch b = batch(m, 3, 5, 4);
        float[] expected = reference(m, b, 8, 7, 3);
        State carried = b.initial.copy();
        Batch inPlace = new Batch(b.in, b.tg, b.n, b.seq, carried);
        assertThat(sharded(m, inPlace, 8, 2, carried)).isEqualTo(expected);
        State after = m.zeroState(3);
        sharded(m, b, 8, 2, after);
        assertThat(carried.hTensor()).isEqualTo(after.hTensor()); // reading and writing the same state is safe
        // and the same engine takes a larger batch next (an epoch's batches are not all the same size)
        Batch big = batch(m, 12, 5, 5);
        assertThat(sharded(m, big, 8, 2, null)).isEqualTo(reference(m, big, 8, 7, 3));
    }

    static TrainConfig config(long steps) {
        return TrainConfig.builder().corpus("lab").val(0.1).cell(CellType.LSTM).embed(8).hidden(16).layers(2)
                .dropout(0.1).mode(Batching.STREAM).batch(8).seq(10).epochs(0).steps(steps).evalEvery(6).build();
    }

    static float[] train(TrainConfig config, Path out, Checkpoint from, int threads) throws Exception {
        Parallelism.setThreads(threads);
        TrainData data = TrainData.of(Corpus.lab(), config.val(), config.test());
        try (Trainer t = from == null ? Trainer.create(config, data, out) : Trainer.resume(from, data, config, out)) {
            t.computeWith(new LocalShards(4, config.seed()));
            assertThat(t.run(new Trainer.Listener() {}).stop()).isEqualTo(Trainer.Stop.STEPS);
            return t.model().parameters().values().clone();
        }
    }

    @Test
    void aRunOnShardsHasTheSameWeightsOnOneThreadOrTwoAndResumesExactly(@TempDir Path dir) throws Exception {
        float[] one = train(config(12), dir.resolve("one"), null, 1);
        float[] two = train(config(12), dir.resolve("two"), null, 2);
        assertThat(two).isEqualTo(one);
        train(config(6), dir.resolve("half"), null, 2);
        Checkpoint saved = Checkpoint.read(dir.resolve("half").resolve(Checkpoint.LAST));
        assertThat(saved.state().step()).isEqualTo(6);
        assertThat(train(config(12), dir.resolve("half"), saved, 1)).isEqualTo(one);
        assertThat(one).isNotEqualTo(CharModel.create(saved.model().config(), config(12).seed()).parameters().values());
    }

    @Test
    void refusesNoShards() {
        assertThatThrownBy(() -> new LocalShards(0, 1)).hasMessageContaining("--shards must be at least 1, got 0");
    }
}
