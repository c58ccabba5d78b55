package org.rnnlab.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import org.rnnlab.text.Corpus;
import org.rnnlab.text.Splits;
import org.rnnlab.text.Tokens;
import org.rnnlab.text.Vocabulary;

/**
 * The token streams a run learns from and is judged on, and the vocabulary that made them. The parts are usually
 * slices of one {@link Tokens} store.
 */
public final class TrainData {
    private final Vocabulary vocabulary;
    private final Tokens train;
    private final Tokens val;
    private final Tokens test;
    private String fingerprint; // computed once: on a large text it reads every id

    /**
     * @param vocabulary the characters, {@code sorted(set(text))} of the whole corpus (all three parts), as the
     *                   notebook and char-rnn build it, so that validation and test text never hold an unknown one
     * @param train      the training tokens
     * @param val        the validation tokens (empty for none)
     * @param test       the test tokens (empty for none)
     */
    public TrainData(Vocabulary vocabulary, Tokens train, Tokens val, Tokens test) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        this.train = Objects.requireNonNull(train, "train");
        this.val = Objects.requireNonNull(val, "val");
        this.test = Objects.requireNonNull(test, "test");
        if (train.length() < 2) {
            throw new IllegalArgumentException("the training text has " + train.length() + " character(s); it needs at least 2");
        }
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public Tokens train() {
        return train;
    }

    public Tokens val() {
        return val;
    }

    public Tokens test() {
        return test;
    }

    /** Token streams already in memory. */
    public TrainData(Vocabulary vocabulary, int[] train, int[] val, int[] test) {
        this(vocabulary, Tokens.of(train), Tokens.of(val), Tokens.of(test));
    }

    /**
     * A corpus cut into train | val | test ({@link Splits#sizes}) and encoded with its own vocabulary, read once
     * into one store of ids ({@link Tokens}: memory-mapped for a large text) of which the parts are slices.
     */
    public static TrainData of(Corpus corpus, double val, double test) throws IOException {
        Splits.Sizes sizes = Splits.sizes(corpus, val, test);
        Vocabulary vocabulary = corpus.vocabulary();
        Tokens all = Tokens.encode(corpus, vocabulary);
        long valStart = sizes.train();
        long testStart = valStart + sizes.val();
        return new TrainData(vocabulary, all.slice(0, valStart), all.slice(valStart, testStart),
                all.slice(testStart, all.length()));
    }

    /**
     * SHA-256 over the vocabulary and the three token streams: a checkpoint records it, so that resuming on a text
     * that has changed since is an error rather than a silently different run.
     */
    public synchronized String fingerprint() {
        if (fingerprint == null) fingerprint = computeFingerprint();
        return fingerprint;
    }

    private String computeFingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(vocabulary.asString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tokens part : new Tokens[] {train, val, test}) { // each: its length, then its ids, little-endian
                if (b.remaining() < 8) {
                    sha.update(b.array(), 0, b.position());
                    b.clear();
                }
                b.putLong(part.length());
                for (long i = 0; i < part.length(); i++) {
                    if (b.remaining() < 4) {
                        sha.update(b.array(), 0, b.position());
                        b.clear();
                    }
                    b.putInt(part.get(i));
                }
            }
            sha.update(b.array(), 0, b.position());
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** One line for the user: {@code 12 characters: train 300, val 20, test 0}. */
    public String summary() {
        return vocabulary.size() + " distinct characters; train " + train.length() + ", val " + val.length()
                + ", test " + test.length() + " characters" + (train.mapped() ? " (ids memory-mapped from a token file)" : "");
    }
}
