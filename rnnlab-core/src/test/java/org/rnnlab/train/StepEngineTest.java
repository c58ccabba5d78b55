package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;
import org.rnnlab.text.Corpus;
import org.rnnlab.util.Rng;

/** The trainer with its forward and backward passes done by a {@link StepEngine}, as rnnlab-spark does them. */
class StepEngineTest {
    /** Computes here what a cluster would; can fail the way a cluster shutting down with the process does. */
    static class HereEngine implements StepEngine {
        Trainer trainer;
        int failAt = -1;
        int calls;

        @Override
        public Result gradients(CharModel model, int[] inputs, int[] targets, int n, int seq, State initial,
                                State after, long step) {
            if (++calls == failAt) { // Ctrl-C: the stop is asked for, and the cluster's context goes away under the step
                trainer.requestStop();
                throw new IllegalStateException("SparkContext was shut down");
            }
            CharModel.Workspace ws = model.workspace(n, seq);
            model.zeroGrad();
            int[] in = Arrays.copyOf(inputs, n * seq);
            int[] tg = Arrays.copyOf(targets, n * seq);
            double loss = model.forward(ws, in, tg, initial != null ? initial : model.zeroState(n), Mode.training(new Rng(step)));
            model.backward(ws);
            if (after != null) after.copyFrom(ws.finalState());
            return new Result(loss, Evaluator.countCorrect(ws.logits(), tg, n * seq, model.config().vocab()));
        }

        @Override
        public String describe() {
            return "here";
        }
    }

    static TrainConfig config(long steps) {
        return TrainConfig.builder().corpus("lab").val(0.1).cell(CellType.LSTM).embed(8).hidden(16)
                .mode(Batching.STREAM).batch(4).seq(10).epochs(0).steps(steps).evalEvery(5).build();
    }

    static float[] run(TrainConfig config, Path out, Checkpoint from, HereEngine engine, Trainer.Stop expected)
            throws IOException {
        TrainData data = TrainData.of(Corpus.lab(), config.val(), config.test());
        try (Trainer t = from == null ? Trainer.create(config, data, out) : Trainer.resume(from, data, config, out)) {
            engine.trainer = t;
            t.computeWith(engine);
            assertThat(t.run(new Trainer.Listener() {}).stop()).isEqualTo(expected);
            return t.model().parameters().values().clone();
        }
    }

    @Test
    void aStepLostToAClusterShuttingDownOnCtrlCSavesTheRunAtTheLastStepDoneAndResumesExactly(@TempDir Path dir)
            throws IOException {
        float[] straight = run(config(30), dir.resolve("straight"), null, new HereEngine(), Trainer.Stop.STEPS);
        HereEngine failing = new HereEngine();
        failing.failAt = 13;
        run(config(30), dir.resolve("run"), null, failing, Trainer.Stop.INTERRUPTED);
        Checkpoint saved = Checkpoint.read(dir.resolve("run").resolve(Checkpoint.LAST));
        assertThat(saved.state().step()).isEqualTo(12); // the 13th step never reached the weights
        float[] resumed = run(config(30), dir.resolve("run"), saved, new HereEngine(), Trainer.Stop.STEPS);
        assertThat(resumed).isEqualTo(straight); // its batch was put back: the same run, to the bit
    }

    @Test
    void withoutAStopAskedForAFailedStepIsAnError(@TempDir Path dir) {
        HereEngine failing = new HereEngine() {
            @Override
            public Result gradients(CharModel model, int[] inputs, int[] targets, int n, int seq, State initial,
                                    State after, long step) {
                throw new java.io.UncheckedIOException(new IOException("Spark could not compute step " + step));
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> run(config(30), dir.resolve("run"), null, failing, Trainer.Stop.STEPS))
                .hasMessageContaining("Spark could not compute step 1");
    }
}
