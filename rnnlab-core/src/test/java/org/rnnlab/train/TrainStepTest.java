package org.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.nn.Mode;

class TrainStepTest {
    static final ModelConfig CONFIG = new ModelConfig(CellType.LSTM, 7, 4, 6, 1, 0);
    static final int[] IN = {0, 1, 2, 3, 4, 5, 6, 0};
    static final int[] OUT = {1, 2, 3, 4, 5, 6, 0, 1};

    static double step(CharModel m, double clipNorm, double lr) {
        TrainStep s = new TrainStep(m, new Sgd(m.parameters().size(), lr, Sgd.Options.DEFAULT), clipNorm, 0);
        return s.run(m.workspace(1, IN.length), IN, OUT, m.zeroState(1), Mode.EVAL);
    }

    @Test
    void clippingScalesTheUpdateToTheNormAndTheNormIsReported() {
        CharModel free = CharModel.create(CONFIG, 3);
        CharModel clipped = CharModel.create(CONFIG, 3);
        float[] w0 = free.parameters().values().clone();
        TrainStep s = new TrainStep(free, new Sgd(free.parameters().size(), 1.0, Sgd.Options.DEFAULT), 0, 0);
        double loss = s.run(free.workspace(1, IN.length), IN, OUT, free.zeroState(1), Mode.EVAL);
        double norm = s.gradNorm();
        assertThat(loss).isBetween(1.0, 3.0);
        assertThat(norm).isPositive();

        double clip = norm / 4;
        TrainStep c = new TrainStep(clipped, new Sgd(clipped.parameters().size(), 1.0, Sgd.Options.DEFAULT), clip, 0);
        assertThat(c.run(clipped.workspace(1, IN.length), IN, OUT, clipped.zeroState(1), Mode.EVAL)).isEqualTo(loss);
        assertThat(c.gradNorm()).as("the norm before clipping").isEqualTo(norm);
        // SGD with lr 1 moves each weight by its gradient: the clipped step is a quarter of the free one.
        float[] a = free.parameters().values();
        float[] b = clipped.parameters().values();
        for (int i = 0; i < a.length; i++) {
            assertThat((double) b[i] - w0[i]).isCloseTo((a[i] - w0[i]) / 4.0,
                    org.assertj.core.data.Offset.offset(1e-6 + 1e-4 * Math.abs(a[i] - w0[i])));
        }
    }

    @Test
    void aNonFiniteLossLeavesTheWeightsAsTheyWere() {
        CharModel m = CharModel.create(CONFIG, 3);
        m.parameters().values()[0] = Float.NaN; // the first embedding row feeds the first step
        float[] before = m.parameters().values().clone();
        double loss = step(m, 0, 0.1);
        assertThat(loss).isNaN();
        assertThat(m.parameters().values()).isEqualTo(before);
    }

    @Test
    void theNotebooksStepIsTheSameUpdateWithoutTheNorm() {
        CharModel a = CharModel.create(CONFIG, 5);
        CharModel b = CharModel.create(CONFIG, 5);
        TrainStep guarded = new TrainStep(a, new Adam(a.parameters().size(), 0.01, Adam.Options.DEFAULT), 0, 0);
        TrainStep notebook = TrainStep.notebook(b, new Adam(b.parameters().size(), 0.01, Adam.Options.DEFAULT));
        for (int i = 0; i < 3; i++) {
            assertThat(notebook.run(b.workspace(1, IN.length), IN, OUT, b.zeroState(1), Mode.EVAL))
                    .isEqualTo(guarded.run(a.workspace(1, IN.length), IN, OUT, a.zeroState(1), Mode.EVAL));
        }
        assertThat(b.parameters().values()).isEqualTo(a.parameters().values());
        assertThat(guarded.gradNorm()).isPositive();
        assertThat(notebook.gradNorm()).isNaN();
    }
}
