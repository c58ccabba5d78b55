package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Safetensors;
import org.rnnlab.text.Vocabulary;

/**
 * Quantized model files: int8 matrices as I8 tensors with F32 row scales, format version 2 and
 * {@code quantization = int8}; read back as the same quantized model, to the bit; every malformed part refused in
 * one line naming the file and the tensor.
 */
class QuantFilesTest {
    @TempDir
    Path dir;

    private static final Vocabulary VOCAB = Vocabulary.literal("abcdefg");
    private static final ModelConfig CONFIG = new ModelConfig(CellType.GRU, 7, 5, 9, 2, 0);

    private static CharModel quantized() {
        return CharModel.create(CONFIG, 3).quantizeInt8();
    }

    @Test
    void aQuantizedFileReadsBackAsTheSameModel() throws IOException {
        CharModel q = quantized();
        Path file = dir.resolve("q.safetensors");
        ModelFiles.save(file, q, VOCAB);
        Safetensors.Contents raw = Safetensors.read(file);
        assertThat(raw.metadata()).containsEntry("format_version", "2").containsEntry("quantization", "int8");
        assertThat(raw.tensors().get("model.gru.weight_hh_l1").dtype()).isEqualTo("|i1");
        assertThat(raw.tensors().get("model.gru.weight_hh_l1").shape()).containsExactly(27, 9);
        assertThat(raw.tensors().get("model.gru.weight_hh_l1.scale").shape()).containsExactly(27);
        assertThat(raw.tensors().get("model.fc.weight").dtype()).isEqualTo("|i1");
        assertThat(raw.tensors().get("model.embedding.weight").dtype()).isEqualTo("<f4");
        assertThat(raw.tensors().get("model.gru.bias_hh_l0").dtype()).isEqualTo("<f4");

        ModelFiles.Loaded loaded = ModelFiles.load(file, ModelFiles.Hints.NONE);
        CharModel back = loaded.model();
        assertThat(back.quantized()).isTrue();
        assertThat(back.frozen()).isTrue();
        assertThat(back.int8Weights()).isEqualTo(q.int8Weights());
        assertThat(back.stateDict()).isEqualTo(q.stateDict());
        CharModel.StepWorkspace a = q.stepWorkspace(1), b = back.stepWorkspace(1);
        State sa = q.zeroState(1), sb = back.zeroState(1);
        for (int t = 0; t < 10; t++) {
            assertThat(back.step(b, new int[] {t % 7}, sb, sb)).isEqualTo(q.step(a, new int[] {t % 7}, sa, sa));
        }
        // the float file of the same model holds more than twice the bytes (the embedding and biases stay float)
        Path floats = dir.resolve("f.safetensors");
        ModelFiles.save(floats, CharModel.create(CONFIG, 3), VOCAB);
        assertThat(Safetensors.readMetadata(floats)).containsEntry("format_version", "1").doesNotContainKey("quantization");
        assertThat(dataBytes(raw)).isLessThan(dataBytes(Safetensors.read(floats)) / 2);
    }

    private static long dataBytes(Safetensors.Contents c) {
        return c.tensors().values().stream().mapToLong(t -> t.data().length).sum();
    }

    /** The quantized model's file with {@code edit} applied to its tensors and metadata. */
    private Path edited(String name, Consumer<Map<String, NpyArray>> tensors, Consumer<Map<String, String>> meta)
            throws IOException {
        Path good = dir.resolve("good.safetensors");
        ModelFiles.save(good, quantized(), VOCAB);
        Safetensors.Contents c = Safetensors.read(good);
        Map<String, NpyArray> t = new LinkedHashMap<>(c.tensors());
        Map<String, String> m = new LinkedHashMap<>(c.metadata());
        tensors.accept(t);
        meta.accept(m);
        Path file = dir.resolve(name);
        Safetensors.write(file, t, m);
        return file;
    }

    private Path editedTensors(String name, Consumer<Map<String, NpyArray>> tensors) throws IOException {
        return edited(name, tensors, m -> { });
    }

