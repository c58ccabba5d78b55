package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnnlab.kernel.Kernel;
import org.rnnlab.nn.Mode;

/**
 * The model's behaviour beyond its numbers: generation steps against the sequence pass, state carried
 * between batches (forward and backward), the initial state left alone, dropout only in training,
 * gradients accumulating, workspaces that never allocate, and the errors of misuse.
 *
 * <p>Where two computations should agree they are compared to 1e-6 (not bit for bit: a faster kernel may
 * block a product differently for T * B rows than for B rows); gradients norm-wise to 1e-5.
 */
class CharModelTest {
    static final int V = 9, E = 5, H = 6, L = 2;

    static CharModel model(CellType cell, double dropout) {
        return CharModel.create(new ModelConfig(cell, V, E, H, L, dropout), 3);
    }

    static int[] tokens(SplittableRandom r, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(V);
        return t;
    }

    static State randomState(ModelConfig config, int batch, SplittableRandom r) {
        State s = State.zeros(config, batch);
        for (int l = 0; l < config.layers(); l++) {
            for (int i = 0; i < batch * config.hidden(); i++) {
                s.h(l)[i] = (float) r.nextDouble(-1, 1);
                if (s.hasCell()) s.c(l)[i] = (float) r.nextDouble(-1, 1);
            }
        }
        return s;
    }

    /** Time steps [from, to) of every row of batch-first (B, T) ids. */
    static int[] slice(int[] ids, int batch, int steps, int from, int to) {
        int[] out = new int[batch * (to - from)];
        for (int b = 0; b < batch; b++) System.arraycopy(ids, b * steps + from, out, b * (to - from), to - from);
        return out;
    }

