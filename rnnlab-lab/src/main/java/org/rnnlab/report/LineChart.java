package org.rnnlab.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Several named series on one pair of axes, as SVG: loss per epoch for each model, or the gradient norm per time
 * step on a log axis. Title and legend on top, nice ticks with light grid lines, axis titles with units, optional
 * markers (a different shape per series, so the lines stay apart without colour), and a tooltip on every point
 * (an SVG {@code <title>}, shown on hover without any script).
 *
 * <p>Missing values (NaN, infinite, or not positive on a log axis) break the line; a point left alone between two
 * gaps is drawn as a dot so it does not vanish. Tooltips are attached to at most {@value #MAX_TOOLTIPS} points per
 * series: past that the file would grow faster than anyone can hover. It does not smooth, resample or annotate.
 *
 * @param markers draw a marker at each point
 * @param width   natural width in px (the chart scales to its container; this sets the proportions and text size)
 * @param height  natural height in px
 */
public record LineChart(String title, Axis xAxis, Axis yAxis, List<Series> series, boolean markers, int width,
        int height) implements Chart {
    static final int MAX_TOOLTIPS = 500;
    private static final double PAD = 16;

    public LineChart {
        if (title == null) throw new IllegalArgumentException("chart title must not be null (use \"\" for none)");
        if (xAxis == null || yAxis == null) throw new IllegalArgumentException("chart " + title + " needs both axes");
        series = List.copyOf(series);
        if (width < 240 || height < 160) {
            throw new IllegalArgumentException("chart " + title + " must be at least 240x160 px, got " + width + "x" + height);
        }
    }

    /**
     * An 880x420 chart, about the width of the report's column so its text shows at its designed size (for two
     * charts side by side, {@link #withSize} about 460 wide); markers when no series has more than 50 points
     * (beyond that they become a thick smear).
     */
    public static LineChart of(String title, Axis xAxis, Axis yAxis, List<Series> series) {
        boolean few = series.stream().allMatch(s -> s.size() <= 50);
        return new LineChart(title, xAxis, yAxis, series, few, 880, 420);
    }

    public LineChart withMarkers(boolean on) {
        return new LineChart(title, xAxis, yAxis, series, on, width, height);
    }

    public LineChart withSize(int w, int h) {
        return new LineChart(title, xAxis, yAxis, series, markers, w, h);
    }

    private boolean drawable(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y) && (!xAxis.log() || x > 0) && (!yAxis.log() || y > 0);
    }

    @Override
    public String toSvg() {
        double xLo = Double.POSITIVE_INFINITY, xHi = Double.NEGATIVE_INFINITY;
        double yLo = Double.POSITIVE_INFINITY, yHi = Double.NEGATIVE_INFINITY;
        List<double[]> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (Series s : series) {
            double[] x = s.x(), y = s.y();
            xs.add(x);
            ys.add(y);
            for (int i = 0; i < x.length; i++) {
                if (!drawable(x[i], y[i])) continue;
                xLo = Math.min(xLo, x[i]);
                xHi = Math.max(xHi, x[i]);
                yLo = Math.min(yLo, y[i]);
                yHi = Math.max(yHi, y[i]);
            }
        }
        boolean empty = xLo > xHi;
        if (empty) { // an empty frame still shows what would be plotted
            xLo = xAxis.log() ? 1 : 0;
            xHi = xAxis.log() ? 10 : 1;
            yLo = yAxis.log() ? 1 : 0;
            yHi = yAxis.log() ? 10 : 1;
        }

        Svg svg = new Svg("line", width, height, title);
        double y0 = PAD;
        if (!title.isEmpty()) {
            svg.text("text", title, "x", PAD, "y", y0 + 14, "font-size", 16, "font-weight", 600, "fill", "currentColor");
            y0 += 26;
        }
        double legendBottom = legend(svg, y0);

        double top = legendBottom + 14;
        double bottom = height - PAD - 40;
        Ticks yt = yAxis.log() ? Ticks.log(yLo, yHi, Math.max(2, (int) ((bottom - top) / 20)))
                : Ticks.linear(yLo, yHi, Math.max(2, (int) Math.round((bottom - top) / 60)), yAxis.integer());
        double labelW = 0;
        for (String l : yt.labels()) labelW = Math.max(labelW, Svg.textWidth(l, 11, false));
        double left = PAD + 22 + labelW + 8;
        double right = width - PAD - 12;
        Ticks xt = xAxis.log() ? Ticks.log(xLo, xHi, Math.max(2, (int) ((right - left) / 60)))
                : Ticks.linear(xLo, xHi, Math.max(2, (int) Math.round((right - left) / 90)), xAxis.integer());
        right -= Math.max(0, Svg.textWidth(xt.labels().get(xt.labels().size() - 1), 11, false) / 2 - 12);
        Frame f = new Frame(left, top, right, bottom, xt, yt);

        grid(svg, f);
        svg.text("text", xAxis.label(), "x", (left + right) / 2, "y", height - PAD - 2, "text-anchor", "middle",
                "font-size", 12.5, "fill", "currentColor");
        svg.text("text", yAxis.label(), "transform", "translate(" + Num.coord(PAD + 10) + " "
                + Num.coord((top + bottom) / 2) + ") rotate(-90)", "text-anchor", "middle", "font-size", 12.5,
                "fill", "currentColor");

        for (int s = 0; s < series.size(); s++) line(svg, f, s, xs.get(s), ys.get(s));
        if (empty) {
            svg.text("text", "no data", "x", (left + right) / 2, "y", (top + bottom) / 2, "text-anchor", "middle",
                    "fill", "currentColor", "fill-opacity", 0.6);
        }
        return svg.finish();
    }

    /** Plot area and its scales. */
    private record Frame(double left, double top, double right, double bottom, Ticks xt, Ticks yt) {
        double x(double v) {
            return left + xt.fraction(v) * (right - left);
        }

        double y(double v) {
            return bottom - yt.fraction(v) * (bottom - top);
        }
    }

    /** Lays the legend out in rows under the title; returns the y below it. */
    private double legend(Svg svg, double y0) {
        if (series.isEmpty()) return y0;
        double x = PAD, y = y0 + 10, rowH = 20;
        svg.open("g", "font-size", 12.5);
        for (int s = 0; s < series.size(); s++) {
            String name = series.get(s).name();
            double w = 28 + Svg.textWidth(name, 12.5, false);
            if (x > PAD && x + w > width - PAD) {
                x = PAD;
                y += rowH;
            }
            svg.open("g", "class", "rl-s" + s, "color", Palette.series(s));
            svg.empty("line", "x1", x, "y1", y, "x2", x + 22, "y2", y, "stroke", "currentColor", "stroke-width", 2.5,
                    "stroke-linecap", "round", "stroke-dasharray", Palette.dash(s));
            if (markers) marker(svg, s, x + 11, y);
            svg.close("g");
            svg.text("text", name, "x", x + 28, "y", y, "dy", "0.35em", "fill", "currentColor"); // ink: pale hues are hard to read as text
            x += w + 22;
        }
        svg.close("g");
        return y + 10;
    }

    private void grid(Svg svg, Frame f) {
        svg.open("g", "stroke", "currentColor", "fill", "none");
        // Minor grid lines only where a decade is tall enough to tell them apart; the tick marks always help.
        boolean yMinorGrid = decadeSize(f.yt(), f.bottom() - f.top()) >= 70;
        boolean xMinorGrid = decadeSize(f.xt(), f.right() - f.left()) >= 90;
        for (double v : f.yt().minor()) {
            double y = f.y(v);
            if (yMinorGrid) svg.empty("line", "x1", f.left(), "y1", y, "x2", f.right(), "y2", y, "stroke-opacity", 0.05);
            svg.empty("line", "x1", f.left() - 3, "y1", y, "x2", f.left(), "y2", y, "stroke-opacity", 0.45);
        }
        for (double v : f.xt().minor()) {
            double x = f.x(v);
            if (xMinorGrid) svg.empty("line", "x1", x, "y1", f.top(), "x2", x, "y2", f.bottom(), "stroke-opacity", 0.05);
            svg.empty("line", "x1", x, "y1", f.bottom(), "x2", x, "y2", f.bottom() + 3, "stroke-opacity", 0.45);
        }
        for (double v : f.yt().major()) {
            double y = f.y(v);
            svg.empty("line", "x1", f.left(), "y1", y, "x2", f.right(), "y2", y, "stroke-opacity", 0.13);
            svg.empty("line", "x1", f.left() - 5, "y1", y, "x2", f.left(), "y2", y, "stroke-opacity", 0.55);
        }
        for (double v : f.xt().major()) {
            double x = f.x(v);
            svg.empty("line", "x1", x, "y1", f.top(), "x2", x, "y2", f.bottom(), "stroke-opacity", 0.07);
            svg.empty("line", "x1", x, "y1", f.bottom(), "x2", x, "y2", f.bottom() + 5, "stroke-opacity", 0.55);
        }
        svg.empty("path", "d", "M" + Num.coord(f.left()) + " " + Num.coord(f.top()) + "V" + Num.coord(f.bottom())
                + "H" + Num.coord(f.right()), "stroke-opacity", 0.55);
        svg.close("g");

        svg.open("g", "font-size", 11, "fill", "currentColor", "fill-opacity", 0.75);
        for (int i = 0; i < f.yt().major().size(); i++) {
            String label = f.yt().labels().get(i);
            if (!label.isEmpty()) {
                svg.text("text", label, "x", f.left() - 8, "y", f.y(f.yt().major().get(i)), "dy", "0.32em",
                        "text-anchor", "end");
            }
        }
        for (int i = 0; i < f.xt().major().size(); i++) {
            String label = f.xt().labels().get(i);
            if (!label.isEmpty()) {
                svg.text("text", label, "x", f.x(f.xt().major().get(i)), "y", f.bottom() + 18, "text-anchor", "middle");
            }
        }
        svg.close("g");
    }

    private static double decadeSize(Ticks t, double pixels) {
        return t.log() ? pixels / Math.log10(t.max() / t.min()) : 0;
    }

    private void line(Svg svg, Frame f, int s, double[] x, double[] y) {
        Series series = this.series.get(s);
        svg.open("g", "class", "rl-s" + s, "color", Palette.series(s));
        svg.title(series.name()); // hovering the line itself names it

        StringBuilder d = new StringBuilder();
        boolean[] lonely = new boolean[x.length];
        int run = 0;
        for (int i = 0; i <= x.length; i++) {
            boolean ok = i < x.length && drawable(x[i], y[i]);
            if (ok) {
                d.append(run == 0 ? 'M' : 'L');
                Num.coord(d, f.x(x[i]));
                d.append(' ');
                Num.coord(d, f.y(y[i]));
                run++;
            } else {
                if (run == 1) lonely[i - 1] = true;
                run = 0;
            }
        }
        if (d.length() > 0) {
            svg.empty("path", "d", d.toString(), "fill", "none", "stroke", "currentColor", "stroke-width", 2.25,
                    "stroke-linejoin", "round", "stroke-linecap", "round", "stroke-dasharray", Palette.dash(s));
        }
        for (int i = 0; i < x.length; i++) {
            if (!drawable(x[i], y[i])) continue;
            if (markers) {
                marker(svg, s, f.x(x[i]), f.y(y[i]));
            } else if (lonely[i]) {
                svg.empty("circle", "cx", f.x(x[i]), "cy", f.y(y[i]), "r", 2.5, "fill", "currentColor");
            }
        }
        int tips = 0;
        for (int i = 0; i < x.length && tips < MAX_TOOLTIPS; i++) {
            if (!drawable(x[i], y[i])) continue;
            tips++;
            svg.open("circle", "class", "rl-hit", "cx", f.x(x[i]), "cy", f.y(y[i]), "r", 8, "fill", "currentColor",
                    "fill-opacity", 0);
            svg.title(series.name() + "\n" + axisValue(xAxis, x[i]) + "\n" + axisValue(yAxis, y[i]));
            svg.close("circle");
        }
        svg.close("g");
    }

    private static String axisValue(Axis axis, double v) {
        return axis.title() + ": " + Num.value(v) + (axis.unit().isEmpty() ? "" : " " + axis.unit());
    }

    /** Circle, square, triangle, diamond: shapes tell series apart in print and for readers who cannot see hue. */
    static void marker(Svg svg, int s, double x, double y) {
        String ring = "stroke:var(--rl-surface, #fff)";
        switch (s % 4) {
            case 0 -> svg.empty("circle", "cx", x, "cy", y, "r", 3.8, "fill", "currentColor", "stroke-width", 1.2,
                    "style", ring);
            case 1 -> svg.empty("rect", "x", x - 3.4, "y", y - 3.4, "width", 6.8, "height", 6.8, "fill",
                    "currentColor", "stroke-width", 1.2, "style", ring);
            case 2 -> svg.empty("path", "d", "M" + Num.coord(x) + " " + Num.coord(y - 4.6) + "L" + Num.coord(x + 4.3)
                    + " " + Num.coord(y + 3) + "H" + Num.coord(x - 4.3) + "Z", "fill", "currentColor",
                    "stroke-width", 1.2, "style", ring);
            default -> svg.empty("path", "d", "M" + Num.coord(x) + " " + Num.coord(y - 4.8) + "L" + Num.coord(x + 4.8)
                    + " " + Num.coord(y) + "L" + Num.coord(x) + " " + Num.coord(y + 4.8) + "L" + Num.coord(x - 4.8)
                    + " " + Num.coord(y) + "Z", "fill", "currentColor", "stroke-width", 1.2, "style", ring);
        }
    }
}
