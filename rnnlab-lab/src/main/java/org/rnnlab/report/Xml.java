package org.rnnlab.report;

/**
 * Escaping for text and attribute values in output that must be both HTML5 and well-formed XML (the report is
 * parsed by the JDK's XML parser in the tests, and its SVGs are standalone XML files).
 *
 * <p>Beyond the five special characters it repairs what XML 1.0 forbids: a C0 control character (other than tab,
 * newline and carriage return) becomes its visible Control Pictures symbol (U+0007 becomes ␇) rather than vanishing,
 * because in a report about character models the reader should see what the model produced; a lone surrogate or
 * U+FFFE/U+FFFF becomes U+FFFD. A carriage return is written as {@code &#13;} so that neither an XML parser nor the
 * HTML parser folds it into a newline. Everything else, emoji included, is written as is (the file is UTF-8).
 * It does not validate tag or attribute names: those are the renderer's own constants.
 */
public final class Xml {
    private Xml() {}

    /** {@code s} escaped for element content or a quoted attribute value (quotes are escaped everywhere). */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        escapeTo(b, s);
        return b.toString();
    }

    public static void escapeTo(StringBuilder b, String s) {
        escapeTo(b, s, false);
    }

    /**
     * For attribute values: also writes tab and newline as character references, which XML's attribute-value
     * normalisation would otherwise turn into spaces (a two-line tooltip or label would lose its line break).
     */
    public static void escapeAttributeTo(StringBuilder b, String s) {
        escapeTo(b, s, true);
    }

    private static void escapeTo(StringBuilder b, String s, boolean attribute) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                case '\r' -> b.append("&#13;");
                case '\t' -> b.append(attribute ? "&#9;" : "\t");
                case '\n' -> b.append(attribute ? "&#10;" : "\n");
                default -> {
                    if (c < 0x20) {
                        b.append((char) (0x2400 + c)); // ␀ … ␟
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                            b.append(c).append(s.charAt(++i));
                        } else {
                            b.append('\uFFFD');
                        }
                    } else if (Character.isLowSurrogate(c) || c == '\uFFFE' || c == '\uFFFF') {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }
}
