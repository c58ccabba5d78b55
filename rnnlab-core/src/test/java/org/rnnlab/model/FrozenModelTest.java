package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.nn.Mode;
import org.rnnlab.util.Rng;

/**
 * A frozen model's steps take layer 0's input product from its per-token table; they must be the steps of the same
 * model unfrozen, to the bit, on both kernels, for every cell, with several layers and several rows.
 */
class FrozenModelTest {
    static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        for (String kernel : new String[] {"scalar", "vector"}) {
            for (CellType cell : CellType.values()) {
                for (int batch : new int[] {1, 3}) out.add(new Object[] {kernel, cell, batch});
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1} B={2}")
    @MethodSource("cases")
    void frozenStepsAreTheSameStepsToTheBit(String kernel, CellType cell, int batch) {
        ModelConfig config = new ModelConfig(cell, 23, 19, 37, 2, 0);
        CharModel live = CharModel.create(config, 5, Kernel.named(kernel));
        CharModel frozen = CharModel.create(config, 5, Kernel.named(kernel)).freeze();
        assertThat(frozen.frozen()).isTrue();
        assertThat(live.frozen()).isFalse();
        CharModel.StepWorkspace a = live.stepWorkspace(batch);
        CharModel.StepWorkspace b = frozen.stepWorkspace(batch);
        State sa = live.zeroState(batch);
        State sb = frozen.zeroState(batch);
        Rng rng = new Rng(9);
        int[] tokens = new int[batch];
        for (int t = 0; t < 30; t++) {
            for (int r = 0; r < batch; r++) tokens[r] = rng.nextInt(config.vocab());
            float[] la = live.step(a, tokens, sa, sa);
            float[] lb = frozen.step(b, tokens, sb, sb);
            assertThat(lb).as("logits at step %d", t).isEqualTo(la);
            for (int l = 0; l < config.layers(); l++) {
                assertThat(sb.h(l)).as("h at step %d, layer %d", t, l).isEqualTo(sa.h(l));
                if (sa.hasCell()) assertThat(sb.c(l)).isEqualTo(sa.c(l));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} B={2}")
    @MethodSource("cases")
    void threadsSharingAFrozenModelGetTheSequentialResults(String kernel, CellType cell, int batch) throws Exception {
        if (batch != 1) return; // one row is enough here: the table is what the threads share
        ModelConfig config = new ModelConfig(cell, 17, 8, 12, 1, 0);
        CharModel model = CharModel.create(config, 2, Kernel.named(kernel)).freeze();
        List<float[]> expected = new ArrayList<>();
        for (int s = 0; s < 4; s++) expected.add(run(CharModel.create(config, 2, Kernel.named(kernel)), s));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> got = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                int seed = s;
                got.add(pool.submit(() -> run(model, seed)));
            }
            for (int s = 0; s < 4; s++) assertThat(got.get(s).get()).isEqualTo(expected.get(s));
        } finally {
            pool.shutdownNow();
        }
    }

    private static float[] run(CharModel model, int seed) {
        CharModel.StepWorkspace ws = model.stepWorkspace(1);
        State s = model.zeroState(1);
        Rng rng = new Rng(seed);
        float[] logits = null;
        for (int t = 0; t < 200; t++) logits = model.step(ws, new int[] {rng.nextInt(model.config().vocab())}, s, s);
        return logits.clone();
    }

    @ParameterizedTest(name = "{0} {1} B={2}")
    @MethodSource("cases")
    void aFrozenModelEvaluatesButRefusesToTrain(String kernel, CellType cell, int batch) {
        if (batch != 1 || cell != CellType.LSTM) return;
        ModelConfig config = new ModelConfig(cell, 11, 4, 6, 1, 0);
        CharModel live = CharModel.create(config, 1, Kernel.named(kernel));
        CharModel frozen = CharModel.create(config, 1, Kernel.named(kernel)).freeze();
        int[] in = {1, 2, 3, 4};
        int[] out = {2, 3, 4, 5};
        CharModel.Workspace wl = live.workspace(1, 4);
        CharModel.Workspace wf = frozen.workspace(1, 4);
        assertThat(frozen.forward(wf, in, out, frozen.zeroState(1), Mode.EVAL))
                .isEqualTo(live.forward(wl, in, out, live.zeroState(1), Mode.EVAL));
        assertThatThrownBy(() -> frozen.backward(wf)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("frozen").hasMessageContaining("cannot be trained");
        assertThat(frozen.freeze()).isSameAs(frozen);
    }
}
