package org.rnnlab.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A matrix as coloured cells, as SVG: typically the hidden state while a model reads a prompt, one row per hidden
 * unit and one column per character. The diverging colour scale is centred at 0 and symmetric ({@code -limit} darkest
 * blue, {@code +limit} darkest red, values beyond clamped), which is what tanh activations in [-1, 1] need: the sign
 * is the colour, the magnitude the depth.
 *
 * <p>Column labels are the characters, with newline and space made visible (⏎, ␣; see {@link Glyphs}); row labels
 * appear every 1, 2, 5, 10, ... rows, as often as they fit. Every cell has a tooltip with its row, character and
 * value. Cell sizes follow from {@code width} and the matrix shape, so 128 rows x 40 columns stays readable:
 * columns up to 36 px wide, rows 3 to 14 px high. It does not cluster or reorder rows: the row index is the unit.
 *
 * @param values       (rows, columns) values; NaN cells are drawn grey
 * @param columnLabels one label per column (usually one character each)
 * @param rowTitle     what a row is ("hidden unit")
 * @param columnTitle  what a column is ("input character")
 * @param valueTitle   what the colour means ("tanh activation"), the colour bar's title
 * @param limit        the colour scale covers [-limit, limit]; must be positive
 * @param width        natural width in px; the cells shrink to fit it
 * @param words        the language of the tooltips' own words ("position", the names of invisible characters)
 */
