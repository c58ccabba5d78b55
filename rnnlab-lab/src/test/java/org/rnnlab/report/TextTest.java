package org.rnnlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Escaping, visible glyphs and number formats: the small pieces every chart and table relies on. */
class TextTest {
    @Test
    void theFiveSpecialCharactersAreEscaped() {
        assertThat(Xml.escape("<&\"'>")).isEqualTo("&lt;&amp;&quot;&#39;&gt;");
        assertThat(Xml.escape("a < b && c")).isEqualTo("a &lt; b &amp;&amp; c");
    }

    @Test
    void whatXmlForbidsIsRepairedVisiblyAndUnicodeIsKept() {
        assertThat(Xml.escape("bell\u0007")).isEqualTo("bell\u2407"); // ␇, not silently dropped
        assertThat(Xml.escape("x\uD800y")).isEqualTo("x\uFFFDy"); // a lone surrogate
        assertThat(Xml.escape("\uDC00")).isEqualTo("\uFFFD");
        assertThat(Xml.escape("\uFFFE")).isEqualTo("\uFFFD");
        assertThat(Xml.escape("tab\tnl\n")).isEqualTo("tab\tnl\n");
        StringBuilder attribute = new StringBuilder();
        Xml.escapeAttributeTo(attribute, "tab\tnl\n");
        assertThat(attribute).hasToString("tab&#9;nl&#10;"); // attribute normalisation would make them spaces
        assertThat(Xml.escape("cr\r")).isEqualTo("cr&#13;"); // survives parsers that fold raw CRs into newlines
        assertThat(Xml.escape("🌞 ü 漢")).isEqualTo("🌞 ü 漢");
    }

    @Test
    void invisibleCharactersGetVisibleStandIns() {
        assertThat(Glyphs.visible("a b\n\tc\r\u0000\u007F\u00A0")).isEqualTo("a␣b⏎⇥c␍␀␡⍽");
        assertThat(Glyphs.visible("🌞")).isEqualTo("🌞");
        assertThat(Glyphs.isSubstituted("\n")).isTrue();
        assertThat(Glyphs.isSubstituted("x")).isFalse();
        assertThat(Glyphs.describe("\n")).isEqualTo("newline");
        assertThat(Glyphs.describe(" ")).isEqualTo("space");
        assertThat(Glyphs.describe("a")).isEqualTo("'a'");
        assertThat(Glyphs.describe("\u0007")).isEqualTo("U+0007");
        assertThat(Glyphs.describe("\u2003")).isEqualTo("U+2003"); // an em space is whitespace: named by code
        assertThat(Glyphs.describe("🌞")).isEqualTo("'🌞'");
    }

    @Test
    void numbersAreFormattedForTheirPlace() {
        assertThat(Num.coord(12.3456)).isEqualTo("12.35");
        assertThat(Num.coord(-0.004)).isEqualTo("0");
        assertThat(Num.coord(-3.1)).isEqualTo("-3.1");
        assertThat(Num.coord(7.05)).isEqualTo("7.05");
        assertThat(Num.value(1.23456)).isEqualTo("1.235");
        assertThat(Num.value(1.2e-7)).isEqualTo("1.2e-7");
        assertThat(Num.value(-2.5e9)).isEqualTo("\u22122.5e9");
        assertThat(Num.precise(0.42131999135017395)).isEqualTo("0.42132");
        assertThat(Num.fixed(132_225, 0)).isEqualTo("132,225");
        assertThat(Num.fixed(1234.5, 1)).isEqualTo("1234.5"); // grouping only from 10,000: short numbers stay short
        assertThat(Num.fixed(-0.0001, 2)).isEqualTo("0.00");
        assertThat(Num.fixed(Double.NaN, 2)).isEqualTo("—");
        assertThat(Num.percent(0.41213)).isEqualTo("41.2%");
        assertThat(Num.percent(0.0037)).isEqualTo("0.37%");
        assertThat(Num.percent(1e-7)).isEqualTo("<0.01%");
        assertThat(Num.powerOfTen(-12)).isEqualTo("10⁻¹²");
    }

    @Test
    void decimalsByIntegerArithmeticMatchTheFormatterWithoutGrouping() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int i = 0; i < 2000; i++) {
            double v = r.nextDouble(-50, 50) * Math.pow(10, r.nextInt(-4, 3)); // below 10,000: fixed groups from there
            int d = r.nextInt(0, 7);
            if (v < 0 && Math.round(-v * Math.pow(10, d)) == 0) continue; // a negative zero, which decimals writes as 0
            assertThat(Num.decimals(v, d)).as("%s to %d decimals", v, d).isEqualTo(Num.fixed(v, d).replace("-", Num.MINUS));
        }
        assertThat(Num.decimals(-0.00004, 4)).isEqualTo("0.0000");
        assertThat(Num.decimals(12.5, 1)).isEqualTo("12.5");
        assertThat(Num.decimals(Double.NaN, 2)).isEqualTo(Num.fixed(Double.NaN, 2));
    }
}
