package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.text.Corpus;

class TrainerTest {
    static final TrainData LAB = org.rnnlab.testing.LabData.withVal(0.1);

    /** A small two-layer LSTM with dropout, so that resuming must also restore the dropout masks' source. */
    static TrainConfig.Builder small(Batching mode) {
        return TrainConfig.builder().corpus("lab").val(0.1).cell(CellType.LSTM).embed(8).hidden(12).layers(2)
                .dropout(0.3).mode(mode).batch(3).seq(9).lr(0.01).clipNorm(1).seed(42);
    }

    static Trainer.Result run(Trainer t) throws IOException {
        return t.run(new Trainer.Listener() {});
    }

    static float[] weights(Trainer t) {
        return t.model().parameters().values().clone();
    }

    @ParameterizedTest
    @EnumSource(Batching.class)
    void theSameSeedGivesTheSameWeightsToTheBitAndAnotherSeedOthers(Batching mode) throws IOException {
        TrainConfig config = small(mode).epochs(2).build();
        Trainer a = Trainer.create(config, LAB, null);
        Trainer b = Trainer.create(config, LAB, null);
        Trainer c = Trainer.create(config.toBuilder().seed(43).build(), LAB, null);
        run(a);
        run(b);
        run(c);
        assertThat(a.step()).isPositive();
        assertThat(weights(a)).isEqualTo(weights(b));
        assertThat(a.optimizer().buffers().get("exp_avg")).isEqualTo(b.optimizer().buffers().get("exp_avg"));
        assertThat(weights(a)).isNotEqualTo(weights(c));
    }

    @ParameterizedTest
    @EnumSource(Batching.class)
    void aRunStoppedAndResumedEndsWithTheSameWeightsToTheBit(Batching mode, @TempDir Path dir) throws IOException {
        // Plateau schedule, validation every 7 steps and early-stopping counters all have state to carry over.
        TrainConfig full = small(mode).epochs(4).evalEvery(7).schedule(TrainConfig.Schedule.PLATEAU).lrPatience(0)
                .build();
        Trainer straight = Trainer.create(full, LAB, dir.resolve("straight"));
        run(straight);
        long total = straight.step();
        assertThat(total).isGreaterThan(40);

        // Stopped by a step budget in the middle of an epoch and between evaluations, then resumed.
        long k = 19;
        assertThat(k % straight.batcher().batchesPerEpoch()).isNotZero();
        Path out = dir.resolve("stopped");
        Trainer first = Trainer.create(full.toBuilder().steps(k).build(), LAB, out);
        assertThat(run(first).stop()).isEqualTo(Trainer.Stop.STEPS);
        Checkpoint ckpt = Checkpoint.read(out.resolve(Checkpoint.LAST));
        assertThat(ckpt.state().step()).isEqualTo(k);
        Trainer resumed = Trainer.resume(ckpt, LAB, full, out);
        Trainer.Result r = run(resumed);

        assertThat(r.stop()).isEqualTo(Trainer.Stop.EPOCHS);
        assertThat(resumed.step()).isEqualTo(total);
        assertThat(weights(resumed)).isEqualTo(weights(straight));
        assertThat(resumed.optimizer().buffers().get("exp_avg_sq")).isEqualTo(straight.optimizer().buffers().get("exp_avg_sq"));
        assertThat(resumed.optimizer().learningRate()).isEqualTo(straight.optimizer().learningRate());
        assertThat(straight.optimizer().learningRate()).as("the plateau schedule acted").isLessThan(0.01);
        // The same scheduled evaluations, with the same training figures (the interrupted run adds its stop's row).
        List<MetricsHistory.Row> a = withoutTimes(straight.history().rows());
        List<MetricsHistory.Row> b = withoutTimes(resumed.history().rows());
        b.removeIf(row -> row.step() == k);
        assertThat(b).isEqualTo(a);
        // And the files on disk: the last checkpoint's weights are the straight run's.
        assertThat(Checkpoint.read(out.resolve(Checkpoint.LAST)).model().parameters().values()).isEqualTo(weights(straight));
    }