public record HeatMap(String title, double[][] values, List<String> columnLabels, String rowTitle, String columnTitle,
        String valueTitle, double limit, int width, Words words) implements Chart {
    private static final double PAD = 16;

    public HeatMap {
        if (title == null) throw new IllegalArgumentException("heat map title must not be null (use \"\" for none)");
        if (values.length == 0) throw new IllegalArgumentException("heat map " + title + " needs at least one row");
        int cols = values[0].length;
        if (cols == 0) throw new IllegalArgumentException("heat map " + title + " needs at least one column");
        double[][] copy = new double[values.length][];
        for (int r = 0; r < values.length; r++) {
            if (values[r].length != cols) {
                throw new IllegalArgumentException("heat map " + title + ": row " + r + " has " + values[r].length
                        + " columns but row 0 has " + cols);
            }
            copy[r] = values[r].clone();
        }
        values = copy;
        columnLabels = List.copyOf(columnLabels);
        if (columnLabels.size() != cols) {
            throw new IllegalArgumentException("heat map " + title + " has " + cols + " columns but "
                    + columnLabels.size() + " column labels");
        }
        if (!(limit > 0) || Double.isInfinite(limit)) {
            throw new IllegalArgumentException("heat map " + title + ": colour limit must be a positive number, got " + limit);
        }
        if (rowTitle == null || columnTitle == null || valueTitle == null) {
            throw new IllegalArgumentException("heat map " + title + ": axis titles must not be null (use \"\" for none)");
        }
        if (width < 200) throw new IllegalArgumentException("heat map " + title + " must be at least 200 px wide, got " + width);
        if (words == null) throw new IllegalArgumentException("heat map " + title + ": words must not be null");
    }

    /**
     * Hidden activations over a prompt: {@code values[unit][t]} is unit's value after reading character t of
     * {@code prompt} (one column per code point), on the tanh range [-1, 1].
     */
    public static HeatMap ofPrompt(String title, String prompt, double[][] values) {
        List<String> labels = new ArrayList<>();
        prompt.codePoints().forEach(cp -> labels.add(new String(Character.toChars(cp))));
        return new HeatMap(title, values, labels, "hidden unit", "input character", "activation", 1, 720, Words.EN);
    }

    /**
     * {@link #ofPrompt} from a model's hidden states as it produces them, time-major: {@code states} is (T, H)
     * row-major with T the prompt's length in code points; the map shows it transposed, units as rows.
     */
    public static HeatMap ofHiddenStates(String title, String prompt, float[] states, int hidden) {
        int t = prompt.codePointCount(0, prompt.length());
        if (hidden < 1 || states.length != t * hidden) {
            throw new IllegalArgumentException("hidden states for a " + t + "-character prompt with H=" + hidden
                    + " need " + (long) t * hidden + " values (T, H), got " + states.length);
        }
        double[][] v = new double[hidden][t];
        for (int i = 0; i < t; i++) {
            for (int h = 0; h < hidden; h++) v[h][i] = states[i * hidden + h];
        }
        return ofPrompt(title, prompt, v);
    }

    public HeatMap withWidth(int w) {
        return new HeatMap(title, values, columnLabels, rowTitle, columnTitle, valueTitle, limit, w, words);
    }

    public HeatMap withTitles(String rows, String columns, String value) {
        return new HeatMap(title, values, columnLabels, rows, columns, value, limit, width, words);
    }

    public HeatMap withLimit(double l) {
        return new HeatMap(title, values, columnLabels, rowTitle, columnTitle, valueTitle, l, width, words);
    }

    public HeatMap withWords(Words w) {
        return new HeatMap(title, values, columnLabels, rowTitle, columnTitle, valueTitle, limit, width, w);
    }

    public int rows() {
        return values.length;
    }

    public int columns() {
        return columnLabels.size();
    }

    @Override
    public double[][] values() {
        double[][] copy = new double[values.length][];
        for (int r = 0; r < values.length; r++) copy[r] = values[r].clone();
        return copy;
    }

    @Override
    public String toSvg() {
        int rows = rows(), cols = columns();
        Ticks barTicks = Ticks.linear(-limit, limit, 4, false);
        double barLabelW = 0;
        for (String l : barTicks.labels()) barLabelW = Math.max(barLabelW, Svg.textWidth(l, 10.5, false));
        double rowLabelW = Svg.textWidth(Integer.toString(rows - 1), 10.5, false);

        double left = PAD + 20 + rowLabelW + 8; // rotated row title, labels, gap
        double legendW = 22 + 12 + 6 + barLabelW;
        double cellW = Math.min(36, (width - left - legendW - PAD) / cols);
        double cellH = Math.max(3, Math.min(14, 640.0 / rows));
        double matrixW = cellW * cols, matrixH = cellH * rows;

        int labelEvery = 1; // column labels thin out when cells get narrower than a character
        while (cellW * labelEvery < 9) labelEvery = nextNice(labelEvery);
        double charSize = Math.min(14, Math.max(9, cellW * 0.72));

        double titleY = PAD + 14;
        double columnTitleY = PAD + (title.isEmpty() ? 0 : 26) + 12;
        double labelBase = columnTitleY + 10 + charSize;
        double top = labelBase + 8;
        double barX = left + matrixW + 22, barH = Math.max(120, Math.min(260, matrixH));
        double barTop = top + (matrixH - barH) / 2;
        double height = Math.max(top + matrixH, barTop + barH + 8) + PAD;

        Svg svg = new Svg("heat", left + matrixW + legendW + PAD, height, title);
        if (!title.isEmpty()) {
            svg.text("text", title, "x", PAD, "y", titleY, "font-size", 16, "font-weight", 600, "fill", "currentColor");
        }
        svg.text("text", columnTitle + " →", "x", left, "y", columnTitleY, "font-size", 12.5, "fill", "currentColor",
                "fill-opacity", 0.8);

        svg.open("g", "font-family", Svg.MONO, "font-size", Num.coord(charSize), "text-anchor", "middle",
                "fill", "currentColor");
        for (int c = 0; c < cols; c += labelEvery) {
            String label = columnLabels.get(c);
            boolean substitute = Glyphs.isSubstituted(label);
            svg.open("text", "x", left + (c + 0.5) * cellW, "y", labelBase, "class", substitute ? "rl-glyph" : null,
                    "fill", substitute ? Svg.GLYPH : null, "font-size", substitute ? Num.coord(charSize * 1.2) : null);
            svg.raw().append(Xml.escape(Glyphs.visible(label)));
            svg.title(Glyphs.describe(label, words) + ", " + words.position() + " " + c);
            svg.close("text");
        }
        svg.close("g");

        int rowEvery = 1;
        while (rowEvery * cellH < 20) rowEvery = nextNice(rowEvery);
        svg.open("g", "font-size", 10.5, "text-anchor", "end", "fill", "currentColor", "fill-opacity", 0.75);
        for (int r = 0; r < rows; r += rowEvery) {
            svg.text("text", Integer.toString(r), "x", left - 8, "y", top + (r + 0.5) * cellH, "dy", "0.35em");
        }
        svg.close("g");
        svg.open("g", "stroke", "currentColor", "stroke-opacity", 0.5);
        for (int r = 0; r < rows; r += rowEvery) {
            double ty = top + (r + 0.5) * cellH;
            svg.empty("line", "x1", left - 4, "y1", ty, "x2", left - 1, "y2", ty);
        }
        svg.close("g");
        svg.text("text", rowTitle, "transform", "translate(" + Num.coord(PAD + 10) + " "
                + Num.coord(top + matrixH / 2) + ") rotate(-90)", "text-anchor", "middle", "font-size", 12.5,
                "fill", "currentColor", "fill-opacity", 0.8);

        cells(svg, left, top, cellW, cellH);

        colourBar(svg, barTicks, barX, barTop, barH);
        return svg.finish();
    }

    private void cells(Svg svg, double left, double top, double cellW, double cellH) {
        double gap = cellW >= 8 ? 1 : 0; // a hairline between columns helps the eye follow a character down
        String w = Num.coord(cellW - gap), h = Num.coord(cellH + 0.35); // overlap rows: no seams when scaled
        StringBuilder b = svg.raw();
        b.append("<g class=\"rl-cells\">");
        for (int r = 0; r < values.length; r++) {
            b.append("<g transform=\"translate(0 ");
            Num.coord(b, top + r * cellH);
            b.append(")\">");
            for (int c = 0; c < values[r].length; c++) {
                double v = values[r][c];
                b.append("<rect x=\"");
                Num.coord(b, left + c * cellW + gap / 2);
                b.append("\" width=\"").append(w).append("\" height=\"").append(h).append("\" fill=\"")
                        .append(Palette.diverging(v / limit)).append("\"><title>");
                Xml.escapeTo(b, rowTitle + " " + r + " · " + Glyphs.describe(columnLabels.get(c), words) + " (" + words.position() + " "
                        + c + ")\n" + valueTitle + " " + Num.precise(v));
                b.append("</title></rect>");
            }
            b.append("</g>");
        }
        b.append("</g>");
    }

    private void colourBar(Svg svg, Ticks ticks, double x, double top, double h) {
        svg.text("text", valueTitle, "x", x - 4, "y", top - 10, "font-size", 11, "fill", "currentColor",
                "fill-opacity", 0.8);
        int steps = 64;
        double sh = h / steps;
        svg.open("g");
        for (int i = 0; i < steps; i++) { // top is +limit
            double t = 1 - (i + 0.5) / steps * 2;
            svg.empty("rect", "x", x, "y", top + i * sh, "width", 12, "height", sh + 0.35, "fill", Palette.diverging(t));
        }
        svg.empty("rect", "x", x, "y", top, "width", 12, "height", h, "fill", "none", "stroke", "currentColor",
                "stroke-opacity", 0.35);
        svg.close("g");
        svg.open("g", "font-size", 10.5, "fill", "currentColor", "fill-opacity", 0.75);
        for (int i = 0; i < ticks.major().size(); i++) {
            double v = ticks.major().get(i);
            double ty = top + (1 - (v + limit) / (2 * limit)) * h;
            svg.empty("line", "x1", x + 12, "y1", ty, "x2", x + 16, "y2", ty, "stroke", "currentColor");
            svg.text("text", ticks.labels().get(i), "x", x + 19, "y", ty, "dy", "0.35em");
        }
        svg.close("g");
    }

    /** 1, 2, 5, 10, 20, 50, ...: label spacing a reader can count in. */
    private static int nextNice(int n) {
        int p = 1;
        while (p * 10 <= n) p *= 10;
        int lead = n / p;
        return lead < 2 ? 2 * p : lead < 5 ? 5 * p : 10 * p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeatMap m && title.equals(m.title) && Arrays.deepEquals(values, m.values)
                && columnLabels.equals(m.columnLabels) && rowTitle.equals(m.rowTitle)
                && columnTitle.equals(m.columnTitle) && valueTitle.equals(m.valueTitle) && limit == m.limit
                && width == m.width;
    }

    @Override
    public int hashCode() {
        return title.hashCode() * 31 + Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        return "HeatMap[" + title + ", " + rows() + "x" + columns() + "]";
    }
}
