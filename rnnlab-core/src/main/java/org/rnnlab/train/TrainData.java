package org.rnnlab.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.Splits;
import org.rnnlab.text.Vocabulary;

/**
 * The token streams a run learns from and is judged on, and the vocabulary that made them.
 *
 * @param vocabulary the characters, {@code sorted(set(text))} of the whole corpus (all three parts), as the
 *                   notebook and char-rnn build it, so that validation and test text never hold an unknown one
 * @param train      the training tokens
 * @param val        the validation tokens (empty for none)
 * @param test       the test tokens (empty for none)
 */
public record TrainData(Vocabulary vocabulary, int[] train, int[] val, int[] test) {
    public TrainData {
        Objects.requireNonNull(vocabulary, "vocabulary");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(val, "val");
        Objects.requireNonNull(test, "test");
        if (train.length < 2) {
            throw new IllegalArgumentException("the training text has " + train.length + " character(s); it needs at least 2");
        }
    }

    /** A corpus cut into train | val | test ({@link Splits#of}) and encoded with its own vocabulary. */
    public static TrainData of(Corpus corpus, double val, double test) {
        Splits splits = Splits.of(corpus, val, test);
        Vocabulary vocabulary = Vocabulary.fromText(corpus.text());
        return new TrainData(vocabulary, vocabulary.encode(splits.train()), vocabulary.encode(splits.val()),
                vocabulary.encode(splits.test()));
    }

    /**
     * SHA-256 over the vocabulary and the three token streams: a checkpoint records it, so that resuming on a text
     * that has changed since is an error rather than a silently different run.
     */
    public String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(vocabulary.asString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (int[] part : new int[][] {train, val, test}) {
                ByteBuffer b = ByteBuffer.allocate(4 * part.length + 8).order(ByteOrder.LITTLE_ENDIAN);
                b.putLong(part.length);
                for (int t : part) b.putInt(t);
                sha.update(b.array());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** One line for the user: {@code 12 characters: train 300, val 20, test 0}. */
    public String summary() {
        return vocabulary.size() + " distinct characters; train " + train.length + ", val " + val.length + ", test "
                + test.length + " characters";
    }
}
