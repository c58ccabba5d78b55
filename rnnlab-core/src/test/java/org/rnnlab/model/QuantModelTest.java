package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.io.NpyArray;
import org.rnnlab.kernel.Int8Matrix;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.nn.Mode;
import org.rnnlab.nn.Param;
import org.rnnlab.train.Adam;
import org.rnnlab.train.TrainStep;
import org.rnnlab.util.Rng;

/**
 * A quantized model ({@link CharModel#quantizeInt8()}) is the float model of its dequantized weights: its steps agree
 * with that model's to float rounding, on both kernels and every cell; a batched step gives each sequence its bits
 * alone; the forward pass (what eval scores) gives the step's logits to the bit; it cannot be trained.
 */
class QuantModelTest {
    static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        for (String kernel : new String[] {"scalar", "vector"}) {
            for (CellType cell : CellType.values()) out.add(new Object[] {kernel, cell});
        }
        return out;
    }

    private static final ModelConfig SMALL = new ModelConfig(CellType.LSTM, 23, 19, 37, 2, 0);

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void stepsAreTheDequantizedFloatModelsToRounding(String kernel, CellType cell) {
        ModelConfig config = new ModelConfig(cell, 23, 19, 37, 2, 0);
        CharModel original = CharModel.create(config, 5, Kernel.named(kernel));
        Map<String, NpyArray> before = original.stateDict();
        CharModel q = original.quantizeInt8();
        assertThat(q.quantized()).isTrue();
        assertThat(q.frozen()).isTrue();
        assertThat(original.quantized()).isFalse();
        assertThat(original.stateDict()).as("the original is not changed").isEqualTo(before);
        assertThat(q.quantizeInt8()).isSameAs(q);
        assertThat(q.int8Weights().keySet()).containsExactlyElementsOf(CharModel.quantizable(config));
        CharModel dequantized = CharModel.fromStateDict(q.stateDict(), config, Kernel.named(kernel));
        assertThat(dequantized.stateDict()).isNotEqualTo(before); // quantizing changed the weights

        int batch = 2;
        CharModel.StepWorkspace wq = q.stepWorkspace(batch), wf = dequantized.stepWorkspace(batch);
        State sq = q.zeroState(batch), sf = dequantized.zeroState(batch);
        Rng rng = new Rng(9);
        int[] tokens = new int[batch];
        double worst = 0;
        for (int t = 0; t < 40; t++) {
            for (int r = 0; r < batch; r++) tokens[r] = rng.nextInt(config.vocab());
            float[] lq = q.step(wq, tokens, sq, sq), lf = dequantized.step(wf, tokens, sf, sf);
            for (int i = 0; i < lf.length; i++) {
                assertThat((double) lq[i]).as("logit %d at step %d", i, t).isCloseTo(lf[i], within(2e-5 * (1 + Math.abs(lf[i]))));
                worst = Math.max(worst, Math.abs(lq[i] - lf[i]));
            }
        }
        // and the float model of the original weights is measurably elsewhere: quantizing is not a no-op
        CharModel.StepWorkspace wo = original.stepWorkspace(1);
        CharModel.StepWorkspace w1 = q.stepWorkspace(1);
        float[] lo = original.step(wo, new int[] {3}, original.zeroState(1), original.zeroState(1)).clone();
        float[] l1 = q.step(w1, new int[] {3}, q.zeroState(1), q.zeroState(1));
        assertThat(maxDiff(lo, l1)).isGreaterThan(10 * Math.max(worst, 1e-7));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aBatchedStepGivesEachSequenceItsBitsAloneAndForwardGivesTheStepsBits(String kernel, CellType cell) {
        ModelConfig config = new ModelConfig(cell, 17, 11, 21, 2, 0);
        CharModel q = CharModel.create(config, 3, Kernel.named(kernel)).quantizeInt8();
        int batch = 3, steps = 12;
        int[][] seqs = new int[batch][steps];
        Rng rng = new Rng(4);
        for (int[] s : seqs) for (int t = 0; t < steps; t++) s[t] = rng.nextInt(config.vocab());
        // alone, one sequence at a time
        float[][][] alone = new float[batch][steps][];
        for (int b = 0; b < batch; b++) {
            CharModel.StepWorkspace ws = q.stepWorkspace(1);
            State st = q.zeroState(1);
            for (int t = 0; t < steps; t++) alone[b][t] = q.step(ws, new int[] {seqs[b][t]}, st, st).clone();
        }
        // together
        CharModel.StepWorkspace ws = q.stepWorkspace(batch);
        State st = q.zeroState(batch);
        int V = config.vocab();
        for (int t = 0; t < steps; t++) {
            int[] tokens = new int[batch];
            for (int b = 0; b < batch; b++) tokens[b] = seqs[b][t];
            float[] logits = q.step(ws, tokens, st, st);
            for (int b = 0; b < batch; b++) {
                assertThat(Arrays.copyOfRange(logits, b * V, (b + 1) * V)).as("sequence %d at step %d", b, t)
                        .isEqualTo(alone[b][t]);
            }
        }
        // the forward pass over the whole sequences (batch-first), as eval and the window generator run it
        CharModel.Workspace fw = q.workspace(batch, steps);
        int[] inputs = new int[batch * steps];
        for (int b = 0; b < batch; b++) System.arraycopy(seqs[b], 0, inputs, b * steps, steps);
        q.forward(fw, inputs, inputs, q.zeroState(batch), Mode.EVAL);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int at = (b * steps + t) * V;
                assertThat(Arrays.copyOfRange(fw.logits(), at, at + V)).as("forward, sequence %d step %d", b, t)
                        .isEqualTo(alone[b][t]);
            }
        }
    }

    @Test
    void aQuantizedModelCannotBeTrained() {
        CharModel q = CharModel.create(SMALL, 1).quantizeInt8();
        CharModel.Workspace ws = q.workspace(1, 4);
        int[] ids = {1, 2, 3, 4};
        q.forward(ws, ids, ids, q.zeroState(1), Mode.EVAL);
        assertThatThrownBy(() -> q.backward(ws)).isInstanceOf(IllegalStateException.class)
                .hasMessage("this model computes with int8 weights (quantized for generation): it cannot be trained; "
                        + "training is float32 (train the float model)");
        assertThatThrownBy(() -> new TrainStep(q, new Adam(q.parameters().size(), 0.01, Adam.Options.DEFAULT), 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the model's weights are int8 (quantized for generation), and training is float32: train "
                        + "the float model it was quantized from");
        assertThatThrownBy(() -> q.recurrent().layer(0).newPass(1, 1).backward(new float[19], new float[37],
                new float[37], new float[37], new float[19]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("lstm.weight_hh_l0: this layer computes with int8");
    }

    @Test
    void fromInt8RefusesAnUnquantizableNameAndAnEmptyMap() {
        CharModel m = CharModel.create(SMALL, 1);
        Param emb = m.parameters().get("embedding.weight");
        Int8Matrix q = Int8Matrix.quantize(emb.values(), emb.offset(), 23, 19);
        assertThatThrownBy(() -> CharModel.fromInt8(m.stateDict(), Map.of("embedding.weight", q), SMALL, Kernel.scalar()))
                .hasMessageStartingWith("embedding.weight cannot be int8: only lstm.weight_ih_l0, lstm.weight_hh_l0, ");
        assertThatThrownBy(() -> CharModel.fromInt8(m.stateDict(), Map.of(), SMALL, Kernel.scalar()))
                .hasMessage("a quantized model needs at least one int8 matrix");
        Param hh = m.parameters().get("lstm.weight_hh_l1");
        Int8Matrix wrong = Int8Matrix.quantize(hh.values(), hh.offset(), 37, 4 * 37);
        assertThatThrownBy(() -> CharModel.fromInt8(m.stateDict(), Map.of("lstm.weight_hh_l1", wrong), SMALL, Kernel.scalar()))
                .hasMessage("lstm.weight_hh_l1: expected shape [148, 37], found [37, 148] (lstm V=23 E=19 H=37 L=2)");
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }
}
