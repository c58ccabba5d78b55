package org.rnnlab.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The characters a model knows, as Unicode code points, and their indices. An emoji or any character outside
 * the Basic Multilingual Plane is one character, as in Python.
 *
 * <p>{@link #fromText} is the notebook's rule, {@code sorted(set(text))}: Python sorts strings by code point, so
 * index order is code-point order. {@link #literal} takes the characters in the order given (for a PyTorch model
 * whose vocabulary was built some other way). Immutable.
 */
public final class Vocabulary {
    private final int[] codePoints; // (V) index -> code point
    private final int[] sortedCodePoints; // (V) for lookup
    private final int[] sortedIndex; // (V) index of sortedCodePoints[i]

    private Vocabulary(int[] codePoints) {
        if (codePoints.length == 0) throw new IllegalArgumentException("a vocabulary needs at least one character");
        this.codePoints = codePoints;
        Integer[] order = new Integer[codePoints.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(codePoints[a], codePoints[b]));
        sortedCodePoints = new int[codePoints.length];
        sortedIndex = new int[codePoints.length];
        for (int i = 0; i < order.length; i++) {
            sortedCodePoints[i] = codePoints[order[i]];
            sortedIndex[i] = order[i];
            if (i > 0 && sortedCodePoints[i] == sortedCodePoints[i - 1]) {
                throw new IllegalArgumentException("the vocabulary lists " + describe(sortedCodePoints[i])
                        + " twice; each character may appear once");
            }
        }
    }

    /** {@code sorted(set(text))}: every distinct code point of the text, in code-point order. */
    public static Vocabulary fromText(CharSequence text) {
        TreeSet<Integer> set = new TreeSet<>();
        text.codePoints().forEach(set::add);
        if (set.isEmpty()) throw new IllegalArgumentException("cannot build a vocabulary from empty text");
        return new Vocabulary(set.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The characters of {@code chars} in the order given; index i is the i-th code point. */
    public static Vocabulary literal(String chars) {
        return new Vocabulary(chars.codePoints().toArray());
    }

    public int size() {
        return codePoints.length;
    }

    /** The index of a code point, or -1 if the vocabulary lacks it. */
    public int indexOf(int codePoint) {
        int i = Arrays.binarySearch(sortedCodePoints, codePoint);
        return i < 0 ? -1 : sortedIndex[i];
    }

    public boolean contains(int codePoint) {
        return indexOf(codePoint) >= 0;
    }

    public int codePoint(int index) {
        return codePoints[index];
    }

    /** The character at an index, as a string (one or two UTF-16 units). */
    public String charAt(int index) {
        return new String(Character.toChars(codePoints[index]));
    }

    /** All characters in index order, as one string. */
    public String asString() {
        return new String(codePoints, 0, codePoints.length);
    }

    /** Text to indices; a character the vocabulary lacks is an {@link UnknownCharactersException} naming them all. */
    public int[] encode(CharSequence text) {
        int[] out = text.codePoints().map(this::indexOf).toArray();
        for (int id : out) {
            if (id < 0) throw new UnknownCharactersException(unknown(text), this);
        }
        return out;
    }

    /** Text to indices, leaving out the characters the vocabulary lacks (the notebook's behaviour). */
    public int[] encodeSkippingUnknown(CharSequence text) {
        return text.codePoints().map(this::indexOf).filter(i -> i >= 0).toArray();
    }

    /** The distinct characters of {@code text} that the vocabulary lacks, in order of first appearance. */
    public List<Integer> unknown(CharSequence text) {
        List<Integer> out = new ArrayList<>();
        text.codePoints().filter(cp -> !contains(cp) && !out.contains(cp)).forEach(out::add);
        return out;
    }

    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) sb.appendCodePoint(codePoints[id]);
        return sb.toString();
    }

    /** A character for messages: {@code 'a'}, {@code '\n'}, {@code ' '}, or {@code U+200B} for invisible ones. */
    public static String describe(int cp) {
        return switch (cp) {
            case '\n' -> "'\\n'";
            case '\t' -> "'\\t'";
            case '\r' -> "'\\r'";
            default -> Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.UNASSIGNED
                    ? String.format("U+%04X", cp)
                    : "'" + new String(Character.toChars(cp)) + "'";
        };
    }

    /** The whole vocabulary for messages, escaped like {@link #describe} but without quotes. */
    public String display() {
        StringBuilder sb = new StringBuilder();
        for (int cp : codePoints) {
            String d = describe(cp);
            sb.append(d.startsWith("'") ? d.substring(1, d.length() - 1) : "<" + d + ">");
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && Arrays.equals(v.codePoints, codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }

    @Override
    public String toString() {
        return "Vocabulary[" + size() + ": " + display() + "]";
    }

    /** Characters outside a vocabulary, listed, with the vocabulary shown so the user can see what it accepts. */
    public static final class UnknownCharactersException extends org.rnnlab.InputException {
        private static final long serialVersionUID = 1L;
        private final transient List<Integer> unknown;

        /** Characters of a text (the field {@code text}) the vocabulary lacks. */
        public UnknownCharactersException(List<Integer> unknown, Vocabulary vocabulary) {
            this("text", unknown, vocabulary);
        }

        public UnknownCharactersException(String field, List<Integer> unknown, Vocabulary vocabulary) {
            super(field, message(unknown, vocabulary));
            this.unknown = List.copyOf(unknown);
        }

        public List<Integer> unknown() {
            return unknown;
        }

        private static String message(List<Integer> unknown, Vocabulary v) {
            StringBuilder sb = new StringBuilder();
            for (int cp : unknown) sb.append(sb.length() == 0 ? "" : ", ").append(describe(cp));
            return (unknown.size() == 1 ? "character " : "characters ") + sb + " not in the model's vocabulary of "
                    + v.size() + ": \"" + v.display() + "\"";
        }
    }
}
