package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Safetensors;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.testing.Resources;

/**
 * {@code --quantize int8}: {@code convert} writes an int8 file; {@code next}, {@code complete} and {@code eval} read it,
 * or quantize a float model as they load it, with the same results either way; bad int8 files are one line, exit 2;
 * {@code bench} measures int8 generation beside float32.
 */
class QuantizeCommandsTest {
    @TempDir
    Path dir;

    private final String lstm = Resources.path(getClass(), "/org/rnnlab/notebook/lstm_L1_notebook.pt").toString();

    private Path int8File() {
        Path out = dir.resolve("int8.safetensors");
        BpttCommandTest.Run r = BpttCommandTest.run("convert", "--model", lstm, "--vocab-from", "lab", "--quantize", "int8",
                "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("rnnlab convert: wrote " + out + " (lstm, 106855 parameters, rnnlab model file, int8 "
                + "weights with a scale per row)");
        return out;
    }

    @Test
    void anInt8FileAndQuantizingAtLoadGiveTheSameAnswers() throws IOException {
        Path q = int8File();
        assertThat(Safetensors.readMetadata(q)).containsEntry("quantization", "int8");
        BpttCommandTest.Run fromFile = BpttCommandTest.run("next", "--model", q.toString(), "--prompt", "the ca", "--json");
        BpttCommandTest.Run atLoad = BpttCommandTest.run("next", "--model", lstm, "--vocab-from", "lab", "--quantize", "int8",
                "--prompt", "the ca", "--json");
        BpttCommandTest.Run floats = BpttCommandTest.run("next", "--model", lstm, "--vocab-from", "lab", "--prompt", "the ca",
                "--json");
        assertThat(fromFile.code()).as(fromFile.err()).isZero();
        assertThat(fromFile.out()).isEqualTo(atLoad.out());
        assertThat(fromFile.out()).isNotEqualTo(floats.out()); // other weights, other digits
        JsonNode a = new ObjectMapper().readTree(fromFile.out()), b = new ObjectMapper().readTree(floats.out());
        for (int i = 0; i < a.get("logprobs").size(); i++) {
            double pa = Math.exp(a.get("logprobs").get(i).asDouble()), pb = Math.exp(b.get("logprobs").get(i).asDouble());
            assertThat(pa).as("p[%d]", i).isCloseTo(pb, org.assertj.core.data.Offset.offset(0.01));
        }

        BpttCommandTest.Run c1 = BpttCommandTest.run("complete", "--model", q.toString(), "--prompt", "the cat", "--length",
                "30", "--greedy");
        BpttCommandTest.Run c2 = BpttCommandTest.run("complete", "--model", lstm, "--vocab-from", "lab", "--quantize", "int8",
                "--prompt", "the cat", "--length", "30", "--greedy");
        assertThat(c1.code()).as(c1.err()).isZero();
        assertThat(c1.out()).isEqualTo(c2.out()).startsWith("the cat sat on the mat.");

        BpttCommandTest.Run e1 = BpttCommandTest.run("eval", "--model", q.toString(), "--corpus", "lab", "--json");
        BpttCommandTest.Run e2 = BpttCommandTest.run("eval", "--model", lstm, "--vocab-from", "lab", "--corpus", "lab", "--json");
        assertThat(e1.code()).as(e1.err()).isZero();
        double bpcInt8 = new ObjectMapper().readTree(e1.out()).get("bpc").asDouble();
        double bpcFloat = new ObjectMapper().readTree(e2.out()).get("bpc").asDouble();
        assertThat(bpcInt8).isNotEqualTo(bpcFloat).isCloseTo(bpcFloat, org.assertj.core.data.Percentage.withPercentage(5));

        // converting the int8 file again keeps it int8, to the byte
        Path again = dir.resolve("again.safetensors");
        assertThat(BpttCommandTest.run("convert", "--model", q.toString(), "--out", again.toString()).code()).isZero();
        assertThat(Files.mismatch(q, again)).isEqualTo(-1);
    }

    @Test
    void badQuantizedInputIsOneLineWithExitCode2() throws IOException {
        Path q = int8File();
        Safetensors.Contents c = Safetensors.read(q);
        Map<String, NpyArray> t = new LinkedHashMap<>(c.tensors());
        t.remove("model.lstm.weight_hh_l0.scale");
        Path bad = dir.resolve("bad.safetensors");
        Safetensors.write(bad, t, c.metadata());
        BpttCommandTest.Run r = BpttCommandTest.run("next", "--model", bad.toString(), "--prompt", "a");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("rnnlab next: " + bad + ": model.lstm.weight_hh_l0 is int8 but the file has no "
                + "model.lstm.weight_hh_l0.scale, its row scales (F32, 512)\n");

        BpttCommandTest.Run wrong = BpttCommandTest.run("next", "--model", lstm, "--vocab-from", "lab", "--quantize", "int4",
                "--prompt", "a");
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("--quantize must be none or int8, got 'int4'").hasLineCount(1);

        // an int8 checkpoint cannot be trained on: a hand-made one (rnnlab never writes one) with training state
        Path run = dir.resolve("run");
        BpttCommandTest.Run trained = BpttCommandTest.run("train", "--out", run.toString(), "--steps", "2", "--progress", "off");
        assertThat(trained.code()).as(trained.err()).isZero();
        Path last = run.resolve(ModelFiles.RUN_LAST);
        Safetensors.Contents ck = Safetensors.read(last);
        Safetensors.Contents qc = Safetensors.read(q);
        Map<String, NpyArray> mixed = new LinkedHashMap<>(ck.tensors());
        mixed.keySet().removeIf(k -> k.startsWith(ModelFiles.MODEL_PREFIX));
        mixed.putAll(qc.tensors());
        Map<String, String> meta = new LinkedHashMap<>(ck.metadata());
        meta.put("format_version", "2");
        meta.put("quantization", "int8");
        meta.put("config", qc.metadata().get("config"));
        Files.delete(last);
        Safetensors.write(last, mixed, meta);
        BpttCommandTest.Run resumed = BpttCommandTest.run("train", "--resume", last.toString(), "--steps", "4", "--progress", "off");
        assertThat(resumed.code()).isEqualTo(2);
        assertThat(resumed.err()).contains("the model's weights are int8 (quantized for generation), and training is float32")
                .hasLineCount(1);
    }

    @Test
    void benchMeasuresInt8GenerationInAlternatingRounds() throws IOException {
        BpttCommandTest.Run r = BpttCommandTest.run("bench", "--embed", "8", "--hidden", "12", "--seq", "5", "--steps", "1",
                "--warmup", "0", "--gen-chars", "20", "--naive-chars", "0", "--gen-warmup", "2", "--warmup-seconds", "0",
                "--min-seconds", "0", "--quantize", "int8", "--gen-rounds", "3", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("gen_int8_rounds_cps")).hasSize(3);
        assertThat(j.get("gen_float32_rounds_cps")).hasSize(3);
        double best = 0;
        for (JsonNode x : j.get("gen_int8_rounds_cps")) best = Math.max(best, x.asDouble());
        assertThat(j.get("gen_int8_cps").asDouble()).isPositive().isEqualTo(best);
        assertThat(j.get("gen_int8_speedup").asDouble())
                .isCloseTo(best / j.get("gen_float32_best_cps").asDouble(), org.assertj.core.data.Percentage.withPercentage(1e-9));
        // W_ih (48 x 8), W_hh (48 x 12), fc (39 x 12): a byte and, per row, a 4-byte scale each, against 4 bytes a weight
        assertThat(j.get("int8_weights_mb").asDouble()).isCloseTo((48 * 8 + 48 * 12 + 39 * 12 + 4 * (48 + 48 + 39)) / 1e6,
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(j.get("float32_weights_mb").asDouble()).isCloseTo(4 * (48 * 8 + 48 * 12 + 39 * 12) / 1e6,
                org.assertj.core.data.Offset.offset(1e-12));
    }
}
