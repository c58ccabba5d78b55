package org.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.testing.Resources;
import org.rnnlab.text.Vocabulary;

/**
 * Models trained by the notebook's code in PyTorch and saved with {@code torch.save(model.state_dict())}
 * ({@code tools/make_notebook_pt_fixtures.py}): rnnlab reads them and gives PyTorch's next-character
 * log-probabilities to 1e-4, for RNN (tanh and relu), LSTM and GRU, 1 to 3 layers, vocabularies with characters
 * outside the Basic Multilingual Plane.
 */
class NotebookModelsTest {
    static String utf8(NpyArray a) {
        return new String(a.data(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm_L1_notebook", "rnn_L1_notebook", "gru_L1_unicode", "rnn_relu_L2_unicode",
        "lstm_L2_unicode", "gru_L3_lab", "lstm_L3_unicode", "rnn_L3_lab"})
    void nextCharacterLogProbabilitiesArePyTorchs(String name) throws IOException {
        assertPyTorchsLogProbabilities("/org/rnnlab/notebook/" + name);
    }

    /**
     * Other PyTorch code's layouts ({@code tools/make_layout_pt_fixtures.py}): word_language_model's RNNModel
     * (encoder, rnn as nn.LSTM/GRU/RNN, decoder; tied weights), nn.DataParallel's and torch.compile's key prefixes,
     * other attribute names with bias=False.
     */
    @ParameterizedTest
    @ValueSource(strings = {"wlm_lstm_L2", "wlm_gru_tied", "wlm_rnn_relu_L2", "dataparallel_lstm", "nobias_gru",
        "compiled_rnn"})
    void modelsOfOtherLayoutsGivePyTorchsLogProbabilities(String name) throws IOException {
        assertPyTorchsLogProbabilities("/org/rnnlab/layouts/" + name);
    }

    private void assertPyTorchsLogProbabilities(String resource) throws IOException {
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        Map<String, NpyArray> expected = Npz.read(Resources.path(getClass(), resource + ".npz"));
        Vocabulary vocab = Vocabulary.literal(utf8(expected.get("vocab")));
        Nonlinearity nl = utf8(expected.get("nonlinearity")).equals("relu") ? Nonlinearity.RELU : Nonlinearity.TANH;
        Path pt = Resources.path(getClass(), resource + ".pt");
        ModelFiles.Loaded loaded = ModelFiles.load(pt, new ModelFiles.Hints(vocab, nl));
        int prompts = 0;
        for (int i = 0; expected.containsKey("prompt" + i); i++, prompts++) {
            String prompt = utf8(expected.get("prompt" + i));
            double[] logprobs = NextChar.logProbabilities(loaded.model(), vocab.encode(prompt));
            float[] torch = expected.get("logprobs" + i).toFloats();
            assertThat(logprobs).hasSize(torch.length);
            for (int c = 0; c < torch.length; c++) {
                assertThat(Math.abs(logprobs[c] - torch[c])).as("%s prompt '%s' char %s", name, prompt, vocab.charAt(c))
                        .isLessThan(1e-4);
            }
        }
        assertThat(prompts).isGreaterThanOrEqualTo(4);
    }
}
