package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rnnlab.nn.Mode;
import org.rnnlab.nn.Param;
import org.rnnlab.testing.FiniteDifferences;
import org.rnnlab.testing.FiniteDifferences.Target;
import org.rnnlab.testing.FiniteDifferences.TensorCheck;

/**
 * Finite differences against {@link CharModel#backward} for the whole model, in training mode with dropout 0.3
 * between layers (the masks redrawn from the same seed for every evaluation), on the objective of the parity
 * fixtures, {@code J = loss + sum(h_n dh_n) [+ sum(c_n dc_n)]} with random dh_n, dc_n: every entry of every
 * parameter in the arena, and the initial state h0 (and c0).
 *
 * <p>Tolerance, per tensor: {@code |a - n|_2 <= 2e-4 max(|a|_2, |n|_2) + 1e-5 sqrt(entries)} with
 * fourth-order centred differences of step 3e-2 (3e-3 for relu), the same argument as the layer checks
 * ({@link FiniteDifferences}): J is evaluated in double from float32 outputs, so its rounding noise is about
 * 1e-7 to 1e-6 and the difference quotient's at most ~3e-5 per entry, above truncation errors of about
 * 1e-6. Measured relative errors here are 1e-7 to 8e-5, the largest on the initial state of a lower layer,
 * whose gradient norm is only 0.03. The relu model has one layer, because the kink detector sees the top
 * layer's outputs only.
 */
class CharModelGradientCheckTest {
    @ParameterizedTest(name = "{0} L={1}")
    @CsvSource({"rnn_tanh,2", "rnn_relu,1", "lstm,2", "gru,2"})
    void everyParameterAndTheInitialState(String cellId, int layers) {
        CellType cell = CellType.parse(cellId);
        int B = 2, T = 4;
        ModelConfig config = new ModelConfig(cell, 7, 5, 4, layers, 0.3);
        CharModel model = CharModel.create(config, 11);
        SplittableRandom r = new SplittableRandom(12);
        int[] inputs = new int[B * T], targets = new int[B * T];
        for (int i = 0; i < B * T; i++) {
            inputs[i] = r.nextInt(config.vocab());
            targets[i] = r.nextInt(config.vocab());
        }
        State h0 = State.zeros(config, B);
        State dFinal = State.zeros(config, B);
        for (int l = 0; l < layers; l++) {
            fill(r, h0.h(l));
            fill(r, dFinal.h(l));
            if (cell.hasCell()) {
                fill(r, h0.c(l));
                fill(r, dFinal.c(l));
            }
        }
        CharModel.Workspace ws = model.workspace(B, T);
        DoubleSupplier j = () -> {
            double loss = model.forward(ws, inputs, targets, h0, Mode.training(new SplittableRandom(5)));
            double s = loss;
            for (int l = 0; l < layers; l++) {
                s += FiniteDifferences.dot(dFinal.h(l), ws.finalState().h(l));
                if (cell.hasCell()) s += FiniteDifferences.dot(dFinal.c(l), ws.finalState().c(l));
            }
            return s;
        };
        model.zeroGrad();
        j.getAsDouble();
        model.backward(ws, dFinal);
        State dInitial = ws.initialStateGradient().copy();

        List<Target> targetsToCheck = new ArrayList<>();
        for (Param p : model.parameters().params()) {
            targetsToCheck.add(new Target(p.name(), p.values(), p.offset(), p.size(), p.grads(), p.offset()));
        }
        for (int l = 0; l < layers; l++) {
            targetsToCheck.add(Target.whole("h0[" + l + "]", h0.h(l), dInitial.h(l)));
            if (cell.hasCell()) targetsToCheck.add(Target.whole("c0[" + l + "]", h0.c(l), dInitial.c(l)));
        }
        boolean relu = cell == CellType.RNN_RELU;
        List<TensorCheck> checks = FiniteDifferences.check(targetsToCheck, relu ? 3e-3 : FiniteDifferences.STEP, j,
                relu ? () -> zeroPattern(ws.output()) : null);

        StringBuilder table = new StringBuilder("CharModel " + cellId + " L=" + layers + '\n');
        for (TensorCheck c : checks) table.append("  ").append(c.describe()).append('\n');
        if (Boolean.getBoolean("rnnlab.verbose")) System.out.print(table);
        assertThat(checks).hasSize(config.parameterShapes().size() + layers * (cell.hasCell() ? 2 : 1));
        for (TensorCheck c : checks) assertThat(c.passed()).as("%s\n%s", c.name(), table).isTrue();
    }

    private static void fill(SplittableRandom r, float[] x) {
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
    }

    private static long zeroPattern(float[] y) {
        long h = 17;
        for (float v : y) h = 31 * h + (v == 0f ? 1 : 0);
        return h;
    }
}
