package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.rnnlab.io.NpyArray;
import org.rnnlab.nn.Mode;

/**
 * {@link CharModel#trace}: what it keeps is what the model computes. The top layer's h and the logits against one
 * forward pass over the whole text (trace runs it in chunks), every layer's h and c against the generation step, and
 * the gates against a recomputation in double precision from the weights and the trace's own previous states.
 * The texts are longer than {@link CharModel#TRACE_CHUNK}, so the state carried between chunks is checked too.
 */
class TraceTest {
    static final int V = 9, E = 5, H = 6, L = 2, T = 2 * CharModel.TRACE_CHUNK + 37;

    static int[] text(long seed) {
        return CharModelTest.tokens(new SplittableRandom(seed), T);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void theTopLayerAndTheLogitsAreTheForwardPass(CellType cell) {
        CharModel m = CharModelTest.model(cell, 0);
        int[] in = text(1);
        Trace trace = m.trace(in);
        CharModel.Workspace ws = m.workspace(1, T);
        m.forward(ws, in, new int[T], m.zeroState(1), Mode.EVAL);
        CharModelTest.assertClose("top h", trace.h()[L - 1], ws.output(), 1e-6);
        CharModelTest.assertClose("logits", trace.logits(), ws.logits(), 1e-5);
        assertThat(trace.steps()).isEqualTo(T);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void everyLayersStatesAreTheGenerationSteps(CellType cell) {
        CharModel m = CharModelTest.model(cell, 0);
        int[] in = text(2);
        Trace trace = m.trace(in);
        CharModel.StepWorkspace ws = m.stepWorkspace(1);
        State s = m.zeroState(1);
        for (int t = 0; t < T; t++) {
            m.step(ws, new int[] {in[t]}, s, s);
            for (int l = 0; l < L; l++) {
                for (int j = 0; j < H; j++) {
                    assertThat((double) trace.h()[l][t * H + j]).as("h[%d] t=%d j=%d", l, t, j).isCloseTo(s.h(l)[j], within(1e-5));
                    if (cell.hasCell()) {
                        assertThat((double) trace.c()[l][t * H + j]).as("c[%d] t=%d j=%d", l, t, j).isCloseTo(s.c(l)[j], within(1e-5));
                    }
                }
            }
        }
        assertThat(trace.c() != null).isEqualTo(cell == CellType.LSTM);
        assertThat(trace.gates() != null).isEqualTo(cell == CellType.LSTM || cell == CellType.GRU);
        assertThat(trace.gateBlocks()).isEqualTo(cell == CellType.LSTM ? 4 : cell == CellType.GRU ? 3 : 0);
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU"})
    void theGatesAreTheirEquationsOnTheTracedStates(CellType cell) {
        CharModel m = CharModelTest.model(cell, 0);
        // weights large enough that gates reach both ends of their range, not only the middle
        SplittableRandom r = new SplittableRandom(5);
        float[] w = m.parameters().values();
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-2, 2);
        int[] in = text(3);
        Trace trace = m.trace(in);
        Map<String, NpyArray> sd = m.stateDict();
        String mod = cell.moduleName();
        int G = cell.gates();
        double[] emb = doubles(sd.get(StateDictNames.EMBEDDING));
        double low = 1, high = 0;
        for (int l = 0; l < L; l++) {
            double[] wIh = doubles(sd.get(StateDictNames.weightIh(mod, l))), wHh = doubles(sd.get(StateDictNames.weightHh(mod, l)));
            double[] bIh = doubles(sd.get(StateDictNames.biasIh(mod, l))), bHh = doubles(sd.get(StateDictNames.biasHh(mod, l)));
            int inSize = l == 0 ? E : H;
            for (int t = 0; t < T; t++) {
                double[] x = new double[inSize], hPrev = new double[H], cPrev = new double[H];
                for (int k = 0; k < inSize; k++) x[k] = l == 0 ? emb[in[t] * E + k] : trace.h()[l - 1][t * H + k];
                for (int k = 0; k < H && t > 0; k++) {
                    hPrev[k] = trace.h()[l][(t - 1) * H + k];
                    if (cell == CellType.LSTM) cPrev[k] = trace.c()[l][(t - 1) * H + k];
                }
                double[] gx = new double[G * H], gh = new double[G * H];
                for (int row = 0; row < G * H; row++) {
                    gx[row] = bIh[row];
                    gh[row] = bHh[row];
                    for (int k = 0; k < inSize; k++) gx[row] += wIh[row * inSize + k] * x[k];
                    for (int k = 0; k < H; k++) gh[row] += wHh[row * H + k] * hPrev[k];
                }
                float[] gates = trace.gates()[l];
                int at = t * G * H;
                for (int j = 0; j < H; j++) {
                    double[] expected;
                    double state;
                    if (cell == CellType.LSTM) {
                        double i = sigmoid(gx[j] + gh[j]), f = sigmoid(gx[H + j] + gh[H + j]);
                        double g = Math.tanh(gx[2 * H + j] + gh[2 * H + j]), o = sigmoid(gx[3 * H + j] + gh[3 * H + j]);
                        expected = new double[] {i, f, g, o};
                        double c = f * cPrev[j] + i * g;
                        assertThat((double) trace.c()[l][t * H + j]).as("c[%d] t=%d", l, t).isCloseTo(c, within(1e-5));
                        state = o * Math.tanh(c);
                    } else {
                        double rr = sigmoid(gx[j] + gh[j]), z = sigmoid(gx[H + j] + gh[H + j]);
                        double n = Math.tanh(gx[2 * H + j] + rr * gh[2 * H + j]);
                        expected = new double[] {rr, z, n};
                        state = (1 - z) * n + z * hPrev[j];
                    }
                    for (int b = 0; b < G; b++) {
                        double actual = gates[at + b * H + j];
                        assertThat(actual).as("gate %d of unit %d, layer %d, t=%d", b, j, l, t).isCloseTo(expected[b], within(1e-5));
                        low = Math.min(low, actual);
                        high = Math.max(high, actual);
                    }
                    assertThat((double) trace.h()[l][t * H + j]).as("h[%d] t=%d", l, t).isCloseTo(state, within(1e-5));
                }
            }
        }
        assertThat(low).as("some gate nearly closed").isLessThan(0.05);
        assertThat(high).as("some gate nearly open").isGreaterThan(0.95);
    }

    @Test
    void refusesWhatIsNotAText() {
        CharModel m = CharModelTest.model(CellType.LSTM, 0);
        assertThatThrownBy(() -> m.trace(new int[0])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> m.trace(new int[] {1, V})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token " + V).hasMessageContaining("t=1");
    }

    @Test
    void aShortTextIsOneChunk() {
        CharModel m = CharModelTest.model(CellType.GRU, 0);
        Trace trace = m.trace(new int[] {3});
        assertThat(trace.steps()).isEqualTo(1);
        assertThat(trace.h()[0]).hasSize(H);
        assertThat(trace.logits()).hasSize(V);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double[] doubles(NpyArray a) {
        float[] f = a.toFloats();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
