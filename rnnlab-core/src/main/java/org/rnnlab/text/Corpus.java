package org.rnnlab.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * A training text and where it came from: the notebook's embedded lab lines, a UTF-8 file, a folder of them,
 * WikiText-2 (see {@link WikiText2}) or the notebook's mix of the lab lines and WikiText. Immutable; the text is
 * a sequence of Unicode code points, counted as characters the way Python counts them.
 *
 * <p>Files are read as strict UTF-8 ({@link Utf8}): invalid bytes are an error naming the file, byte and line.
 * A UTF-8 byte-order mark at the start of a file is dropped. Line breaks are normalised: CRLF and a lone CR become
 * LF, as Python's {@code open(path).read()} does by default, so the notebook and rnnlab see the same characters
 * and a model trained on a file saved on Windows does not spend a vocabulary slot and half its newlines on '\r'.
 *
 * <p>A large corpus of files is not held in memory: it is read once when made, to check it, count its characters
 * and learn which characters it has, and read again, block by block, by whatever needs its characters
 * ({@link #read}, {@link Tokens#encode}); so a corpus of any size that fits on disk can be trained on. Files of up
 * to {@link #KEEP_BYTES} in all are kept as a string from that first reading. {@link #text()} gives the whole
 * text, for the commands that work on small texts.
 *
 * <p>Does not split, tokenise or lowercase (only the WikiText sources lowercase, because the notebook does);
 * see {@link Splits} and {@link Vocabulary}.
 */
public final class Corpus {
    /** The most characters {@link #text()} gives as one string (a Java string holds at most 2^31 - 1 units). */
    public static final long MAX_TEXT = 1L << 30;

    private final String name;
    /** Files up to this many bytes in all are kept in memory once read; larger ones are read again when needed. */
    static final long KEEP_BYTES = 32L << 20;

    private final String text; // in memory, or null: read from the files each time
    private final List<Path> files;
    private final long length;
    private final int[] characters; // the distinct code points, in order of first appearance

    /**
     * A text in memory.
     *
     * @param name what the text is, for messages: {@code "lab"}, a path, {@code "wikitext-2-raw-v1 train[:10000]"}
     * @param text the characters; at least 2, since a language model learns from pairs of a character and the next
     * @param files the files it was read from, in reading order; empty for the embedded lab text
     */
    public Corpus(String name, String text, List<Path> files) {
        this.name = Objects.requireNonNull(name, "name");
        this.text = Objects.requireNonNull(text, "text");
        this.files = List.copyOf(files);
        Census census = new Census();
        text.codePoints().forEach(census);
        this.length = census.count;
        this.characters = census.distinct();
        checkLength(name, length);
    }

    private Corpus(String name, List<Path> files) throws IOException {
        this.name = name;
        this.files = List.copyOf(files);
        long bytes = 0;
        for (Path f : this.files) bytes += Files.size(f);
        Census census = new Census();
        if (bytes <= KEEP_BYTES) { // small: read once and kept, as a string
            StringBuilder sb = new StringBuilder((int) bytes);
            readFiles(this.files, cp -> {
                census.accept(cp);
                sb.appendCodePoint(cp);
            });
            this.text = sb.toString();
        } else {
            readFiles(this.files, census);
            this.text = null;
        }
        this.length = census.count;
        this.characters = census.distinct();
        checkLength(name, length);
    }

    private static void checkLength(String name, long n) {
        if (n < 2) {
            throw new IllegalArgumentException("corpus " + name + " has " + n + (n == 1 ? " character" : " characters")
                    + "; a language model needs at least 2");
        }
    }

    /** Counts the characters and notes each distinct one the first time it comes. */
    private static final class Census implements IntConsumer {
        private final BitSet seen = new BitSet();
        private int[] distinct = new int[64];
        private int size;
        long count;

        @Override
        public void accept(int cp) {
            count++;
            if (seen.get(cp)) return;
            seen.set(cp);
            if (size == distinct.length) distinct = Arrays.copyOf(distinct, 2 * size);
            distinct[size++] = cp;
        }

        int[] distinct() {
            return Arrays.copyOf(distinct, size);
        }
    }

    /** The notebook's embedded lines, {@link LabCorpus#TEXT}. */
    public static Corpus lab() {
        return new Corpus("lab", LabCorpus.TEXT, List.of());
    }

    /** A UTF-8 text file, or every file under a folder ({@link #fromFolder}). */
    public static Corpus fromPath(Path path) throws IOException {
        if (Files.isDirectory(path)) return fromFolder(path);
        return fromFile(path);
    }

    /**
     * One UTF-8 text file. A pipe, a device or a socket is refused before it is opened: opening a pipe with no writer
     * waits forever, and a device such as {@code /dev/zero} never ends.
     */
    public static Corpus fromFile(Path file) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is not a regular file (a pipe, a device or a socket, which may "
                    + "never end): save the text to a file and give that");
        }
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file or folder");
        return new Corpus(file.toString(), List.of(file));
    }

    /**
     * Every file under {@code folder}, recursively, joined by {@code "\n"} as the notebook joins its lines. Files
     * and folders whose names start with '.' are skipped ({@code .git}, {@code .DS_Store}, editor swap files).
     * The order is that of the paths relative to the folder, with '/' between names, compared code point by code
     * point: the order of {@code find . -type f | LC_ALL=C sort} and of Python's {@code sorted()}, the same on
     * every machine whatever order the file system lists them in. {@link #files} says which files were read.
     */
    public static Corpus fromFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) throw new NoSuchFileException(folder.toString(), null, "no such folder");
        List<Path> files = new ArrayList<>();
        // Symbolic links are followed (a folder of links to the texts is a folder of texts); a link that leads back
        // into a folder being walked is skipped, not walked forever.
        Files.walkFileTree(folder, java.util.EnumSet.of(java.nio.file.FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(folder) && hidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (hidden(file)) return FileVisitResult.CONTINUE;
                if (attrs.isSymbolicLink()) { // its target could not be read: a link to nothing
                    throw new IllegalArgumentException(file + " is a link to nothing (" + readLink(file) + "): remove "
                            + "it, or point it at a text");
                }
                if (attrs.isRegularFile()) files.add(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof java.nio.file.FileSystemLoopException) return FileVisitResult.CONTINUE;
                throw e;
            }
        });
        if (files.isEmpty()) {
            throw new IllegalArgumentException("folder " + folder + " has no files to read "
                    + "(files and folders whose names start with '.' are skipped)");
        }
        files.sort(Comparator.comparing(f -> relative(folder, f), Corpus::compareCodePoints));
        return new Corpus(folder.toString(), files);
    }

    private static String readLink(Path link) {
        try {
            return "it points to " + Files.readSymbolicLink(link) + ", which is not there";
        } catch (IOException e) {
            return "its target cannot be read";
        }
    }

    /**
     * The notebook's WikiText corpus, {@code "\n".join(wikitext["train"]["text"]).lower()[:n]}: the first n
     * characters of the lowercased training text, or all of it when it is shorter.
     */
    public static Corpus wikiText(WikiText2.Train train, int n) {
        return new Corpus("wikitext-2-raw-v1 train[:" + n + "]", WikiText2.lowerPrefix(train.text(), n),
                List.of(train.file()));
    }

    /**
     * The notebook's mix: the lab lines, {@code "\n"}, then the first n characters of the lowercased WikiText
     * training text, so that the small structured text and the prose share one vocabulary and one model.
     */
    public static Corpus mix(WikiText2.Train train, int n) {
        return new Corpus("lab + wikitext-2-raw-v1 train[:" + n + "]",
                LabCorpus.TEXT + "\n" + WikiText2.lowerPrefix(train.text(), n), List.of(train.file()));
    }

    /** What the text is, for messages: {@code "lab"}, a path, {@code "wikitext-2-raw-v1 train[:10000]"}. */
    public String name() {
        return name;
    }

    /** The files read, in reading order; empty for the embedded lab text. */
    public List<Path> files() {
        return files;
    }

    /** The number of characters (code points). */
    public long length() {
        return length;
    }

    /** The distinct characters, in the order they first appear. */
    public int[] characters() {
        return characters.clone();
    }

    /** {@code sorted(set(text))}: the vocabulary the notebook and char-rnn build from a text. */
    public Vocabulary vocabulary() {
        int[] sorted = characters.clone();
        Arrays.sort(sorted);
        return Vocabulary.literal(new String(sorted, 0, sorted.length));
    }

    /** The characters the vocabulary lacks, in order of first appearance (empty when it has them all). */
    public List<Integer> unknown(Vocabulary vocabulary) {
        List<Integer> out = new ArrayList<>();
        for (int cp : characters) if (!vocabulary.contains(cp)) out.add(cp);
        return out;
    }

    /**
     * The whole text as one string. A large corpus of files is read again for it, so this is for texts that fit
     * in memory; training and evaluation read any size through {@link #read} instead.
     *
     * @throws IllegalArgumentException when the text has more than {@link #MAX_TEXT} characters
     * @throws java.io.UncheckedIOException when a large corpus's files can no longer be read
     */
    public String text() {
        if (text != null) return text;
        if (length > MAX_TEXT) {
            throw new IllegalArgumentException("corpus " + name + " has " + length + " characters, more than the "
                    + MAX_TEXT + " this command holds in memory; train and eval read a text of any size");
        }
        StringBuilder sb = new StringBuilder((int) length);
        try {
            readFiles(files, sb::appendCodePoint);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return sb.toString();
    }

    /**
     * Gives every character, in order, to {@code out}: from memory, or the files read again block by block (a
     * file changed since the corpus was made is read as it is now; {@link Tokens#encode} checks it is the same).
     */
    public void read(IntConsumer out) throws IOException {
        if (text != null) {
            text.codePoints().forEach(out);
        } else {
            readFiles(files, out);
        }
    }

    /** The files' characters, each file normalised as {@link #decodeText} does, joined by "\n". */
    private static void readFiles(List<Path> files, IntConsumer out) throws IOException {
        for (int i = 0; i < files.size(); i++) {
            if (i > 0) out.accept('\n');
            Path f = files.get(i);
            if (!Files.exists(f)) throw new NoSuchFileException(f.toString(), null, "no such file or folder");
            try (InputStream in = Files.newInputStream(f)) {
                Utf8.decode(in, f.toString(), new Normaliser(out));
            }
        }
    }

    /** A leading BOM dropped, CRLF and lone CR as LF: what {@link #decodeText} does, one character at a time. */
    private static final class Normaliser implements IntConsumer {
        private final IntConsumer out;
        private boolean first = true;
        private boolean afterCr;

        Normaliser(IntConsumer out) {
            this.out = out;
        }

        @Override
        public void accept(int cp) {
            boolean skip = first && cp == 0xFEFF || afterCr && cp == '\n';
            first = false;
            afterCr = cp == '\r';
            if (!skip) out.accept(cp == '\r' ? '\n' : cp);
        }
    }

    /** One line for the user: {@code data (3 files: a.txt, b/c.txt, d.txt): 1234 characters}. */
    public String summary() {
        StringBuilder sb = new StringBuilder(name);
        if (files.size() > 1 || files.size() == 1 && !files.get(0).toString().equals(name)) {
            sb.append(" (").append(files.size()).append(files.size() == 1 ? " file: " : " files: ");
            int shown = Math.min(files.size(), 10);
            for (int i = 0; i < shown; i++) sb.append(i == 0 ? "" : ", ").append(files.get(i));
            if (shown < files.size()) sb.append(", and ").append(files.size() - shown).append(" more");
            sb.append(")");
        }
        return sb.append(": ").append(length()).append(" characters").toString();
    }

    /**
     * Bytes of a text, as a corpus file is read: strict UTF-8, a leading BOM dropped, CRLF and lone CR as LF.
     *
     * @param source names the bytes in errors (a file name, {@code "standard input"})
     */
    public static String decodeText(byte[] bytes, String source) {
        String text = Utf8.decode(bytes, source);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        return normaliseLineBreaks(text);
    }

    /** CRLF and lone CR to LF: Python's universal newlines. */
    static String normaliseLineBreaks(String text) {
        if (text.indexOf('\r') < 0) return text;
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static boolean hidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    private static String relative(Path folder, Path file) {
        return folder.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    /** Code-point order, which is also UTF-8 byte order; String.compareTo is UTF-16 order and differs above U+FFFF. */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
