package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.io.NpyArray;
import org.rnnlab.io.Npz;

class BpttCommandTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static final String NOTEBOOK = """
            Epoch 0, Loss: 226.3948
            Epoch 100, Loss: 9.3322
            Epoch 159, Loss: 5.1682
            abc → d
            bcd → e
            cde → f
            """;

    @Test
    void labStartsWithExerciseOnesSixLinesAndWritesItsReport(@TempDir Path dir) throws IOException {
        Path report = dir.resolve("lab.html");
        Run r = run("lab", "--epochs", "1", "--cells", "lstm", "--report", report.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().replace(System.lineSeparator(), "\n")).startsWith(NOTEBOOK + "\nLoaded 339 characters.\n");
        assertThat(r.err()).contains("report written to " + report.toAbsolutePath());
        assertThat(Files.readString(report)).contains("<svg", "LSTM hidden state");
    }

    @Test
    void labRejectsUnknownLanguagesAndCells() {
        Run lang = run("lab", "--lang", "fr", "--no-report");
        assertThat(lang.code()).isEqualTo(2);
        assertThat(lang.err()).contains("--lang must be en or es, got 'fr'");
        Run cell = run("lab", "--cells", "rnn,transformer", "--no-report");
        assertThat(cell.code()).isEqualTo(2);
        assertThat(cell.err()).contains("unknown cell 'transformer': use rnn, rnn_relu, lstm or gru");
    }

    @Test
    void bpttDefaultsAreTheNotebook() {
        assertThat(run("bptt").out().replace(System.lineSeparator(), "\n")).isEqualTo(NOTEBOOK);
    }

    @Test
    void optionsChangeTheRun() {
        Run r = run("bptt", "--epochs", "30", "--print-every", "10", "--hidden", "6", "--lr", "0.2", "--seed", "7",
                "--predict", "xyz,mno");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().toList()).hasSize(6)
                .first().asString().startsWith("Epoch 0, Loss: ");
        assertThat(r.out()).contains("Epoch 10, Loss: ", "Epoch 20, Loss: ", "Epoch 29, Loss: ", "xyz → ", "mno → ");
    }

    @Test
    void saveWritesTheNotebooksArraysAsFloat64(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("toy.npz");
        Run r = run("bptt", "--save", file.toString());
        assertThat(r.code()).isZero();
        Map<String, NpyArray> arrays = Npz.read(file);
        assertThat(arrays.keySet()).containsExactly("Wxh", "Whh", "Why", "bh", "by");
        assertThat(arrays.get("Wxh").shape()).containsExactly(4, 26);
        assertThat(arrays.get("Whh").shape()).containsExactly(4, 4);
        assertThat(arrays.get("Why").shape()).containsExactly(26, 4);
        assertThat(arrays.get("bh").shape()).containsExactly(4, 1);
        assertThat(arrays.get("by").shape()).containsExactly(26, 1);
        assertThat(arrays.values()).allSatisfy(a -> assertThat(a.dtype()).isEqualTo("<f8"));
        assertThat(Files.list(dir)).containsExactly(file);
    }

    @Test
    void gradcheckReportsAndPasses() {
        Run r = run("bptt", "--gradcheck", "--epochs", "1");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Gradient check (5842 entries").contains(": ok");
    }

    @Test
    void aCharacterOutsideTheAlphabetIsAClearErrorWithExitCode2() {
        Run r = run("bptt", "--predict", "abc,hé");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).containsExactly(
                "rnnlab bptt: 'é' (U+00E9) at position 2 of \"hé\" is not in the toy alphabet abcdefghijklmnopqrstuvwxyz");
    }

    @Test
    void badNumbersAreUsageErrors() {
        assertThat(run("bptt", "--hidden", "0").err()).contains("--hidden must be between 1 and 4096, got 0");
        assertThat(run("bptt", "--hidden", "0").code()).isEqualTo(2);
        // Sizes and counts that arrays would be made of: a range error at once, not an allocation failure.
        for (String[] args : new String[][] {{"bptt", "--hidden", "2147483647"}, {"bptt", "--epochs", "2000000000"},
            {"lab", "--epochs", "2000000000", "--no-report"}}) {
            Run big = run(args);
            assertThat(big.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(big.err().lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList())
                    .as(String.join(" ", args)).hasSize(1);
            assertThat(big.err()).contains("must be between 1 and");
        }
        Run r = run("bptt", "--lr", "fast");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("'--lr'", "'fast'", "rnnlab bptt --help");
        assertThat(run("bptt", "--seed", "-3").err()).contains("seed must be between 0 and 4294967295");
    }

    @Test
    void helpShowsExamples() {
        Run r = run("bptt", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Examples:", "--gradcheck", "--save", "--predict");
    }
}
