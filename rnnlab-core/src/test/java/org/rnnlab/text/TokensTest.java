package org.rnnlab.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {
    @TempDir
    Path dir;

    /** A text of n characters drawn from the first {@code distinct} of a range of code points from {@code first}. */
    private static String text(int n, int first, int distinct, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int cp = first; cp < first + distinct; cp++) sb.appendCodePoint(cp); // every one present
        while (sb.codePointCount(0, sb.length()) < n) sb.appendCodePoint(first + r.nextInt(distinct));
        return sb.toString();
    }

    @Test
    void aTokenFileHoldsTheSameIdsAsMemoryInTheFewestBytesAndLeavesNoFileBehind() throws IOException {
        // 1, 2 and 4 bytes an id: up to 256 characters, up to 65,536, and more (above the BMP too).
        int[][] cases = {{40, 'a' - 10}, {300, 0x4E00}, {70_000, 0x20000}};
        for (int[] c : cases) {
            String s = text(80_000, c[1], c[0], c[0]);
            Corpus corpus = new Corpus("t", s, List.of());
            Vocabulary v = corpus.vocabulary();
            int[] expected = v.encode(s);
            Path tmp = Files.createDirectories(dir.resolve("tmp" + c[0]));
            Tokens heap = Tokens.encode(corpus, v, Long.MAX_VALUE, tmp, 30);
            // A chunk of 64 bytes: every id width meets many chunk boundaries.
            Tokens file = Tokens.encode(corpus, v, 0, tmp, 6);
            assertThat(heap.mapped()).isFalse();
            assertThat(file.mapped()).isTrue();
            int width = c[0] <= 256 ? 1 : c[0] <= 65_536 ? 2 : 4;
            assertThat(file.width()).isEqualTo(width);
            assertThat(heap.toArray()).isEqualTo(expected);
            assertThat(file.toArray()).isEqualTo(expected);
            try (var left = Files.list(tmp)) {
                assertThat(left).as("the token file is deleted once open").isEmpty();
            }
            // Reads that cross chunks, and slices of slices.
            int[] got = new int[1000];
            file.read(12_345, got, 0, 1000);
            assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(expected, 12_345, 13_345));
            Tokens slice = file.slice(100, 70_100).slice(7, 50_007);
            assertThat(slice.length()).isEqualTo(50_000);
            assertThat(slice.get(0)).isEqualTo(expected[107]);
            assertThat(slice.get(49_999)).isEqualTo(expected[50_106]);
            assertThatThrownBy(() -> slice.get(50_000)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void charactersTheVocabularyLacksAreNamedBeforeAnythingIsWritten() {
        Corpus corpus = new Corpus("t", "abcxyzx", List.of());
        assertThatThrownBy(() -> Tokens.encode(corpus, Vocabulary.literal("abc"), 0, dir, 30))
                .isInstanceOf(Vocabulary.UnknownCharactersException.class)
                .hasMessage("characters 'x', 'y', 'z' not in the model's vocabulary of 3: \"abc\"");
    }

    @Test
    void aTokenFileThatCannotBeWrittenSaysWhereAndHowBig() throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("file"), "x");
        Corpus corpus = new Corpus("t", "abcabc", List.of());
        assertThatThrownBy(() -> Tokens.encode(corpus, corpus.vocabulary(), 0, notAFolder, 30))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot write the token file of t (6 bytes) in " + notAFolder + ": ")
                .hasMessageEndingWith("; free space there or point TMPDIR (java.io.tmpdir) at a disk with room");
    }

    @Test
    void aLargeFileIsReadAgainNotKeptAndAChangeBetweenTheReadingsIsCaught() throws IOException {
        // Past Corpus.KEEP_BYTES: the corpus keeps counts, not the text.
        byte[] line = "the cat sat on the mat, olé\n".getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("big.txt");
        long target = Corpus.KEEP_BYTES + 1000;
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(f))) {
            for (long w = 0; w < target; w += line.length) out.write(line);
        }
        Corpus corpus = Corpus.fromFile(f);
        long lines = (target + line.length - 1) / line.length;
        assertThat(corpus.length()).isEqualTo(lines * 28);
        Vocabulary v = corpus.vocabulary();
        assertThat(v.asString()).isEqualTo("\n ,acehlmnostéó".replace("ó", ""));
        Tokens t = Tokens.encode(corpus, v, 0, dir, 30);
        assertThat(t.length()).isEqualTo(corpus.length());
        int[] first = new int[28];
        t.read(28 * (lines - 1), first, 0, 28);
        assertThat(v.decode(first)).isEqualTo("the cat sat on the mat, olé\n");

        Files.write(f, "!".getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> Tokens.encode(corpus, v, 0, dir, 30)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(f + " changed while it was being read (it now has '!'): leave its files alone while a "
                        + "run starts");
    }
}
