package org.rnnlab.text;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.IntConsumer;

/**
 * Strict UTF-8 decoding: bytes to a Java string, or an error that names the file, the byte offset, the line and
 * what is wrong with the bytes there. Nothing is ever replaced by U+FFFD: a character model trained on a mis-encoded
 * file would learn the replacement character instead of the text, silently.
 *
 * <p>Does not drop a byte-order mark and does not touch line breaks: what the bytes encode comes back unchanged
 * ({@link Corpus} decides about BOMs and CRLF; WikiText needs the exact characters Python sees).
 */
public final class Utf8 {
    private Utf8() {}

    /**
     * Decodes {@code bytes}, which came from {@code source} (a file name, shown in errors). Rejects everything the
     * Unicode standard calls ill-formed: stray continuation bytes, bytes 0xC0, 0xC1 and 0xF5–0xFF, truncated
     * sequences, overlong forms, surrogates and values above U+10FFFF.
     *
     * @throws IllegalArgumentException one line, e.g. {@code data/x.txt: invalid UTF-8 at byte 1234 (line 17): byte
     *     0xFF cannot start a character; re-encode the file as UTF-8}; the byte offset counts from 0, as {@code xxd}
     *     shows it, and the offset is that of the character's first byte
     */
    public static String decode(byte[] bytes, String source) {
        StringBuilder out = new StringBuilder(bytes.length);
        Decoder d = new Decoder(source, out::appendCodePoint);
        d.decode(bytes, bytes.length, true);
        return out.toString();
    }

    /**
     * Decodes a stream of any length block by block, giving each code point to {@code out}, with the same checks and
     * messages as {@link #decode(byte[], String)} (byte offsets and lines count from the start of the stream). Holds
     * only a 64 KiB buffer: this is how a corpus larger than memory is read.
     *
     * @return the number of bytes read
     */
    public static long decode(InputStream in, String source, IntConsumer out) throws IOException {
        Decoder d = new Decoder(source, out);
        byte[] buffer = new byte[1 << 16];
        int have = 0; // bytes of an unfinished character carried over from the previous block
        for (int r; (r = in.read(buffer, have, buffer.length - have)) >= 0; ) {
            have += r;
            int used = d.decode(buffer, have, false);
            System.arraycopy(buffer, used, buffer, 0, have - used);
            have -= used;
        }
        d.decode(buffer, have, true);
        return d.base + have;
    }

    /** The decoding loop, over blocks; it counts bytes and lines as it goes so that errors can say where. */
    private static final class Decoder {
        private final String source;
        private final IntConsumer out;
        private long base; // stream offset of the block's first byte
        private long lines = 1; // the line of the next byte: LF, CRLF and a lone CR end a line, as in line()
        private boolean afterCr;

        Decoder(String source, IntConsumer out) {
            this.source = source;
            this.out = out;
        }

        /**
         * Decodes {@code bytes[0, n)} and returns how many bytes it used: all of them when {@code end}, otherwise
         * up to the start of a character the block cuts off, which the caller passes again with the next block.
         */
        int decode(byte[] bytes, int n, boolean end) {
            int i = 0;
            while (i < n) {
                int b0 = bytes[i] & 0xFF;
                if (b0 < 0x80) {
                    if (b0 == '\r' || b0 == '\n' && !afterCr) lines++;
                    afterCr = b0 == '\r';
                    out.accept(b0);
                    i++;
                    continue;
                }
                afterCr = false;
                int length;
                int cp;
                if (b0 >= 0xC2 && b0 <= 0xDF) {
                    length = 2;
                    cp = b0 & 0x1F;
                } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                    length = 3;
                    cp = b0 & 0x0F;
                } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                    length = 4;
                    cp = b0 & 0x07;
                } else {
                    throw invalid(i, String.format("byte 0x%02X cannot start a character", b0));
                }
                if (i + length > n && !end) break; // the rest of this character comes in the next block
                for (int k = 1; k < length; k++) {
                    if (i + k >= n) {
                        throw invalid(i, String.format(
                                "byte 0x%02X starts a %d-byte character but the file ends after %d of them",
                                b0, length, k));
                    }
                    int b = bytes[i + k] & 0xFF;
                    if ((b & 0xC0) != 0x80) {
                        throw invalid(i, String.format(
                                "byte 0x%02X starts a %d-byte character but byte %d of it is 0x%02X, "
                                        + "not a continuation byte 0x80-0xBF", b0, length, k + 1, b));
                    }
                    cp = cp << 6 | b & 0x3F;
                }
                if (length == 3 && cp < 0x800 || length == 4 && cp < 0x10000) {
                    throw invalid(i, hex(bytes, i, length) + String.format(" are an overlong encoding of U+%04X", cp));
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    throw invalid(i, hex(bytes, i, length)
                            + String.format(" encode the surrogate U+%04X, which UTF-8 does not allow", cp));
                }
                if (cp > 0x10FFFF) {
                    throw invalid(i, hex(bytes, i, length)
                            + String.format(" encode 0x%X, above the last code point U+10FFFF", cp));
                }
                out.accept(cp);
                i += length;
            }
            base += i;
            return i;
        }

        private IllegalArgumentException invalid(int offset, String what) {
            return new IllegalArgumentException(source + ": invalid UTF-8 at byte " + (base + offset) + " (line "
                    + lines + "): " + what + "; re-encode the file as UTF-8");
        }
    }

    /** The 1-based line of a byte offset; a line ends at LF, CRLF or a lone CR, as {@link Corpus} reads lines. */
    static int line(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n')) line++;
        }
        return line;
    }

    private static String hex(byte[] bytes, int from, int length) {
        StringBuilder sb = new StringBuilder("bytes");
        for (int i = from; i < from + length; i++) sb.append(String.format(" 0x%02X", bytes[i] & 0xFF));
        return sb.toString();
    }
}
