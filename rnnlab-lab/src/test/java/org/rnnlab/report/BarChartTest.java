package org.rnnlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class BarChartTest {
    private static final List<String> CHARS = List.of("a", "\n", " ", "<", "&", "z");
    private static final double[] P = {0.1, 0.3, 0.4, 0.05, 0.1, 0.05};

    /** Bar rows: the groups that carry a tooltip. */
    private static List<Element> rows(Document doc) {
        return Dom.svg(doc, "g").stream().filter(g -> !Dom.tooltip(g).isEmpty()).toList();
    }

    @Test
    void barsAreSortedLargestFirstWithVisibleLabels() {
        BarChart chart = BarChart.probabilities("Next character", CHARS, P, 6);
        assertThat(chart.bars()).extracting(BarChart.Bar::label).containsExactly(" ", "\n", "a", "&", "<", "z");
        Document doc = XmlCheck.parse(chart.toSvg());
        List<Element> rows = rows(doc);
        assertThat(rows).hasSize(6);
        assertThat(rows).extracting(r -> Dom.ownText(Dom.svg(r, "text").get(0))).containsExactly("␣", "⏎", "a", "&", "<", "z");
        assertThat(rows).extracting(r -> Dom.ownText(Dom.svg(r, "text").get(1)))
                .containsExactly("40.0%", "30.0%", "10.0%", "10.0%", "5.0%", "5.0%");
        assertThat(Dom.tooltip(rows.get(1))).isEqualTo("newline: 30.0% (p = 0.3)");
        assertThat(rows).extracting(r -> Dom.svg(r, "text").get(0).getAttribute("class"))
                .containsExactly("rl-glyph", "rl-glyph", "", "", "", "");
        double w0 = Double.parseDouble(Dom.svg(rows.get(0), "rect").get(1).getAttribute("width"));
        double w1 = Double.parseDouble(Dom.svg(rows.get(1), "rect").get(1).getAttribute("width"));
        assertThat(w1 / w0).isCloseTo(0.75, org.assertj.core.api.Assertions.within(0.01));
    }

    @Test
    void topKSumsUpTheRestInANote() {
        BarChart chart = BarChart.probabilities("", CHARS, P, 3);
        assertThat(chart.bars()).hasSize(3);
        assertThat(chart.note()).isEqualTo("+ 3 more characters: 20.0% together");
        assertThat(BarChart.probabilities("", CHARS, P, 5).note()).isEqualTo("+ 1 more character: 5.0% together");
        assertThat(BarChart.probabilities("", CHARS, P, 6).note()).isEmpty();
    }

    @Test
    void theHighlightedBarStandsOut() {
        Document doc = XmlCheck.parse(BarChart.probabilities("", CHARS, P, 6).withHighlight("a").toSvg());
        List<Element> rows = rows(doc);
        assertThat(rows).extracting(r -> Dom.svg(r, "rect").get(1).getAttribute("class"))
                .containsExactly("rl-s0", "rl-s0", "rl-s1", "rl-s0", "rl-s0", "rl-s0");
        assertThat(Dom.svg(rows.get(2), "text").get(0).getAttribute("font-weight")).isEqualTo("700");
    }

    @Test
    void specialCharactersAreEscapedInTheMarkup() {
        String svg = BarChart.probabilities("p(x | \"<s>\")", CHARS, P, 6).toSvg();
        assertThat(svg).contains("p(x | &quot;&lt;s&gt;&quot;)", ">&lt;<", ">&amp;<");
        XmlCheck.parse(svg);
    }

    @Test
    void negativeOrMissingValuesAreRejected() {
        assertThatThrownBy(() -> new BarChart.Bar("x", -0.1, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'").hasMessageContaining("-0.1");
        assertThatThrownBy(() -> new BarChart.Bar("\n", Double.NaN, false)).hasMessageContaining("newline");
        assertThatThrownBy(() -> BarChart.probabilities("", CHARS, new double[2], 3)).hasMessageContaining("6 characters but 2");
    }
}
