package org.rnnlab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds one self-contained HTML page: a title, sections of paragraphs, charts, metrics tables, completions and
 * preformatted text, in the order added. The page has inline CSS and inline SVG only (no script, no font or image
 * to fetch), so it opens from disk anywhere; it follows the reader's light or dark preference, reflows on a phone
 * (charts scale through their viewBox), and prints on white with figures kept whole.
 *
 * <p>Output is polyglot: valid HTML5 and well-formed XML at once (every element closed, void elements written
 * {@code <br/>}, no named entities, CSS free of {@code <} and {@code &}), so tests and tools can read it with an
 * XML parser. All text is escaped by {@link Xml}. A builder, not a record: a report grows as the lab runs. Not
 * thread-safe. It writes no file; {@link #render()} returns the page.
 */
public final class HtmlReport {
    private final String title;
    private String subtitle = "";
    private final StringBuilder intro = new StringBuilder();
    private final List<String> headings = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private Words words = Words.EN;

    public HtmlReport(String title) {
        if (title == null || title.isBlank()) throw new IllegalArgumentException("a report needs a title, got \"" + title + "\"");
        this.title = title;
    }

    /** The language of the words the report writes by itself (the page's {@code lang}, footer, table notes). */
    public HtmlReport words(Words w) {
        words = java.util.Objects.requireNonNull(w, "words");
        return this;
    }

    /** A line under the title: what was run, when, on what. */
    public HtmlReport subtitle(String text) {
        subtitle = text;
        return this;
    }

    /** Starts a new section with this heading; what follows goes into it. */
    public HtmlReport section(String heading) {
        if (!headings.isEmpty()) body.append("</section>\n");
        headings.add(heading);
        body.append("<section id=\"s").append(headings.size()).append("\">\n<h2>");
        Xml.escapeTo(body, heading);
        body.append("</h2>\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        StringBuilder b = target().append("<p>");
        Xml.escapeTo(b, text);
        b.append("</p>\n");
        return this;
    }

    /** One chart across the page, with a caption under it ("" for none). */
    public HtmlReport figure(Chart chart, String caption) {
        return figures(List.of(chart), caption);
    }

    /** Charts side by side (they wrap onto new lines on narrow screens), with one caption. */
    public HtmlReport figures(List<? extends Chart> charts, String caption) {
        StringBuilder b = target().append("<figure class=\"rl-figure\">\n");
        if (charts.size() > 1) b.append("<div class=\"rl-row\">\n");
        for (Chart c : charts) b.append("<div class=\"rl-cell\">").append(c.toSvg()).append("</div>\n");
        if (charts.size() > 1) b.append("</div>\n");
        caption(b, caption);
        b.append("</figure>\n");
        return this;
    }

    /** A table of models against metrics; numbers right-aligned, each column's best value highlighted. */
    public HtmlReport table(MetricsTable table, String caption) {
        StringBuilder b = target().append("<figure class=\"rl-figure rl-table\">\n<div class=\"rl-scroll\"><table>\n<thead><tr><th scope=\"col\">");
        Xml.escapeTo(b, words.model());
        b.append("</th>");
        boolean anyBest = false;
        for (MetricsTable.Metric m : table.metrics()) {
            b.append("<th scope=\"col\" class=\"num\"");
            if (!m.better().arrow.isEmpty()) {
                b.append(" title=\"");
                Xml.escapeAttributeTo(b, m.better() == MetricsTable.Better.LOWER ? words.lowerIsBetter() : words.higherIsBetter());
                b.append('"');
            }
            b.append('>');
            Xml.escapeTo(b, m.name());
            if (!m.better().arrow.isEmpty()) b.append("\u00A0<span class=\"rl-dir\">").append(m.better().arrow).append("</span>");
            if (!m.unit().isEmpty()) {
                b.append("<span class=\"rl-unit\">");
                Xml.escapeTo(b, m.unit());
                b.append("</span>");
            }
            b.append("</th>");
        }
        b.append("</tr></thead>\n<tbody>\n");
        List<Set<Integer>> best = new ArrayList<>();
        for (int c = 0; c < table.metrics().size(); c++) {
            best.add(table.best(c));
            anyBest |= !best.get(c).isEmpty();
        }
        for (int r = 0; r < table.rows().size(); r++) {
            MetricsTable.Row row = table.rows().get(r);
            b.append("<tr><th scope=\"row\">");
            Xml.escapeTo(b, row.model());
            b.append("</th>");
            double[] v = row.values();
            for (int c = 0; c < v.length; c++) {
                String text = Num.fixed(v[c], table.metrics().get(c).decimals());
                if (best.get(c).contains(r)) {
                    b.append("<td class=\"num best\" title=\"").append(Xml.escape(words.best())).append("\"><strong>").append(Xml.escape(text)).append("</strong></td>");
                } else {
                    b.append("<td class=\"num\">").append(Xml.escape(text)).append("</td>");
                }
            }
            b.append("</tr>\n");
        }
        b.append("</tbody>\n</table></div>\n");
        String note = anyBest ? words.highlighted() : "";
        caption(b, caption.isEmpty() ? note : note.isEmpty() ? caption : caption + " " + note);
        b.append("</figure>\n");
        return this;
    }

    /** Completions side by side, each in monospace with its whitespace kept and its prompt shaded. */
    public HtmlReport completions(List<PromptCompletion> completions) {
        StringBuilder b = target().append("<div class=\"rl-completions\">\n");
        for (PromptCompletion c : completions) {
            b.append("<article class=\"rl-completion\">\n<h3>");
            Xml.escapeTo(b, c.model());
            if (!c.note().isEmpty()) {
                b.append(" <span class=\"rl-note\">");
                Xml.escapeTo(b, c.note());
                b.append("</span>");
            }
            // The <pre> starts with an element, never a newline: the HTML parser drops a newline right after <pre>.
            b.append("</h3>\n<pre><span class=\"rl-prompt\" title=\"").append(Xml.escape(words.prompt())).append("\">");
            Xml.escapeTo(b, c.prompt());
            b.append("</span><span class=\"rl-gen\">");
            Xml.escapeTo(b, c.generated());
            b.append("</span></pre>\n</article>\n");
        }
        b.append("</div>\n<p class=\"rl-key\"><span class=\"rl-prompt\">").append(Xml.escape(words.shaded())).append("</span>")
                .append(Xml.escape(words.shadedRest())).append("</p>\n");
        return this;
    }

    /**
     * A table of text: {@code headers} over the columns, the first column as the rows' headers; the columns marked
     * {@code numeric} right-aligned. Cells are plain text; one given as {@code **text**} is shown in bold.
     */
    public HtmlReport textTable(List<String> headers, List<List<String>> rows, boolean[] numeric, String caption) {
        if (numeric.length != headers.size()) {
            throw new IllegalArgumentException("a table of " + headers.size() + " columns needs as many numeric flags, got " + numeric.length);
        }
        StringBuilder b = target().append("<figure class=\"rl-figure rl-table\">\n<div class=\"rl-scroll\"><table>\n<thead><tr>");
        for (int c = 0; c < headers.size(); c++) {
            b.append(numeric[c] ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">");
            Xml.escapeTo(b, headers.get(c));
            b.append("</th>");
        }
        b.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            if (row.size() != headers.size()) {
                throw new IllegalArgumentException("a row has " + row.size() + " cells for " + headers.size() + " columns: " + row);
            }
            b.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                String tag = c == 0 ? "th" : "td";
                b.append('<').append(tag).append(c == 0 ? " scope=\"row\"" : "").append(numeric[c] ? " class=\"num\">" : ">");
                String v = row.get(c);
                boolean bold = v.length() > 4 && v.startsWith("**") && v.endsWith("**");
                if (bold) b.append("<strong>");
                Xml.escapeTo(b, bold ? v.substring(2, v.length() - 2) : v);
                if (bold) b.append("</strong>");
                b.append("</").append(tag).append('>');
            }
            b.append("</tr>\n");
        }
        b.append("</tbody>\n</table></div>\n");
        caption(b, caption);
        b.append("</figure>\n");
        return this;
    }

    /**
     * A text with each character's background coloured by a value ({@link Palette#diverging}: blue negative, white 0,
     * red positive, ±{@code limit} darkest), as Karpathy, Johnson and Fei-Fei colour text by one cell. Newlines are
     * shown as ⏎ and kept; every character has a tooltip with its position and value (to 4 decimals).
     *
     * @param values one per code point of {@code text}
     */
    public HtmlReport tintedText(String title, String text, double[] values, double limit, String caption) {
        int[] cps = text.codePoints().toArray();
        if (values.length != cps.length) {
            throw new IllegalArgumentException("a tinted text of " + cps.length + " characters needs as many values, got " + values.length);
        }
        if (!(limit > 0) || Double.isInfinite(limit)) throw new IllegalArgumentException("colour limit must be positive, got " + limit);
        StringBuilder b = target().append("<figure class=\"rl-figure\">\n");
        if (!title.isEmpty()) {
            b.append("<h3>");
            Xml.escapeTo(b, title);
            b.append("</h3>\n");
        }
        // The <pre> starts with an element, never a newline: the HTML parser drops a newline right after <pre>.
        b.append("<pre class=\"rl-tint\">");
        for (int t = 0; t < cps.length; t++) {
            String ch = new String(Character.toChars(cps[t]));
            double u = values[t] / limit;
            b.append("<span style=\"background:").append(Palette.diverging(u)).append(";color:")
                    .append(Palette.isDark(u) ? "#fff" : "#111").append("\" title=\"");
            Xml.escapeAttributeTo(b, Glyphs.describe(ch, words) + ", " + words.position() + " " + t + ": " + Num.decimals(values[t], 4));
            b.append("\">");
            Xml.escapeTo(b, cps[t] == '\n' ? "⏎" : ch);
            b.append("</span>");
            if (cps[t] == '\n') b.append('\n');
        }
        b.append("</pre>\n");
        caption(b, caption);
        b.append("</figure>\n");
        return this;
    }

    /** Preformatted text: a log, a configuration. */
    public HtmlReport pre(String text) {
        StringBuilder b = target().append("<pre class=\"rl-pre\"><code>");
        Xml.escapeTo(b, text);
        b.append("</code></pre>\n");
        return this;
    }

    /** The whole page. The builder can keep growing afterwards and render again. */
    public String render() {
        StringBuilder b = new StringBuilder(body.length() + 8192);
        b.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"").append(words.lang()).append("\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<meta name=\"color-scheme\" content=\"light dark\"/>\n")
                .append("<meta name=\"generator\" content=\"rnnlab\"/>\n<title>");
        Xml.escapeTo(b, title);
        b.append("</title>\n<style>").append(css()).append("</style>\n</head>\n<body>\n<main>\n<header>\n")
                .append("<p class=\"rl-kicker\">").append(Xml.escape(words.kicker())).append("</p>\n<h1>");
        Xml.escapeTo(b, title);
        b.append("</h1>\n");
        if (!subtitle.isEmpty()) {
            b.append("<p class=\"rl-subtitle\">");
            Xml.escapeTo(b, subtitle);
            b.append("</p>\n");
        }
        b.append(intro);
        if (headings.size() >= 3) { // a short report needs no table of contents
            b.append("<nav aria-label=\"").append(Xml.escape(words.contents())).append("\"><ol>\n");
            for (int i = 0; i < headings.size(); i++) {
                b.append("<li><a href=\"#s").append(i + 1).append("\">");
                Xml.escapeTo(b, headings.get(i));
                b.append("</a></li>\n");
            }
            b.append("</ol></nav>\n");
        }
        b.append("</header>\n").append(body);
        if (!headings.isEmpty()) b.append("</section>\n");
        b.append("<footer>").append(Xml.escape(words.footer())).append("</footer>\n")
                .append("</main>\n</body>\n</html>\n");
        return b.toString();
    }

    private StringBuilder target() {
        return headings.isEmpty() ? intro : body;
    }

    private static void caption(StringBuilder b, String caption) {
        if (caption.isEmpty()) return;
        b.append("<figcaption>");
        Xml.escapeTo(b, caption);
        b.append("</figcaption>\n");
    }

    /** The style sheet; series colours come from {@link Palette} so dark mode and print stay in step with the SVGs. */
    static String css() {
        StringBuilder dark = new StringBuilder(), light = new StringBuilder();
        for (int i = 0; i < Palette.LIGHT.length; i++) {
            dark.append(".rl-s").append(i).append("{color:").append(Palette.DARK[i]).append("}");
            light.append(".rl-s").append(i).append("{color:").append(Palette.LIGHT[i]).append("}");
        }
        return """

                :root{--bg:#f5f6f8;--rl-surface:#ffffff;--fg:#1f2328;--muted:#59636e;--border:#dde1e6;\
                --accent:#0072B2;--prompt-bg:#e3eef8;--prompt-fg:#0b4f7c;--best-bg:#e6f4ec;--best-fg:#0d5e38;\
                --code-bg:#f0f2f5;--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;\
                --mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
                @media (prefers-color-scheme:dark){:root{--bg:#0e1116;--rl-surface:#161b22;--fg:#e6edf3;\
                --muted:#9aa5b1;--border:#2a313c;--accent:#56B4E9;--prompt-bg:#17324a;--prompt-fg:#a9d4f5;\
                --best-bg:#15382a;--best-fg:#8fe0b5;--code-bg:#1c222b}DARK}
                *{box-sizing:border-box}
                html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
                body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.6 var(--sans);\
                -webkit-font-smoothing:antialiased}
                main{max-width:1040px;margin:0 auto;padding:48px 28px 56px}
                header{margin-bottom:8px}
                .rl-kicker{margin:0 0 6px;color:var(--accent);font-size:.78rem;font-weight:600;letter-spacing:.08em;\
                text-transform:uppercase}
                h1{margin:0;font-size:2.1rem;line-height:1.2;letter-spacing:-.015em;font-weight:700}
                .rl-subtitle{margin:.5em 0 20px;color:var(--muted);font-size:1.02rem}
                header p{max-width:72ch}
                nav{margin:24px 0 0;padding:12px 18px;border:1px solid var(--border);border-radius:10px;\
                background:var(--rl-surface);font-size:.92rem}
                nav ol{margin:0;padding-left:1.3em;columns:2 220px;column-gap:32px}
                nav a{color:var(--fg);text-decoration:none}
                nav a:hover{color:var(--accent);text-decoration:underline}
                section{margin-top:44px}
                h2{margin:0 0 14px;padding-bottom:8px;border-bottom:1px solid var(--border);font-size:1.4rem;\
                line-height:1.3;letter-spacing:-.01em;font-weight:650}
                h3{margin:0 0 8px;font-size:1rem;font-weight:650}
                p{margin:0 0 14px;max-width:75ch}
                .rl-figure{margin:20px 0 24px;padding:18px 18px 14px;background:var(--rl-surface);\
                border:1px solid var(--border);border-radius:12px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
                .rl-figure svg{display:block;width:100%;height:auto}
                .rl-figure svg.rl-heat,.rl-figure svg.rl-bar,.rl-figure svg.rl-scatter{width:auto;max-width:100%}
                .rl-row{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:18px;align-items:start}
                .rl-chart{color:var(--fg)}
                .rl-chart .rl-hit:hover{fill-opacity:.18}
                .rl-chart .rl-glyph{fill:var(--accent)}
                figcaption{margin-top:10px;color:var(--muted);font-size:.9rem;line-height:1.5}
                .rl-scroll{overflow-x:auto}
                table{width:100%;border-collapse:collapse;font-size:.95rem;font-variant-numeric:tabular-nums}
                th,td{padding:9px 14px;border-bottom:1px solid var(--border);text-align:left;white-space:nowrap}
                thead th{border-bottom:2px solid var(--border);color:var(--muted);font-weight:600;font-size:.85rem;\
                vertical-align:bottom;white-space:normal}
                tbody tr:last-child th,tbody tr:last-child td{border-bottom:0}
                tbody th{font-weight:600}
                .num{text-align:right}
                .rl-dir{color:var(--accent)}
                .rl-unit{display:block;font-weight:400;font-size:.78rem;opacity:.85}
                td.best{background:var(--best-bg);color:var(--best-fg)}
                td.best strong{font-weight:700}
                .rl-completions{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px;\
                margin:16px 0 8px}
                .rl-completion{margin:0;padding:14px 16px;background:var(--rl-surface);border:1px solid var(--border);\
                border-radius:12px;min-width:0}
                .rl-note{color:var(--muted);font-weight:400;font-size:.85rem;margin-left:.4em}
                .rl-completion pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font:14px/1.55 var(--mono);\
                tab-size:4}
                .rl-prompt{background:var(--prompt-bg);color:var(--prompt-fg);border-radius:3px;padding:1px 0;\
                box-shadow:0 0 0 2px var(--prompt-bg);-webkit-box-decoration-break:clone;box-decoration-break:clone}
                .rl-key{color:var(--muted);font-size:.85rem}
                .rl-key .rl-prompt{font-family:var(--mono);padding:0 4px}
                .rl-pre{margin:16px 0;padding:14px 16px;background:var(--code-bg);border:1px solid var(--border);\
                border-radius:10px;overflow-x:auto;font:13.5px/1.55 var(--mono)}
                .rl-pre code{font:inherit}
                .rl-tint{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font:14px/1.7 var(--mono)}
                .rl-tint span{border-radius:2px}
                footer{margin-top:56px;padding-top:16px;border-top:1px solid var(--border);color:var(--muted);\
                font-size:.82rem}
                @media (max-width:640px){main{padding:28px 14px 40px}h1{font-size:1.6rem}\
                .rl-figure{padding:12px 10px 10px;border-radius:10px}}
                @media print{:root{--bg:#fff;--rl-surface:#fff;--fg:#000;--muted:#444;--border:#c8ccd1;\
                --accent:#0072B2;--prompt-bg:#e3eef8;--prompt-fg:#0b4f7c;--best-bg:#e6f4ec;--best-fg:#0d5e38;\
                --code-bg:#f6f6f6}LIGHT
                body{font-size:11pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
                main{max-width:none;padding:0}nav{display:none}
                .rl-figure,.rl-completion,.rl-pre,h2,h3{break-inside:avoid}h2,h3{break-after:avoid}
                .rl-figure{box-shadow:none}section{margin-top:28px}
                .rl-scroll{overflow:visible}table{font-size:9.5pt}th,td{padding:6px 8px}}
                """.replace("DARK", dark).replace("LIGHT", light);
    }
}
