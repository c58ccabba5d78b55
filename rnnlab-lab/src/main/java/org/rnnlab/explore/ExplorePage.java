package org.rnnlab.explore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rnnlab.model.Trace;
import org.rnnlab.report.Axis;
import org.rnnlab.report.ScatterChart;
import org.rnnlab.report.Xml;

/**
 * The explorer: one self-contained HTML page (inline CSS, script and data; it fetches nothing) showing an
 * {@link Exploration}. The text coloured by one cell, the model's five likeliest next characters on hover, the cell
 * finder's table, the cells on across a selected span and off around it with the other places they fire, and the
 * gates' saturation.
 *
 * <p>Sizes: activations go in as one signed byte per cell and character (each cell scaled by its own largest
 * |value|, so the rounding error is under 0.4% of it), base64 in the page, so T characters of L layers of H cells
 * take 1.33 T L H bytes per state (h, and c for an LSTM); the top five next characters take 27 bytes per
 * character. The script draws only the lines on screen, so a long text scrolls as fast as a short one.
 */
public final class ExplorePage {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Next characters listed on hover. */
    static final int TOP_NEXT = 5;

    private ExplorePage() {}

    /**
     * The page.
     *
     * @param title    the heading (the model's name)
     * @param subtitle a line under it (what was read)
     */
    public static String render(Exploration e, String title, String subtitle) {
        StringBuilder b = new StringBuilder(8192 + (int) Math.min(Integer.MAX_VALUE / 2, (long) e.length() * e.states().size()
                * e.trace().hidden() * 4 / 3 + e.length() * 28L));
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"generator\" content=\"rnnlab\">\n<title>")
                .append(Xml.escape(title)).append(" · rnnlab explore</title>\n<style>").append(resource("explore.css"))
                .append("</style>\n</head>\n<body>\n<header class=\"ex-head\">\n<p class=\"ex-kicker\">rnnlab explore</p>\n<h1>")
                .append(Xml.escape(title)).append("</h1>\n<p class=\"ex-sub\">").append(Xml.escape(subtitle)).append("</p>\n</header>\n");
        b.append("<main class=\"ex\">\n<section class=\"ex-main\" aria-label=\"text\">\n<div class=\"ex-toolbar\">\n")
                .append("<label>State <select id=\"ex-state\" aria-label=\"state\"></select></label>\n")
                .append("<label>Cell <input id=\"ex-unit\" type=\"number\" min=\"0\" max=\"").append(e.trace().hidden() - 1)
                .append("\" step=\"1\" value=\"0\" aria-label=\"cell\"></label>\n")
                .append("<span id=\"ex-cell-info\" class=\"ex-info\"></span>\n")
                .append("<span class=\"ex-legend\" aria-hidden=\"true\"><span id=\"ex-lo\">−1</span><span class=\"ex-ramp\"></span>")
                .append("<span id=\"ex-hi\">+1</span></span>\n</div>\n")
                .append("<div id=\"ex-text\" class=\"ex-text\" tabindex=\"0\" aria-label=\"the text, coloured by the chosen cell\">")
                .append("<div id=\"ex-spacer\"></div><div id=\"ex-rows\"></div></div>\n")
                .append("<p class=\"ex-note\">Hover a character for the model's five likeliest next characters; select a span "
                        + "with the mouse for the cells on across it. Red is positive, blue negative; ↵ is a newline, ⇥ a tab.</p>\n")
                .append("<div id=\"ex-tip\" class=\"ex-tip\" hidden></div>\n</section>\n");

        b.append("<aside class=\"ex-side\">\n<section aria-label=\"cell finder\">\n<h2>Cell finder</h2>\n")
                .append("<p class=\"ex-note\">For each feature of the text, the cells whose activation follows it best "
                        + "(Pearson's r over all ").append(String.format(Locale.ROOT, "%,d", e.length()))
                .append(" characters, every cell of every layer). Choose one to colour the text.</p>\n");
        finder(b, e);
        b.append("</section>\n<section aria-label=\"selected span\">\n<h2>Cells of a span</h2>\n")
                .append("<div class=\"ex-controls\"><label>Threshold <input id=\"ex-threshold\" type=\"range\" min=\"0\" max=\"1\" "
                        + "step=\"0.05\" value=\"0.3\"> <output id=\"ex-threshold-value\">0.30</output></label>\n")
                .append("<label>Off for <input id=\"ex-around\" type=\"number\" min=\"0\" max=\"20\" value=\"1\"> characters around</label></div>\n")
                .append("<p id=\"ex-span-note\" class=\"ex-note\">Select a span of the text: the cells of the chosen state "
                        + "that are above the threshold across all of it and below it just before and after are listed "
                        + "here, then the other places where all of them fire. The threshold is on each cell's own "
                        + "scale: an h as it is, a c divided by its range (the value drawn darkest).</p>\n")
                .append("<ol id=\"ex-span-cells\" class=\"ex-list\"></ol>\n<p id=\"ex-matches-note\" class=\"ex-note\"></p>\n")
                .append("<ol id=\"ex-matches\" class=\"ex-matches\"></ol>\n</section>\n</aside>\n");

