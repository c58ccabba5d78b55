package org.rnnlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnnlab.report.MetricsTable.Better;
import org.rnnlab.report.MetricsTable.Metric;
import org.rnnlab.report.MetricsTable.Row;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The page is checked with the JDK's XML parser: the output is written to be XHTML-compatible (polyglot) HTML5, so
 * well-formedness there covers every unclosed tag and unescaped character an HTML parser would silently repair.
 */
class HtmlReportTest {
    private static final String NASTY = "<script>alert('x & \"y\"')</script> 🌞";

    private static MetricsTable metrics() {
        return new MetricsTable(
                List.of(new Metric("validation loss", "nats/char", Better.LOWER, 3),
                        new Metric("accuracy", "%", Better.HIGHER, 1),
                        new Metric("parameters", "", Better.NEITHER, 0)),
                List.of(new Row("RNN", new double[] {1.811, 46.3, 33_345}),
                        new Row("LSTM", new double[] {1.497, 55.8, 132_225}),
                        new Row("GRU", new double[] {1.523, 55.8, 99_585})));
    }

    @Test
    void theBestValueOfEachColumnIsHighlighted() {
        Document doc = XmlCheck.parse(new HtmlReport("r").table(metrics(), "").render());
        List<Element> best = Dom.html(doc, "td").stream().filter(td -> Dom.hasClass(td, "best")).toList();
        assertThat(best).extracting(Element::getTextContent).containsExactly("1.497", "55.8", "55.8");
        assertThat(best).extracting(td -> ((Element) td.getParentNode()).getElementsByTagNameNS(Dom.XHTML, "th")
                .item(0).getTextContent()).containsExactly("LSTM", "LSTM", "GRU");
        assertThat(Dom.html(doc, "td")).allMatch(td -> Dom.hasClass(td, "num")); // right-aligned numbers
        assertThat(Dom.html(doc, "td")).extracting(Element::getTextContent).contains("132,225");
        assertThat(Dom.html(doc, "thead").get(0).getTextContent()).contains("validation loss\u00A0↓", "accuracy\u00A0↑", "nats/char");
        assertThat(Dom.html(doc, "figcaption").get(0).getTextContent()).contains("best value in each column");
    }

    @Test
    void completionsKeepWhitespaceAndSetThePromptApart() {
        PromptCompletion c = new PromptCompletion("LSTM", "\nROMEO:\n", "  What light\n\n\tthrough <yonder> & 'window' 🌞", "T=0.8");
        String html = new HtmlReport("r").completions(List.of(c, PromptCompletion.of("RNN", "ROMEO:\n", "Wha"))).render();
        Document doc = XmlCheck.parse(html);
        List<Element> pres = Dom.html(doc, "pre");
        assertThat(pres).hasSize(2);
        List<Element> spans = Dom.html(pres.get(0), "span");
        assertThat(spans).extracting(s -> s.getAttribute("class")).containsExactly("rl-prompt", "rl-gen");
        assertThat(spans.get(0).getTextContent()).isEqualTo("\nROMEO:\n");
        assertThat(spans.get(1).getTextContent()).isEqualTo("  What light\n\n\tthrough <yonder> & 'window' 🌞");
        // the HTML parser drops a newline straight after <pre>; the prompt's own leading newline must not be that one
        assertThat(html).contains("<pre><span class=\"rl-prompt\"");
        assertThat(Dom.html(doc, "article").get(0).getTextContent()).contains("LSTM", "T=0.8");
    }

    @Test
    void everyTextIsEscapedAndSurvivesParsing() {
        String html = new HtmlReport(NASTY).subtitle(NASTY).paragraph(NASTY).section(NASTY).paragraph(NASTY)
                .pre(NASTY + "\n  indented").render();
        assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)");
        Document doc = XmlCheck.parse(html);
        assertThat(Dom.html(doc, "title").get(0).getTextContent()).isEqualTo(NASTY);
        assertThat(Dom.html(doc, "h1").get(0).getTextContent()).isEqualTo(NASTY);
        assertThat(Dom.html(doc, "h2").get(0).getTextContent()).isEqualTo(NASTY);
        assertThat(Dom.html(doc, "p")).extracting(Element::getTextContent).contains(NASTY);
        assertThat(Dom.html(doc, "code").get(0).getTextContent()).isEqualTo(NASTY + "\n  indented");
    }

    @Test
    void chartsAreInlinedAsSvgWithTheirCaptions() {
        LineChart loss = LineChart.of("Loss", Axis.integer("epoch", ""), Axis.linear("loss", ""),
                List.of(Series.indexed("RNN", 1, 2, 1)));
        HeatMap map = HeatMap.ofPrompt("h", "ab", new double[][] {{0.5, -0.5}});
        Document doc = XmlCheck.parse(new HtmlReport("r").section("Curves").figure(loss, "one")
                .figures(List.of(map, map), "two side by side").render());
        assertThat(Dom.svg(doc, "svg")).hasSize(3);
        assertThat(Dom.html(doc, "figcaption")).extracting(Element::getTextContent).containsExactly("one", "two side by side");
        assertThat(Dom.html(doc, "div").stream().filter(d -> Dom.hasClass(d, "rl-row")).toList()).hasSize(1);
    }

    @Test
    void sectionsAreNumberedAndListedWhenThereAreEnough() {
        HtmlReport r = new HtmlReport("r").section("A").section("B");
        assertThat(Dom.html(XmlCheck.parse(r.render()), "nav")).isEmpty();
        Document doc = XmlCheck.parse(r.section("C & D").render());
        assertThat(Dom.html(doc, "section")).extracting(s -> s.getAttribute("id")).containsExactly("s1", "s2", "s3");
        assertThat(Dom.html(doc, "a")).extracting(a -> a.getAttribute("href") + " " + a.getTextContent())
                .containsExactly("#s1 A", "#s2 B", "#s3 C & D");
    }

    @Test
    void theStyleSheetIsInlineXmlSafeAndCoversDarkModeAndPrint() {
        String css = HtmlReport.css();
        assertThat(css).doesNotContain("<", "&", "url(", "@import");
        assertThat(css).contains("@media (prefers-color-scheme:dark)", "@media print");
        for (int i = 0; i < Palette.LIGHT.length; i++) {
            assertThat(css).contains(".rl-s" + i + "{color:" + Palette.DARK[i] + "}", ".rl-s" + i + "{color:" + Palette.LIGHT[i] + "}");
        }
        Document doc = XmlCheck.parse(new HtmlReport("r").render());
        assertThat(Dom.html(doc, "meta")).extracting(m -> m.getAttribute("name")).contains("viewport", "color-scheme");
        assertThat(doc.getDocumentElement().getAttribute("lang")).isEqualTo("en");
    }

    @Test
    void aReportNeedsATitle() {
        assertThatThrownBy(() -> new HtmlReport(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\" \"");
        assertThatThrownBy(() -> PromptCompletion.of("", "a", "b")).hasMessageContaining("model name");
    }
}
