package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.torch.TorchStateDict;
import org.rnnlab.onnx.proto.OnnxProto.ModelProto;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.Vocabulary;
import org.rnnlab.testing.Resources;

/** {@code rnnlab next} and {@code rnnlab convert} on a model the notebook's code trained in PyTorch. */
class ModelCommandsTest {
    @TempDir
    Path dir;

    private final String lstm = Resources.path(getClass(), "/org/rnnlab/notebook/lstm_L1_notebook.pt").toString();

    @Test
    void nextPrintsTheMostLikelyCharactersFirst() {
        BpttCommandTest.Run r = BpttCommandTest.run("next", "--model", lstm, "--vocab-from", "lab", "--prompt", "the ca", "--top", "3");
        assertThat(r.code()).as(r.err()).isZero();
        var lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("'t'");
        double p0 = Double.parseDouble(lines.get(0).trim().split("\\s+")[1]);
        double p1 = Double.parseDouble(lines.get(1).trim().split("\\s+")[1]);
        assertThat(p0).isGreaterThanOrEqualTo(p1).isGreaterThan(0.5);
    }

    @Test
    void nextJsonHasEveryCharacterInIndexOrderAndSumsToOne() throws IOException {
        BpttCommandTest.Run r = BpttCommandTest.run("next", "--model", lstm, "--vocab-from", "lab", "--prompt", "while", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("chars")).hasSize(39);
        assertThat(json.get("chars").get(0).asText()).isEqualTo("\n");
        assertThat(json.get("chars").get(38).asText()).isEqualTo("}");
        double sum = 0;
        for (JsonNode lp : json.get("logprobs")) sum += Math.exp(lp.asDouble());
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void badInputIsOneLineWithExitCode2() throws IOException {
        BpttCommandTest.Run noVocab = BpttCommandTest.run("next", "--model", lstm, "--prompt", "a");
        assertThat(noVocab.code()).isEqualTo(2);
        assertThat(noVocab.err()).contains("does not record its vocabulary: give --vocab-from CORPUS").hasLineCount(1);

        BpttCommandTest.Run wrongSize = BpttCommandTest.run("next", "--model", lstm, "--vocab", "abc", "--prompt", "a");
        assertThat(wrongSize.code()).isEqualTo(2);
        assertThat(wrongSize.err()).contains("the vocabulary has 3 characters but embedding.weight has 39 rows");

        BpttCommandTest.Run unknown = BpttCommandTest.run("next", "--model", lstm, "--vocab-from", "lab", "--prompt", "x < 10");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("character '1' not in the model's vocabulary of 39");

        Path text = dir.resolve("model.pt");
        Files.writeString(text, "not a model");
        BpttCommandTest.Run notModel = BpttCommandTest.run("next", "--model", text.toString(), "--vocab", "ab", "--prompt", "a");
        assertThat(notModel.code()).isEqualTo(2);
        assertThat(notModel.err()).contains("model.pt: not a model file");

        BpttCommandTest.Run missing = BpttCommandTest.run("next", "--model", dir.resolve("nope.pt").toString(), "--prompt", "a");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.pt: no such file");

        byte[] pt = Files.readAllBytes(Path.of(lstm));
        Path cut = dir.resolve("cut.pt");
        Files.write(cut, java.util.Arrays.copyOf(pt, pt.length / 2));
        BpttCommandTest.Run truncated = BpttCommandTest.run("next", "--model", cut.toString(), "--vocab-from", "lab", "--prompt", "a");
        assertThat(truncated.code()).isNotZero();
        assertThat(truncated.err()).contains("cut.pt").hasLineCount(1);
    }

    @Test
    void convertRoundTripsThroughRnnlabAndBackToPyTorch() throws IOException {
        Path mine = dir.resolve("lstm.safetensors");
        Path back = dir.resolve("back.pt");
        assertThat(BpttCommandTest.run("convert", "--model", lstm, "--vocab-from", "lab", "--out", mine.toString()).code()).isZero();
        // The rnnlab file keeps the vocabulary: no --vocab-from needed any more, same answer.
        BpttCommandTest.Run a = BpttCommandTest.run("next", "--model", mine.toString(), "--prompt", "the", "--json");
        BpttCommandTest.Run b = BpttCommandTest.run("next", "--model", lstm, "--vocab-from", "lab", "--prompt", "the", "--json");
        assertThat(a.out()).isEqualTo(b.out());
        assertThat(BpttCommandTest.run("convert", "--model", mine.toString(), "--out", back.toString()).code()).isZero();
        Map<String, NpyArray> original = TorchStateDict.read(Path.of(lstm));
        assertThat(TorchStateDict.read(back)).isEqualTo(original);
        // A vocabulary that contradicts the stored one is refused.
        BpttCommandTest.Run clash = BpttCommandTest.run("next", "--model", mine.toString(), "--vocab", "ab", "--prompt", "a");
        assertThat(clash.code()).isEqualTo(2);
        assertThat(clash.err()).contains("the one given differs");
    }

    @Test
    void convertToOnnxWritesTheModelWithItsVocabularyWhateverFileItCameFrom() throws IOException {
        Path fromPt = dir.resolve("from-pt.onnx"), mine = dir.resolve("lstm.safetensors"), fromMine = dir.resolve("m.onnx");
        BpttCommandTest.Run r = BpttCommandTest.run("convert", "--model", lstm, "--vocab-from", "lab", "--out", fromPt.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("rnnlab convert: wrote " + fromPt + " (lstm, 106855 parameters, ONNX opset 17, with its "
                + "vocabulary)");
        ModelProto onnx = ModelProto.parseFrom(Files.readAllBytes(fromPt));
        assertThat(onnx.getMetadataPropsList()).anySatisfy(e -> {
            assertThat(e.getKey()).isEqualTo("vocabulary");
            assertThat(e.getValue()).isEqualTo(Vocabulary.fromText(Corpus.lab().text()).asString());
        });
        assertThat(onnx.getGraph().getNodeList()).anySatisfy(n -> assertThat(n.getOpType()).isEqualTo("LSTM"));
        // The embedding is the .pt's own table, copied bit for bit.
        float[] table = TorchStateDict.read(Path.of(lstm)).get("embedding.weight").toFloats();
        byte[] raw = onnx.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("embedding.weight"))
                .findFirst().orElseThrow().getRawData().toByteArray();
        float[] exported = new float[table.length];
        java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(exported);
        assertThat(exported).containsExactly(table);

        // An rnnlab model file of the same weights gives the same bytes, without --vocab-from.
        assertThat(BpttCommandTest.run("convert", "--model", lstm, "--vocab-from", "lab", "--out", mine.toString()).code()).isZero();
        assertThat(BpttCommandTest.run("convert", "--model", mine.toString(), "--out", fromMine.toString()).code()).isZero();
        assertThat(Files.mismatch(fromPt, fromMine)).isEqualTo(-1);

        BpttCommandTest.Run noVocab = BpttCommandTest.run("convert", "--model", lstm, "--out", dir.resolve("x.onnx").toString());
        assertThat(noVocab.code()).isEqualTo(2);
        assertThat(noVocab.err()).contains("does not record its vocabulary").hasLineCount(1);
        assertThat(dir.resolve("x.onnx")).doesNotExist();
    }

    @Test
    void serveOnAPortInUseOrAHostNotOfThisMachineIsOneLineAndExit2() throws Exception {
        Path pt = org.rnnlab.testing.Resources.path(ModelCommandsTest.class, "/org/rnnlab/notebook/lstm_L1_notebook.pt");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            BpttCommandTest.Run r = BpttCommandTest.run("serve", "--model", pt.toString(), "--vocab-from", "lab",
                    "--port", String.valueOf(port));
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().lines().filter(l -> !l.startsWith("WARNING: Using incubator")))
                    .containsExactly("rnnlab serve: port " + port + " is in use on 127.0.0.1: stop what uses it, or "
                            + "choose another --port (0 picks a free one)");
        }
        BpttCommandTest.Run h = BpttCommandTest.run("serve", "--model", pt.toString(), "--vocab-from", "lab", "--host",
                "no-such-host.invalid", "--port", "0");
        assertThat(h.code()).isEqualTo(2);
        assertThat(h.err()).contains("rnnlab serve: --host no-such-host.invalid does not resolve to an address");
    }
}
