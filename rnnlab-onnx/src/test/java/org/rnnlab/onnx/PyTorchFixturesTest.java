package org.rnnlab.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.testing.Resources;
import org.rnnlab.text.Vocabulary;

/**
 * PyTorch's own numbers for the fixtures the core's parity tests use, now from the exported models in ONNX Runtime:
 * <ul>
 *   <li>{@code parity/*.npz} ({@code tools/make_parity_fixtures.py}, random weights and a random initial state,
 *       RNN tanh and relu, LSTM, GRU, 1 to 3 layers, up to B 3 and T 40): PyTorch's logits, their log-softmax and
 *       its final states, to 1e-5 (the tolerance of the core's {@code PyTorchParityTest});</li>
 *   <li>the models trained the notebook's way and other PyTorch code's layouts ({@code notebook/}, {@code layouts/}
 *       {@code .pt}): PyTorch's next-character log-probabilities after each prompt, to 1e-4 (the core's
 *       {@code NotebookModelsTest}'s; trained weights give log-probabilities down to about -30).</li>
 * </ul>
 */
class PyTorchFixturesTest {
    private static final Set<String> NON_PARAMS = Set.of("cell", "dims", "input", "target", "h0", "c0", "logits",
            "loss", "output", "h_n", "c_n", "dh_n", "dc_n");
    private static final List<String> WORST = new ArrayList<>();

    static Stream<String> parityCases() throws IOException {
        Path dir = Resources.path(PyTorchFixturesTest.class, "/org/rnnlab/parity/README.md").getParent();
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npz")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parityCases")
    void parityFixturesGivePyTorchsLogitsLogProbabilitiesAndStates(String file) throws Exception {
        Map<String, NpyArray> npz = Npz.read(Resources.path(getClass(), "/org/rnnlab/parity/" + file));
        CellType cell = CellType.parse(new String(npz.get("cell").data(), StandardCharsets.US_ASCII));
        long[] dims = npz.get("dims").toLongs();
        int V = (int) dims[0], H = (int) dims[2], L = (int) dims[3], B = (int) dims[4], T = (int) dims[5];
        Map<String, NpyArray> stateDict = new LinkedHashMap<>();
        npz.forEach((k, v) -> {
            if (!NON_PARAMS.contains(k) && !k.startsWith("grad.")) stateDict.put(k, v);
        });
        ModelConfig config = ModelConfig.inferFrom(stateDict, cell == CellType.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH);
        assertThat(config.cell()).isEqualTo(cell);
        CharModel model = CharModel.fromStateDict(stateDict, config);
        Vocabulary vocab = Vocabulary.literal("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".substring(0, V));

        int[] input = ints(npz.get("input").toLongs());                     // (B, T)
        float[] torchLogits = OnnxRuntimeTest.timeMajor(npz.get("logits").toFloats(), B, T, V);
        try (OrtRunner ort = new OrtRunner(OnnxExport.toModel(model, vocab))) {
            OrtRunner.Out out = ort.run(OnnxRuntimeTest.timeMajor(input, B, T), T, B, npz.get("h0").toFloats(),
                    cell.hasCell() ? npz.get("c0").toFloats() : null, L, H);
            double worst = OnnxRuntimeTest.compare(file + " logits", torchLogits, out.logits());
            worst = Math.max(worst, OnnxRuntimeTest.compare(file + " log_probs", OnnxRuntimeTest.logSoftmax(torchLogits, V),
                    out.logProbs()));
            worst = Math.max(worst, OnnxRuntimeTest.compare(file + " h_n", npz.get("h_n").toFloats(), out.h()));
            if (cell.hasCell()) worst = Math.max(worst, OnnxRuntimeTest.compare(file + " c_n", npz.get("c_n").toFloats(), out.c()));
            WORST.add(String.format("%-36s %.2e", file, worst));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"notebook/lstm_L1_notebook", "notebook/rnn_L1_notebook", "notebook/gru_L1_unicode",
        "notebook/rnn_relu_L2_unicode", "notebook/lstm_L2_unicode", "notebook/gru_L3_lab", "notebook/lstm_L3_unicode",
        "notebook/rnn_L3_lab", "layouts/wlm_lstm_L2", "layouts/wlm_gru_tied", "layouts/wlm_rnn_relu_L2",
        "layouts/dataparallel_lstm", "layouts/nobias_gru", "layouts/compiled_rnn"})
    void trainedModelsGivePyTorchsNextCharacterLogProbabilities(String name) throws Exception {
        ModelFiles.Loaded loaded = loadPt(name);
        Map<String, NpyArray> expected = Npz.read(Resources.path(getClass(), "/org/rnnlab/" + name + ".npz"));
        ModelConfig c = loaded.model().config();
        double worst = 0;
        int prompts = 0;
        try (OrtRunner ort = new OrtRunner(OnnxExport.toModel(loaded.model(), loaded.vocabulary()))) {
            for (; expected.containsKey("prompt" + prompts); prompts++) {
                String prompt = utf8(expected.get("prompt" + prompts));
                int[] ids = loaded.vocabulary().encode(prompt);
                int n = c.layers() * c.hidden();
                OrtRunner.Out out = ort.run(OnnxRuntimeTest.timeMajor(ids, 1, ids.length), ids.length, 1, new float[n],
                        c.cell().hasCell() ? new float[n] : null, c.layers(), c.hidden());
                float[] last = java.util.Arrays.copyOfRange(out.logProbs(), (ids.length - 1) * c.vocab(), ids.length * c.vocab());
                float[] torch = expected.get("logprobs" + prompts).toFloats();
                assertThat(last).hasSameSizeAs(torch);
                for (int j = 0; j < torch.length; j++) {
                    double d = Math.abs((double) last[j] - torch[j]);
                    assertThat(d).as("%s prompt '%s' char %s", name, prompt, loaded.vocabulary().charAt(j)).isLessThan(1e-4);
                    worst = Math.max(worst, d);
                }
            }
        }
        assertThat(prompts).isGreaterThanOrEqualTo(4);
        WORST.add(String.format("%-36s %.2e (%d prompts)", name, worst, prompts));
    }

    /** With -Drnnlab.verbose=true: the largest difference of each case. */
    @AfterAll
    static void report() {
        if (!Boolean.getBoolean("rnnlab.verbose")) return;
        System.out.println("ONNX Runtime against PyTorch's fixtures, largest absolute differences:");
        WORST.stream().sorted().forEach(line -> System.out.println("  " + line));
    }

    /** A PyTorch fixture with the vocabulary and nonlinearity its .npz records. */
    static ModelFiles.Loaded loadPt(String name) throws IOException {
        Map<String, NpyArray> npz = Npz.read(Resources.path(PyTorchFixturesTest.class, "/org/rnnlab/" + name + ".npz"));
        Vocabulary vocab = Vocabulary.literal(utf8(npz.get("vocab")));
        Nonlinearity nl = utf8(npz.get("nonlinearity")).equals("relu") ? Nonlinearity.RELU : Nonlinearity.TANH;
        return ModelFiles.load(Resources.path(PyTorchFixturesTest.class, "/org/rnnlab/" + name + ".pt"),
                new ModelFiles.Hints(vocab, nl));
    }

    static String utf8(NpyArray a) {
        return new String(a.data(), StandardCharsets.UTF_8);
    }

    private static int[] ints(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) out[i] = Math.toIntExact(values[i]);
        return out;
    }
}
