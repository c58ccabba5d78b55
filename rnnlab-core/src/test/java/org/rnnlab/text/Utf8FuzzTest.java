package org.rnnlab.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rnnlab.testing.Fuzzing;

/**
 * Fuzzes the corpus decoder against the JDK's strict UTF-8 decoder (REPORT on malformed input), a differential
 * oracle: on bytes the JDK decodes, {@link Utf8#decode} returns the same text; on bytes it refuses, rnnlab's one-line
 * error names the byte offset where the JDK stopped, and the line of that byte counted on the JDK's text before it.
 * Seeds: {@code Utf8FuzzTestInputs/decodeAgreesWithTheJdk/}. Fuzzing: {@code mvn test -Pfuzz} (docs/reliability.md).
 */
class Utf8FuzzTest {
    private static final String SOURCE = "corpus.txt";
    private static final Pattern WHERE = Pattern.compile(
            "^corpus\\.txt: invalid UTF-8 at byte (\\d+) \\(line (\\d+)\\): .+; re-encode the file as UTF-8$");

    @FuzzTest(maxDuration = "30s")
    void decodeAgreesWithTheJdk(byte[] bytes) {
        CharsetDecoder jdk = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never makes more UTF-16 units than bytes
        CoderResult r = jdk.decode(in, out, true);
        if (!r.isError()) r = jdk.flush(out);
        String expected = r.isError() ? null : out.flip().toString();
        int jdkStop = in.position(); // on an error: the first byte of the ill-formed sequence

        // The builder and the string (2 bytes a UTF-16 unit at most): a few times the input, never more.
        Fuzzing.Outcome<String> decoded = Fuzzing.run(8L * bytes.length, "decoding " + bytes.length + " bytes",
                () -> Utf8.decode(bytes, SOURCE));
        if (decoded.error() != null) {
            String m = Fuzzing.checkError(decoded.error(), SOURCE + ": invalid UTF-8 at byte ",
                    Set.of(IllegalArgumentException.class));
            assertThat(expected).as("rnnlab refused what the JDK decodes: %s", m).isNull();
            Matcher where = WHERE.matcher(m);
            assertThat(where.matches()).as("the message's form: %s", m).isTrue();
            assertThat(Integer.parseInt(where.group(1))).as("the byte offset of %s", m).isEqualTo(jdkStop);
            String before = out.flip().toString(); // what the JDK decoded before the bad byte
            long breaks = before.replace("\r\n", "\n").chars().filter(c -> c == '\n' || c == '\r').count();
            assertThat(Long.parseLong(where.group(2))).as("the line of %s", m).isEqualTo(breaks + 1);
            return;
        }
        assertThat(expected).as("rnnlab decoded what the JDK refuses").isNotNull();
        assertThat(decoded.value()).isEqualTo(expected);
    }
}
