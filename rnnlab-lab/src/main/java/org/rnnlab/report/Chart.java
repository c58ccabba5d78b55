package org.rnnlab.report;

/**
 * A chart that renders itself as a standalone SVG document (well-formed XML, no ids, no scripts), which
 * {@link HtmlReport} inlines as is. Sealed: the report trusts this markup, so only the package's own escaping
 * renderers produce it.
 */
public sealed interface Chart permits LineChart, HeatMap, BarChart, ScatterChart {
    /** The chart's title, also its accessible name. */
    String title();

    /** The chart as an SVG element that scales with its container (viewBox) and defaults to its natural size. */
    String toSvg();
}
