package org.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;
import org.rnnlab.nn.Nonlinearity;
import org.rnnlab.nn.Param;

/**
 * Creation (PyTorch's default initialisation from an explicit seed), state_dict export and import, and the
 * inference of a configuration from a state_dict's names and shapes, with their errors.
 */
class StateDictTest {
    @Test
    void theSameSeedGivesTheSameWeightsByteForByte() {
        ModelConfig c = new ModelConfig(CellType.LSTM, 30, 8, 16, 2, 0.1);
        assertThat(CharModel.create(c, 42).parameters().values()).containsExactly(CharModel.create(c, 42).parameters().values());
        assertThat(CharModel.create(c, 42).parameters().values()).isNotEqualTo(CharModel.create(c, 43).parameters().values());
        // pinned: the first values of java.util.Random(42), so that a change of algorithm cannot go unnoticed
        float[] w = CharModel.create(c, 42).parameters().values();
        assertThat(w[0]).isEqualTo((float) new java.util.Random(42).nextGaussian());
    }

    /**
     * Every tensor within PyTorch's bounds with PyTorch's moments: embedding N(0, 1); everything else
     * U(-b, b) with b = 1/sqrt(H) (nn.Linear's fan-in is H, the recurrent modules use 1/sqrt(H)), i.e. mean 0
     * and variance b^2 / 3. Allowances are 5 standard errors of the estimates (mean: sd / sqrt(n); variance of
     * a uniform: b^2 sqrt(4 / 45 n); of a normal: sqrt(2 / n)), and the largest |w| must come within 1% of b
     * (a tensor of n >= 512 uniform draws misses that with probability 0.99^512 < 1%; seeds are fixed anyway).
     */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void initialisationMatchesPyTorchsDefaults(CellType cell) {
        ModelConfig c = new ModelConfig(cell, 65, 64, 128, 2, 0);
        CharModel m = CharModel.create(c, 7);
        double b = 1 / Math.sqrt(128);
        for (Param p : m.parameters().params()) {
            int n = p.size();
            double sum = 0, sq = 0, maxAbs = 0;
            for (int i = p.offset(); i < p.offset() + n; i++) {
                double v = p.values()[i];
                sum += v;
                sq += v * v;
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            double mean = sum / n, var = sq / n - mean * mean;
            if (p.name().equals("embedding.weight")) {
                assertThat(Math.abs(mean)).as(p.name() + " mean").isLessThan(5 / Math.sqrt(n));
                assertThat(Math.abs(var - 1)).as(p.name() + " variance").isLessThan(5 * Math.sqrt(2.0 / n));
            } else {
                assertThat(maxAbs).as(p.name() + " bound").isLessThanOrEqualTo(b);
                if (n >= 512) assertThat(maxAbs).as(p.name() + " reaches its bound").isGreaterThan(0.99 * b);
                assertThat(Math.abs(mean)).as(p.name() + " mean").isLessThan(5 * b / Math.sqrt(3 * n));
                assertThat(Math.abs(var - b * b / 3)).as(p.name() + " variance")
                        .isLessThan(5 * b * b * Math.sqrt(4.0 / (45 * n)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void stateDictRoundTripsThroughAnNpzFile(CellType cell, @TempDir Path dir) throws IOException {
        ModelConfig c = new ModelConfig(cell, 11, 4, 7, 3, 0);
        CharModel a = CharModel.create(c, 1);
        Map<String, NpyArray> sd = a.stateDict();
        assertThat(sd.keySet()).containsExactlyElementsOf(c.parameterShapes().stream().map(ParameterArena.Spec::name).toList());
        assertThat(sd.get("fc.weight").shape()).containsExactly(11, 7);
        assertThat(sd.get("fc.weight").dtype()).isEqualTo("<f4");

        Path file = dir.resolve("model.npz");
        Npz.write(file, sd);
        Map<String, NpyArray> read = Npz.read(file);
        CharModel b = CharModel.fromStateDict(read, cell.nonlinearity() == null ? Nonlinearity.TANH : cell.nonlinearity());
        assertThat(b.config()).isEqualTo(c);
        assertThat(b.parameters().values()).containsExactly(a.parameters().values());
        assertThat(b.stateDict()).isEqualTo(sd);

        CharModel other = CharModel.create(c, 2);
        other.loadStateDict(sd);
        assertThat(other.parameters().values()).containsExactly(a.parameters().values());
        sd.get("embedding.weight").data()[0] ^= 1; // the export is a copy, not a view
        assertThat(a.stateDict().get("embedding.weight")).isNotEqualTo(sd.get("embedding.weight"));
    }

    @Test
    void float64TensorsAreRoundedOnLoad() {
        ModelConfig c = new ModelConfig(CellType.GRU, 3, 2, 2, 1, 0);
        CharModel m = CharModel.create(c, 1);
        Map<String, NpyArray> sd = m.stateDict();
        double[] emb = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
        sd.put("embedding.weight", NpyArray.ofDoubles(emb, 3, 2));
        m.loadStateDict(sd);
        assertThat(m.parameters().get("embedding.weight").values()[0]).isEqualTo(0.1f);
    }

    @Test
    void loadErrorsNameTheTensorAndTheShapes() {
        ModelConfig c = new ModelConfig(CellType.LSTM, 10, 4, 6, 2, 0);
        CharModel m = CharModel.create(c, 1);

        Map<String, NpyArray> wrongShape = m.stateDict();
        wrongShape.put("lstm.weight_hh_l1", NpyArray.ofFloats(new float[24 * 5], 24, 5));
        assertThatThrownBy(() -> m.loadStateDict(wrongShape)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("lstm.weight_hh_l1: expected shape [24, 6], found [24, 5]");

        Map<String, NpyArray> missing = m.stateDict();
        missing.remove("fc.bias");
        assertThatThrownBy(() -> m.loadStateDict(missing)).hasMessageContaining("no tensor fc.bias")
                .hasMessageContaining("[10]");

        Map<String, NpyArray> extra = m.stateDict();
        extra.put("lstm.weight_ih_l0_reverse", NpyArray.ofFloats(new float[24 * 4], 24, 4));
        assertThatThrownBy(() -> m.loadStateDict(extra)).hasMessageContaining("unexpected tensor lstm.weight_ih_l0_reverse");

        Map<String, NpyArray> ints = m.stateDict();
        ints.put("fc.bias", NpyArray.ofLongs(new long[10], 10));
        assertThatThrownBy(() -> m.loadStateDict(ints)).hasMessageContaining("fc.bias").hasMessageContaining("<i8");

        float[] before = m.parameters().values().clone();
        Map<String, NpyArray> late = m.stateDict();
        late.put("embedding.weight", NpyArray.ofFloats(new float[40], 10, 4)); // valid, but fc.weight is not
        late.put("fc.weight", NpyArray.ofFloats(new float[10], 10, 1));
        assertThatThrownBy(() -> m.loadStateDict(late)).hasMessageContaining("fc.weight");
        assertThat(m.parameters().values()).as("nothing copied before everything was checked").containsExactly(before);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void configurationIsInferredFromNamesAndShapes(CellType cell) {
        ModelConfig c = new ModelConfig(cell, 13, 5, 7, 3, 0);
        Map<String, NpyArray> sd = CharModel.create(c, 1).stateDict();
        Nonlinearity act = cell == CellType.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH;
        assertThat(ModelConfig.inferFrom(sd, act)).isEqualTo(c);
        if (cell != CellType.RNN_RELU) assertThat(ModelConfig.inferFrom(sd)).isEqualTo(c);
    }

    static Map<String, NpyArray> renamed(Map<String, NpyArray> sd, String from, String to) {
        Map<String, NpyArray> out = new LinkedHashMap<>();
        sd.forEach((k, v) -> out.put(k.startsWith(from) ? to + k.substring(from.length()) : k, v));
        return out;
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void otherLayoutsAreReadByStructure(CellType cell) {
        ModelConfig c = new ModelConfig(cell, 13, 5, 7, 2, 0);
        CharModel original = CharModel.create(c, 3);
        Map<String, NpyArray> sd = original.stateDict();
        Nonlinearity act = cell == CellType.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH;
        // word_language_model's names (its nn.LSTM and nn.GRU are called rnn too), inside nn.DataParallel.
        Map<String, NpyArray> wlm = renamed(renamed(renamed(sd, "embedding.", "encoder."), cell.moduleName() + ".",
                "rnn."), "fc.", "decoder.");
        Map<String, NpyArray> wrapped = renamed(wlm, "", "module.");
        assertThat(ModelConfig.inferFrom(wrapped, act)).isEqualTo(c);
        assertThat(CharModel.fromStateDict(wrapped, act).stateDict()).isEqualTo(sd);

        // bias=False in the recurrent module and the output layer: zeros.
        Map<String, NpyArray> noBias = renamed(renamed(sd, cell.moduleName() + ".", "cell."), "fc.", "head.");
        noBias.keySet().removeIf(k -> k.contains("bias"));
        Map<String, NpyArray> loaded = CharModel.fromStateDict(noBias, act).stateDict();
        for (Map.Entry<String, NpyArray> e : loaded.entrySet()) {
            float[] v = e.getValue().toFloats();
            if (e.getKey().contains("bias")) assertThat(v).as(e.getKey()).containsOnly(0f);
            else assertThat(v).as(e.getKey()).containsExactly(sd.get(e.getKey()).toFloats());
        }
    }

    @Test
    void inferenceErrors() {
        Map<String, NpyArray> lstm = CharModel.create(new ModelConfig(CellType.LSTM, 13, 5, 7, 2, 0), 1).stateDict();

        Map<String, NpyArray> vocab = new LinkedHashMap<>(lstm);
        vocab.put("fc.weight", NpyArray.ofFloats(new float[14 * 7], 14, 7));
        assertThatThrownBy(() -> ModelConfig.inferFrom(vocab))
                .hasMessage("vocabulary mismatch: embedding.weight has 13 rows (V) but fc.weight has 14");

        Map<String, NpyArray> layers = new LinkedHashMap<>(lstm);
        layers.put("lstm.weight_ih_l1", NpyArray.ofFloats(new float[28 * 6], 28, 6));
        assertThatThrownBy(() -> ModelConfig.inferFrom(layers))
                .hasMessageStartingWith("lstm.weight_ih_l1: expected shape [28, 7], found [28, 6]");

        Map<String, NpyArray> named = new LinkedHashMap<>();
        lstm.forEach((k, v) -> named.put(k.replace("lstm.", "gru."), v));
        assertThatThrownBy(() -> ModelConfig.inferFrom(named))
                .hasMessageContaining("gru.weight_hh_l0 has shape [28, 7], i.e. 4H for H = 7")
                .hasMessageContaining("need 3H rows");

        Map<String, NpyArray> odd = renamed(lstm, "lstm.", "cell.");
        odd.put("cell.weight_hh_l0", NpyArray.ofFloats(new float[14 * 7], 14, 7));
        assertThatThrownBy(() -> ModelConfig.inferFrom(odd)).hasMessage("cell.weight_hh_l0 has shape [14, 7]: 14 rows"
                + " for H = 7 is no cell's gates (nn.RNN H, nn.GRU 3H, nn.LSTM 4H)");

        Map<String, NpyArray> bidirectional = new LinkedHashMap<>(lstm);
        bidirectional.put("lstm.weight_ih_l0_reverse", lstm.get("lstm.weight_ih_l0"));
        assertThatThrownBy(() -> ModelConfig.inferFrom(bidirectional)).hasMessageStartingWith(
                "lstm.weight_ih_l0_reverse: a bidirectional module");

        Map<String, NpyArray> projected = new LinkedHashMap<>(lstm);
        projected.put("lstm.weight_hr_l0", NpyArray.ofFloats(new float[21], 3, 7));
        assertThatThrownBy(() -> ModelConfig.inferFrom(projected)).hasMessage(
                "lstm.weight_hr_l0: an LSTM with proj_size, which rnnlab does not support (proj_size=0)");

        Map<String, NpyArray> twoEmbeddings = renamed(lstm, "embedding.", "encoder.");
        twoEmbeddings.put("pos.weight", lstm.get("embedding.weight"));
        assertThatThrownBy(() -> ModelConfig.inferFrom(twoEmbeddings)).hasMessage("state_dict has no embedding.weight"
                + " and several bias-free (V, 5) matrices that could be the embedding: encoder.weight, pos.weight;"
                + " rename the embedding's tensor to embedding.weight");

        Map<String, NpyArray> gap = new LinkedHashMap<>(lstm);
        for (String k : lstm.keySet()) if (k.endsWith("_l1")) gap.put(k.replace("_l1", "_l2"), gap.remove(k));
        assertThatThrownBy(() -> ModelConfig.inferFrom(gap)).hasMessageContaining("unexpected tensor lstm.weight_ih_l2");

        // bias=False, and a layer above the first without its weight_hh: a NullPointerException (found by fuzzing)
        Map<String, NpyArray> noHh = new LinkedHashMap<>(lstm);
        noHh.keySet().removeIf(k -> k.contains("bias_") || k.equals("lstm.weight_hh_l1"));
        assertThatThrownBy(() -> ModelConfig.inferFrom(noHh)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state_dict has no tensor lstm.weight_hh_l1");

        Map<String, NpyArray> none = new LinkedHashMap<>();
        none.put("embedding.weight", lstm.get("embedding.weight"));
        assertThatThrownBy(() -> ModelConfig.inferFrom(none)).hasMessageContaining("no recurrent module");

        Map<String, NpyArray> two = new LinkedHashMap<>(lstm);
        two.put("gru.weight_ih_l0", lstm.get("lstm.weight_ih_l0"));
        assertThatThrownBy(() -> ModelConfig.inferFrom(two)).hasMessageContaining("two recurrent modules");

        Map<String, NpyArray> noEmbedding = new LinkedHashMap<>(lstm);
        noEmbedding.remove("embedding.weight");
        assertThatThrownBy(() -> ModelConfig.inferFrom(noEmbedding)).hasMessage("state_dict has no tensor embedding.weight");
    }
}
