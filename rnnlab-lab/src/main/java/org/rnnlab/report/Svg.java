package org.rnnlab.report;

/**
 * A minimal SVG writer: elements with attributes given as name/value pairs, escaped text, and a few layout helpers
 * shared by the charts. Plain string building on purpose: the charts use a dozen element types, and a general SVG
 * library would add a dependency without removing any of the layout work, which is the real content here.
 *
 * <p>Writes no ids, gradients or {@code <style>} elements, so that any number of charts can be inlined in one HTML
 * page without their definitions colliding. Text is measured by estimate (no font metrics without a renderer);
 * layouts leave room for the widest common fonts.
 */
final class Svg {
    static final String SANS = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, DejaVu Sans, sans-serif";
    static final String MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, DejaVu Sans Mono, Liberation Mono, monospace";
    static final String INK = "#1f2328";
    /**
     * Colour of stand-in symbols (⏎ for a newline): marks them as symbols, not characters; the page restyles it.
     * They are also drawn 20% larger, because fonts draw ␣ and ⏎ smaller than letters.
     */
    static final String GLYPH = "#0072B2";

    private final StringBuilder b = new StringBuilder(8192);

    /** Opens the root element: a chart that scales to its container's width, with its own size as the default. */
    Svg(String kind, double width, double height, String label) {
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\"");
        attrs("class", "rl-chart rl-" + kind, "viewBox", "0 0 " + Num.coord(width) + " " + Num.coord(height),
                "width", width, "height", height, "role", "img", "aria-label", label,
                "font-family", SANS, "font-size", 12, "color", INK);
        b.append('>');
    }

    Svg open(String tag, Object... nameValues) {
        b.append('<').append(tag);
        attrs(nameValues);
        b.append('>');
        return this;
    }

    Svg close(String tag) {
        b.append("</").append(tag).append('>');
        return this;
    }

    /** An element with no children. */
    Svg empty(String tag, Object... nameValues) {
        b.append('<').append(tag);
        attrs(nameValues);
        b.append("/>");
        return this;
    }

    /** An element holding only escaped text. */
    Svg text(String tag, String text, Object... nameValues) {
        open(tag, nameValues);
        Xml.escapeTo(b, text);
        return close(tag);
    }

    /** A {@code <title>} child, which browsers show as a tooltip for its parent. */
    Svg title(String text) {
        return text("title", text);
    }

    /** Raw path data or other markup built by the caller from numbers only. */
    StringBuilder raw() {
        return b;
    }

    String finish() {
        b.append("</svg>");
        return b.toString();
    }

    private void attrs(Object... nameValues) {
        if (nameValues.length % 2 != 0) throw new IllegalArgumentException("attributes come in name/value pairs");
        for (int i = 0; i < nameValues.length; i += 2) {
            Object v = nameValues[i + 1];
            if (v == null) continue; // an optional attribute that does not apply
            b.append(' ').append((String) nameValues[i]).append("=\"");
            if (v instanceof Double d) {
                Num.coord(b, d);
            } else {
                Xml.escapeAttributeTo(b, v.toString());
            }
            b.append('"');
        }
    }

    /** Estimated width of {@code s} in px at {@code size}: generous, so labels are never cut (DejaVu is wide). */
    static double textWidth(String s, double size, boolean mono) {
        double w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (mono) {
                w += Character.isSupplementaryCodePoint(cp) || cp >= 0x2E80 ? 1.0 : 0.62;
            } else if (cp >= 0x2E80 || Character.isSupplementaryCodePoint(cp)) {
                w += 1.0; // CJK, emoji
            } else if ("il.,:;'|!ʼ".indexOf(cp) >= 0) {
                w += 0.3;
            } else if (Character.isUpperCase(cp) || "mwMW%".indexOf(cp) >= 0) {
                w += 0.72;
            } else {
                w += 0.58;
            }
        }
        return w * size;
    }
}
