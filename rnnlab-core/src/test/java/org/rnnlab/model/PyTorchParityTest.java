package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.nn.Mode;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.testing.Resources;

/**
 * The whole model against PyTorch 1.13 float32 runs of the notebook's model ({@code tools/make_parity_fixtures.py},
 * format in {@code parity/README.md}): every case file's state_dict is loaded by name, the forward pass must
 * reproduce PyTorch's logits, loss, top-layer output and final state, and the backward pass, given PyTorch's
 * upstream gradients of the final state, every parameter gradient and the initial-state gradients of
 * {@code J = loss + sum(h_n dh_n) [+ sum(c_n dc_n)]}.
 *
 * <h2>Tolerances</h2>
 * Forward arrays: absolute error at most {@value #FORWARD_ABS} (values are O(1): states in (-1, 1), logits and
 * loss of order 1 to 10, where float32's own spacing is 6e-8 to 1e-6).
 *
 * <p>Gradients: per tensor, the norm-wise relative error {@code |a - e|_2 / |e|_2} at most {@value #GRAD_REL},
 * and every entry {@code |a_i - e_i| <= }{@value #GRAD_REL}{@code  |e_i| + floor} with
 * {@code floor = }{@value #FLOOR_FRACTION}{@code  max_j |e_j|}. The floor is needed because an entry of a
 * weight gradient is a sum over B * T positions and, through the recurrence, over earlier steps; where its
 * terms nearly cancel the sum is small but its rounding error is not: it scales with the sum of the terms'
 * magnitudes, bounded by the tensor's largest entries, times float32's unit roundoff (6e-8) times the
 * number of terms summed in a different order (PyTorch sums in its own blocked order). For the largest case
 * (T = 40, H = 128, about 80 terms per entry through time) that is 80 * 6e-8 = 5e-6 of the largest entry;
 * the floor 1e-5 of the tensor's largest magnitude covers it with a margin of 2 and is the level the
 * fixtures' README gives for any float32 engine. Entries above the floor are held to 1e-4 relative.
 */
class PyTorchParityTest {
    static final double FORWARD_ABS = 1e-5;
    static final double GRAD_REL = 1e-4;
    static final double FLOOR_FRACTION = 1e-5;
    private static final Set<String> NON_PARAMS = Set.of("cell", "dims", "input", "target", "h0", "c0", "logits",
            "loss", "output", "h_n", "c_n", "dh_n", "dc_n");