        b.append("<section class=\"ex-sat\" aria-label=\"gate saturation\">\n<h2>Gate saturation</h2>\n");
        saturation(b, e);
        b.append("</section>\n</main>\n<footer class=\"ex-foot\">Made by rnnlab. Self-contained: this page loads nothing "
                + "from the network.</footer>\n");
        // JSON in a script element: "<" written as \u003c, so no "</script>" can end it early.
        b.append("<script type=\"application/json\" id=\"ex-data\">").append(data(e, title).replace("<", "\\u003c"))
                .append("</script>\n<script>").append(resource("explore.js")).append("</script>\n</body>\n</html>\n");
        return b.toString();
    }

    /** The finder's table: one row per feature, its best cells as buttons that choose the cell. */
    private static void finder(StringBuilder b, Exploration e) {
        int layers = e.trace().layers();
        b.append("<table id=\"ex-finder\" class=\"ex-finder\"><thead><tr><th scope=\"col\">feature</th>")
                .append("<th scope=\"col\">best cells (r)</th></tr></thead><tbody>\n");
        for (CellFinder.Finding f : e.findings()) {
            b.append("<tr data-feature=\"").append(f.feature().id()).append("\"><th scope=\"row\">")
                    .append(Xml.escape(f.feature().name())).append("</th><td>");
            if (f.matches().isEmpty()) b.append("<span class=\"ex-none\">does not occur in this text</span>");
            for (CellFinder.Match m : f.matches()) {
                String label = e.states().get(m.cell().state()).label(layers) + " " + m.cell().unit();
                b.append("<button type=\"button\" class=\"ex-pick\" data-state=\"").append(m.cell().state())
                        .append("\" data-unit=\"").append(m.cell().unit()).append("\">").append(Xml.escape(label))
                        .append(" <span class=\"ex-r\">").append(signed(m.r())).append("</span></button> ");
            }
            b.append("</td></tr>\n");
        }
        b.append("</tbody></table>\n");
    }

    private static void saturation(StringBuilder b, Exploration e) {
        List<GateSaturation.Gate> gates = e.saturation();
        if (gates.isEmpty()) {
            b.append("<p class=\"ex-note\">A vanilla RNN has no gates.</p>\n");
            return;
        }
        b.append("<p class=\"ex-note\">Each point is one cell's gate: the fraction of the ").append(String.format(Locale.ROOT,
                "%,d", e.length())).append(" steps it was left saturated (below ").append(GateSaturation.LOW)
                .append(", nearly closed) against right saturated (above ").append(GateSaturation.HIGH)
                .append(", nearly open), as in Karpathy, Johnson and Fei-Fei (2015). A forget gate near the top keeps "
                        + "its cell for long; points near neither axis are gates that act gradually.</p>\n<div class=\"ex-sat-row\">\n");
        for (int l = 0; l < e.trace().layers(); l++) {
            List<ScatterChart.Group> groups = new ArrayList<>();
            for (GateSaturation.Gate g : gates) if (g.layer() == l) groups.add(new ScatterChart.Group(g.name(), g.left(), g.right()));
            ScatterChart chart = new ScatterChart(e.trace().layers() == 1 ? "Gates" : "Layer " + l,
                    Axis.linear("fraction left-saturated (< " + GateSaturation.LOW + ")", ""),
                    Axis.linear("fraction right-saturated (> " + GateSaturation.HIGH + ")", ""), groups, "cell", 420);
            b.append("<div class=\"ex-sat-chart\">").append(chart.toSvg()).append("</div>\n");
        }
        b.append("</div>\n");
    }

    /** Everything the script needs, as JSON. */
    static String data(Exploration e, String title) {
        Trace trace = e.trace();
        int T = e.length(), H = trace.hidden();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("title", title);
        d.put("text", e.text());
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < e.vocabulary().size(); i++) vocab.add(e.vocabulary().charAt(i));
        d.put("vocab", vocab);
        d.put("hidden", H);
        d.put("layers", trace.layers());
        List<Map<String, Object>> states = new ArrayList<>();
        for (CellFinder.StateRef s : e.states()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", s.label(trace.layers()));
            m.put("kind", s.kind());
            float[] scale = new float[H];
            m.put("data", Base64.getEncoder().encodeToString(quantize(s.values(), T, H, scale)));
            m.put("scale", scale);
            m.put("limit", colourLimits(s.values(), T, H, s.kind().equals("h")));
            states.add(m);
        }
        d.put("states", states);
        List<Map<String, Object>> features = new ArrayList<>();
        for (TextFeatures.Feature f : e.features()) features.add(Map.of("id", f.id(), "name", f.name()));
        d.put("features", features);
        d.put("corr", Base64.getEncoder().encodeToString(correlationBytes(e.correlations())));
        int k = Math.min(TOP_NEXT, e.vocabulary().size());
        byte[][] top = topNext(trace.logits(), T, trace.config().vocab(), k);
        d.put("topK", k);
        d.put("topIndex", Base64.getEncoder().encodeToString(top[0]));
        d.put("topProb", Base64.getEncoder().encodeToString(top[1]));
        // start on the cell that follows some feature best
        CellFinder.Match best = null;
        for (CellFinder.Finding f : e.findings()) {
            if (f.best() != null && (best == null || Math.abs(f.best().r()) > Math.abs(best.r()))) best = f.best();
        }
        d.put("initial", best == null ? Map.of("state", 0, "unit", 0)
                : Map.of("state", best.cell().state(), "unit", best.cell().unit()));
        try {
            return JSON.writeValueAsString(d);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }

    /**
     * (T, H) time-major floats to unit-major signed bytes: byte {@code j * T + t} is round(127 v / scale_j), with
     * {@code scale[j]} the cell's largest |v| (1 for a cell that is 0 throughout). Unit-major, because the page reads
     * one cell across the whole text far more often than all cells at one place.
     */
    static byte[] quantize(float[] v, int T, int H, float[] scale) {
        for (int t = 0; t < T; t++) for (int j = 0; j < H; j++) scale[j] = Math.max(scale[j], Math.abs(v[t * H + j]));
        for (int j = 0; j < H; j++) if (!(scale[j] > 0) || !Float.isFinite(scale[j])) scale[j] = 1;
        byte[] q = new byte[T * H];
        for (int t = 0; t < T; t++) {
            for (int j = 0; j < H; j++) q[j * T + t] = (byte) Math.round(127f * v[t * H + j] / scale[j]);
        }
        return q;
    }

    /**
     * Per cell, the |value| that gets the darkest colour: 1 for an h in [-1, 1] (so that a weak cell looks weak); for
     * a cell state, or an h beyond 1 (a ReLU RNN), the 99th percentile of |value| over the text, so that one spike
     * does not leave the rest of the text white. Larger values are drawn in the darkest colour.
     */
    static float[] colourLimits(float[] v, int T, int H, boolean h) {
        float[] limit = new float[H];
        float[] column = new float[T];
        for (int j = 0; j < H; j++) {
            float max = 0;
            for (int t = 0; t < T; t++) {
                column[t] = Math.abs(v[t * H + j]);
                max = Math.max(max, column[t]);
            }
            if (h && max <= 1) {
                limit[j] = 1;
                continue;
            }
            java.util.Arrays.sort(column);
            float p99 = column[Math.min(T - 1, (int) Math.floor(0.99 * T))];
            limit[j] = p99 > 0 && Float.isFinite(p99) ? Math.max(h ? 1 : 0, p99) : 1;
        }
        return limit;
    }

    /** r as whole hundredths in a signed byte, [feature][state][cell] flattened; NaN as -128. */
    static byte[] correlationBytes(double[][][] r) {
        int n = 0;
        for (double[][] f : r) for (double[] s : f) n += s.length;
        byte[] out = new byte[n];
        int i = 0;
        for (double[][] f : r) for (double[] s : f) for (double v : s) out[i++] = Double.isNaN(v) ? -128 : (byte) Math.round(100 * v);
        return out;
    }

    /**
     * The {@code k} likeliest next characters after each position (softmax of the logits, in double): indices and
     * probabilities (times 65535) as little-endian unsigned 16-bit numbers, {@code k} per position.
     */
    static byte[][] topNext(float[] logits, int T, int V, int k) {
        ByteBuffer idx = ByteBuffer.allocate(T * k * 2).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer prob = ByteBuffer.allocate(T * k * 2).order(ByteOrder.LITTLE_ENDIAN);
        int[] best = new int[k];
        for (int t = 0; t < T; t++) {
            int o = t * V;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < V; v++) max = Math.max(max, logits[o + v]);
            double sum = 0;
            for (int v = 0; v < V; v++) sum += Math.exp(logits[o + v] - max);
            // k passes of a linear scan: k is 5 and V small, so this beats sorting V entries
            for (int i = 0; i < k; i++) {
                int arg = -1;
                for (int v = 0; v < V; v++) {
                    boolean taken = false;
                    for (int p = 0; p < i; p++) taken |= best[p] == v;
                    if (!taken && (arg < 0 || logits[o + v] > logits[o + arg])) arg = v;
                }
                best[i] = arg;
                idx.putShort((short) arg);
                prob.putShort((short) Math.round(65535 * Math.exp(logits[o + arg] - max) / sum));
            }
        }
        return new byte[][] {idx.array(), prob.array()};
    }

    private static String signed(double r) {
        return (r >= 0 ? "+" : "−") + String.format(Locale.ROOT, "%.2f", Math.abs(r));
    }

    private static String resource(String name) {
        try (InputStream in = ExplorePage.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing page resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
