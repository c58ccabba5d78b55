package org.rnnlab.train;

import java.util.function.Consumer;
import org.rnnlab.text.Tokens;
import org.rnnlab.util.Rng;

/** Chooses and sizes a {@link Batcher}: a corpus too small for the batch shrinks the batch, with a warning. */
public final class Batchers {
    private Batchers() {}

    /**
     * A batcher for {@code tokens}; when the text cannot fill {@code batch} sequences of {@code seq} steps, the
     * batch shrinks to what fits and {@code warn} says so. Too short for even one sequence is an error.
     */
    public static Batcher fit(Batching mode, int[] tokens, int batch, int seq, Rng rng, Consumer<String> warn) {
        return fit(mode, Tokens.of(tokens), batch, seq, rng, warn);
    }

    /** As {@link #fit(Batching, int[], int, int, Rng, Consumer)}, over tokens of any length. */
    public static Batcher fit(Batching mode, Tokens tokens, int batch, int seq, Rng rng, Consumer<String> warn) {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        if (seq < 1) throw new IllegalArgumentException("sequence length must be at least 1, got " + seq);
        if (mode == Batching.WINDOWS) {
            long windows = tokens.length() - seq;
            if (windows >= 1 && batch > windows) {
                warn.accept("the text has only " + windows + " windows of " + seq + " steps; batch shrinks from "
                        + batch + " to " + windows);
                batch = (int) windows;
            }
            return new Batcher.Windows(tokens, batch, seq, rng);
        }
        long fits = (tokens.length() - 1) / seq;
        if (fits >= 1 && batch > fits) {
            warn.accept("the text has " + tokens.length() + " characters, enough for " + fits + " streams of " + seq
                    + " steps; batch shrinks from " + batch + " to " + fits);
            batch = (int) fits;
        }
        return new Batcher.Stream(tokens, batch, seq);
    }
}
