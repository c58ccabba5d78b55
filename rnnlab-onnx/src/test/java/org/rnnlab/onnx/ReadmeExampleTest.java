package org.rnnlab.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.CompleteOptions;
import org.rnnlab.LoadOptions;
import org.rnnlab.Model;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.testing.Resources;

/**
 * The README's ONNX Runtime example is {@link ReadmeExample} (the same lines), and it runs as shown: greedy
 * generation with the state carried through the exported model gives rnnlab's own greedy text ({@link Model#complete}
 * with {@code greedy}), for the models trained the notebook's way: RNN tanh and relu, LSTM, GRU, 1 to 3 layers,
 * vocabularies beyond the Basic Multilingual Plane.
 */
class ReadmeExampleTest {
    private static final int LENGTH = 80;

    @TempDir
    Path dir;

    @Test
    void theReadmeShowsTheExampleLineForLine() throws IOException {
        List<String> source = Files.readAllLines(Path.of("src/test/java/org/rnnlab/onnx/ReadmeExample.java"));
        List<String> example = source.subList(source.indexOf("    // README begin") + 1, source.indexOf("    // README end"))
                .stream().map(line -> line.isEmpty() ? line : line.substring(4)).toList();
        assertThat(example).hasSizeGreaterThan(20);
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).contains("```java\n" + String.join("\n", example) + "\n```\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm_L1_notebook", "rnn_L1_notebook", "gru_L1_unicode", "rnn_relu_L2_unicode",
        "lstm_L2_unicode", "gru_L3_lab", "lstm_L3_unicode", "rnn_L3_lab"})
    void greedyTextThroughOnnxRuntimeIsRnnlabsGreedyText(String name) throws Exception {
        ModelFiles.Loaded loaded = PyTorchFixturesTest.loadPt("notebook/" + name);
        Path onnx = dir.resolve(name + ".onnx");
        OnnxExport.write(onnx, loaded.model(), loaded.vocabulary());
        LoadOptions options = LoadOptions.vocabulary(loaded.vocabulary().asString());
        if (loaded.model().config().cell().id().equals("rnn_relu")) options = options.withRelu();
        Model model = Model.load(Resources.path(getClass(), "/org/rnnlab/notebook/" + name + ".pt"), options);

        Map<String, NpyArray> fixture = Npz.read(Resources.path(getClass(), "/org/rnnlab/notebook/" + name + ".npz"));
        for (int i = 0; fixture.containsKey("prompt" + i); i++) {
            String prompt = PyTorchFixturesTest.utf8(fixture.get("prompt" + i));
            String rnnlab = model.complete(prompt, CompleteOptions.builder().greedy(true).length(LENGTH).build()).text();
            assertThat(rnnlab.codePointCount(0, rnnlab.length())).isEqualTo(LENGTH);
            assertThat(ReadmeExample.complete(onnx.toString(), prompt, LENGTH)).as("%s after '%s'", name, prompt)
                    .isEqualTo(rnnlab);
        }
    }
}