    private static void refused(Path file, String message) {
        assertThatThrownBy(() -> ModelFiles.load(file, ModelFiles.Hints.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": " + message);
    }

    @Test
    void refusesMissingWrongOrBadScales() throws IOException {
        refused(editedTensors("noscale.safetensors", t -> t.remove("model.gru.weight_ih_l1.scale")),
                "model.gru.weight_ih_l1 is int8 but the file has no model.gru.weight_ih_l1.scale, its row scales (F32, 27)");
        refused(editedTensors("short.safetensors", t -> t.put("model.fc.weight.scale", NpyArray.ofFloats(new float[6], 6))),
                "model.fc.weight.scale should be F32 of shape [7] (a scale per row of model.fc.weight), found <f4 [6]");
        refused(editedTensors("f64.safetensors", t -> t.put("model.fc.weight.scale", NpyArray.ofDoubles(new double[7], 7))),
                "model.fc.weight.scale should be F32 of shape [7] (a scale per row of model.fc.weight), found <f8 [7]");
        for (float bad : new float[] {Float.NaN, 0f, -0.5f, Float.POSITIVE_INFINITY}) {
            float[] scales = new float[27];
            java.util.Arrays.fill(scales, 0.01f);
            scales[26] = bad;
            refused(editedTensors("bad.safetensors", t -> t.put("model.gru.weight_hh_l0.scale", NpyArray.ofFloats(scales, 27))),
                    "model.gru.weight_hh_l0.scale: row 26 has scale " + bad + "; a scale is a finite float > 0");
        }
        refused(editedTensors("orphan.safetensors", t -> {
            t.put("model.gru.weight_hh_l0", NpyArray.ofFloats(new float[27 * 9], 27, 9));
        }), "model.gru.weight_hh_l0.scale holds row scales, but model.gru.weight_hh_l0 is not int8");
    }

    @Test
    void refusesInt8TensorsOfTheWrongShapeOrName() throws IOException {
        refused(editedTensors("shape.safetensors", t -> {
            t.put("model.gru.weight_hh_l1", NpyArray.ofBytes(new byte[27 * 8], 27, 8));
        }), "gru.weight_hh_l1: expected shape [27, 9], found [27, 8] (gru V=7 E=5 H=9 L=2)");
        refused(editedTensors("rank.safetensors", t -> t.put("model.gru.weight_hh_l1", NpyArray.ofBytes(new byte[27 * 9], 27 * 9))),
                "model.gru.weight_hh_l1 is an int8 tensor of shape [243]; an int8 matrix has two dimensions (rows, columns)");
        refused(editedTensors("emb.safetensors", t -> t.put("model.embedding.weight", NpyArray.ofBytes(new byte[35], 7, 5))),
                "model.embedding.weight is int8, but only model.gru.weight_ih_l0, model.gru.weight_hh_l0, "
                        + "model.gru.weight_ih_l1, model.gru.weight_hh_l1, model.fc.weight may be");
    }

    @Test
    void refusesMetadataThatDoesNotSayQuantizedOrSaysItWrongly() throws IOException {
        refused(edited("nokey.safetensors", t -> { }, m -> m.remove("quantization")),
                "a quantized rnnlab model (format version 2) with quantization missing; this rnnlab reads quantization = int8");
        refused(edited("int4.safetensors", t -> { }, m -> m.put("quantization", "int4")),
                "a quantized rnnlab model (format version 2) with quantization 'int4'; this rnnlab reads quantization = int8");
        refused(edited("v1key.safetensors", t -> { }, m -> m.put("format_version", "1")),
                "quantization 'int8' in a model of format version 1, which has no quantized tensors (quantized files are "
                        + "version 2)");
        // version 1 without the key: the I8 tensor is where a float tensor must be
        refused(edited("v1.safetensors", t -> { }, m -> {
            m.put("format_version", "1");
            m.remove("quantization");
        }), "gru.weight_ih_l0: expected a float tensor, found dtype |i1");
        refused(edited("v3.safetensors", t -> { }, m -> m.put("format_version", "3")),
                "rnnlab model format version 3, this rnnlab reads versions 1 and 2; upgrade rnnlab");
        refused(edited("none.safetensors", t -> {
            CharModel.create(CONFIG, 3).stateDict().forEach((k, v) -> t.put(ModelFiles.MODEL_PREFIX + k, v));
            t.keySet().removeIf(k -> k.endsWith(".scale"));
        }, m -> { }), "a quantized rnnlab model (quantization = int8) without int8 tensors");
    }
}
