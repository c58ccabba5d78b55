package org.rnnlab.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.onnx.proto.OnnxProto.ModelProto;
import org.rnnlab.onnx.proto.OnnxProto.NodeProto;
import org.rnnlab.onnx.proto.OnnxProto.StringStringEntryProto;
import org.rnnlab.onnx.proto.OnnxProto.ValueInfoProto;
import org.rnnlab.text.Vocabulary;

/** The file itself: written atomically, self-describing, the operators and dynamic dimensions it promises; refusals. */
class OnnxExportTest {
    @TempDir
    Path dir;

    private final Vocabulary vocab = Vocabulary.literal("\n ab\u00e9\ud83d\ude00z");   // 7 characters, one beyond the BMP

    @Test
    void aWrittenFileDescribesItselfAndUsesOnnxsOwnRecurrentOperators() throws Exception {
        CharModel model = CharModel.create(new ModelConfig(CellType.LSTM, 7, 5, 9, 2, 0.1), 3);
        Path file = dir.resolve("m.onnx");
        OnnxExport.write(file, model, vocab);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no temporary file left").containsExactly(file);
        }
        ModelProto m;
        try (InputStream in = Files.newInputStream(file)) {
            m = ModelProto.parseFrom(in);
        }
        assertThat(m.getIrVersion()).isEqualTo(8);
        assertThat(m.getOpsetImportList()).singleElement().satisfies(o -> {
            assertThat(o.getDomain()).isEmpty();
            assertThat(o.getVersion()).isEqualTo(17);
        });
        assertThat(m.getProducerName()).isEqualTo("rnnlab");
        Map<String, String> meta = m.getMetadataPropsList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
        assertThat(meta).containsOnlyKeys("vocabulary", "vocabulary_code_points", "config");
        assertThat(meta.get("vocabulary")).isEqualTo(vocab.asString());
        assertThat(meta.get("vocabulary_code_points")).isEqualTo("10 32 97 98 233 128512 122");
        assertThat(ModelFiles.configFromJson(file, meta.get("config"))).isEqualTo(model.config());

        assertThat(m.getGraph().getNodeList()).extracting(NodeProto::getOpType).containsExactly("Gather", "Split",
                "Split", "LSTM", "Squeeze", "LSTM", "Squeeze", "Concat", "Concat", "MatMul", "Add", "LogSoftmax");
        assertThat(m.getGraph().getInputList()).extracting(ValueInfoProto::getName).containsExactly("tokens", "h_0", "c_0");
        assertThat(m.getGraph().getOutputList()).extracting(ValueInfoProto::getName)
                .containsExactly("logits", "log_probs", "h_n", "c_n");
        assertThat(dims(m.getGraph().getInput(0))).containsExactly("T", "B");
        assertThat(dims(m.getGraph().getInput(1))).containsExactly("2", "B", "9");
        assertThat(dims(m.getGraph().getOutput(1))).containsExactly("T", "B", "7");
        assertThat(m.getGraph().getInputList()).allSatisfy(v -> assertThat(v.getDocString()).isNotBlank());
        assertThat(m.getGraph().getOutputList()).allSatisfy(v -> assertThat(v.getDocString()).isNotBlank());

        // ONNX Runtime reads the file and its metadata; batch and sequence length are left open (-1)
        try (OrtSession s = OrtRunner.ENV.createSession(file.toString())) {
            assertThat(s.getMetadata().getCustomMetadata()).containsEntry("vocabulary_code_points", "10 32 97 98 233 128512 122");
            assertThat(((TensorInfo) s.getInputInfo().get("tokens").getInfo()).getShape()).containsExactly(-1, -1);
            assertThat(((TensorInfo) s.getInputInfo().get("c_0").getInfo()).getShape()).containsExactly(2, -1, 9);
        }
    }

    @Test
    void eachCellIsItsOnnxOperatorWithTheAttributesThatMakeItPyTorchs() {
        for (CellType cell : CellType.values()) {
            CharModel model = CharModel.create(new ModelConfig(cell, 7, 5, 9, 1, 0), 1);
            NodeProto op = OnnxExport.toModel(model, vocab).getGraph().getNodeList().stream()
                    .filter(n -> List.of("RNN", "LSTM", "GRU").contains(n.getOpType())).findFirst().orElseThrow();
            Map<String, String> attrs = op.getAttributeList().stream().collect(Collectors.toMap(a -> a.getName(),
                    a -> a.getStringsCount() > 0 ? a.getStrings(0).toStringUtf8() : String.valueOf(a.getI())));
            switch (cell) {
                case RNN_TANH -> assertThat(attrs).containsExactlyInAnyOrderEntriesOf(Map.of("hidden_size", "9", "activations", "Tanh"));
                case RNN_RELU -> assertThat(attrs).containsExactlyInAnyOrderEntriesOf(Map.of("hidden_size", "9", "activations", "Relu"));
                case LSTM -> assertThat(attrs).containsExactlyInAnyOrderEntriesOf(Map.of("hidden_size", "9"));
                case GRU -> assertThat(attrs).containsExactlyInAnyOrderEntriesOf(Map.of("hidden_size", "9", "linear_before_reset", "1"));
            }
            assertThat(op.getOpType()).isEqualTo(switch (cell) {
                case RNN_TANH, RNN_RELU -> "RNN";
                case LSTM -> "LSTM";
                case GRU -> "GRU";
            });
        }
    }

    @Test
    void aModelOverTwoGibibytesIsRefusedInOneLine() {
        // 4 * 560M parameters: the check is on the config, before any weight exists
        ModelConfig big = new ModelConfig(CellType.LSTM, 100, 100, 11800, 1, 0);
        assertThatThrownBy(() -> OnnxExport.requireExportable(big)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a model of " + big.parameterCount() + " parameters has " + 4 * big.parameterCount()
                        + " bytes of float32 weights, more than one ONNX file holds (protobuf's 2 GiB; rnnlab does not "
                        + "write ONNX external data)");
        OnnxExport.requireExportable(new ModelConfig(CellType.LSTM, 100, 100, 11000, 1, 0));   // 1.94 GB: fits
    }

    @Test
    void aVocabularyOfAnotherSizeIsRefusedAndNothingIsWritten() {
        CharModel model = CharModel.create(new ModelConfig(CellType.GRU, 7, 5, 9, 1, 0), 1);
        Path file = dir.resolve("m.onnx");
        assertThatThrownBy(() -> OnnxExport.write(file, model, Vocabulary.literal("abc")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vocabulary of 3 characters for a model of V = 7");
        assertThat(file).doesNotExist();
    }

    private static List<String> dims(ValueInfoProto v) {
        return v.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.hasDimParam() ? d.getDimParam() : String.valueOf(d.getDimValue())).toList();
    }
}
