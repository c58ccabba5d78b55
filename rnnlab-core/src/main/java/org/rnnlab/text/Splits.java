package org.rnnlab.text;

import java.util.Objects;

/**
 * A corpus cut into training, validation and test text ({@code --val F}, {@code --test F}): three contiguous parts
 * in the corpus's own order, train first, then validation, then test at the very end.
 *
 * <p>Contiguous, not sampled, because a character model's examples are overlapping windows: a window drawn at
 * random for validation shares all but one character with its training neighbours, so the held-out score would
 * measure memory, not generalisation. From the end, because that is where a text's "later" is: the model is judged
 * on what follows what it learned from, as when it continues a prompt. A part's size is its fraction of the
 * characters (code points), rounded to the nearest; training gets the rest.
 *
 * <p>Does not shuffle, cut at line or document boundaries, or know about batches and windows.
 *
 * @param train the beginning of the text; at least 2 characters
 * @param val the validation text, empty when not asked for; otherwise at least 2 characters
 * @param test the test text at the end, empty when not asked for; otherwise at least 2 characters
 */
public record Splits(String train, String val, String test) {
    /** A part needs a character and the one after it to give a single prediction to learn from or score. */
    public static final int MIN_PART = 2;

    public Splits {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(val, "val");
        Objects.requireNonNull(test, "test");
        if (length(train) < MIN_PART || length(val) == 1 || length(test) == 1) {
            throw new IllegalArgumentException("split parts have " + length(train) + ", " + length(val) + " and "
                    + length(test) + " characters; training needs at least " + MIN_PART
                    + ", validation and test none or at least " + MIN_PART);
        }
    }

    /**
     * Cuts {@code corpus} keeping the fractions {@code val} and {@code test} of its characters for validation and
     * test. Each fraction is at least 0 and less than 1, and together they are less than 1.
     *
     * @throws IllegalArgumentException one line naming the option and value at fault, or, when a part would be
     *     too small, how many characters each part would get
     */
    public static Splits of(Corpus corpus, double val, double test) {
        Sizes sizes = sizes(corpus, val, test);
        String text = corpus.text();
        int valStart = text.offsetByCodePoints(0, Math.toIntExact(sizes.train()));
        int testStart = text.offsetByCodePoints(valStart, Math.toIntExact(sizes.val()));
        return new Splits(text.substring(0, valStart), text.substring(valStart, testStart), text.substring(testStart));
    }

    /** How many characters each part gets: train the first, val the next, test the last. */
    public record Sizes(long train, long val, long test) {}

    /**
     * The sizes of {@link #of}'s parts, without reading the text (for a corpus of any size).
     *
     * @throws IllegalArgumentException as {@link #of}
     */
    public static Sizes sizes(Corpus corpus, double val, double test) {
        checkFraction("--val", val);
        checkFraction("--test", test);
        if (!(val + test < 1)) {
            throw new IllegalArgumentException("--val " + val + " and --test " + test
                    + " leave no text to train on; together they must be less than 1");
        }
        long n = corpus.length();
        long nVal = Math.round(n * val);
        long nTest = Math.round(n * test);
        long nTrain = n - nVal - nTest;
        if (nTrain < MIN_PART || val > 0 && nVal < MIN_PART || test > 0 && nTest < MIN_PART) {
            throw new IllegalArgumentException("--val " + val + " and --test " + test + " would split the " + n
                    + " characters of " + corpus.name() + " into train " + nTrain + ", val " + nVal + " and test "
                    + nTest + "; each part needs at least " + MIN_PART + " (a character and the next): change the "
                    + "fractions or use a longer corpus");
        }
        return new Sizes(nTrain, nVal, nTest);
    }

    /** One line for the user: {@code train 305, val 17, test 17 characters}. */
    public String summary() {
        return "train " + length(train) + ", val " + length(val) + ", test " + length(test) + " characters";
    }

    private static void checkFraction(String option, double f) {
        if (!(f >= 0 && f < 1)) {
            throw new IllegalArgumentException(option + " must be at least 0 and less than 1, found " + f);
        }
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
