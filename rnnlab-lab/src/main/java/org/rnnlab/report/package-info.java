/**
 * The HTML report and its charts: SVG line charts (linear or log axes), heat maps, bar charts, metrics tables and
 * side-by-side completions, rendered as one self-contained HTML file (inline CSS and SVG; no scripts, no network,
 * no fonts to fetch) that opens from disk, follows the reader's light or dark preference and prints.
 *
 * <p>Rendering only: it reads plain records ({@link org.rnnlab.report.Series}, {@link org.rnnlab.report.HeatMap},
 * {@link org.rnnlab.report.MetricsTable}, ...) that the caller fills, and deliberately depends on no model, training
 * or generation code, so that the lab, the CLI and a web playground can all draw with it. It writes no files: the
 * caller decides where the string goes.
 *
 * <p>Not a library API: rnnlab-lab is an application of the core's public API ({@code org.rnnlab}) and may change.
 */
package org.rnnlab.report;
