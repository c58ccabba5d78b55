package org.rnnlab.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.model.CellType;
import org.rnnlab.text.Corpus;
import org.rnnlab.train.Batching;
import org.rnnlab.train.Checkpoint;
import org.rnnlab.train.Cluster;
import org.rnnlab.train.LocalShards;
import org.rnnlab.train.StepEngine;
import org.rnnlab.train.TrainConfig;
import org.rnnlab.train.TrainData;
import org.rnnlab.train.Trainer;

/** {@code train --spark local[2]}: the run with P shards of B rows is the one-machine run with batch P x B. */
class SparkTrainingTest {
    static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.connect("local[2]");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    record Run(List<Double> losses, float[] weights, Trainer.Result result) {}

    static Run train(TrainConfig config, Path out, StepEngine engine) throws IOException {
        List<Double> losses = new ArrayList<>();
        try (Trainer t = Trainer.create(config, TrainData.of(Corpus.lab(), config.val(), config.test()), out)) {
            t.computeWith(engine);
            Trainer.Result r = t.run(new Trainer.Listener() {
                @Override
                public void stepped(Trainer trainer, double loss) {
                    losses.add(loss);
                }
            });
            return new Run(losses, t.model().parameters().values().clone(), r);
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    static TrainConfig.Builder stream(CellType cell) {
        return TrainConfig.builder().corpus("lab").val(0.1).cell(cell).embed(16).hidden(24).layers(2)
                .mode(Batching.STREAM).batch(6).seq(8).lr(0.01).clipNorm(5).epochs(0).steps(50).evalEvery(25);
    }

    @Test
    void streamShardsFollowTheOneMachineRunWithTheWholeBatch(@TempDir Path dir) throws IOException {
        for (CellType cell : List.of(CellType.LSTM, CellType.GRU)) {
            TrainConfig config = stream(cell).build();
            Run one = train(config, dir.resolve(cell.id() + "-one"), null);
            // 6 streams in 3 shards of 2, each shard's state carried through the driver from step to step.
            try (StepEngine engine = cluster.engine(3, config.seed())) {
                Run spark = train(config, dir.resolve(cell.id() + "-spark"), engine);
                assertThat(spark.losses()).hasSize(50);
                double worst = 0;
                for (int i = 0; i < 50; i++) worst = Math.max(worst, Math.abs(spark.losses().get(i) - one.losses().get(i)));
                System.out.printf("%s stream, 3 shards: 50 steps, largest loss difference %.2e, weights %.2e%n",
                        cell.id(), worst, maxDiff(spark.weights(), one.weights()));
                assertThat(worst).as("loss difference over 50 steps").isLessThan(1e-4);
                assertThat(maxDiff(spark.weights(), one.weights())).isLessThan(1e-4);
                assertThat(spark.result().bestValLoss()).isCloseTo(one.result().bestValLoss(),
                        org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void sparkWithPTasksIsTrainShardsPOnThisMachineToTheBit(@TempDir Path dir) throws IOException {
        // The same cut, weights and dropout seeds: --spark local[2] --tasks 3 and --shards 3 are one run. With dropout,
        // stream state carried, and a windows run's uneven last batch (9 rows in 3 shards).
        for (TrainConfig config : List.of(stream(CellType.LSTM).dropout(0.2).steps(20).build(),
                TrainConfig.builder().corpus("lab").val(0).cell(CellType.GRU).embed(8).hidden(12).mode(Batching.WINDOWS)
                        .batch(16).seq(10).lr(0.01).epochs(1).build())) {
            Run local = train(config, dir.resolve(config.mode() + "-local"), new LocalShards(3, config.seed()));
            try (StepEngine engine = cluster.engine(3, config.seed())) {
                Run spark = train(config, dir.resolve(config.mode() + "-spark"), engine);
                assertThat(spark.losses()).isEqualTo(local.losses());
                assertThat(spark.weights()).isEqualTo(local.weights());
            }
        }
    }

    @Test
    void windowsWithAnUnevenLastBatchToo(@TempDir Path dir) throws IOException {
        // 339 - 10 = 329 windows in batches of 16: the last of each epoch holds 9, cut 5 + 4... into 3 shards.
        TrainConfig config = TrainConfig.builder().corpus("lab").val(0).cell(CellType.RNN_TANH).embed(8).hidden(12)
                .mode(Batching.WINDOWS).batch(16).seq(10).lr(0.01).epochs(2).build();
        Run one = train(config, dir.resolve("one"), null);
        try (StepEngine engine = cluster.engine(3, config.seed())) {
            Run spark = train(config, dir.resolve("spark"), engine);
            assertThat(spark.losses()).hasSameSizeAs(one.losses()).hasSize(2 * 21);
            for (int i = 0; i < one.losses().size(); i++) {
                assertThat(spark.losses().get(i)).isCloseTo(one.losses().get(i), org.assertj.core.data.Offset.offset(1e-4));
            }
            assertThat(maxDiff(spark.weights(), one.weights())).isLessThan(1e-4);
        }
    }

    @Test
    void aSparkRunResumesOnOneMachineAndTheOtherWayRound(@TempDir Path dir) throws IOException {
        TrainConfig full = stream(CellType.LSTM).build();
        Run straight = train(full, dir.resolve("straight"), null);
        // 25 steps on Spark, then 25 on one machine.
        TrainConfig half = stream(CellType.LSTM).steps(25).build();
        try (StepEngine engine = cluster.engine(2, half.seed())) {
            train(half, dir.resolve("a"), engine);
        }
        float[] a = resume(dir.resolve("a"), 50, null);
        // 25 on one machine, then 25 on Spark.
        train(half, dir.resolve("b"), null);
        float[] b;
        try (StepEngine engine = cluster.engine(2, half.seed())) {
            b = resume(dir.resolve("b"), 50, engine);
        }
        assertThat(maxDiff(a, straight.weights())).isLessThan(1e-4);
        assertThat(maxDiff(b, straight.weights())).isLessThan(1e-4);
    }

    static float[] resume(Path dir, int steps, StepEngine engine) throws IOException {
        Checkpoint c = Checkpoint.read(dir.resolve(Checkpoint.LAST));
        TrainConfig config = c.config().toBuilder().steps(steps).build();
        try (Trainer t = Trainer.resume(c, TrainData.of(Corpus.lab(), config.val(), config.test()), config, dir)) {
            t.computeWith(engine);
            t.run(new Trainer.Listener() {});
            return t.model().parameters().values().clone();
        }
    }

    @Test
    void aRoundOfLocalStepsIsEachShardsOwnStepsThenTheAverageOfWeightsAndOptimizerState() throws IOException {
        for (TrainConfig.OptimizerName opt : List.of(TrainConfig.OptimizerName.SGD, TrainConfig.OptimizerName.ADAM)) {
            TrainConfig config = stream(CellType.LSTM).optimizer(opt).lr(0.05).build();
            TrainData data = TrainData.of(Corpus.lab(), config.val(), config.test());
            org.rnnlab.model.CharModel model = org.rnnlab.model.CharModel.create(
                    config.modelConfig(data.vocabulary().size()), 3);
            int size = model.parameters().size();
            float[] w0 = model.parameters().values().clone();
            // Three batches of 6 streams of 8, the state carried, as the trainer draws them.
            org.rnnlab.train.Batcher batcher = new org.rnnlab.train.Batcher.Stream(data.train(), 6, 8);
            List<int[]> ins = new ArrayList<>();
            List<int[]> tgs = new ArrayList<>();
            boolean[] fresh = new boolean[3];
            for (int i = 0; i < 3; i++) {
                int[] in = new int[48];
                int[] tg = new int[48];
                batcher.next(in, tg);
                fresh[i] = batcher.freshState();
                ins.add(in);
                tgs.add(tg);
            }
            // The answer, worked out here: each of 3 shards (2 streams each) takes the 3 steps on its own copy.
            float[] expected = new float[size];
            java.util.Map<String, float[]> expectedBuffers = new java.util.LinkedHashMap<>();
            for (int s = 0; s < 3; s++) {
                org.rnnlab.model.CharModel m = org.rnnlab.model.CharModel.create(model.config(), 0);
                System.arraycopy(w0, 0, m.parameters().values(), 0, size);
                org.rnnlab.train.Optimizer o = config.newOptimizer(size);
                org.rnnlab.train.TrainStep step = new org.rnnlab.train.TrainStep(m, o, config.clipNorm(), 0);
                org.rnnlab.model.State carry = m.zeroState(2);
                org.rnnlab.model.CharModel.Workspace ws = m.workspace(2, 8);
                for (int i = 0; i < 3; i++) {
                    if (fresh[i]) carry.reset();
                    step.run(ws, java.util.Arrays.copyOfRange(ins.get(i), 16 * s, 16 * s + 16),
                            java.util.Arrays.copyOfRange(tgs.get(i), 16 * s, 16 * s + 16), carry,
                            org.rnnlab.nn.Mode.training(new org.rnnlab.util.Rng(1)));
                    carry.copyFrom(ws.finalState());
                }
                float share = (float) (1.0 / 3);
                for (int i = 0; i < size; i++) expected[i] += share * m.parameters().values()[i];
                for (var e : o.buffers().entrySet()) {
                    float[] to = expectedBuffers.computeIfAbsent(e.getKey(), k -> new float[e.getValue().length]);
                    for (int i = 0; i < to.length; i++) to[i] += share * e.getValue()[i];
                }
            }
            org.rnnlab.train.Optimizer optimizer = config.newOptimizer(size);
            try (StepEngine engine = cluster.engine(3, config.seed(), 3)) {
                StepEngine.Result r = engine.round(model, optimizer, config,
                        new StepEngine.Round(ins, tgs, new int[] {6, 6, 6}, fresh, 8), model.zeroState(6), 1);
                assertThat(r.loss()).isFinite();
            }
            assertThat(maxDiff(model.parameters().values(), expected)).as(opt.id()).isLessThan(1e-7);
            assertThat(maxDiff(model.parameters().values(), w0)).as("it trained").isGreaterThan(1e-4);
            assertThat(optimizer.steps()).isEqualTo(3);
            for (var e : expectedBuffers.entrySet()) {
                assertThat(maxDiff(optimizer.buffers().get(e.getKey()), e.getValue())).as(e.getKey()).isLessThan(1e-7);
            }
        }
    }

    @Test
    void syncEveryKTrainsResumesAndEvaluatesAtTheRoundAfterAnEpochEnds(@TempDir Path dir) throws IOException {
        // 6 steps an epoch, rounds of 4: the evaluation of epoch 1's end comes after step 8.
        TrainConfig config = stream(CellType.GRU).evalEvery(0).steps(16).build();
        List<Long> evaluated = new ArrayList<>();
        try (Trainer t = Trainer.create(config, TrainData.of(Corpus.lab(), config.val(), config.test()), dir.resolve("k4"));
             StepEngine engine = cluster.engine(2, config.seed(), 4)) {
            t.computeWith(engine);
            Trainer.Result r = t.run(new Trainer.Listener() {
                @Override
                public void evaluated(Trainer trainer, org.rnnlab.train.MetricsHistory.Row row, boolean best) {
                    evaluated.add(trainer.step());
                }
            });
            assertThat(r.step()).isEqualTo(16);
            assertThat(evaluated).containsExactly(8L, 12L, 16L);
            assertThat(r.bestValLoss()).isLessThan(Math.log(39));
        }
    }

    @Test
    void aRunWithSyncEveryResumesExactlyFromItsCheckpoint(@TempDir Path dir) throws IOException {
        TrainConfig full = stream(CellType.LSTM).evalEvery(4).steps(16).build();
        float[] straight;
        try (StepEngine engine = cluster.engine(2, full.seed(), 4)) {
            straight = train(full, dir.resolve("straight"), engine).weights();
        }
        TrainConfig half = stream(CellType.LSTM).evalEvery(4).steps(8).build();
        try (StepEngine engine = cluster.engine(2, half.seed(), 4)) {
            train(half, dir.resolve("resumed"), engine);
            assertThat(resume(dir.resolve("resumed"), 16, engine)).isEqualTo(straight);
        }
    }
}
