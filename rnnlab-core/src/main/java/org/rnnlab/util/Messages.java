package org.rnnlab.util;

/** Text read from a file, made fit to quote in a one-line error message. */
public final class Messages {
    private Messages() {}

    /**
     * {@code s} with each control character written as an escape, the way Python's {@code repr} writes it
     * ({@code \n}, {@code \r}, {@code \t}, {@code \x1b}; {@code \u2028} and {@code \u2029} for the Unicode line and
     * paragraph separators): a name read from a hostile or damaged file then cannot break the line of an error, nor
     * send escape sequences to the terminal that prints it. Returns {@code s} itself when it has none.
     */
    public static String escapeControls(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (!control) {
                if (out != null) out.append(c);
                continue;
            }
            if (out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format(c < 0x100 ? "\\x%02x" : "\\u%04x", (int) c));
            }
        }
        return out == null ? s : out.toString();
    }
}
