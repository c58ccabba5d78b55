package org.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.testing.Resources;
import org.rnnlab.text.LabCorpus;
import org.rnnlab.text.Vocabulary;

/** {@code rnnlab complete} on the notebook-trained PyTorch LSTM: every control, every bad value, the I/O contract. */
class CompleteCommandTest {
    static final String MODEL = Resources.path(CompleteCommandTest.class, "/org/rnnlab/notebook/lstm_L1_notebook.pt").toString();
    static final String GRU = Resources.path(CompleteCommandTest.class, "/org/rnnlab/notebook/gru_L3_lab.pt").toString();
    static final String LAB_VOCAB = Vocabulary.fromText(LabCorpus.TEXT).display();

    record Run(int code, String out, String err, int flushes) {}

    /** A writer that counts how many times what it holds was flushed with something new in it. */
    static final class Recording extends Writer {
        final StringBuilder text = new StringBuilder();
        int flushedAt;
        int flushes;

        @Override
        public void write(char[] c, int off, int len) {
            text.append(c, off, len);
        }

        @Override
        public void flush() {
            if (text.length() > flushedAt) flushes++;
            flushedAt = text.length();
        }

        @Override
        public void close() {}
    }

    static Run run(String stdin, boolean terminal, String... args) {
        Recording out = new Recording();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), terminal,
                new PrintWriter(out, false), new PrintWriter(err, true));
        return new Run(code, out.text.toString(), err.toString(), out.flushes);
    }

    static Run complete(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "complete";
        all[1] = "--model";
        all[2] = MODEL;
        all[3] = "--vocab-from";
        all[4] = "lab";
        System.arraycopy(args, 0, all, 5, args.length);
        return run("", false, all);
    }

    @Test
    void theSameSeedGivesTheSameTextAcrossRuns() {
        Run a = complete("--prompt", "the ", "--seed", "12", "--temperature", "1.5", "--length", "300");
        Run b = complete("--prompt", "the ", "--seed", "12", "--temperature", "1.5", "--length", "300");
        assertThat(a.code()).isZero();
        assertThat(a.out()).startsWith("the ").isEqualTo(b.out());
        assertThat(a.out().codePointCount(0, a.out().length())).isBetween(304, 305); // + the final newline
        assertThat(a.err()).isEmpty();
        Run c = complete("--prompt", "the ", "--seed", "13", "--temperature", "1.5", "--length", "300");
        assertThat(c.out()).isNotEqualTo(a.out());
    }

    @Test
    void withoutASeedAFreshOneIsReportedAndRepeatsTheText() {
        Run a = complete("--prompt", "the ", "--temperature", "1.5", "--length", "200");
        assertThat(a.err()).matches("rnnlab complete: seed (\\d+) \\(--seed \\1 repeats this text\\)\\R");
        String seed = a.err().replaceAll("\\D+", " ").trim().split(" ")[0];
        Run b = complete("--prompt", "the ", "--temperature", "1.5", "--length", "200", "--seed", seed);
        assertThat(b.out()).isEqualTo(a.out());
    }

    @Test
    void greedyEqualsBeamOneAndNeitherPrintsASeed() {
        for (String stop : new String[] {"\\n", ";", "}"}) {
            Run greedy = complete("--prompt", "while (x > 0) {", "--greedy", "--stop", stop, "--length", "200");
            Run beam = complete("--prompt", "while (x > 0) {", "--beam", "1", "--stop", stop, "--length", "200");
            assertThat(beam.out()).isEqualTo(greedy.out());
            assertThat(greedy.err()).isEmpty();
            assertThat(beam.err()).startsWith("rnnlab complete: beam 1: mean log-probability -")
                    .contains("ended by --stop");
        }
    }

    @Test
    void theStopStringEndsTheCompletionAndIsKept() {
        Run r = complete("--prompt", "if (a == b) {", "--greedy", "--stop", "\\n");
        assertThat(r.out()).isEqualTo("if (a == b) { return a; }\n");
        Run semi = complete("--prompt", "if (a == b) {", "--greedy", "--stop", ";");
        assertThat(semi.out()).isEqualTo("if (a == b) { return a;\n");
        Run none = complete("--prompt", "if (a == b) {", "--greedy", "--length", "30");
        assertThat(none.out()).isEqualTo("if (a == b) { return a; }\nwhile (true) { br\n");
    }

    @Test
    void lengthCountsCharacters() {
        for (int n : new int[] {1, 7, 64, 250}) {
            Run r = complete("--prompt", "t", "--seed", "3", "--length", String.valueOf(n), "--temperature", "2");
            String completion = r.out().substring(1);
            int chars = completion.codePointCount(0, completion.length());
            // stdout ends with a newline: the completion's own last character, or one added after it
            assertThat(chars == n + 1 || chars == n && completion.endsWith("\n")).as("%d: %s", n, completion).isTrue();
        }
    }

    @Test
    void topKTopPAndTemperatureChangeTheText() {
        Run base = complete("--prompt", "the ", "--seed", "5", "--temperature", "2", "--length", "200");
        Run k1 = complete("--prompt", "the ", "--seed", "5", "--temperature", "2", "--top-k", "1", "--length", "200");
        Run p0 = complete("--prompt", "the ", "--seed", "5", "--temperature", "2", "--top-p", "0.000001", "--length", "200");
        Run greedy = complete("--prompt", "the ", "--greedy", "--length", "200");
        assertThat(k1.out()).isEqualTo(greedy.out()).isEqualTo(p0.out());
        assertThat(base.out()).isNotEqualTo(greedy.out());
        Run cold = complete("--prompt", "the ", "--seed", "5", "--temperature", "0.05", "--length", "200");
        assertThat(cold.out()).as("temperature 0.05 is all but greedy on this model").isEqualTo(greedy.out());
    }

    @Test
    void severalSamplesFollowTheFirstSeparatedByABlankLine() {
        Run three = complete("--prompt", "the", "--seed", "9", "--temperature", "2", "--samples", "3", "--length", "40");
        String[] samples = three.out().split("\n\n");
        assertThat(samples).hasSize(3);
        for (String s : samples) assertThat(s).startsWith("the").doesNotContain("\n\n");
        Run one = complete("--prompt", "the", "--seed", "9", "--temperature", "2", "--length", "40");
        assertThat(three.out()).startsWith(one.out());
        assertThat(samples[1]).isNotEqualTo(samples[0]);
    }

    @Test
    void outputStreamsOneCharacterAtATime() {
        Run r = complete("--prompt", "the cat", "--seed", "1", "--length", "50");
        assertThat(r.flushes()).as("flushes with new text: the prompt, 50 characters, the newline")
                .isGreaterThanOrEqualTo(51);
        Run beam = run("", false, "complete", "--model", GRU, "--vocab-from", "lab", "--prompt", "the cat",
                "--beam", "4", "--length", "150");
        assertThat(beam.flushes()).as("beam search streams as the beams agree").isGreaterThan(20);
    }

    @Test
    void aClosedOutputStopsTheGeneration() {
        // as `| head -c 20`: the writer fails after 20 characters; the command must not go on to 100,000
        int[] attempts = {0};
        Writer closing = new Writer() {
            int written;

            @Override
            public void write(char[] c, int off, int len) throws IOException {
                attempts[0]++;
                if (written + len > 20) throw new IOException("Broken pipe");
                written += len;
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"complete", "--model", MODEL, "--vocab-from", "lab", "--prompt", "the cat",
            "--seed", "1", "--length", "100000"}, new ByteArrayInputStream(new byte[0]), false,
                new PrintWriter(closing, false), new PrintWriter(err, true));
        assertThat(code).isZero();
        assertThat(attempts[0]).as("writes attempted").isLessThan(30);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void theWindowReproducesTheNotebook() throws IOException {
        // tools/make_completion_fixtures.py: the notebook's complete_prompt on its own prompt, argmax for the draw
        String expected = " x--; }\nif (user.is_logged_in()) { show";
        Run r = complete("--prompt", "while (x < 10) {", "--window", "40", "--greedy", "--length", "39",
                "--unknown", "skip");
        assertThat(r.out()).isEqualTo("while (x < 10) {" + expected + "\n");
        assertThat(r.err()).isEqualTo("rnnlab complete: warning: skipped character '1', not in the vocabulary; the "
                + "model does not see it (--unknown skip, the notebook's behaviour)\n");
        Run carried = complete("--prompt", "the cat", "--seed", "4", "--temperature", "1.4", "--length", "120");
        Run wide = complete("--prompt", "the cat", "--seed", "4", "--temperature", "1.4", "--length", "120",
                "--window", "1000");
        assertThat(wide.out()).as("a window longer than the text is the carried state").isEqualTo(carried.out());
    }

    @Test
    void unknownCharactersAreAnErrorUnlessSkippedOrReplaced() {
        Run r = complete("--prompt", "while (x < 10) {");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("rnnlab complete: the prompt has character '1' not in the model's vocabulary of "
                + "39: \"" + LAB_VOCAB + "\"; --unknown skip drops them (as the notebook does), --unknown replace=C "
                + "replaces them\n");
        Run capitals = complete("--prompt", "The cat");
        assertThat(capitals.code()).isEqualTo(2);
        assertThat(capitals.err()).contains("character 'T'").contains("--lowercase lowercases the prompt");
        Run lower = complete("--prompt", "The cat", "--lowercase", "--greedy", "--length", "5");
        assertThat(lower.out()).isEqualTo("the cat sat \n");
        Run replaced = complete("--prompt", "x < 10", "--unknown", "replace=0", "--greedy", "--length", "3");
        assertThat(replaced.code()).isZero();
        assertThat(replaced.out()).startsWith("x < 10");
        assertThat(replaced.err()).isEqualTo("rnnlab complete: warning: replaced character '1', not in the vocabulary, "
                + "by '0'\n");
        Run same = complete("--prompt", "x < 00", "--greedy", "--length", "3");
        assertThat(replaced.out().substring(6)).as("the model saw 'x < 00'").isEqualTo(same.out().substring(6));
    }

    @Test
    void promptsComeFromAFileOrStandardInput(@TempDir Path dir) throws IOException {
        Run direct = complete("--prompt", "for (i", "--greedy", "--length", "20");
        Path file = dir.resolve("prompt.txt");
        Files.writeString(file, "for (i\n");
        Run fromFile = complete("--prompt-file", file.toString(), "--greedy", "--length", "20");
        assertThat(fromFile.out()).isEqualTo(direct.out());
        Run fromStdin = run("for (i\n", false, "complete", "--model", MODEL, "--vocab-from", "lab", "--greedy",
                "--length", "20");
        assertThat(fromStdin.out()).isEqualTo(direct.out());
        Files.writeString(file, "for (i\n\n");
        Run newline = complete("--prompt-file", file.toString(), "--greedy", "--length", "20");
        assertThat(newline.out()).as("a second newline is part of the prompt").startsWith("for (i\n");
        Files.write(file, new byte[] {'f', (byte) 0xFF});
        Run bad = complete("--prompt-file", file.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("invalid UTF-8 at byte 1");
        Run missing = complete("--prompt-file", dir.resolve("nope.txt").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.txt").contains("no such --prompt-file");
    }

    @Test
    void onATerminalEachLineIsAPrompt() {
        Run r = run("the cat\n\nif (a == b) {\nWHILE\nfor (i\n", true, "complete", "--model", MODEL, "--vocab-from",
                "lab", "--greedy", "--stop", "\\n");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("the cat sat on the mat.\nif (a == b) { return a; }\nfor (i = 0; i < n; i++) { sum += i; }\n");
        assertThat(r.err()).startsWith("rnnlab complete: type a prompt and press Enter; Ctrl-D ends.\n> ")
                .contains("rnnlab complete: the prompt has characters 'W', 'H', 'I', 'L', 'E'")
                .endsWith("> \n");
        assertThat(r.err().split("> ", -1)).as("six prompts shown: five lines and the end").hasSize(7);
        Run notTerminal = run("the cat\n\nif (a == b) {\n", false, "complete", "--model", MODEL, "--vocab-from", "lab",
                "--greedy", "--stop", "\\n");
        assertThat(notTerminal.out()).as("a pipe is one prompt").startsWith("the cat\n\nif (a == b) {");
        assertThat(notTerminal.err()).isEmpty();
    }

    @Test
    void theInteractiveSeedIsReportedAndEachLineIsCompletedAsWithPrompt() {
        Run r = run("the \nthe \n", true, "complete", "--model", MODEL, "--vocab-from", "lab", "--temperature", "2",
                "--length", "30");
        String seed = r.err().replaceAll("(?s).*Seed (\\d+) .*", "$1");
        Run once = complete("--prompt", "the ", "--temperature", "2", "--length", "30", "--seed", seed);
        assertThat(r.out()).isEqualTo(once.out() + once.out());
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(List.of("--temperature", "0"), "--temperature must be a number > 0, got 0.0 (for the most likely character every time, use --greedy)"),
                Arguments.of(List.of("--temperature", "-1"), "--temperature must be a number > 0, got -1.0"),
                Arguments.of(List.of("--temperature", "NaN"), "--temperature must be a number > 0, got NaN"),
                Arguments.of(List.of("--temperature", "Infinity"), "--temperature must be a number > 0, got Infinity"),
                Arguments.of(List.of("--top-p", "0"), "--top-p must be in (0, 1] (1 keeps every character), got 0.0"),
                Arguments.of(List.of("--top-p", "1.5"), "--top-p must be in (0, 1] (1 keeps every character), got 1.5"),
                Arguments.of(List.of("--top-p", "-0.2"), "--top-p must be in (0, 1]"),
                Arguments.of(List.of("--top-k", "-1"), "--top-k must be >= 0 (0 keeps every character), got -1"),
                Arguments.of(List.of("--length", "0"), "--length must be at least 1 character, got 0"),
                Arguments.of(List.of("--length", "-5"), "--length must be at least 1 character, got -5"),
                Arguments.of(List.of("--beam", "0"), "--beam must be at least 1, got 0 (1 is greedy decoding)"),
                Arguments.of(List.of("--samples", "0"), "--samples must be at least 1, got 0"),
                Arguments.of(List.of("--window", "0"), "--window must be at least 1 character, got 0 (leave it out to carry the state)"),
                Arguments.of(List.of("--window", "2147483647"), "--window must be at most 10000 characters (it re-reads that many for every new one; the notebook's is 40), got 2147483647"),
                Arguments.of(List.of("--temperature", "1e-320"), "--temperature must be at least 1e-6, got 1.0E-320 (dividing by less overflows; for the most likely character every time, use --greedy)"),
                Arguments.of(List.of("--beam", "3", "--temperature", "0.8"), "--beam does not combine with --temperature: beam search looks for the likeliest text and draws no random numbers (leave out --temperature)"),
                Arguments.of(List.of("--beam", "3", "--top-k", "5"), "--beam does not combine with --top-k"),
                Arguments.of(List.of("--beam", "3", "--top-p", "0.9"), "--beam does not combine with --top-p"),
                Arguments.of(List.of("--beam", "3", "--seed", "1"), "--beam does not combine with --seed"),
                Arguments.of(List.of("--beam", "3", "--samples", "2"), "--beam does not combine with --samples: beam search looks for the likeliest text and draws no random numbers, so every sample would be the same text"),
                Arguments.of(List.of("--beam", "3", "--greedy"), "give --beam K or --greedy, not both (--beam 1 is greedy decoding)"),
                Arguments.of(List.of("--beam", "3", "--window", "40"), "--beam does not combine with --window"),
                Arguments.of(List.of("--greedy", "--temperature", "0.5"), "--greedy does not combine with --temperature: greedy decoding takes the likeliest character and draws no random numbers (leave out --temperature)"),
                Arguments.of(List.of("--greedy", "--top-k", "3"), "--greedy does not combine with --top-k"),
                Arguments.of(List.of("--greedy", "--samples", "4"), "--greedy does not combine with --samples"),
                Arguments.of(List.of("--stop", ""), "--stop must not be empty (leave it out to run to --length)"),
                Arguments.of(List.of("--stop", "END"), "--stop: the stop string holds 'E', 'N', 'D', which the model never generates, so it could never match; its vocabulary is \"" + LAB_VOCAB + "\""),
                Arguments.of(List.of("--stop", "a\\b"), "--stop: unknown escape '\\b' in \"a\\b\"; the escapes are \\n, \\t and \\\\ (for a backslash)"),
                Arguments.of(List.of("--unknown", "drop"), "--unknown must be error, skip or replace=C (C one character), got 'drop'"),
                Arguments.of(List.of("--unknown", "replace=ab"), "--unknown replace=C takes exactly one character after '=', got \"ab\""),
                Arguments.of(List.of("--unknown", "replace=Q"), "the replacement character 'Q' is not in the model's vocabulary either; choose one of \"" + LAB_VOCAB + "\""),
                Arguments.of(List.of("--prompt-file", "x.txt"), "give the prompt either with --prompt or with --prompt-file, not both"),
                Arguments.of(List.of("--length", "2000000000"), "--length 2000000000 needs about 22.4 GB of memory to hold the text until it is printed, more than this JVM may use ("),
                Arguments.of(List.of("--samples", "1000", "--length", "10000000"), "--samples 1000 x --length 10000000 needs about 111.8 GB of memory"),
                Arguments.of(List.of("--beam", "1000", "--length", "10000000"), "--beam 1000 and --length 10000000 needs about 74.6 GB of memory"),
                Arguments.of(List.of("--length", "ten"), "Invalid value for option '--length': 'ten' is not an int"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValuesAreOneLineErrorsWithExitCode2(List<String> options, String message) {
        List<String> args = new ArrayList<>(List.of("--prompt", "the cat"));
        args.addAll(options);
        Run r = complete(args.toArray(String[]::new));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("rnnlab complete: " + message).endsWith("\n");
        assertThat(r.err().strip()).doesNotContain("\n");
    }

    @Test
    void anEmptyPromptIsAnError() {
        Run r = complete("--prompt", "");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("rnnlab complete: the prompt is empty: a character model predicts the next "
                + "character from at least one; give the text to continue (a newline starts a fresh line)\n");
        Run stdin = run("\n", false, "complete", "--model", MODEL, "--vocab-from", "lab");
        assertThat(stdin.code()).isEqualTo(2);
        assertThat(stdin.err()).startsWith("rnnlab complete: the prompt is empty");
        Run newline = complete("--prompt", "\n", "--greedy", "--length", "8");
        assertThat(newline.code()).isZero();
        assertThat(newline.out()).startsWith("\n").hasSize(1 + 8 + 1);
        Run skipped = complete("--prompt", "ABC", "--unknown", "skip");
        assertThat(skipped.code()).isEqualTo(2);
        assertThat(skipped.err()).contains("every character of the prompt was skipped");
    }
}
