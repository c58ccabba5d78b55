package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rnnlab.model.CellType;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.ModelConfig;
import org.rnnlab.model.ModelFiles;
import org.rnnlab.testing.Resources;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.text.Vocabulary;

/** {@code rnnlab explore} on PyTorch models of each cell and on an rnnlab model file; its errors. */
class ExploreCommandTest {
    @TempDir
    Path dir;

    static JsonNode pageData(String html) throws IOException {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"ex-data\">(.*?)</script>", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("the page holds its data").isTrue();
        return new ObjectMapper().readTree(m.group(1));
    }

    @ParameterizedTest
    @CsvSource({"lstm_L1_notebook.pt, 1, 2, 1", "gru_L3_lab.pt, 3, 3, 3", "rnn_L3_lab.pt, 3, 3, 0"})
    void writesOnePageForAPyTorchModel(String file, int layers, int states, int charts) throws IOException {
        String model = Resources.path(getClass(), "/org/rnnlab/notebook/" + file).toString();
        Path out = dir.resolve("x.html");
        BpttCommandTest.Run r = BpttCommandTest.run("explore", "--model", model, "--vocab-from", "lab", "--corpus", "lab",
                "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("wrote " + out, "lab, all 339 characters");
        // the finder's table: a header and one line per feature
        assertThat(r.out().lines()).hasSize(12).first().asString().startsWith("feature");
        assertThat(r.out()).containsPattern("inside \\( \\) +(L\\d )?[hc] \\d+ +[+-]0\\.\\d{3}")
                .contains("inside quotes          (not in the text)");
        String html = Files.readString(out);
        assertThat(html).doesNotContain("src=\"http", "href=\"http", "url(http", "@import", "<link", "<script src");
        JsonNode data = pageData(html);
        assertThat(data.get("text").asText()).isEqualTo(LabCorpus.TEXT);
        assertThat(data.get("layers").asInt()).isEqualTo(layers);
        assertThat(data.get("states")).hasSize(states);
        // one byte per cell and character
        byte[] cells = java.util.Base64.getDecoder().decode(data.get("states").get(0).get("data").asText());
        assertThat(cells.length).isEqualTo(339 * data.get("hidden").asInt());
        int svgs = html.split("<svg", -1).length - 1;
        assertThat(svgs).as("one saturation chart per layer with gates").isEqualTo(charts);
        if (charts == 0) assertThat(html).contains("A vanilla RNN has no gates.");
    }

    @Test
    void readsAnRnnlabModelFileAndTheFirstCharactersOnly() throws IOException {
        Vocabulary v = Vocabulary.fromText(LabCorpus.TEXT);
        Path model = dir.resolve("m.safetensors");
        ModelFiles.save(model, CharModel.create(new ModelConfig(CellType.GRU, v.size(), 8, 16, 2, 0), 1), v);
        Path text = dir.resolve("t.txt");
        Files.writeString(text, LabCorpus.TEXT + "\n" + LabCorpus.TEXT);
        Path out = dir.resolve("p.html");
        BpttCommandTest.Run r = BpttCommandTest.run("explore", "--model", model.toString(), "--corpus", text.toString(),
                "--chars", "100", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("the first 100 characters of " + text);
        JsonNode data = pageData(Files.readString(out));
        assertThat(data.get("text").asText()).isEqualTo(LabCorpus.TEXT.substring(0, 100));
        assertThat(data.get("states")).hasSize(2);
    }

    @Test
    void badInputIsOneLineWithExitCode2() throws IOException {
        String model = Resources.path(getClass(), "/org/rnnlab/notebook/lstm_L1_notebook.pt").toString();
        for (String n : new String[] {"0", "100001"}) {
            BpttCommandTest.Run r = BpttCommandTest.run("explore", "--model", model, "--vocab-from", "lab", "--corpus", "lab",
                    "--chars", n, "--out", dir.resolve("a.html").toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualToIgnoringNewLines("rnnlab explore: --chars must be between 1 and 100000, got " + n);
        }
        Path text = dir.resolve("digits.txt");
        Files.writeString(text, "x < 10");
        BpttCommandTest.Run unknown = BpttCommandTest.run("explore", "--model", model, "--vocab-from", "lab", "--corpus",
                text.toString(), "--out", dir.resolve("b.html").toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("digits.txt: ", "character '1' not in the model's vocabulary of 39").hasLineCount(1);
        BpttCommandTest.Run missing = BpttCommandTest.run("explore", "--model", model, "--vocab-from", "lab", "--corpus",
                dir.resolve("none.txt").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("none.txt: no such file").hasLineCount(1);
        assertThat(dir.resolve("a.html")).doesNotExist();
        assertThat(dir.resolve("b.html")).doesNotExist();
    }
}
