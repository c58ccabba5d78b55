package org.rnnlab.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
    @TempDir
    Path dir;

    private Path write(String relative, String text) throws IOException {
        return write(relative, text.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String relative, byte[] bytes) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.write(p, bytes);
    }

    @Test
    void labIsTheNotebooksText() {
        Corpus c = Corpus.lab();
        assertThat(c.text()).isEqualTo(LabCorpus.TEXT);
        assertThat(c.files()).isEmpty();
        assertThat(c.summary()).isEqualTo("lab: 339 characters");
    }

    @Test
    void readsAFileDroppingTheBomAndNormalisingLineBreaks() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "a\r\nb\rc\n😀\uFEFF".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(body, 0, all, 3, body.length);
        Path f = write("x.txt", all);
        Corpus c = Corpus.fromPath(f);
        // Only the leading BOM goes; a U+FEFF inside the text is a character like any other.
        assertThat(c.text()).isEqualTo("a\nb\nc\n😀\uFEFF");
        assertThat(c.length()).isEqualTo(8);
        assertThat(c.name()).isEqualTo(f.toString());
        assertThat(c.files()).containsExactly(f);
        assertThat(c.summary()).isEqualTo(f + ": 8 characters");
    }

    @Test
    void invalidUtf8NamesTheFileOffsetAndLine() throws IOException {
        Path f = write("data/x.txt", "line one\r\nline two \u00FF".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Corpus.fromPath(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(f + ": invalid UTF-8 at byte 19 (line 2): byte 0xFF cannot start a character; "
                        + "re-encode the file as UTF-8");
    }

    @Test
    void readsAFolderInSortedOrderSkippingHiddenFiles() throws IOException {
        Path b = write("b.txt", "B\r\n");
        Path a2 = write("a/2.txt", "A2");
        Path a10 = write("a/10.txt", "A10");
        Path dotted = write("a.b.txt", "AB");
        write(".hidden.txt", "no");
        write(".git/config", "no");
        write("a/.swp", "no");
        Path emoji = write("😀.txt", "E");
        Path ee = write("\uE000.txt", "P");
        Corpus c = Corpus.fromPath(dir);
        // "a.b.txt" < "a/10.txt" < "a/2.txt" < "b.txt" < U+E000 < U+1F600 (String.compareTo would put the
        // emoji, a surrogate pair, before U+E000).
        assertThat(c.files()).containsExactly(dotted, a10, a2, b, ee, emoji);
        assertThat(c.text()).isEqualTo("AB\nA10\nA2\nB\n\nP\nE");
        assertThat(c.name()).isEqualTo(dir.toString());
        assertThat(c.summary()).isEqualTo(dir + " (6 files: " + dotted + ", " + a10 + ", " + a2 + ", " + b + ", "
                + ee + ", " + emoji + "): 16 characters");
    }

    @Test
    void summaryListsTenFilesAndCountsTheRest() throws IOException {
        for (int i = 0; i < 12; i++) write(String.format("f%02d.txt", i), "ab");
        String s = Corpus.fromFolder(dir).summary();
        assertThat(s).startsWith(dir + " (12 files: " + dir.resolve("f00.txt") + ", ")
                .endsWith(dir.resolve("f09.txt") + ", and 2 more): 35 characters");
    }

    @Test
    void aBadFileInAFolderIsNamed() throws IOException {
        write("a.txt", "fine");
        Path bad = write("sub/b.txt", new byte[] {'o', 'k', '\n', (byte) 0x80});
        assertThatThrownBy(() -> Corpus.fromPath(dir))
                .hasMessage(bad + ": invalid UTF-8 at byte 3 (line 2): byte 0x80 cannot start a character; "
                        + "re-encode the file as UTF-8");
    }

    @Test
    void tooShortOrMissingInputIsAClearError() throws IOException {
        Path one = write("one.txt", "x");
        assertThatThrownBy(() -> Corpus.fromPath(one)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("corpus " + one + " has 1 character; a language model needs at least 2");
        Path empty = write("empty.txt", "\uFEFF");
        assertThatThrownBy(() -> Corpus.fromPath(empty))
                .hasMessage("corpus " + empty + " has 0 characters; a language model needs at least 2");
        // One code point, two UTF-16 units: still one character.
        assertThatThrownBy(() -> new Corpus("emoji", "😀", List.of()))
                .hasMessage("corpus emoji has 1 character; a language model needs at least 2");

        Path missing = dir.resolve("nope.txt");
        assertThatThrownBy(() -> Corpus.fromPath(missing)).isInstanceOf(NoSuchFileException.class)
                .hasMessage(missing + ": no such file or folder");
        assertThatThrownBy(() -> Corpus.fromFolder(missing)).isInstanceOf(NoSuchFileException.class)
                .hasMessage(missing + ": no such folder");

        Path hiddenOnly = dir.resolve("hiddenonly");
        Files.createDirectories(hiddenOnly.resolve(".git"));
        Files.writeString(hiddenOnly.resolve(".notes"), "x");
        assertThatThrownBy(() -> Corpus.fromPath(hiddenOnly)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("folder " + hiddenOnly + " has no files to read "
                        + "(files and folders whose names start with '.' are skipped)");
    }

    @Test
    void codePointOrderDiffersFromUtf16OrderOnlyAboveTheBmp() {
        assertThat(Corpus.compareCodePoints("\uE000", "😀")).isNegative();
        assertThat("\uE000".compareTo("😀")).isPositive();
        assertThat(Corpus.compareCodePoints("a", "ab")).isNegative();
        assertThat(Corpus.compareCodePoints("ab", "ab")).isZero();
        assertThat(Corpus.compareCodePoints("b", "ab")).isPositive();
    }

    @Test
    void aFolderOfSymbolicLinksReadsTheirTextsSkipsLoopsAndNamesABrokenOne() throws IOException {
        Path texts = Files.createDirectories(dir.resolve("texts"));
        Files.writeString(texts.resolve("a.txt"), "first");
        Files.writeString(texts.resolve("b.txt"), "second");
        Path links = Files.createDirectories(dir.resolve("links"));
        Files.createSymbolicLink(links.resolve("1.txt"), texts.resolve("a.txt"));
        Files.createSymbolicLink(links.resolve("2.txt"), texts.resolve("b.txt"));
        Files.createSymbolicLink(links.resolve("loop"), links); // a link back into the folder being read
        Corpus c = Corpus.fromFolder(links);
        assertThat(c.text()).isEqualTo("first\nsecond");
        assertThat(c.files()).containsExactly(links.resolve("1.txt"), links.resolve("2.txt"));

        Files.createSymbolicLink(links.resolve("3.txt"), dir.resolve("gone.txt"));
        assertThatThrownBy(() -> Corpus.fromFolder(links)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(links.resolve("3.txt") + " is a link to nothing (it points to " + dir.resolve("gone.txt")
                        + ", which is not there): remove it, or point it at a text");
    }

    @Test
    void aPipeOrADeviceIsRefusedBeforeItIsOpened() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0, "mkfifo is not available");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Corpus.fromPath(fifo)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(fifo + " is not a regular file (a pipe, a device or a socket, which may never end): save "
                        + "the text to a file and give that");
        assertThat(System.nanoTime() - t0).as("no wait for a writer").isLessThan(5_000_000_000L);
        assertThatThrownBy(() -> Corpus.fromPath(Path.of("/dev/zero"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("/dev/zero is not a regular file");
    }
}
