package org.rnnlab.report;

/**
 * Makes invisible characters visible in chart labels: a newline as ⏎, a space as ␣, a tab as ⇥, other control
 * characters as their Control Pictures symbols. A character model's most frequent predictions are often exactly
 * these, and a blank label would hide them. Only for labels: completions keep their real whitespace.
 */
public final class Glyphs {
    private Glyphs() {}

    /** One visible symbol for each invisible code point of {@code s}; other characters are kept. */
    public static String visible(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> b.appendCodePoint(visible(cp)));
        return b.toString();
    }

    /** True if {@link #visible(String)} replaces at least one code point of {@code s}. */
    public static boolean isSubstituted(String s) {
        return s.codePoints().anyMatch(cp -> visible(cp) != cp);
    }

    /** A short name for a tooltip: "newline", "space", "'a'", "U+0007", so the substitute symbol is never ambiguous. */
    public static String describe(String s) {
        return describe(s, Words.EN);
    }

    /** {@link #describe(String)} with the names of invisible characters in the words' language. */
    public static String describe(String s, Words words) {
        if (s.codePointCount(0, s.length()) != 1) return "\"" + visible(s) + "\"";
        int cp = s.codePointAt(0);
        return switch (cp) {
            case '\n' -> words.newline();
            case ' ' -> words.space();
            case '\t' -> words.tab();
            case '\r' -> words.carriageReturn();
            case 0xA0 -> words.noBreakSpace();
            default -> visible(cp) != cp || Character.isWhitespace(cp)
                    ? String.format("U+%04X", cp)
                    : "'" + s + "'";
        };
    }

    private static int visible(int cp) {
        return switch (cp) {
            case '\n' -> 0x23CE; // ⏎
            case ' ' -> 0x2423; // ␣
            case '\t' -> 0x21E5; // ⇥
            case 0xA0 -> 0x237D; // ⍽, the usual picture of a no-break space
            case 0x7F -> 0x2421; // ␡
            default -> cp < 0x20 ? 0x2400 + cp : cp; // ␀ … ␟, including ␍ for '\r'
        };
    }
}
