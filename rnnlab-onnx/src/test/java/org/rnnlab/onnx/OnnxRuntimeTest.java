package org.rnnlab.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;
import org.rnnlab.text.Vocabulary;

/**
 * Every cell type at 1 to 3 layers, exported and run in ONNX Runtime, against rnnlab's own forward pass on odd sizes
 * (V 7, E 5, H 9), batches of 1 and 4, from a random non-zero state: a whole sequence in one run, and the same
 * tokens one run per step with the state carried from each run's h_n (c_n) to the next one's h_0 (c_0). Logits,
 * log-probabilities and final states agree to {@value #TOLERANCE}: both are float32 computations of the same
 * equations in different orders (ONNX Runtime's own GEMMs and activations), whose values here are O(1).
 */
class OnnxRuntimeTest {
    static final double TOLERANCE = 1e-5;
    private static final int V = 7, E = 5, H = 9, T = 6;
    private static final List<String> WORST = new ArrayList<>();

    static Stream<Arguments> models() {
        List<Arguments> cases = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            for (int layers = 1; layers <= 3; layers++) cases.add(Arguments.of(cell, layers));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} L{1}")
    @MethodSource("models")
    void matchesRnnlabOnWholeSequencesAndStepByStep(CellType cell, int layers) throws Exception {
        // dropout is training-only: the config carries it, evaluation and the exported graph have none
        ModelConfig config = new ModelConfig(cell, V, E, H, layers, 0.3);
        CharModel model = CharModel.create(config, 17 + layers);
        Random random = new Random(layers * 31L + cell.ordinal());
        double worstWhole = 0, worstStep = 0;
        try (OrtRunner ort = new OrtRunner(OnnxExport.toModel(model, Vocabulary.literal("abcdefg")))) {
            for (int B : new int[] {1, 4}) {
                int[] tokens = new int[B * T];                                   // (B, T) rnnlab's batch-first
                for (int i = 0; i < tokens.length; i++) tokens[i] = random.nextInt(V);
                float[] h0 = uniform(random, layers * B * H), c0 = cell.hasCell() ? uniform(random, layers * B * H) : null;
                State initial = State.fromTensors(h0, c0, layers, B, H);

                CharModel.Workspace ws = model.workspace(B, T);
                model.forward(ws, tokens, tokens, initial, Mode.EVAL);
                OrtRunner.Out whole = ort.run(timeMajor(tokens, B, T), T, B, h0, c0, layers, H);
                String what = cell + " L" + layers + " B" + B;
                worstWhole = Math.max(worstWhole, compare(what + " logits", timeMajor(ws.logits(), B, T, V), whole.logits()));
                worstWhole = Math.max(worstWhole, compare(what + " log_probs",
                        logSoftmax(timeMajor(ws.logits(), B, T, V), V), whole.logProbs()));
                worstWhole = Math.max(worstWhole, compare(what + " h_n", ws.finalState().hTensor(), whole.h()));
                if (cell.hasCell()) worstWhole = Math.max(worstWhole, compare(what + " c_n", ws.finalState().cTensor(), whole.c()));

                // one token per run, the state carried through the ONNX model's own outputs
                CharModel.StepWorkspace sw = model.stepWorkspace(B);
                State state = initial.copy();
                float[] h = h0, c = c0;
                for (int t = 0; t < T; t++) {
                    int[] column = new int[B];
                    long[] ids = new long[B];
                    for (int b = 0; b < B; b++) ids[b] = column[b] = tokens[b * T + t];
                    float[] logits = model.step(sw, column, state, state);
                    OrtRunner.Out step = ort.run(ids, 1, B, h, c, layers, H);
                    worstStep = Math.max(worstStep, compare(what + " step " + t + " log_probs", logSoftmax(logits, V),
                            step.logProbs()));
                    h = step.h();
                    c = step.c();
                }
                worstStep = Math.max(worstStep, compare(what + " stepped h_n", state.hTensor(), h));
                if (cell.hasCell()) worstStep = Math.max(worstStep, compare(what + " stepped c_n", state.cTensor(), c));
            }
        }
        WORST.add(String.format("%-8s L%d  whole sequence %.2e  step by step %.2e", cell, layers, worstWhole, worstStep));
    }

    /** With -Drnnlab.verbose=true: the largest difference of each case. */
    @AfterAll
    static void report() {
        if (!Boolean.getBoolean("rnnlab.verbose")) return;
        System.out.println("ONNX Runtime against rnnlab, largest absolute differences:");
        WORST.forEach(line -> System.out.println("  " + line));
    }

    /** The largest |a - b|, after asserting it is within the tolerance. */
    static double compare(String what, float[] expected, float[] actual) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((double) expected[i] - actual[i]));
        assertThat(worst).as("%s: largest |ONNX - expected|", what).isLessThanOrEqualTo(TOLERANCE);
        return worst;
    }

    /** {@code log_softmax} of each row of V, in double, rounded to float. */
    static float[] logSoftmax(float[] logits, int v) {
        float[] out = new float[logits.length];
        for (int row = 0; row < logits.length; row += v) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < v; j++) max = Math.max(max, logits[row + j]);
            for (int j = 0; j < v; j++) sum += Math.exp(logits[row + j] - max);
            double lse = max + Math.log(sum);
            for (int j = 0; j < v; j++) out[row + j] = (float) (logits[row + j] - lse);
        }
        return out;
    }

    /** (T, B) from (B, T). */
    static long[] timeMajor(int[] batchFirst, int B, int T) {
        long[] out = new long[B * T];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) out[t * B + b] = batchFirst[b * T + t];
        }
        return out;
    }

    /** (T, B, d) from (B, T, d). */
    static float[] timeMajor(float[] batchFirst, int B, int T, int d) {
        float[] out = new float[batchFirst.length];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) System.arraycopy(batchFirst, (b * T + t) * d, out, (t * B + b) * d, d);
        }
        return out;
    }

    private static float[] uniform(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = random.nextFloat() - 0.5f;
        return a;
    }
}
