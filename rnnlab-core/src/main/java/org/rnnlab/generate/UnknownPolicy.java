package org.rnnlab.generate;

import org.rnnlab.text.Vocabulary;

/**
 * What to do with prompt characters that the model's vocabulary lacks.
 * <ul>
 *   <li>{@link #ERROR} (the default): refuse the prompt, listing the characters and showing the vocabulary;</li>
 *   <li>{@link #SKIP}: the notebook's behaviour, {@code [char2idx[c] for c in prompt if c in char2idx]}: the model
 *       never sees them (a caller should warn);</li>
 *   <li>{@link #replaceWith}: each one becomes the replacement character, which must be in the vocabulary.</li>
 * </ul>
 *
 * @param action      what happens to an unknown character
 * @param replacement the code point put in its place, for {@link Action#REPLACE} only (-1 otherwise)
 */
public record UnknownPolicy(Action action, int replacement) {
    public enum Action { ERROR, SKIP, REPLACE }

    public static final UnknownPolicy ERROR = new UnknownPolicy(Action.ERROR, -1);
    public static final UnknownPolicy SKIP = new UnknownPolicy(Action.SKIP, -1);

    public UnknownPolicy {
        if (action == null) throw new IllegalArgumentException("an unknown-character policy needs an action");
        if (action == Action.REPLACE ? !Character.isValidCodePoint(replacement) : replacement != -1) {
            throw new IllegalArgumentException(action == Action.REPLACE
                    ? "the replacement must be a Unicode character, got " + replacement
                    : "only REPLACE takes a replacement character");
        }
    }

    public static UnknownPolicy replaceWith(int codePoint) {
        return new UnknownPolicy(Action.REPLACE, codePoint);
    }

    /**
     * {@code error}, {@code skip} or {@code replace=C} with exactly one character C (any character, a space
     * included: {@code 'replace= '}).
     */
    public static UnknownPolicy parse(String spec) {
        if (spec.equals("error")) return ERROR;
        if (spec.equals("skip")) return SKIP;
        if (spec.startsWith("replace=")) {
            String c = spec.substring("replace=".length());
            if (c.codePointCount(0, c.length()) != 1) {
                throw new IllegalArgumentException("--unknown replace=C takes exactly one character after '=', got \""
                        + c + "\"");
            }
            return replaceWith(c.codePointAt(0));
        }
        throw new IllegalArgumentException("--unknown must be error, skip or replace=C (C one character), got '"
                + spec + "'");
    }

    /** Fails unless the replacement (if any) is in {@code vocab}. */
    public void requireUsableWith(Vocabulary vocab) {
        if (action == Action.REPLACE && !vocab.contains(replacement)) {
            throw new IllegalArgumentException("the replacement character " + Vocabulary.describe(replacement)
                    + " is not in the model's vocabulary either; choose one of \"" + vocab.display() + "\"");
        }
    }

    @Override
    public String toString() {
        return switch (action) {
            case ERROR -> "error";
            case SKIP -> "skip";
            case REPLACE -> "replace=" + new String(Character.toChars(replacement));
        };
    }
}
