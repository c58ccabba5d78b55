package org.rnnlab.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The features, character by character, on small texts where they can be read off by eye. */
class TextFeaturesTest {
    static String row(String text, String id) {
        List<TextFeatures.Feature> fs = TextFeatures.of(text.codePoints().toArray());
        double[] v = fs.get(TextFeatures.IDS.indexOf(id)).values();
        StringBuilder b = new StringBuilder();
        for (double x : v) b.append((int) x);
        return b.toString();
    }

    @Test
    void bracketsCountFromTheOpeningCharacterToTheClosingOne() {
        String t = "a(b(c)d)e)";
        assertThat(row(t, "paren_depth")).isEqualTo("0112211000"); // a stray ')' stays at 0
        assertThat(row(t, "paren")).isEqualTo("0111111000");
        assertThat(row("x[y]{z{w}}", "bracket")).isEqualTo("0110000000");
        assertThat(row("x[y]{z{w}}", "brace_depth")).isEqualTo("0000112210");
        assertThat(row("x[y]{z{w}}", "brace")).isEqualTo("0000111110");
    }

    @Test
    void stringsAndCommentsHideTheirBracketsAndQuotes() {
        String t = "f(\"(\\\"\")";                 // f("(\"")  : the string holds ( and an escaped quote
        assertThat(row(t, "quote")).isEqualTo("00111100");
        assertThat(row(t, "paren_depth")).isEqualTo("01111110");
        String c = "a // (x\"\nb";
        assertThat(row(c, "comment")).isEqualTo("0001111100");
        assertThat(row(c, "paren")).isEqualTo("0000000000");
        assertThat(row(c, "quote")).isEqualTo("0000000000");
        assertThat(row("a/*/b*/c", "comment")).isEqualTo("00111100");
        assertThat(row("c='\"';", "quote")).as("a character literal opens no string").isEqualTo("000000");
        assertThat(row("s=\"ab\ncd", "quote")).as("a string ends with its line").isEqualTo("00111000");
    }

    @Test
    void linesWordsAndIndentation() {
        String t = "ab cd\n  x_1 y\n\tz";
        assertThat(row(t, "column")).isEqualTo("012345" + "01234567" + "01");
        assertThat(row(t, "newline")).isEqualTo("000001" + "00000001" + "00");
        assertThat(row(t, "word_start")).isEqualTo("100100" + "00100010" + "01");
        assertThat(row(t, "indent")).isEqualTo("000000" + "12222222" + "44");
    }
}
