package org.rnnlab.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    @Test
    void decodesEveryLengthOfCharacterAndKeepsBomAndLineBreaks() {
        String text = "\uFEFFa\r\né€😀\n";
        assertThat(Utf8.decode(text.getBytes(StandardCharsets.UTF_8), "x")).isEqualTo(text);
        assertThat(Utf8.decode(new byte[0], "x")).isEmpty();
    }

    @Test
    void namesTheFileByteLineAndProblem() {
        byte[] b = "ab\ncd\r\nef\rg\u00FF".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> Utf8.decode(b, "data/x.txt")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data/x.txt: invalid UTF-8 at byte 11 (line 4): byte 0xFF cannot start a character; "
                        + "re-encode the file as UTF-8");
    }

    @Test
    void describesEachKindOfIllFormedSequence() {
        assertThat(error(bytes('a', 0x93))).isEqualTo("at byte 1 (line 1): byte 0x93 cannot start a character");
        assertThat(error(bytes(0xC0, 0xAF))).isEqualTo("at byte 0 (line 1): byte 0xC0 cannot start a character");
        assertThat(error(bytes('\n', 0xE2, 0x82)))
                .isEqualTo("at byte 1 (line 2): byte 0xE2 starts a 3-byte character but the file ends after 2 of them");
        assertThat(error(bytes(0xE2, 'A', 'B'))).isEqualTo("at byte 0 (line 1): byte 0xE2 starts a 3-byte "
                + "character but byte 2 of it is 0x41, not a continuation byte 0x80-0xBF");
        assertThat(error(bytes(0xE0, 0x80, 0xAF)))
                .isEqualTo("at byte 0 (line 1): bytes 0xE0 0x80 0xAF are an overlong encoding of U+002F");
        assertThat(error(bytes(0xF0, 0x8F, 0xBF, 0xBF)))
                .isEqualTo("at byte 0 (line 1): bytes 0xF0 0x8F 0xBF 0xBF are an overlong encoding of U+FFFF");
        assertThat(error(bytes(0xED, 0xA0, 0x80))).isEqualTo(
                "at byte 0 (line 1): bytes 0xED 0xA0 0x80 encode the surrogate U+D800, which UTF-8 does not allow");
        assertThat(error(bytes(0xF4, 0x90, 0x80, 0x80))).isEqualTo(
                "at byte 0 (line 1): bytes 0xF4 0x90 0x80 0x80 encode 0x110000, above the last code point U+10FFFF");
        assertThat(error(bytes(0xF5, 0x80, 0x80, 0x80)))
                .isEqualTo("at byte 0 (line 1): byte 0xF5 cannot start a character");
    }

    private static String error(byte[] b) {
        try {
            Utf8.decode(b, "f");
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            assertThat(m).startsWith("f: invalid UTF-8 ").endsWith("; re-encode the file as UTF-8");
            return m.substring("f: invalid UTF-8 ".length(), m.length() - "; re-encode the file as UTF-8".length());
        }
        throw new AssertionError("decoded without error");
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnRandomBytes() {
        // Random byte soup biased towards the interesting lead and continuation bytes, so that every branch
        // (valid, truncated, overlong, surrogate, too large) occurs many times.
        Random random = new Random(42);
        int[] pool = {0x00, 0x41, 0x0A, 0x0D, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
            0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
        int valid = 0;
        for (int trial = 0; trial < 20000; trial++) {
            byte[] b = new byte[random.nextInt(8)];
            for (int i = 0; i < b.length; i++) b[i] = (byte) pool[random.nextInt(pool.length)];
            String jdk;
            try {
                jdk = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                jdk = null;
            }
            String ours;
            try {
                ours = Utf8.decode(b, "f");
            } catch (IllegalArgumentException e) {
                ours = null;
            }
            assertThat(ours).as("bytes %s", java.util.Arrays.toString(b)).isEqualTo(jdk);
            if (ours != null) valid++;
        }
        assertThat(valid).as("the soup should contain valid sequences too").isGreaterThan(1000);
    }

    @Test
    void countsLinesAfterLfCrlfAndLoneCr() {
        byte[] b = "a\nb\r\nc\rd".getBytes(StandardCharsets.US_ASCII);
        assertThat(Utf8.line(b, 0)).isEqualTo(1);
        assertThat(Utf8.line(b, 2)).isEqualTo(2);
        assertThat(Utf8.line(b, 4)).isEqualTo(2); // between CR and LF: still line 2
        assertThat(Utf8.line(b, 5)).isEqualTo(3);
        assertThat(Utf8.line(b, 7)).isEqualTo(4);
    }

    /** Decodes through {@link Utf8#decode(java.io.InputStream, String, java.util.function.IntConsumer)}. */
    private static String streamed(byte[] b, int readSize) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        // An input stream that gives at most readSize bytes a read, so characters fall across the blocks.
        java.io.InputStream in = new java.io.ByteArrayInputStream(b) {
            @Override
            public synchronized int read(byte[] buf, int off, int len) {
                return super.read(buf, off, Math.min(len, readSize));
            }
        };
        long bytes = Utf8.decode(in, "f", sb::appendCodePoint);
        assertThat(bytes).isEqualTo(b.length);
        return sb.toString();
    }

    @Test
    void streamingDecodesAsTheWholeArrayDoesWhereverTheBlocksEnd() throws java.io.IOException {
        // Past one 64 KiB buffer, with characters of every length across every block boundary.
        StringBuilder sb = new StringBuilder();
        java.util.Random r = new java.util.Random(5);
        int[] pool = {'a', '\n', '\r', 'é', 'ñ', '€', '中', 0x1F600, 0x10FFFF};
        while (sb.length() < 200_000) sb.appendCodePoint(pool[r.nextInt(pool.length)]);
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        for (int readSize : new int[] {1, 2, 3, 7, 4096, 1 << 16, 1 << 20}) {
            assertThat(streamed(b, readSize)).as("reads of %d bytes", readSize).isEqualTo(sb.toString());
        }
    }

    @Test
    void streamingErrorsNameTheSameByteAndLineAsTheWholeArray() throws java.io.IOException {
        java.util.Random r = new java.util.Random(11);
        for (int round = 0; round < 200; round++) {
            // Valid text with line breaks of every kind past the first buffer, then one bad sequence.
            StringBuilder sb = new StringBuilder();
            int length = 65_500 + r.nextInt(100);
            while (sb.length() < length) sb.append(r.nextInt(9) == 0 ? (r.nextBoolean() ? "\r\n" : "\r") : "é");
            byte[] good = sb.toString().getBytes(StandardCharsets.UTF_8);
            byte[][] bad = {{(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, 'x'}, {(byte) 0xED, (byte) 0xA0,
                (byte) 0x80}, {(byte) 0xC3}};
            byte[] tail = bad[r.nextInt(bad.length)];
            byte[] b = java.util.Arrays.copyOf(good, good.length + tail.length);
            System.arraycopy(tail, 0, b, good.length, tail.length);
            String expected = null;
            try {
                Utf8.decode(b, "f");
            } catch (IllegalArgumentException e) {
                expected = e.getMessage();
            }
            assertThat(expected).isNotNull().contains("at byte " + good.length + " (line " + Utf8.line(b, good.length) + ")");
            int readSize = 1 + r.nextInt(70_000);
            assertThatThrownBy(() -> streamed(b, readSize)).as("reads of %d", readSize).hasMessage(expected);
        }
    }
}
