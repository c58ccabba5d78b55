package org.rnnlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class LineChartTest {
    private static final Axis EPOCH = Axis.integer("epoch", "");
    private static final Axis LOSS = Axis.linear("loss", "nats/char");

    private static Document render(LineChart chart) {
        return XmlCheck.parse(chart.toSvg());
    }

    /** The data path of each series (the one with a stroke and no fill), in series order. */
    private static List<String> lines(Document doc) {
        List<String> out = new ArrayList<>();
        for (Element g : Dom.svg(doc, "g")) {
            if (!g.getAttribute("class").startsWith("rl-s") || Dom.tooltip(g).isEmpty()) continue;
            for (Element p : Dom.svg(g, "path")) if (p.getAttribute("fill").equals("none")) out.add(p.getAttribute("d"));
        }
        return out;
    }

    private static List<double[]> points(String d) {
        List<double[]> out = new ArrayList<>();
        Matcher m = Pattern.compile("[ML](-?[\\d.]+) (-?[\\d.]+)").matcher(d);
        while (m.find()) out.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        return out;
    }

    private static List<String> texts(Document doc) {
        List<String> out = new ArrayList<>();
        for (Element t : Dom.svg(doc, "text")) out.add(Dom.ownText(t));
        return out;
    }

    @Test
    void isAScalableStandaloneSvg() {
        Document doc = render(LineChart.of("Loss", EPOCH, LOSS, List.of(Series.indexed("RNN", 1, 2.4, 2.0, 1.8))));
        Element root = doc.getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo(Dom.SVG);
        assertThat(root.getAttribute("viewBox")).isEqualTo("0 0 880 420");
        assertThat(root.getAttribute("aria-label")).isEqualTo("Loss");
        assertThat(texts(doc)).contains("Loss", "RNN", "epoch", "loss (nats/char)", "1", "2", "3");
    }

    @Test
    void higherValuesAreDrawnHigherAndLaterXFurtherRight() {
        Document doc = render(LineChart.of("", EPOCH, LOSS, List.of(Series.indexed("m", 1, 1.0, 3.0, 2.0))));
        List<double[]> p = points(lines(doc).get(0));
        assertThat(p).hasSize(3);
        assertThat(p.get(0)[0]).isLessThan(p.get(1)[0]);
        assertThat(p.get(1)[0]).isLessThan(p.get(2)[0]);
        assertThat(p.get(1)[1]).isLessThan(p.get(2)[1]); // SVG y grows downwards: 3.0 above 2.0
        assertThat(p.get(2)[1]).isLessThan(p.get(0)[1]);
    }

    @Test
    void nanAndInfinitePointsBreakTheLine() {
        Series s = Series.indexed("m", 0, 1, 2, Double.NaN, 4, 5, Double.POSITIVE_INFINITY, 7, 8);
        Document doc = render(LineChart.of("", EPOCH, LOSS, List.of(s)));
        String d = lines(doc).get(0);
        assertThat(d.chars().filter(c -> c == 'M')).hasSize(3); // three runs: 0-1, 3-4, 6-7
        assertThat(d.chars().filter(c -> c == 'L')).hasSize(3);
        assertThat(points(d)).hasSize(6);
        assertThat(d).doesNotContain("NaN", "Infinity");
        long tooltips = Dom.svg(doc, "circle").stream().filter(c -> Dom.hasClass(c, "rl-hit")).count();
        assertThat(tooltips).isEqualTo(6);
    }

    @Test
    void logAxesSkipValuesAtOrBelowZeroAndLabelDecades() {
        Series s = Series.indexed("RNN", 0, 1e-1, 1e-3, 0, -1, 1e-5, 1e-7);
        Document doc = render(LineChart.of("", EPOCH, Axis.log("gradient norm", ""), List.of(s)));
        String d = lines(doc).get(0);
        assertThat(d.chars().filter(c -> c == 'M')).hasSize(2);
        assertThat(texts(doc)).contains("10⁻⁷", "10⁻⁴", "10⁻¹").doesNotContain("10⁻⁸", "10⁰");
    }

    @Test
    void aPointAloneBetweenGapsIsStillDrawn() {
        Series s = Series.indexed("m", 0, 1, Double.NaN, 3, Double.NaN, 5, 6);
        Document doc = render(LineChart.of("", EPOCH, LOSS, List.of(s)).withMarkers(false));
        long dots = Dom.svg(doc, "circle").stream().filter(c -> !Dom.hasClass(c, "rl-hit")).count();
        assertThat(dots).isEqualTo(2); // points 0 and 2; points 4-5 form a line
    }

    @Test
    void everyPointHasATooltipWithItsValuesAndUnits() {
        Document doc = render(LineChart.of("", EPOCH, LOSS, List.of(Series.indexed("LSTM", 1, 2.25, 1.5))));
        List<String> tips = Dom.svg(doc, "circle").stream().filter(c -> Dom.hasClass(c, "rl-hit")).map(Dom::tooltip).toList();
        assertThat(tips).containsExactly("LSTM\nepoch: 1\nloss: 2.25 nats/char", "LSTM\nepoch: 2\nloss: 1.5 nats/char");
    }

    @Test
    void namesAndTitlesAreEscapedAndRoundTrip() {
        String name = "<a & \"b\" 'c'>";
        String title = "loss\n<&\"'>";
        String svg = LineChart.of(title, EPOCH, LOSS, List.of(Series.indexed(name, 1, 1, 2))).toSvg();
        assertThat(svg).contains("&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;").doesNotContain("<a ");
        Document doc = XmlCheck.parse(svg);
        assertThat(texts(doc)).contains(name, title);
        assertThat(doc.getDocumentElement().getAttribute("aria-label")).isEqualTo(title);
    }

    @Test
    void seriesGetDistinctColoursAndMarkerShapes() {
        List<Series> many = new ArrayList<>();
        for (int i = 0; i < 4; i++) many.add(Series.indexed("s" + i, 1, i, i + 1));
        Document doc = render(LineChart.of("", EPOCH, LOSS, many));
        List<String> colours = new ArrayList<>();
        for (Element g : Dom.svg(doc, "g")) {
            if (g.getAttribute("class").startsWith("rl-s") && !Dom.tooltip(g).isEmpty()) colours.add(g.getAttribute("color"));
        }
        assertThat(colours).doesNotHaveDuplicates().hasSize(4);
        assertThat(Dom.svg(doc, "rect")).isNotEmpty(); // the second series' squares
    }

    @Test
    void withoutDataItSaysSo() {
        Document doc = render(LineChart.of("Empty", EPOCH, LOSS, List.of(Series.indexed("m", 0, Double.NaN))));
        assertThat(texts(doc)).contains("no data");
        assertThat(lines(doc)).isEmpty();
    }

    @Test
    void badSeriesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new Series("RNN", new double[2], new double[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RNN").hasMessageContaining("2 x values but 3");
        assertThatThrownBy(() -> Series.indexed(" ", 0, 1)).hasMessageContaining("needs a name");
        assertThatThrownBy(() -> LineChart.of("t", EPOCH, LOSS, List.of()).withSize(100, 100)).hasMessageContaining("100x100");
    }

    @Test
    void seriesAreImmutable() {
        double[] y = {1, 2};
        Series s = Series.indexed("m", 0, y);
        y[0] = 99;
        s.y()[1] = 99;
        assertThat(s.y()).containsExactly(1, 2);
    }
}