    static Stream<String> cases() throws IOException {
        Path dir = Resources.path(PyTorchParityTest.class, "/org/rnnlab/parity/README.md").getParent();
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npz")).sorted().toList().stream();
        }
    }

    @Test
    void everyCellTypeHasFixtures() throws IOException {
        List<String> names = cases().toList();
        for (String cell : List.of("rnn_tanh", "rnn_relu", "lstm", "gru")) {
            assertThat(names).as("fixtures for " + cell).anyMatch(n -> n.startsWith(cell + "_"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String file) throws IOException {
        Map<String, NpyArray> npz = Npz.read(Resources.path(PyTorchParityTest.class, "/org/rnnlab/parity/" + file));
        String cellId = new String(bytes(npz.get("cell")), StandardCharsets.US_ASCII);
        long[] dims = npz.get("dims").toLongs();
        int V = (int) dims[0], E = (int) dims[1], H = (int) dims[2], L = (int) dims[3], B = (int) dims[4], T = (int) dims[5];
        CellType cell = CellType.parse(cellId);
        Map<String, NpyArray> stateDict = new LinkedHashMap<>();
        npz.forEach((k, v) -> {
            if (!NON_PARAMS.contains(k) && !k.startsWith("grad.")) stateDict.put(k, v);
        });

        ModelConfig config = ModelConfig.inferFrom(stateDict,
                cell == CellType.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH);
        assertThat(config).isEqualTo(new ModelConfig(cell, V, E, H, L, 0));
        CharModel model = CharModel.fromStateDict(stateDict, config);
        assertThat(model.stateDict().keySet()).containsExactlyElementsOf(stateDict.keySet());

        boolean lstm = cell.hasCell();
        State h0 = State.fromTensors(npz.get("h0").toFloats(), lstm ? npz.get("c0").toFloats() : null, L, B, H);
        State h0Before = h0.copy();
        CharModel.Workspace ws = model.workspace(B, T);
        double loss = model.forward(ws, ints(npz.get("input")), ints(npz.get("target")), h0, Mode.EVAL);

        Report report = new Report(file);
        report.forward("loss", new float[] {(float) loss}, npz.get("loss").toFloats());
        report.forward("logits", ws.logits(), npz.get("logits").toFloats());
        report.forward("output", ws.output(), npz.get("output").toFloats());
        report.forward("h_n", ws.finalState().hTensor(), npz.get("h_n").toFloats());
        if (lstm) report.forward("c_n", ws.finalState().cTensor(), npz.get("c_n").toFloats());
        assertThat(h0.hTensor()).as("the initial state is left unchanged").containsExactly(h0Before.hTensor());

        State dFinal = State.fromTensors(npz.get("dh_n").toFloats(), lstm ? npz.get("dc_n").toFloats() : null, L, B, H);
        model.zeroGrad();
        model.backward(ws, dFinal);
        for (String name : stateDict.keySet()) {
            var p = model.parameters().get(name);
            float[] g = java.util.Arrays.copyOfRange(p.grads(), p.offset(), p.offset() + p.size());
            report.gradient(name, g, npz.get("grad." + name).toFloats());
        }
        report.gradient("h0", ws.initialStateGradient().hTensor(), npz.get("grad.h0").toFloats());
        if (lstm) report.gradient("c0", ws.initialStateGradient().cTensor(), npz.get("grad.c0").toFloats());
        report.finish();
    }

    /** Collects every comparison of a case, prints them with -Drnnlab.verbose=true, fails with all of them. */
    private static final class Report {
        private final String file;
        private final StringBuilder lines = new StringBuilder();
        private final StringBuilder failures = new StringBuilder();
        private double worstForward;
        private double worstGradRel;

        Report(String file) {
            this.file = file;
        }

        void forward(String name, float[] actual, float[] expected) {
            assertThat(actual.length).as(name + " length").isEqualTo(expected.length);
            double worst = 0;
            for (int i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
            worstForward = Math.max(worstForward, worst);
            lines.append(String.format("  %-24s max abs err %.2e%n", name, worst));
            if (worst > FORWARD_ABS) failures.append(name).append(": max abs error ").append(worst).append('\n');
        }

        void gradient(String name, float[] actual, float[] expected) {
            assertThat(actual.length).as(name + " length").isEqualTo(expected.length);
            double diff2 = 0, e2 = 0, maxE = 0;
            for (float e : expected) maxE = Math.max(maxE, Math.abs(e));
            double floor = FLOOR_FRACTION * maxE;
            double worstExcess = 0;
            double worstElemRel = 0;
            int bad = -1;
            for (int i = 0; i < actual.length; i++) {
                double d = Math.abs((double) actual[i] - expected[i]);
                diff2 += d * d;
                e2 += (double) expected[i] * expected[i];
                double allowed = GRAD_REL * Math.abs(expected[i]) + floor;
                if (d / allowed > worstExcess) {
                    worstExcess = d / allowed;
                    bad = i;
                }
                if (Math.abs(expected[i]) > floor) worstElemRel = Math.max(worstElemRel, d / Math.abs(expected[i]));
            }
            double rel = e2 == 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / e2);
            worstGradRel = Math.max(worstGradRel, rel);
            lines.append(String.format("  grad %-19s norm rel err %.2e  max elem rel err (above floor) %.2e  "
                    + "worst err/allowed %.2f%n", name, rel, worstElemRel, worstExcess));
            if (rel > GRAD_REL) failures.append("grad ").append(name).append(": norm-wise relative error ").append(rel).append('\n');
            if (worstExcess > 1) {
                failures.append(String.format("grad %s[%d]: %.8e vs PyTorch %.8e (allowed %.2e)%n", name, bad,
                        actual[bad], expected[bad], GRAD_REL * Math.abs(expected[bad]) + floor));
            }
        }

        void finish() {
            String summary = String.format("%s: worst forward abs err %.2e, worst gradient norm rel err %.2e%n%s",
                    file, worstForward, worstGradRel, lines);
            if (Boolean.getBoolean("rnnlab.verbose")) System.out.print(summary);
            assertThat(failures.toString()).as(summary).isEmpty();
        }
    }

    static int[] ints(NpyArray a) {
        long[] l = a.toLongs();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = Math.toIntExact(l[i]);
        return out;
    }

    static byte[] bytes(NpyArray a) {
        long[] l = a.toLongs();
        byte[] out = new byte[l.length];
        for (int i = 0; i < l.length; i++) out[i] = (byte) l[i];
        return out;
    }
}
