package org.rnnlab.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * Properties of a text that a character model could track, one number per character, as in Karpathy, Johnson and
 * Fei-Fei's "Visualizing and Understanding Recurrent Networks" (2015): inside brackets, inside quotes, position in
 * the line, indentation. The value at character t describes the text read up to and including t, which is what the
 * model's state after t can know (an opening bracket is already inside, a closing one is already out).
 *
 * <p>A small lexer reads the text once: strings ("…", ending at their line's end) and comments ({@code //} to the
 * end of the line, {@code /* … *\/}) are told apart from the rest, so that a bracket in a comment or a string does not
 * change the depth of the code around it, and a quote in a comment does not open a string. A {@code "} escaped by a
 * backslash or written as the character literal {@code '"'} opens nothing. Depths never go below 0.
 */
public final class TextFeatures {
    private TextFeatures() {}

    /**
     * One feature: {@code id} is stable (for translations and tests), {@code name} says what it is in English,
     * {@code values} (T) holds one number per character.
     */
    public record Feature(String id, String name, double[] values) {
        /** Whether the feature changes at all in this text (a constant has no correlation with anything). */
        public boolean varies() {
            for (double v : values) if (v != values[0]) return true;
            return false;
        }
    }

    /** The ids of every feature, in the order {@link #of} returns them. */
    public static final List<String> IDS = List.of("paren", "paren_depth", "bracket", "brace", "brace_depth", "quote",
            "comment", "column", "indent", "word_start", "newline");

    private enum Mode { CODE, STRING, LINE_COMMENT, BLOCK_COMMENT }

    /** Every feature of a text given as code points. */
    public static List<Feature> of(int[] text) {
        int n = text.length;
        double[] paren = new double[n], parenDepth = new double[n], bracket = new double[n], brace = new double[n];
        double[] braceDepth = new double[n], quote = new double[n], comment = new double[n], column = new double[n];
        double[] indent = new double[n], wordStart = new double[n], newline = new double[n];
        int p = 0, sq = 0, cb = 0, col = 0, ind = 0, opened = -1;
        boolean leading = true; // still in the line's leading whitespace
        Mode mode = Mode.CODE;
        for (int t = 0; t < n; t++) {
            int ch = text[t], prev = t > 0 ? text[t - 1] : -1, next = t + 1 < n ? text[t + 1] : -1;
            switch (mode) {
                case CODE -> {
                    if (ch == '"' && !(prev == '\'' && next == '\'')) mode = Mode.STRING;
                    else if (ch == '/' && prev == '/') mode = Mode.LINE_COMMENT;
                    else if (ch == '*' && prev == '/') {
                        mode = Mode.BLOCK_COMMENT;
                        opened = t;
                    }
                    else if (ch == '(') p++;
                    else if (ch == ')') p = Math.max(0, p - 1);
                    else if (ch == '[') sq++;
                    else if (ch == ']') sq = Math.max(0, sq - 1);
                    else if (ch == '{') cb++;
                    else if (ch == '}') cb = Math.max(0, cb - 1);
                }
                case STRING -> {
                    if ((ch == '"' && !escaped(text, t)) || ch == '\n') mode = Mode.CODE;
                }
                case LINE_COMMENT -> {
                    if (ch == '\n') mode = Mode.CODE;
                }
                case BLOCK_COMMENT -> {
                    // "/*/" does not close: the '*' that closes must not be the one that opened
                    if (ch == '/' && prev == '*' && t - 1 > opened) mode = Mode.CODE;
                }
            }
            paren[t] = p > 0 ? 1 : 0;
            parenDepth[t] = p;
            bracket[t] = sq > 0 ? 1 : 0;
            brace[t] = cb > 0 ? 1 : 0;
            braceDepth[t] = cb;
            quote[t] = mode == Mode.STRING ? 1 : 0;
            comment[t] = mode == Mode.LINE_COMMENT || mode == Mode.BLOCK_COMMENT ? 1 : 0;
            if (leading && (ch == ' ' || ch == '\t')) ind += ch == '\t' ? 4 : 1;
            else if (ch != '\n') leading = false;
            column[t] = col;
            indent[t] = ind;
            wordStart[t] = word(ch) && !word(prev) ? 1 : 0;
            newline[t] = ch == '\n' ? 1 : 0;
            if (ch == '\n') {
                col = 0;
                ind = 0;
                leading = true;
            } else {
                col++;
            }
        }
        List<Feature> out = new ArrayList<>();
        out.add(new Feature("paren", "inside ( )", paren));
        out.add(new Feature("paren_depth", "( ) depth", parenDepth));
        out.add(new Feature("bracket", "inside [ ]", bracket));
        out.add(new Feature("brace", "inside { }", brace));
        out.add(new Feature("brace_depth", "{ } depth", braceDepth));
        out.add(new Feature("quote", "inside quotes", quote));
        out.add(new Feature("comment", "inside a comment", comment));
        out.add(new Feature("column", "position in the line", column));
        out.add(new Feature("indent", "indentation depth", indent));
        out.add(new Feature("word_start", "start of a word", wordStart));
        out.add(new Feature("newline", "after a newline", newline));
        return out;
    }

    /** Whether the quote at t is escaped: an odd number of backslashes before it. */
    private static boolean escaped(int[] text, int t) {
        int k = 0;
        while (t - 1 - k >= 0 && text[t - 1 - k] == '\\') k++;
        return k % 2 == 1;
    }

    private static boolean word(int cp) {
        return cp >= 0 && (Character.isLetterOrDigit(cp) || cp == '_');
    }
}
