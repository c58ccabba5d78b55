package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.io.NpyArray;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.nn.Param;
import org.rnnlab.text.Vocabulary;

/** Loading model files: weights that diverged (NaN, infinities) are refused, naming the file, tensor and element. */
class ModelFilesTest {
    @TempDir
    Path dir;

    private static final Vocabulary VOCAB = Vocabulary.literal("abcde");

    /** An LSTM of V = 5, E = 4, H = 6 (lstm.weight_hh_l0 is 24 x 6) with one weight set to {@code value}. */
    private static CharModel modelWith(String tensor, int row, int column, float value) {
        CharModel m = CharModel.create(new ModelConfig(CellType.LSTM, 5, 4, 6, 1, 0), 3);
        Param p = m.parameters().get(tensor);
        int columns = p.shape().length == 1 ? 1 : p.shape()[1];
        p.values()[p.offset() + row * columns + column] = value;
        return m;
    }

    @Test
    void refusesAnRnnlabModelHoldingNaNNamingTheTensorAndElement() throws IOException {
        Path file = dir.resolve("diverged.safetensors");
        ModelFiles.save(file, modelWith("lstm.weight_hh_l0", 3, 5, Float.NaN), VOCAB);
        assertThatThrownBy(() -> ModelFiles.load(file, ModelFiles.Hints.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": lstm.weight_hh_l0 holds NaN at [3, 5] (non-finite: 1 of its 144 values): the"
                        + " training run that wrote it diverged; load an earlier checkpoint or retrain (a lower learning"
                        + " rate, gradient clipping)");
    }

    @Test
    void refusesInfinitiesInBothFormats() throws IOException {
        Path file = dir.resolve("inf.safetensors");
        ModelFiles.save(file, modelWith("fc.bias", 4, 0, Float.POSITIVE_INFINITY), VOCAB);
        assertThatThrownBy(() -> ModelFiles.load(file, ModelFiles.Hints.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": fc.bias holds Infinity at [4] (non-finite: 1 of its 5 values): the"
                        + " training run that wrote it diverged;");

        Path pt = dir.resolve("inf.pt");
        ModelFiles.exportPyTorch(pt, modelWith("embedding.weight", 2, 1, Float.NEGATIVE_INFINITY));
        assertThatThrownBy(() -> ModelFiles.load(pt, new ModelFiles.Hints(VOCAB, Nonlinearity.TANH)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(pt + ": embedding.weight holds -Infinity at [2, 1] (non-finite: 1 of its 20 values):"
                        + " the training run that wrote it diverged; load an earlier checkpoint or retrain");

        Path nanPt = dir.resolve("nan.pt");
        ModelFiles.exportPyTorch(nanPt, modelWith("lstm.weight_ih_l0", 23, 3, Float.NaN));
        assertThatThrownBy(() -> ModelFiles.load(nanPt, new ModelFiles.Hints(VOCAB, Nonlinearity.TANH)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(nanPt + ": lstm.weight_ih_l0 holds NaN at [23, 3] (non-finite: 1 of its 96 values)");
    }

    /** An rnnlab file of a small LSTM's weights with the given metadata. */
    private Path rnnlabFile(String name, Map<String, String> metadata) throws IOException {
        Map<String, NpyArray> tensors = new java.util.LinkedHashMap<>();
        modelWith("fc.bias", 0, 0, 0).stateDict().forEach((k, v) -> tensors.put(ModelFiles.MODEL_PREFIX + k, v));
        Path file = dir.resolve(name);
        org.rnnlab.io.Safetensors.write(file, tensors, metadata);
        return file;
    }

    private static Map<String, String> metadata(String config, String vocabulary) {
        return Map.of("format", "rnnlab", "format_version", "1", "config", config, "vocabulary", vocabulary);
    }

    /**
     * Every error of a model's metadata or tensors is one line that starts with the file: Jackson's message of a
     * malformed config ran on to a second line, a vocabulary listing a character twice did not name the file, and a
     * tensor name's control characters went out raw (the fuzzer's first model-file finding: a NUL in a .pt's name).
     */
    @Test
    void everyErrorOfTheMetadataOrTensorNamesIsOneLineNamingTheFile() throws IOException {
        String config = ModelFiles.configToJson(modelWith("fc.bias", 0, 0, 0).config());
        Path malformed = rnnlabFile("malformed.safetensors", metadata("{\"cell\": \"lstm\"", "abcde"));
        assertThatThrownBy(() -> ModelFiles.load(malformed, ModelFiles.Hints.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(malformed + ": unreadable model config {\"cell\": \"lstm\": Unexpected end-of-input: expected close"
                        + " marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`"
                        + " disabled); line: 1, column: 1])");
        Path twice = rnnlabFile("twice.safetensors", metadata(config, "abcda"));
        assertThatThrownBy(() -> ModelFiles.load(twice, ModelFiles.Hints.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(twice + ": the vocabulary lists 'a' twice; each character may appear once");

        Map<String, NpyArray> stateDict = new java.util.LinkedHashMap<>(modelWith("fc.bias", 0, 0, 0).stateDict());
        stateDict.put("fc.scale\u0000\n", NpyArray.ofFloats(new float[] {1}, 1));
        Path pt = dir.resolve("extra.pt");
        org.rnnlab.io.torch.TorchStateDict.write(pt, stateDict);
        assertThatThrownBy(() -> ModelFiles.load(pt, new ModelFiles.Hints(VOCAB, Nonlinearity.TANH)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(pt + ": unexpected tensor fc.scale\\x00\\n in state_dict for lstm V=5 E=4 H=6 L=1 (bidirectional,"
                        + " projected or extra modules are not supported)");
    }

    /**
     * A config that asks for more than the file's tensors hold is refused before the model is made: H = 20000 in a
     * small file's metadata made 6 GB of parameters, an OutOfMemoryError (found by the fuzzer's allocation bound).
     */
    @Test
    void aConfigLargerThanTheTensorsIsRefusedBeforeItsModelIsMade() throws IOException {
        String config = "{\"cell\":\"lstm\",\"vocab\":5,\"embed\":4,\"hidden\":20000,\"layers\":1,\"dropout\":0.0}";
        Path file = rnnlabFile("large.safetensors", metadata(config, "abcde"));
        assertThatThrownBy(() -> ModelFiles.load(file, ModelFiles.Hints.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": lstm.weight_ih_l0: expected shape [80000, 4], found [24, 4] (lstm V=5 E=4 H=20000 L=1)");
    }

    @Test
    void loadsFiniteWeightsAndChecksTenMillionFloatsQuickly() throws IOException {
        Path file = dir.resolve("fine.safetensors");
        ModelFiles.save(file, modelWith("fc.bias", 0, 0, Float.MAX_VALUE), VOCAB);
        assertThat(ModelFiles.load(file, ModelFiles.Hints.NONE).model().parameters().get("fc.bias").values())
                .contains(Float.MAX_VALUE);

        // 10M floats, the last NaN, next to an int64 tensor (skipped: integers are always finite).
        float[] big = new float[10_000_000];
        Map<String, NpyArray> fine = Map.of("w", NpyArray.ofFloats(big, big.length), "step", NpyArray.ofLongs(new long[] {-1L}, 1));
        big[big.length - 1] = Float.NaN;
        Map<String, NpyArray> last = Map.of("lstm.weight_ih_l0", NpyArray.ofFloats(big, 10_000, 1_000));
        long start = System.nanoTime();
        ModelFiles.checkFinite(file, fine);
        assertThatThrownBy(() -> ModelFiles.checkFinite(file, last))
                .hasMessageContaining("lstm.weight_ih_l0 holds NaN at [9999, 999] (non-finite: 1 of its 10000000 values)");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(seconds).as("seconds for two passes over 10M floats").isLessThan(1);
        ModelFiles.checkFinite(file, Map.of("d", NpyArray.ofDoubles(new double[] {1, Double.MAX_VALUE}, 2)));
        assertThatThrownBy(() -> ModelFiles.checkFinite(file, Map.of("d", NpyArray.ofDoubles(new double[] {1, Double.NaN}, 2))))
                .hasMessageContaining("d holds NaN at [1] (non-finite: 1 of its 2 values)");
    }
}
