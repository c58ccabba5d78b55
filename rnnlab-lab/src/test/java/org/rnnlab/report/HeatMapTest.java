package org.rnnlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class HeatMapTest {
    private static double[][] random(int rows, int cols) {
        Random r = new Random(7);
        double[][] v = new double[rows][cols];
        for (double[] row : v) for (int c = 0; c < cols; c++) row[c] = Math.tanh(2 * r.nextGaussian());
        return v;
    }

    private static List<Element> cells(Document doc) {
        return Dom.svg(doc, "g").stream().filter(g -> Dom.hasClass(g, "rl-cells"))
                .flatMap(g -> Dom.svg(g, "rect").stream()).toList();
    }

    @Test
    void aHundredTwentyEightByFortyMapStaysReadable() {
        String prompt = "The quick brown fox\njumps over the lazy ";
        HeatMap map = HeatMap.ofPrompt("LSTM hidden state", prompt, random(128, 40));
        Document doc = XmlCheck.parse(map.toSvg());
        List<Element> cells = cells(doc);
        assertThat(cells).hasSize(128 * 40);
        double w = Double.parseDouble(cells.get(0).getAttribute("width"));
        double h = Double.parseDouble(cells.get(0).getAttribute("height"));
        assertThat(w).as("cell width").isGreaterThanOrEqualTo(10); // room for a 9 px character label
        assertThat(h).as("cell height").isGreaterThanOrEqualTo(3);
        String[] box = doc.getDocumentElement().getAttribute("viewBox").split(" ");
        assertThat(Double.parseDouble(box[2])).isLessThanOrEqualTo(760);
        assertThat(Double.parseDouble(box[3])).isBetween(600.0, 800.0);

        List<String> rowLabels = Dom.svg(doc, "text").stream().filter(t -> "end".equals(((Element) t.getParentNode())
                .getAttribute("text-anchor"))).map(Dom::ownText).toList();
        assertThat(rowLabels).as("labels every few rows, at multiples of a nice step")
                .hasSizeBetween(10, 30).contains("0", "10", "120").doesNotContain("1", "127");
    }

    @Test
    void columnLabelsShowInvisibleCharactersAndTooltipsTellThemApart() {
        HeatMap map = HeatMap.ofPrompt("", "a b\n<", random(2, 5));
        Document doc = XmlCheck.parse(map.toSvg());
        List<Element> labels = Dom.svg(doc, "text").stream().filter(t -> Svg.MONO.equals(((Element) t.getParentNode())
                .getAttribute("font-family"))).toList();
        assertThat(labels).extracting(Dom::ownText).containsExactly("a", "␣", "b", "⏎", "<");
        assertThat(labels).extracting(Dom::tooltip)
                .containsExactly("'a', position 0", "space, position 1", "'b', position 2", "newline, position 3", "'<', position 4");
        assertThat(labels).extracting(l -> l.getAttribute("class")) // stand-ins are shown as such
                .containsExactly("", "rl-glyph", "", "rl-glyph", "");
    }

    @Test
    void cellsCarryTheirExactValueAndADivergingColour() {
        double[][] v = {{-1, 0, 1, 0.1234567, 3, Double.NaN}};
        HeatMap map = HeatMap.ofPrompt("", "abcdef", v);
        List<Element> cells = cells(XmlCheck.parse(map.toSvg()));
        assertThat(cells).extracting(c -> c.getAttribute("fill"))
                .containsExactly("#053061", "#f7f7f7", "#67001f", Palette.diverging(0.1234567), "#67001f", "#9a9a9a");
        assertThat(Dom.tooltip(cells.get(3))).isEqualTo("hidden unit 0 · 'd' (position 3)\nactivation 0.123457");
        assertThat(Dom.tooltip(cells.get(4))).endsWith("activation 3"); // clamped in colour, not in the tooltip
        assertThat(Palette.diverging(0.05)).isNotEqualTo(Palette.diverging(-0.05));
    }

    @Test
    void theColourBarIsLabelledFromMinusToPlusTheLimit() {
        Document doc = XmlCheck.parse(HeatMap.ofPrompt("", "ab", random(3, 2)).withLimit(2).toSvg());
        assertThat(Dom.svg(doc, "text").stream().map(Dom::ownText)).contains("\u22122", "\u22121", "0", "1", "2", "activation");
    }

    @Test
    void hiddenStatesAreTransposedToUnitsByCharacters() {
        float[] states = {1, 2, 3, 4, 5, 6}; // (T=2, H=3)
        HeatMap map = HeatMap.ofHiddenStates("", "xy", states, 3);
        assertThat(map.rows()).isEqualTo(3);
        assertThat(map.columns()).isEqualTo(2);
        assertThat(map.values()[1]).containsExactly(2, 5);
        assertThatThrownBy(() -> HeatMap.ofHiddenStates("", "xyz", states, 3)).hasMessageContaining("need 9 values (T, H), got 6");
    }

    @Test
    void anEmojiPromptIsOneColumnPerCharacter() {
        HeatMap map = HeatMap.ofPrompt("", "a🌞b", random(1, 3));
        assertThat(map.columnLabels()).containsExactly("a", "🌞", "b");
        assertThat(map.toSvg()).contains(">🌞<title>");
    }

    @Test
    void badShapesAreRejectedWithTheOffendingSize() {
        assertThatThrownBy(() -> HeatMap.ofPrompt("t", "ab", new double[][] {{1, 2}, {3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has 1 columns but row 0 has 2");
        assertThatThrownBy(() -> HeatMap.ofPrompt("t", "abc", new double[][] {{1, 2}}))
                .hasMessageContaining("2 columns but 3 column labels");
        assertThatThrownBy(() -> HeatMap.ofPrompt("t", "a", new double[][] {{1}}).withLimit(0)).hasMessageContaining("got 0.0");
    }
}
