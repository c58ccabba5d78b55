package org.rnnlab.generate;

import java.util.Arrays;
import java.util.List;
import org.rnnlab.text.Vocabulary;

/**
 * A prompt as a model sees it: one slot per character of the text, holding the character's token id, or
 * {@link #SKIPPED} for a character the vocabulary lacks and the {@link UnknownPolicy#SKIP} policy dropped.
 *
 * <p>A skipped character is invisible to the model but keeps its place in the text. That matters only to the
 * notebook's window ({@link WindowGenerator}), which takes the last N characters of the text and then drops the
 * unknown ones, so a window holding a skipped character shows the model N - 1 tokens, exactly as the notebook's
 * {@code [char2idx[c] for c in result[-seq_len:] if c in char2idx]} does.
 *
 * @param text    the prompt as given
 * @param slots   (characters of text) token ids, {@link #SKIPPED} where a character was dropped
 * @param unknown the distinct characters the vocabulary lacks, in order of first appearance (skipped or replaced)
 * @param policy  how unknown characters were treated
 */
public record Prompt(String text, int[] slots, List<Integer> unknown, UnknownPolicy policy) {
    /** The slot of a prompt character that the model does not see. */
    public static final int SKIPPED = -1;

    public Prompt {
        slots = slots.clone();
        unknown = List.copyOf(unknown);
        if (Arrays.stream(slots).noneMatch(s -> s >= 0)) {
            throw new org.rnnlab.InputException("prompt", text.isEmpty()
                    ? "the prompt is empty: a character model predicts the next character from at least one; give the"
                      + " text to continue (a newline starts a fresh line)"
                    : "every character of the prompt was skipped as unknown, so the model has nothing to continue;"
                      + " give characters of its vocabulary or use --unknown replace=C");
        }
    }

    /**
     * Encodes {@code text} for {@code vocab}.
     *
     * @throws Vocabulary.UnknownCharactersException under {@link UnknownPolicy#ERROR}, when a character is unknown
     * @throws IllegalArgumentException when no character is left for the model to see, or the replacement is not
     *     in the vocabulary
     */
    public static Prompt encode(String text, Vocabulary vocab, UnknownPolicy policy) {
        policy.requireUsableWith(vocab);
        List<Integer> unknown = vocab.unknown(text);
        if (!unknown.isEmpty() && policy.action() == UnknownPolicy.Action.ERROR) {
            throw new Vocabulary.UnknownCharactersException("prompt", unknown, vocab);
        }
        int fill = policy.action() == UnknownPolicy.Action.REPLACE ? vocab.indexOf(policy.replacement()) : SKIPPED;
        int[] slots = text.codePoints().map(cp -> {
            int id = vocab.indexOf(cp);
            return id >= 0 ? id : fill;
        }).toArray();
        return new Prompt(text, slots, unknown, policy);
    }

    /** The token ids the model sees, in order (the slots without the skipped ones). */
    public int[] tokens() {
        return Arrays.stream(slots).filter(s -> s >= 0).toArray();
    }

    /** Number of characters of the text (slots), skipped ones included. */
    public int length() {
        return slots.length;
    }

    @Override
    public int[] slots() {
        return slots.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prompt p && p.text.equals(text) && Arrays.equals(p.slots, slots)
                && p.unknown.equals(unknown) && p.policy.equals(policy);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + Arrays.hashCode(slots);
    }

    @Override
    public String toString() {
        return "Prompt[" + text.codePointCount(0, text.length()) + " characters, " + unknown.size() + " unknown, "
                + policy + "]";
    }
}