    static void assertClose(String what, float[] actual, float[] expected, double tol) {
        assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within(tol));
        }
    }

    static double relativeError(float[] actual, float[] expected) {
        double d2 = 0, e2 = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = (double) actual[i] - expected[i];
            d2 += d * d;
            e2 += (double) expected[i] * expected[i];
        }
        return Math.sqrt(d2 / e2);
    }

    static float[] sum(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] + b[i];
        return out;
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void stepRunTTimesEqualsTheSequenceForward(CellType cell) {
        int B = 3, T = 7;
        CharModel m = model(cell, 0.5); // dropout must not act outside training
        SplittableRandom r = new SplittableRandom(1);
        int[] in = tokens(r, B * T);
        State h0 = randomState(m.config(), B, r);
        CharModel.Workspace ws = m.workspace(B, T);
        m.forward(ws, in, tokens(r, B * T), h0, Mode.EVAL);

        CharModel.StepWorkspace sw = m.stepWorkspace(B);
        State state = h0.copy();
        int[] column = new int[B];
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) column[b] = in[b * T + t];
            float[] logits = m.step(sw, column, state, state); // the state advances in place
            for (int b = 0; b < B; b++) {
                assertClose("logits b=" + b + " t=" + t, Arrays.copyOfRange(logits, b * V, (b + 1) * V),
                        Arrays.copyOfRange(ws.logits(), (b * T + t) * V, (b * T + t + 1) * V), 1e-6);
            }
        }
        assertClose("h_T", state.hTensor(), ws.finalState().hTensor(), 1e-6);
        if (cell.hasCell()) assertClose("c_T", state.cTensor(), ws.finalState().cTensor(), 1e-6);
    }

    @Test
    void stepIntoAnotherStateLeavesTheFirstAlone() {
        CharModel m = model(CellType.LSTM, 0);
        State from = randomState(m.config(), 2, new SplittableRandom(4));
        State saved = from.copy();
        State to = m.zeroState(2);
        m.step(m.stepWorkspace(2), new int[] {1, 2}, from, to);
        assertThat(from.hTensor()).containsExactly(saved.hTensor());
        assertThat(from.cTensor()).containsExactly(saved.cTensor());
        assertThat(to.hTensor()).isNotEqualTo(saved.hTensor());
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void stateCarriedBetweenTwoHalvesEqualsOneCall(CellType cell) {
        int B = 2, T = 8, half = T / 2;
        CharModel m = model(cell, 0);
        SplittableRandom r = new SplittableRandom(2);
        int[] in = tokens(r, B * T), tgt = tokens(r, B * T);
        int[] in1 = slice(in, B, T, 0, half), in2 = slice(in, B, T, half, T);
        int[] tgt1 = slice(tgt, B, T, 0, half), tgt2 = slice(tgt, B, T, half, T);
        State h0 = randomState(m.config(), B, r);
        State dFinal = randomState(m.config(), B, r);

        CharModel.Workspace whole = m.workspace(B, T);
        double lossWhole = m.forward(whole, in, tgt, h0, Mode.EVAL);

        // forward: one workspace, its own final state passed back in as the next initial state
        CharModel.Workspace ws = m.workspace(B, half);
        double loss1 = m.forward(ws, in1, tgt1, h0, Mode.EVAL);
        float[] logits1 = ws.logits().clone();
        double loss2 = m.forward(ws, in2, tgt2, ws.finalState(), Mode.EVAL);
        assertThat((loss1 + loss2) / 2).isCloseTo(lossWhole, within(1e-6));
        for (int b = 0; b < B; b++) {
            assertClose("first half", Arrays.copyOfRange(logits1, b * half * V, (b + 1) * half * V),
                    Arrays.copyOfRange(whole.logits(), b * T * V, (b * T + half) * V), 1e-6);
            assertClose("second half", Arrays.copyOfRange(ws.logits(), b * half * V, (b + 1) * half * V),
                    Arrays.copyOfRange(whole.logits(), (b * T + half) * V, (b + 1) * T * V), 1e-6);
        }
        assertClose("h_T", ws.finalState().hTensor(), whole.finalState().hTensor(), 1e-6);
        if (cell.hasCell()) assertClose("c_T", ws.finalState().cTensor(), whole.finalState().cTensor(), 1e-6);

        // backward: the second half's initial-state gradient is the first half's upstream gradient, so the two
        // halves together differentiate loss1 + loss2 + <s_T, dFinal> = 2 * mean loss + <s_T, dFinal>
        CharModel.Workspace first = m.workspace(B, half), second = m.workspace(B, half);
        m.forward(first, in1, tgt1, h0, Mode.EVAL);
        m.forward(second, in2, tgt2, first.finalState(), Mode.EVAL);
        m.zeroGrad();
        m.backward(second, dFinal);
        m.backward(first, second.initialStateGradient());
        float[] chained = m.parameters().grads().clone();
        State chainedInitial = first.initialStateGradient().copy();

        m.zeroGrad();
        m.backward(whole, dFinal);          // mean loss + <s_T, dFinal>
        State wholeInitial = whole.initialStateGradient().copy();
        m.backward(whole);                  // + mean loss: the parameter gradients add up
        assertThat(relativeError(chained, m.parameters().grads())).isLessThan(1e-5);
        float[] dh0 = sum(wholeInitial.hTensor(), whole.initialStateGradient().hTensor());
        assertThat(relativeError(chainedInitial.hTensor(), dh0)).isLessThan(1e-5);
        if (cell.hasCell()) {
            float[] dc0 = sum(wholeInitial.cTensor(), whole.initialStateGradient().cTensor());
            assertThat(relativeError(chainedInitial.cTensor(), dc0)).isLessThan(1e-5);
        }
    }

    @Test
    void forwardAndBackwardLeaveTheInitialStateAndInputsAlone() {
        CharModel m = model(CellType.GRU, 0.3);
        SplittableRandom r = new SplittableRandom(5);
        int[] in = tokens(r, 12), tgt = tokens(r, 12);
        int[] inCopy = in.clone(), tgtCopy = tgt.clone();
        State h0 = randomState(m.config(), 3, r);
        State saved = h0.copy();
        CharModel.Workspace ws = m.workspace(3, 4);
        m.forward(ws, in, tgt, h0, Mode.training(new SplittableRandom(1)));
        m.backward(ws, randomState(m.config(), 3, r));
        assertThat(h0.hTensor()).containsExactly(saved.hTensor());
        assertThat(in).containsExactly(inCopy);
        assertThat(tgt).containsExactly(tgtCopy);
    }

    @Test
    void dropoutActsOnlyInTrainingAndFollowsItsSeed() {
        SplittableRandom r = new SplittableRandom(6);
        int[] in = tokens(r, 10), tgt = tokens(r, 10);
        CharModel m = model(CellType.LSTM, 0.5);
        State h0 = m.zeroState(2);
        CharModel.Workspace ws = m.workspace(2, 5);
        double eval = m.forward(ws, in, tgt, h0, Mode.EVAL);
        double train1 = m.forward(ws, in, tgt, h0, Mode.training(new SplittableRandom(9)));
        double train2 = m.forward(ws, in, tgt, h0, Mode.training(new SplittableRandom(9)));
        double train3 = m.forward(ws, in, tgt, h0, Mode.training(new SplittableRandom(10)));
        assertThat(train1).isNotEqualTo(eval).isEqualTo(train2).isNotEqualTo(train3);

        // no dropout configured, or only one layer (nothing between layers): training equals evaluation
        for (ModelConfig c : new ModelConfig[] {new ModelConfig(CellType.LSTM, V, E, H, 2, 0),
                new ModelConfig(CellType.LSTM, V, E, H, 1, 0.5)}) {
            CharModel plain = CharModel.create(c, 1);
            CharModel.Workspace w = plain.workspace(2, 5);
            double e = plain.forward(w, in, tgt, plain.zeroState(2), Mode.EVAL);
            assertThat(plain.forward(w, in, tgt, plain.zeroState(2), Mode.training(new SplittableRandom(9)))).isEqualTo(e);
        }
    }

    @Test
    void backwardAddsIntoTheGradients() {
        CharModel m = model(CellType.RNN_TANH, 0);
        SplittableRandom r = new SplittableRandom(7);
        CharModel.Workspace ws = m.workspace(2, 3);
        m.forward(ws, tokens(r, 6), tokens(r, 6), m.zeroState(2), Mode.EVAL);
        m.zeroGrad();
        m.backward(ws);
        float[] once = m.parameters().grads().clone();
        m.backward(ws);
        float[] twice = m.parameters().grads();
        for (int i = 0; i < once.length; i++) assertThat(twice[i]).isCloseTo(2 * once[i], within(1e-6f));
        m.zeroGrad();
        assertThat(m.parameters().grads()).containsOnly(0f);
    }

    /**
     * Against a double-precision mean of log-sum-exps of the float logits: to 1e-12 with the scalar kernel, which
     * sums in double; to 1e-6 with the vector kernel, whose exponentials and their sum are float (each log-sum-exp
     * good to about 2^-23 (V + |lse|)).
     */
    @ParameterizedTest
    @CsvSource({"scalar,1e-12", "vector,1e-6"})
    void theLossIsTheMeanCrossEntropyOverAllPositions(String kernel, double tolerance) {
        CharModel m = CharModel.create(new ModelConfig(CellType.GRU, V, E, H, L, 0), 3, Kernel.named(kernel));
        SplittableRandom r = new SplittableRandom(8);
        int B = 2, T = 3;
        int[] in = tokens(r, B * T), tgt = tokens(r, B * T);
        CharModel.Workspace ws = m.workspace(B, T);
        double loss = m.forward(ws, in, tgt, m.zeroState(B), Mode.EVAL);
        double sum = 0;
        for (int n = 0; n < B * T; n++) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int v = 0; v < V; v++) max = Math.max(max, ws.logits()[n * V + v]);
            for (int v = 0; v < V; v++) z += Math.exp(ws.logits()[n * V + v] - max);
            sum += max + Math.log(z) - ws.logits()[n * V + tgt[n]];
        }
        assertThat(loss).isCloseTo(sum / (B * T), within(tolerance));
        assertThat(ws.loss()).isEqualTo(loss);
    }

    /**
     * Measured per round with the thread's allocation counter. A per-call allocation would show in every round;
     * the JIT may still, rarely, allocate once while it recompiles or deoptimises a method (seen: one round of
     * 88 bytes among hundreds, never with escape analysis off, so it is not an allocation in this code), hence
     * "almost every round allocates nothing" rather than "the sum is zero".
     *
     * <p>Warm-up runs until 50 rounds in a row allocate nothing, or 2 minutes: the vector kernel's code allocates
     * until C2 compiles it (the Vector API's interpreter and C1 fallbacks box every vector), which on a busy
     * machine can take a few thousand rounds. A per-call allocation never reaches 50 clean rounds, and the
     * measured rounds below still have to be clean.
     */
    @Test
    void trainingAndGenerationPassesDoNotAllocate() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        CharModel m = model(CellType.LSTM, 0.3);
        SplittableRandom r = new SplittableRandom(9);
        int[] in = tokens(r, 8 * 16), tgt = tokens(r, 8 * 16);
        CharModel.Workspace ws = m.workspace(8, 16);
        CharModel.StepWorkspace sw = m.stepWorkspace(8);
        State state = m.zeroState(8);
        State dFinal = m.zeroState(8);
        Mode train = Mode.training(new SplittableRandom(1));
        int[] column = Arrays.copyOf(in, 8);
        int rounds = 100, clean = 0;
        long worst = 0;
        long warmUpEnd = System.nanoTime() + 120_000_000_000L;
        for (int inARow = 0; inARow < 50 && System.nanoTime() < warmUpEnd; ) { // class loading, JIT
            long before = threads.getThreadAllocatedBytes(me);
            m.forward(ws, in, tgt, ws.finalState(), train);
            m.backward(ws, dFinal);
            m.step(sw, column, state, state);
            inARow = threads.getThreadAllocatedBytes(me) == before ? inARow + 1 : 0;
        }
        for (int i = 0; i < rounds; i++) {
            long before = threads.getThreadAllocatedBytes(me);
            m.forward(ws, in, tgt, ws.finalState(), train);
            m.backward(ws, dFinal);
            m.step(sw, column, state, state);
            long bytes = threads.getThreadAllocatedBytes(me) - before;
            if (bytes == 0) clean++;
            worst = Math.max(worst, bytes);
        }
        assertThat(clean).as("rounds of forward + backward + step allocating nothing, of " + rounds).isGreaterThan(95);
        assertThat(worst).as("the most bytes allocated in one round").isLessThan(2048);
    }

    @Test
    void misuseIsReportedWithTheOffendingValue() {
        CharModel m = model(CellType.LSTM, 0);
        CharModel.Workspace ws = m.workspace(2, 3);
        int[] ok = new int[6];
        State h0 = m.zeroState(2);
        assertThatThrownBy(() -> m.forward(ws, new int[5], ok, h0, Mode.EVAL))
                .hasMessageContaining("inputs").hasMessageContaining("B * T = 2 * 3 = 6").hasMessageContaining("got 5");
        assertThatThrownBy(() -> m.forward(ws, new int[] {0, 0, 0, 0, 9, 0}, ok, h0, Mode.EVAL))
                .hasMessageContaining("input token 9 at [b=1, t=1]").hasMessageContaining("[0, 9)");
        assertThatThrownBy(() -> m.forward(ws, ok, new int[] {0, -1, 0, 0, 0, 0}, h0, Mode.EVAL))
                .hasMessageContaining("target token -1 at [b=0, t=1]");
        assertThatThrownBy(() -> m.forward(ws, ok, ok, m.zeroState(3), Mode.EVAL))
                .hasMessageContaining("initial state").hasMessageContaining("B = 3").hasMessageContaining("B = 2");
        assertThatThrownBy(() -> m.forward(ws, ok, ok, State.zeros(2, 2, H, false), Mode.EVAL))
                .hasMessageContaining("with a cell part (LSTM)");
        assertThatThrownBy(() -> m.backward(m.workspace(2, 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("forward");
        m.forward(ws, ok, ok, h0, Mode.EVAL);
        assertThatThrownBy(() -> m.forward(ws, new int[] {0, 0, 0, 0, 0, 99}, ok, h0, Mode.EVAL))
                .hasMessageContaining("99");
        assertThatThrownBy(() -> m.backward(ws)).as("a failed forward leaves nothing to differentiate")
                .isInstanceOf(IllegalStateException.class);
        CharModel other = model(CellType.LSTM, 0);
        assertThatThrownBy(() -> other.forward(ws, ok, ok, h0, Mode.EVAL)).hasMessageContaining("another model");
        assertThatThrownBy(() -> m.step(m.stepWorkspace(2), new int[3], h0, h0)).hasMessageContaining("B = 2, got 3");
        assertThatThrownBy(() -> m.workspace(0, 3)).hasMessageContaining("B = 0");
        assertThatThrownBy(() -> m.stepWorkspace(-1)).hasMessageContaining("-1");
    }
}
