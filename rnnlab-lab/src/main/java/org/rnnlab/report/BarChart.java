package org.rnnlab.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Horizontal bars sorted from the largest value down, as SVG: a model's next-character distribution (character
 * labels made visible by {@link Glyphs}: ⏎ for a newline, ␣ for a space), or any small set of non-negative values.
 * One bar may be highlighted (the character actually sampled). Each row has a tooltip with the exact value.
 * It does not stack, group or draw negative values.
 *
 * @param axisTitle what the bars measure ("probability"), under the value axis
 * @param bars      the bars, stored sorted by value, largest first (ties keep their given order)
 * @param percent   show values as percentages (values are fractions: 0.25 is 25%)
 * @param note      a line under the chart ("+ 58 more characters: 3.1%"); "" for none
 * @param width     natural width in px
 */
public record BarChart(String title, String axisTitle, List<Bar> bars, boolean percent, String note, int width)
        implements Chart {
    private static final double PAD = 16, ROW = 24, BAR = 16;

    /** One bar: a label (escaped and made visible when drawn) and a finite value >= 0. */
    public record Bar(String label, double value, boolean highlighted) {
        public Bar {
            if (label == null) throw new IllegalArgumentException("a bar needs a label (\"\" is allowed), got null");
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("bar " + Glyphs.describe(label) + " needs a finite value >= 0, got " + value);
            }
        }
    }

    public BarChart {
        if (title == null || axisTitle == null || note == null) {
            throw new IllegalArgumentException("bar chart titles and note must not be null (use \"\" for none)");
        }
        List<Bar> sorted = new ArrayList<>(bars);
        sorted.sort(Comparator.comparingDouble(Bar::value).reversed()); // List.sort is stable
        bars = List.copyOf(sorted);
        if (width < 200) throw new IllegalArgumentException("bar chart " + title + " must be at least 200 px wide, got " + width);
    }

    /**
     * The {@code topK} most likely characters of a distribution ({@code chars[i]} has probability {@code p[i]}),
     * in percent, with the rest summed up in the note.
     */
    public static BarChart probabilities(String title, List<String> chars, double[] p, int topK) {
        if (chars.size() != p.length) {
            throw new IllegalArgumentException(chars.size() + " characters but " + p.length + " probabilities");
        }
        if (topK < 1) throw new IllegalArgumentException("top-k must be >= 1, got " + topK);
        List<Bar> all = new ArrayList<>();
        for (int i = 0; i < p.length; i++) all.add(new Bar(chars.get(i), p[i], false));
        all.sort(Comparator.comparingDouble(Bar::value).reversed());
        List<Bar> shown = all.subList(0, Math.min(topK, all.size()));
        String note = "";
        if (all.size() > shown.size()) {
            double rest = 0;
            for (Bar b : all.subList(shown.size(), all.size())) rest += b.value();
            int n = all.size() - shown.size();
            note = "+ " + n + " more character" + (n == 1 ? "" : "s") + ": " + Num.percent(rest) + " together";
        }
        return new BarChart(title, "probability", shown, true, note, 480);
    }

    /** The same chart with the bars labelled {@code label} highlighted (and no others). */
    public BarChart withHighlight(String label) {
        List<Bar> marked = new ArrayList<>();
        for (Bar b : bars) marked.add(new Bar(b.label(), b.value(), b.label().equals(label)));
        return new BarChart(title, axisTitle, marked, percent, note, width);
    }

    public BarChart withWidth(int w) {
        return new BarChart(title, axisTitle, bars, percent, note, w);
    }

    @Override
    public String toSvg() {
        double scale = percent ? 100 : 1;
        double max = 0;
        double labelW = 12;
        for (Bar b : bars) {
            max = Math.max(max, b.value() * scale);
            labelW = Math.max(labelW, Svg.textWidth(Glyphs.visible(b.label()), 14, true));
        }
        Ticks ticks = Ticks.linear(0, max > 0 ? max : 1, 4, false);
        double valueW = Svg.textWidth(format(max / scale), 11.5, false) + 8;
        double left = PAD + labelW + 10;
        double right = width - PAD - valueW;
        double top = PAD + (title.isEmpty() ? 0 : 30);
        double bottom = top + bars.size() * ROW;
        double height = bottom + 8 + 16 + (axisTitle.isEmpty() ? 0 : 18) + (note.isEmpty() ? 0 : 20) + PAD;

        Svg svg = new Svg("bar", width, height, title);
        if (!title.isEmpty()) {
            svg.text("text", title, "x", PAD, "y", PAD + 14, "font-size", 16, "font-weight", 600, "fill", "currentColor");
        }
        svg.open("g", "stroke", "currentColor");
        for (double v : ticks.major()) {
            double x = left + ticks.fraction(v) * (right - left);
            svg.empty("line", "x1", x, "y1", top - 2, "x2", x, "y2", bottom + 4, "stroke-opacity", v == 0 ? 0.55 : 0.1);
        }
        svg.close("g");
        svg.open("g", "font-size", 11, "fill", "currentColor", "fill-opacity", 0.75, "text-anchor", "middle");
        for (int i = 0; i < ticks.major().size(); i++) {
            double x = left + ticks.fraction(ticks.major().get(i)) * (right - left);
            svg.text("text", ticks.labels().get(i) + (percent ? "%" : ""), "x", x, "y", bottom + 20);
        }
        svg.close("g");
        double below = bottom + 24;
        if (!axisTitle.isEmpty()) {
            below += 16;
            svg.text("text", axisTitle, "x", (left + right) / 2, "y", below, "text-anchor", "middle", "font-size", 12,
                    "fill", "currentColor", "fill-opacity", 0.8);
        }
        if (!note.isEmpty()) {
            below += 20;
            svg.text("text", note, "x", PAD, "y", below, "font-size", 11.5, "fill", "currentColor", "fill-opacity", 0.7);
        }

        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double y = top + i * ROW, mid = y + ROW / 2;
            double w = Math.max(b.value() * scale / ticks.max() * (right - left), b.value() > 0 ? 1 : 0);
            int colour = b.highlighted() ? 1 : 0;
            svg.open("g");
            svg.title(Glyphs.describe(b.label()) + ": " + format(b.value())
                    + (percent ? " (p = " + Num.precise(b.value()) + ")" : ""));
            svg.empty("rect", "class", "rl-hit", "x", PAD, "y", y, "width", width - 2 * PAD, "height", ROW,
                    "fill", "currentColor", "fill-opacity", 0);
            boolean substitute = Glyphs.isSubstituted(b.label());
            svg.text("text", Glyphs.visible(b.label()), "x", left - 10, "y", mid, "dy", "0.35em", "text-anchor", "end",
                    "font-family", Svg.MONO, "font-size", substitute ? 17 : 14, "fill", substitute ? Svg.GLYPH : "currentColor",
                    "class", substitute ? "rl-glyph" : null, "font-weight", b.highlighted() ? 700 : null);
            svg.empty("rect", "class", "rl-s" + colour, "color", Palette.series(colour), "x", left, "y", mid - BAR / 2,
                    "width", w, "height", BAR, "rx", 2.5, "fill", "currentColor");
            svg.text("text", format(b.value()), "x", left + w + 6, "y", mid, "dy", "0.35em", "font-size", 11.5,
                    "fill", "currentColor", "fill-opacity", 0.85);
            svg.close("g");
        }
        return svg.finish();
    }

    private String format(double v) {
        return percent ? Num.percent(v) : Num.value(v);
    }
}
