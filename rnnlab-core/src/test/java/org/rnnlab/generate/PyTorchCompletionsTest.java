package org.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.testing.Resources;

/**
 * Completions of the notebook-trained PyTorch models, as PyTorch made them ({@code tools/make_completion_fixtures.py},
 * every model call a fresh forward over the whole context): rnnlab's carried state, window, stop strings and beam
 * search give the same characters. The "notebook" cases run the notebook's own {@code complete_prompt} (argmax in
 * place of its random draw) on its four prompts, lowercased, unknown characters dropped, V characters long.
 */
class PyTorchCompletionsTest {
    @ParameterizedTest
    @ValueSource(strings = {"lstm_L1_notebook", "rnn_L1_notebook", "gru_L3_lab", "lstm_L2_unicode"})
    void sameCharactersAsPyTorch(String name) throws IOException {
        ModelFiles.Loaded loaded = NotebookModels.load(name);
        Completer completer = new Completer(loaded.model(), loaded.vocabulary());
        JsonNode cases = new ObjectMapper().readTree(
                Resources.path(getClass(), "/org/rnnlab/notebook/" + name + ".completions.json").toFile());
        assertThat(cases.size()).isGreaterThanOrEqualTo(18);
        int notebook = 0;
        for (JsonNode c : cases) {
            String mode = c.get("mode").asText();
            Prompt prompt = Prompt.encode(c.get("prompt").asText(), loaded.vocabulary(),
                    UnknownPolicy.parse(c.get("unknown").asText()));
            CompletionOptions options = new CompletionOptions(c.get("length").asInt(), SamplingOptions.GREEDY,
                    c.get("beam").asInt(), 1, c.get("window").asInt(), c.get("stop").asText(), 0);
            StringBuilder streamed = new StringBuilder();
            List<Completer.Result> out = completer.complete(prompt, options, streamed::appendCodePoint);
            String expected = c.get("completion").asText();
            assertThat(out.get(0).text()).as("%s %s %s", name, mode, c).isEqualTo(expected);
            assertThat(streamed.toString()).as("streamed").isEqualTo(expected);
            if (mode.equals("notebook")) {
                notebook++;
                assertThat(expected.codePointCount(0, expected.length())).isEqualTo(loaded.vocabulary().size());
            }
        }
        if (name.endsWith("_notebook")) {
            assertThat(notebook).isEqualTo(4);
        }
    }
}