    @Test
    void aStopRequestedMidRunSavesAndResumesExactly(@TempDir Path dir) throws IOException {
        TrainConfig config = small(Batching.STREAM).epochs(2).build();
        Trainer straight = Trainer.create(config, LAB, null);
        run(straight);

        Path out = dir.resolve("run");
        Trainer first = Trainer.create(config, LAB, out);
        Trainer.Result r = first.run(new Trainer.Listener() {
            @Override
            public void stepped(Trainer t, double loss) {
                if (t.step() == 5) t.requestStop(); // as the Ctrl-C hook does, from any thread
            }
        });
        assertThat(r.stop()).isEqualTo(Trainer.Stop.INTERRUPTED);
        assertThat(r.step()).isEqualTo(5);
        Checkpoint ckpt = Checkpoint.read(out.resolve(Checkpoint.LAST));
        assertThat(ckpt.state().step()).isEqualTo(5);
        assertThat(ckpt.carried()).as("stream mode saves the carried state").isNotNull();
        Trainer resumed = Trainer.resume(ckpt, LAB, config, out);
        run(resumed);
        assertThat(weights(resumed)).isEqualTo(weights(straight));
    }

    @Test
    void aDivergingRunStopsBeforeTheBadStepAndLeavesTheLastGoodCheckpoint(@TempDir Path dir) throws IOException {
        TrainConfig config = TrainConfig.builder().corpus("lab").val(0.1).cell(CellType.RNN_RELU).embed(8).hidden(12)
                .mode(Batching.STREAM).batch(4).seq(10).optimizer(TrainConfig.OptimizerName.SGD).lr(50)
                .evalEvery(1).epochs(5).build();
        Path out = dir.resolve("run");
        AtomicReference<byte[]> lastSaved = new AtomicReference<>();
        Trainer t = Trainer.create(config, LAB, out);
        Trainer.Result r = t.run(new Trainer.Listener() {
            @Override
            public void saved(Trainer trainer, Path file) {
                try {
                    if (file.endsWith(Checkpoint.LAST)) lastSaved.set(Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        });
        assertThat(r.stop()).isEqualTo(Trainer.Stop.DIVERGED);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("the (training|validation) loss became "
                + "(NaN|Infinity) at step ([0-9]+) \\(epoch [0-9.]+\\): the weights diverged\\. Lower --lr \\(now 50\\.0\\) "
                + "or clip the gradients \\(e\\.g\\. --clip 1\\); the last good checkpoint, (.*) \\(step ([0-9]+)\\), is intact")
                .matcher(r.message());
        assertThat(m.matches()).as(r.message()).isTrue();
        long badStep = Long.parseLong(m.group(3));
        long savedStep = Long.parseLong(m.group(5));
        assertThat(savedStep).isLessThan(badStep);
        Path last = out.resolve(Checkpoint.LAST);
        assertThat(m.group(4)).isEqualTo(last.toString());
        assertThat(Files.readAllBytes(last)).isEqualTo(lastSaved.get());
        Checkpoint c = Checkpoint.read(last);
        assertThat(c.state().step()).isEqualTo(savedStep);
        assertThat(Evaluator.score(c.model(), LAB.val()).loss()).as("the saved weights still score").isFinite();
        for (float w : c.model().parameters().values()) assertThat(Float.isFinite(w)).isTrue();
    }

    @Test
    void budgetsStopTheRunWhereTheySay() throws IOException {
        TrainConfig base = small(Batching.WINDOWS).dropout(0).layers(1).val(0).build();
        TrainData data = TrainData.of(Corpus.lab(), 0, 0);
        Trainer byEpochs = Trainer.create(base.toBuilder().epochs(2).build(), data, null);
        assertThat(run(byEpochs).stop()).isEqualTo(Trainer.Stop.EPOCHS);
        // 339 characters make 330 windows of 9 steps: 110 batches of 3 per epoch.
        assertThat(byEpochs.batcher().batchesPerEpoch()).isEqualTo(110);
        assertThat(byEpochs.step()).isEqualTo(220);
        assertThat(byEpochs.totalSteps()).isEqualTo(220);

        Trainer bySteps = Trainer.create(base.toBuilder().epochs(2).steps(15).build(), data, null);
        assertThat(run(bySteps).stop()).isEqualTo(Trainer.Stop.STEPS);
        assertThat(bySteps.step()).isEqualTo(15);
        assertThat(bySteps.totalSteps()).isEqualTo(15);

        Trainer byTime = Trainer.create(base.toBuilder().epochs(0).minutes(0.002).build(), data, null);
        long start = System.nanoTime();
        assertThat(run(byTime).stop()).isEqualTo(Trainer.Stop.TIME);
        assertThat((System.nanoTime() - start) / 1e9).isBetween(0.12, 5.0);
        assertThat(byTime.totalSteps()).isEqualTo(-1);
    }

    @Test
    void windowsModesLastBatchOfAnEpochIsSmaller() throws IOException {
        // 339 - 40 = 299 windows in batches of 7: 42 full batches and one of 5.
        TrainConfig config = TrainConfig.builder().corpus("lab").val(0).embed(4).hidden(6).batch(7).seq(40).epochs(1)
                .build();
        List<Double> losses = new ArrayList<>();
        Trainer t = Trainer.create(config, TrainData.of(Corpus.lab(), 0, 0), null);
        t.run(new Trainer.Listener() {
            @Override
            public void stepped(Trainer trainer, double loss) {
                losses.add(loss);
            }
        });
        assertThat(t.step()).isEqualTo(43);
        assertThat(losses).hasSize(43).allSatisfy(l -> assertThat(l).isFinite());
        MetricsHistory.Row row = t.history().last();
        assertThat(row.step()).isEqualTo(43);
        assertThat(row.epoch()).isEqualTo(1.0);
        assertThat(row.valLoss()).isNaN();
        assertThat(t.state().chars()).isEqualTo(299L * 40);
    }

    @Test
    void earlyStoppingEndsTheRunAfterPatienceEvaluationsWithoutProgress() throws IOException {
        // A learning rate this high on the 17-character validation tail overfits within a few epochs.
        TrainConfig config = small(Batching.STREAM).dropout(0).layers(1).hidden(32).lr(0.05).epochs(200)
                .patience(3).build();
        Trainer t = Trainer.create(config, LAB, null);
        Trainer.Result r = run(t);
        assertThat(r.stop()).isEqualTo(Trainer.Stop.EARLY_STOP);
        assertThat(r.message()).isEqualTo("validation loss has not improved for 3 evaluations");
        List<MetricsHistory.Row> rows = t.history().rows();
        assertThat(rows.size()).isLessThan(200);
        double best = rows.subList(0, rows.size() - 3).stream().mapToDouble(MetricsHistory.Row::valLoss).min().orElseThrow();
        assertThat(rows.subList(rows.size() - 3, rows.size())).allSatisfy(row -> assertThat(row.valLoss()).isGreaterThanOrEqualTo(best));
        assertThat(r.bestValLoss()).isEqualTo(best);
    }

    @Test
    void checkpointsHoldEverythingAndTheBestIsTheBestValidation(@TempDir Path dir) throws IOException {
        TrainConfig config = small(Batching.STREAM).epochs(3).test(0.1).build();
        TrainData data = TrainData.of(Corpus.lab(), 0.1, 0.1);
        Trainer t = Trainer.create(config, data, dir);
        Trainer.Result r = run(t);

        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).sorted())
                .containsExactly(RunFolder.LOCK, Checkpoint.BEST, Checkpoint.LAST, Checkpoint.METRICS_CSV);
        Checkpoint last = Checkpoint.read(dir.resolve(Checkpoint.LAST));
        Checkpoint best = Checkpoint.read(dir.resolve(Checkpoint.BEST));
        assertThat(last.kind()).isEqualTo("last");
        assertThat(best.kind()).isEqualTo("best");
        assertThat(last.run()).hasSizeGreaterThan(10).isEqualTo(best.run());
        assertThat(last.config()).isEqualTo(config);
        assertThat(last.vocabulary()).isEqualTo(data.vocabulary());
        assertThat(last.optimizerBuffers().keySet()).containsExactly("exp_avg", "exp_avg_sq");
        assertThat(last.carried().layers()).isEqualTo(2);
        assertThat(last.carried().batch()).isEqualTo(3);
        assertThat(last.state().optimizer()).isEqualTo("adam");
        assertThat(last.state().optimizerOptions().get("beta2").asDouble()).isEqualTo(0.999);
        assertThat(last.state().data()).isEqualTo(data.fingerprint());
        assertThat(last.history().rows()).isEqualTo(t.history().rows());

        double minVal = t.history().rows().stream().mapToDouble(MetricsHistory.Row::valLoss).min().orElseThrow();
        assertThat(r.bestValLoss()).isEqualTo(minVal);
        assertThat(best.state().step()).isEqualTo(r.bestStep());
        assertThat(Evaluator.score(best.model(), data.val()).loss()).isEqualTo(minVal);
        assertThat(r.test().loss()).isEqualTo(Evaluator.score(best.model(), data.test()).loss());
        // Any model reader reads a checkpoint: it is a model file with more in it.
        ModelFiles.Loaded asModel = ModelFiles.load(dir.resolve(Checkpoint.BEST), ModelFiles.Hints.NONE);
        assertThat(asModel.model().parameters().values()).isEqualTo(best.model().parameters().values());

        List<String> csv = Files.readAllLines(dir.resolve(Checkpoint.METRICS_CSV));
        assertThat(csv.get(0)).isEqualTo("step,epoch,lr,train_loss,train_bpc,train_accuracy,val_loss,val_bpc,"
                + "val_accuracy,val_perplexity,chars_per_second,seconds");
        assertThat(csv).hasSize(1 + t.history().rows().size());
        assertThat(csv.get(1)).startsWith(t.history().rows().get(0).step() + ",1.0,0.01,");
    }

    @Test
    void resumingRefusesAnotherSettingOrAnotherText(@TempDir Path dir) throws IOException {
        TrainConfig config = small(Batching.STREAM).steps(3).build();
        run(Trainer.create(config, LAB, dir));
        Path file = dir.resolve(Checkpoint.LAST);
        Checkpoint c = Checkpoint.read(file);
        assertThatThrownBy(() -> Trainer.resume(c, LAB, config.toBuilder().hidden(16).lr(0.1).build(), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot resume " + file + " with different settings (hidden 12 -> 16, lr 0.01 -> 0.1): "
                        + "only --epochs, --steps, --minutes, --patience and --threads may change (and --corpus, to the same text)");
        TrainData other = TrainData.of(Corpus.lab(), 0.2, 0);
        assertThatThrownBy(() -> Trainer.resume(c, other, config, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the text differs from the one " + file + " was trained on (39 distinct characters; "
                        + "train 271, val 68, test 0 characters): resume with the same --corpus, --val and --test");
        // Budgets may grow.
        Trainer more = Trainer.resume(c, LAB, config.toBuilder().steps(5).build(), dir);
        run(more);
        assertThat(more.step()).isEqualTo(5);

        Path plain = dir.resolve("plain.safetensors");
        ModelFiles.save(plain, c.model(), c.vocabulary());
        assertThatThrownBy(() -> Checkpoint.read(plain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(plain + " is a model without training state; resuming needs a checkpoint written by "
                        + "rnnlab train (last.safetensors or best.safetensors in its --out folder)");
    }

    @Test
    void aGivenInitialModelMustMatchTheConfig() {
        TrainConfig config = small(Batching.STREAM).build();
        CharModel wrong = CharModel.create(config.toBuilder().hidden(5).build().modelConfig(LAB.vocabulary().size()), 1);
        assertThatThrownBy(() -> Trainer.create(config, LAB, wrong, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the model is ModelConfig[");
    }

    @Test
    void theBatchShrinksToFitASmallTextWithAWarning() throws IOException {
        TrainConfig config = small(Batching.STREAM).batch(100).seq(20).build();
        Trainer t = Trainer.create(config, LAB, null);
        assertThat(t.batcher().batchSize()).isEqualTo(15);
        assertThat(t.warnings()).containsExactly("the text has 305 characters, enough for 15 streams of 20 steps; "
                + "batch shrinks from 100 to 15");
    }

    private static List<MetricsHistory.Row> withoutTimes(List<MetricsHistory.Row> rows) {
        List<MetricsHistory.Row> out = new ArrayList<>();
        for (MetricsHistory.Row r : rows) {
            out.add(new MetricsHistory.Row(r.step(), r.epoch(), r.lr(), r.trainLoss(), r.trainBpc(), r.trainAccuracy(),
                    r.valLoss(), r.valBpc(), r.valAccuracy(), r.valPerplexity(), 0, 0));
        }
        return out;
    }

    static Map<String, float[]> buffers(Trainer t) {
        return t.optimizer().buffers();
    }
}
