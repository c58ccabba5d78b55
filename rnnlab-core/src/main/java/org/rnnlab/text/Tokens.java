package org.rnnlab.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A text as token ids (vocabulary indices), read by position: what training and evaluation take their batches from.
 * Each id is stored in the fewest bytes the vocabulary needs (1 byte up to 256 characters, 2 up to 65,536, else 4),
 * little-endian, in memory for a text of up to {@link #IN_MEMORY_BYTES}, and otherwise in a temporary token file,
 * memory-mapped, as nanoGPT prepares its {@code train.bin}: the heap holds none of it, and the operating system
 * keeps in memory the pages in use. The file is deleted as soon as it is open (on Linux and macOS its space stays
 * until the process ends), so nothing is left behind however the process ends. It goes in {@code java.io.tmpdir}
 * ({@code bin/rnnlab} sets it from {@code $TMPDIR}).
 *
 * <p>A slice is a view, not a copy: the training, validation and test parts of a corpus share one store. Immutable
 * and safe to read from several threads.
 */
public final class Tokens {
    /** Texts whose ids take more bytes than this go to a memory-mapped file. */
    public static final long IN_MEMORY_BYTES = 64L << 20;

    private static final int CHUNK_SHIFT = 30; // each mapped chunk is 1 GiB, a multiple of every id width
    private static final int BLOCK = 1 << 20;

    private final ByteBuffer[] chunks;
    private final int chunkShift; // log2 of the bytes in each chunk but the last
    private final int width;
    private final long from;
    private final long length;
    private final boolean mapped;

    private Tokens(ByteBuffer[] chunks, int chunkShift, int width, long from, long length, boolean mapped) {
        this.chunks = chunks;
        this.chunkShift = chunkShift;
        this.width = width;
        this.from = from;
        this.length = length;
        this.mapped = mapped;
    }

    /** Ids already in memory (tests, small texts, a prompt). */
    public static Tokens of(int[] ids) {
        if (ids.length > Integer.MAX_VALUE / 4) throw new IllegalArgumentException(ids.length + " ids are too many for memory");
        ByteBuffer b = ByteBuffer.allocate(4 * ids.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(ids);
        return new Tokens(new ByteBuffer[] {b}, CHUNK_SHIFT, 4, 0, ids.length, false);
    }

    /**
     * The corpus's characters as ids of {@code vocabulary}, read once, block by block.
     *
     * @throws org.rnnlab.text.Vocabulary.UnknownCharactersException when the corpus has characters the vocabulary
     *     lacks (all of them named)
     * @throws IllegalArgumentException when a file of the corpus changed while it was being read
     * @throws IOException when the corpus cannot be read or the token file cannot be written (the message says
     *     where and how much room it needs)
     */
    public static Tokens encode(Corpus corpus, Vocabulary vocabulary) throws IOException {
        return encode(corpus, vocabulary, IN_MEMORY_BYTES, Path.of(System.getProperty("java.io.tmpdir")), CHUNK_SHIFT);
    }

    /** With the limits as parameters, so that tests reach the token file and chunk boundaries with small texts. */
    static Tokens encode(Corpus corpus, Vocabulary vocabulary, long inMemoryBytes, Path tmp, int chunkShift)
            throws IOException {
        List<Integer> unknown = corpus.unknown(vocabulary);
        if (!unknown.isEmpty()) throw new Vocabulary.UnknownCharactersException(unknown, vocabulary);
        int width = vocabulary.size() <= 1 << 8 ? 1 : vocabulary.size() <= 1 << 16 ? 2 : 4;
        long n = corpus.length();
        long bytes = n * width;
        Writer w = new Writer(vocabulary, width, corpus.name());
        if (bytes <= inMemoryBytes) {
            ByteBuffer all = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            w.sink = all::put;
            corpus.read(w);
            w.flush();
            checkSame(corpus, w.count);
            return new Tokens(new ByteBuffer[] {all.clear()}, CHUNK_SHIFT, width, 0, n, false);
        }
        Path file;
        try {
            Files.createDirectories(tmp);
            file = Files.createTempFile(tmp, "rnnlab-tokens-", ".bin");
        } catch (IOException e) {
            throw cannotWrite(corpus, bytes, tmp, e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.DELETE_ON_CLOSE)) {
            try {
                Files.delete(file); // the open channel and the mappings keep the data; no name is left to clean up
            } catch (IOException e) {
                // a system that cannot delete an open file: DELETE_ON_CLOSE removes it when the channel closes
            }
            w.sink = b -> {
                while (b.hasRemaining()) ch.write(b);
            };
            try {
                corpus.read(w); // a read error comes out as itself, a write error wrapped by the writer
                w.flush();
            } catch (java.io.UncheckedIOException e) {
                throw cannotWrite(corpus, bytes, tmp, e.getCause());
            }
            checkSame(corpus, w.count);
            int count = (int) ((bytes - 1 >>> chunkShift) + 1);
            ByteBuffer[] chunks = new ByteBuffer[count];
            for (int c = 0; c < count; c++) {
                long start = (long) c << chunkShift;
                chunks[c] = ch.map(FileChannel.MapMode.READ_ONLY, start, Math.min(1L << chunkShift, bytes - start))
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            return new Tokens(chunks, chunkShift, width, 0, n, true);
        }
    }

    private static IOException cannotWrite(Corpus corpus, long bytes, Path tmp, IOException e) {
        return new IOException("cannot write the token file of " + corpus.name() + " (" + bytes + " bytes) in " + tmp
                + ": " + e.getMessage() + "; free space there or point TMPDIR (java.io.tmpdir) at a disk with room", e);
    }

    private static void checkSame(Corpus corpus, long count) {
        if (count != corpus.length()) {
            throw new IllegalArgumentException(corpus.name() + " changed while it was being read (" + corpus.length()
                    + " characters, then " + count + "): leave its files alone while a run starts");
        }
    }

    /** Turns code points into ids, a block at a time. */
    private static final class Writer implements IntConsumer {
        interface Sink {
            void write(ByteBuffer block) throws IOException;
        }

        private final int[] index; // code point -> id, or -1
        private final int width;
        private final String name;
        private final ByteBuffer block = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
        Sink sink;
        long count;

        Writer(Vocabulary v, int width, String name) {
            int max = 0;
            for (int i = 0; i < v.size(); i++) max = Math.max(max, v.codePoint(i));
            index = new int[max + 1];
            java.util.Arrays.fill(index, -1);
            for (int i = 0; i < v.size(); i++) index[v.codePoint(i)] = i;
            this.width = width;
            this.name = name;
        }

        @Override
        public void accept(int cp) {
            int id = cp < index.length ? index[cp] : -1;
            if (id < 0) { // the census had it not: the file changed since
                throw new IllegalArgumentException(name + " changed while it was being read (it now has "
                        + Vocabulary.describe(cp) + "): leave its files alone while a run starts");
            }
            if (block.remaining() < width) flush();
            switch (width) {
                case 1 -> block.put((byte) id);
                case 2 -> block.putShort((short) id);
                default -> block.putInt(id);
            }
            count++;
        }

        /** Writes the block; a failed write comes out as an UncheckedIOException, to tell it from a failed read. */
        void flush() {
            block.flip();
            try {
                sink.write(block);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (java.nio.BufferOverflowException e) { // in memory: more characters than the census counted
                throw new IllegalArgumentException(name + " changed while it was being read (it grew): leave its "
                        + "files alone while a run starts");
            }
            block.clear();
        }
    }

    /** How many ids. */
    public long length() {
        return length;
    }

    /** Whether the ids are in a memory-mapped file rather than on the heap. */
    public boolean mapped() {
        return mapped;
    }

    /** Bytes per id: 1, 2 or 4. */
    public int width() {
        return width;
    }

    /** The id at position {@code i}. */
    public int get(long i) {
        if (i < 0 || i >= length) throw new IndexOutOfBoundsException("token " + i + " of " + length);
        long at = (from + i) * width;
        ByteBuffer c = chunks[(int) (at >>> chunkShift)];
        int p = (int) (at & (1L << chunkShift) - 1);
        return switch (width) {
            case 1 -> c.get(p) & 0xFF;
            case 2 -> c.getShort(p) & 0xFFFF;
            default -> c.getInt(p);
        };
    }

    /** Copies {@code n} ids from position {@code start} into {@code dst[off, off + n)}. */
    public void read(long start, int[] dst, int off, int n) {
        if (start < 0 || n < 0 || start + n > length) {
            throw new IndexOutOfBoundsException("tokens " + start + " to " + (start + n) + " of " + length);
        }
        for (int k = 0; k < n; k++) dst[off + k] = get(start + k);
    }

    /** The ids from {@code start} (inclusive) to {@code end} (exclusive), sharing this store. */
    public Tokens slice(long start, long end) {
        if (start < 0 || end < start || end > length) {
            throw new IndexOutOfBoundsException("slice " + start + " to " + end + " of " + length);
        }
        return new Tokens(chunks, chunkShift, width, from + start, end - start, mapped);
    }

    /** All the ids as an array (a text of at most 2^31 - 1 tokens). */
    public int[] toArray() {
        if (length > Integer.MAX_VALUE - 8) throw new IllegalStateException(length + " tokens do not fit an array");
        int[] out = new int[(int) length];
        read(0, out, 0, out.length);
        return out;
    }
}
