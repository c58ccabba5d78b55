package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.util.Rng;

/**
 * {@link CharModel#step} computes each sequence's row on its own: a sequence stepped in a batch of 9 (past the
 * vector kernel's few-rows plans), beside others with other tokens and states, gets the logits and the states it
 * gets stepped alone at B = 1, to the bit; for every cell, both kernels, frozen or not, two layers.
 */
class BatchedStepTest {
    static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        for (String kernel : new String[] {"scalar", "vector"}) {
            for (CellType cell : CellType.values()) {
                for (boolean frozen : new boolean[] {false, true}) out.add(new Object[] {kernel, cell, frozen});
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1} frozen={2}")
    @MethodSource("cases")
    void aSequenceStepsToTheSameBitsInABatchAsAlone(String kernel, CellType cell, boolean frozen) {
        // H = 37 and E = 19: neither a multiple of the vector width nor of four rows
        ModelConfig config = new ModelConfig(cell, 23, 19, 37, 2, 0);
        CharModel model = CharModel.create(config, 5, Kernel.named(kernel));
        if (frozen) model.freeze();
        int B = 9, V = config.vocab(), H = config.hidden();
        CharModel.StepWorkspace batchWs = model.stepWorkspace(B), oneWs = model.stepWorkspace(1);
        State batch = model.zeroState(B);
        State[] alone = new State[B];
        for (int b = 0; b < B; b++) alone[b] = model.zeroState(1);
        Rng rng = new Rng(11);
        int[] tokens = new int[B];
        for (int t = 0; t < 12; t++) {
            for (int b = 0; b < B; b++) tokens[b] = rng.nextInt(V);
            float[] logits = model.step(batchWs, tokens, batch, batch).clone();
            for (int b = 0; b < B; b++) {
                float[] own = model.step(oneWs, new int[] {tokens[b]}, alone[b], alone[b]);
                assertThat(Arrays.copyOfRange(logits, b * V, (b + 1) * V)).as("logits of row %d at step %d", b, t)
                        .isEqualTo(own);
                for (int l = 0; l < config.layers(); l++) {
                    assertThat(Arrays.copyOfRange(batch.h(l), b * H, (b + 1) * H)).as("h[%d] of row %d", l, b)
                            .isEqualTo(alone[b].h(l));
                    if (batch.hasCell()) {
                        assertThat(Arrays.copyOfRange(batch.c(l), b * H, (b + 1) * H)).isEqualTo(alone[b].c(l));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} frozen={2}")
    @MethodSource("cases")
    void steppingTheFirstRowsOfAWorkspaceGivesThoseRowsTheirOwnBitsAndLeavesTheOthersAlone(String kernel, CellType cell,
                                                                                            boolean frozen) {
        ModelConfig config = new ModelConfig(cell, 23, 19, 37, 2, 0);
        CharModel model = CharModel.create(config, 6, Kernel.named(kernel));
        if (frozen) model.freeze();
        int B = 8, V = config.vocab(), H = config.hidden();
        CharModel.StepWorkspace ws = model.stepWorkspace(B), oneWs = model.stepWorkspace(1);
        State slots = model.zeroState(B);
        for (int l = 0; l < config.layers(); l++) Arrays.fill(slots.h(l), 0.25f); // rows past the live ones: 0.25
        State[] alone = new State[B];
        for (int b = 0; b < B; b++) {
            alone[b] = model.zeroState(1);
            for (int l = 0; l < config.layers(); l++) Arrays.fill(alone[b].h(l), 0.25f);
        }
        Rng rng = new Rng(12);
        int[] tokens = new int[B];
        // 3 rows live, then 7, then 1, then all 8: sequences keep their slots while the count changes
        int[] live = {3, 3, 7, 7, 7, 1, 8, 8, 2};
        for (int t = 0; t < live.length; t++) {
            int n = live[t];
            for (int b = 0; b < B; b++) tokens[b] = rng.nextInt(V);
            float[] logits = model.step(ws, n, tokens, slots, slots).clone();
            for (int b = 0; b < n; b++) {
                float[] own = model.step(oneWs, new int[] {tokens[b]}, alone[b], alone[b]);
                assertThat(Arrays.copyOfRange(logits, b * V, (b + 1) * V)).as("row %d of %d at step %d", b, n, t)
                        .isEqualTo(own);
            }
            for (int b = 0; b < B; b++) {
                for (int l = 0; l < config.layers(); l++) {
                    assertThat(Arrays.copyOfRange(slots.h(l), b * H, (b + 1) * H)).as("h[%d] of slot %d", l, b)
                            .isEqualTo(alone[b].h(l)); // the rows not stepped stay as they were
                }
            }
        }
        assertThatThrownBy(() -> model.step(ws, 9, tokens, slots, slots)).hasMessageContaining("1..8");
        assertThatThrownBy(() -> model.step(ws, 0, tokens, slots, slots)).hasMessageContaining("1..8");
    }
}
