package org.rnnlab.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Points on the unit square, as SVG: fractions against fractions, such as how often each gate of a recurrent layer is
 * left saturated (below 0.1) against right saturated (above 0.9), the figure of Karpathy, Johnson and Fei-Fei
 * (2015). Both axes run from 0 to 1, drawn to the same scale; since the two fractions of one gate cannot add up to
 * more than 1, the diagonal x + y = 1 is drawn as the edge of what is possible. Each group has its colour and marker
 * shape (as {@link LineChart}'s series) and every point a tooltip naming it: "{@code group}, {@code pointName} i".
 *
 * @param pointName what one point is ("cell"), for the tooltips
 * @param size      natural width in px; the height follows
 */
public record ScatterChart(String title, Axis xAxis, Axis yAxis, List<Group> groups, String pointName, int size)
        implements Chart {
    private static final double PAD = 16;

    /** One set of points drawn alike; point i is (x[i], y[i]). */
    public record Group(String name, double[] x, double[] y) {
        public Group {
            if (x.length != y.length) {
                throw new IllegalArgumentException("group " + name + " has " + x.length + " x values and " + y.length + " y values");
            }
            x = x.clone();
            y = y.clone();
        }
    }

    public ScatterChart {
        if (title == null) throw new IllegalArgumentException("chart title must not be null (use \"\" for none)");
        groups = List.copyOf(groups);
        if (size < 240) throw new IllegalArgumentException("chart " + title + " must be at least 240 px wide, got " + size);
    }

    @Override
    public String toSvg() {
        Ticks t = Ticks.linear(0, 1, 5, false);
        double labelW = 0;
        for (String l : t.labels()) labelW = Math.max(labelW, Svg.textWidth(l, 11, false));
        double y0 = PAD + (title.isEmpty() ? 0 : 26);
        // the legend in rows under the title
        List<double[]> at = new ArrayList<>();
        double x = PAD, y = y0 + 10;
        for (Group g : groups) {
            double w = 22 + Svg.textWidth(g.name(), 12.5, false);
            if (x > PAD && x + w > size - PAD) {
                x = PAD;
                y += 20;
            }
            at.add(new double[] {x, y});
            x += w + 18;
        }
        double left = PAD + 22 + labelW + 8, top = (groups.isEmpty() ? y0 : y + 10) + 14;
        double side = size - PAD - 12 - left;
        double right = left + side, bottom = top + side, height = bottom + 40 + PAD;

        Svg svg = new Svg("scatter", size, height, title);
        if (!title.isEmpty()) {
            svg.text("text", title, "x", PAD, "y", PAD + 14, "font-size", 16, "font-weight", 600, "fill", "currentColor");
        }
        svg.open("g", "font-size", 12.5);
        for (int s = 0; s < groups.size(); s++) {
            svg.open("g", "class", "rl-s" + s, "color", Palette.series(s));
            LineChart.marker(svg, s, at.get(s)[0] + 6, at.get(s)[1]);
            svg.close("g");
            svg.text("text", groups.get(s).name(), "x", at.get(s)[0] + 16, "y", at.get(s)[1], "dy", "0.35em",
                    "fill", "currentColor");
        }
        svg.close("g");

        svg.open("g", "stroke", "currentColor", "fill", "none");
        for (int i = 0; i < t.major().size(); i++) {
            double v = t.major().get(i), px = left + v * side, py = bottom - v * side;
            svg.empty("line", "x1", left, "y1", py, "x2", right, "y2", py, "stroke-opacity", 0.1);
            svg.empty("line", "x1", px, "y1", top, "x2", px, "y2", bottom, "stroke-opacity", 0.1);
        }
        svg.empty("path", "d", "M" + Num.coord(left) + " " + Num.coord(top) + "L" + Num.coord(right) + " "
                + Num.coord(bottom), "stroke-opacity", 0.35, "stroke-dasharray", "4 4");
        svg.empty("path", "d", "M" + Num.coord(left) + " " + Num.coord(top) + "V" + Num.coord(bottom) + "H"
                + Num.coord(right), "stroke-opacity", 0.55);
        svg.close("g");
        svg.open("g", "font-size", 11, "fill", "currentColor", "fill-opacity", 0.75);
        for (int i = 0; i < t.major().size(); i++) {
            double v = t.major().get(i);
            svg.text("text", t.labels().get(i), "x", left - 8, "y", bottom - v * side, "dy", "0.32em", "text-anchor", "end");
            svg.text("text", t.labels().get(i), "x", left + v * side, "y", bottom + 18, "text-anchor", "middle");
        }
        svg.close("g");
        svg.text("text", xAxis.label(), "x", (left + right) / 2, "y", height - PAD - 2, "text-anchor", "middle",
                "font-size", 12.5, "fill", "currentColor");
        svg.text("text", yAxis.label(), "transform", "translate(" + Num.coord(PAD + 10) + " "
                + Num.coord((top + bottom) / 2) + ") rotate(-90)", "text-anchor", "middle", "font-size", 12.5,
                "fill", "currentColor");

        for (int s = 0; s < groups.size(); s++) {
            Group g = groups.get(s);
            svg.open("g", "class", "rl-s" + s, "color", Palette.series(s), "fill-opacity", 0.75);
            for (int i = 0; i < g.x().length; i++) {
                double px = left + clamp(g.x()[i]) * side, py = bottom - clamp(g.y()[i]) * side;
                svg.open("g");
                LineChart.marker(svg, s, px, py);
                svg.title(g.name() + ", " + pointName + " " + i + "\n" + xAxis.title() + ": " + Num.decimals(100 * g.x()[i], 1)
                        + "%\n" + yAxis.title() + ": " + Num.decimals(100 * g.y()[i], 1) + "%");
                svg.close("g");
            }
            svg.close("g");
        }
        return svg.finish();
    }

    private static double clamp(double v) {
        return Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
    }
}
