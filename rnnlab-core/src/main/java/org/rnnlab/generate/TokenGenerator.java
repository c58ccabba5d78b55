package org.rnnlab.generate;

/**
 * B sequences sampled one token at a time from a shared prompt: {@link #prime} once, then {@link #next} per
 * character. Implementations: {@link StepGenerator} (the recurrent state carried step to step) and
 * {@link WindowGenerator} (the notebook's recomputation of the last N characters).
 *
 * <p>Sequence b draws its random numbers from its own stream, the b-th {@link org.rnnlab.util.Rng#split() split}
 * of {@code new Rng(seed)}: the same seed gives the same B texts on every run, and sequence b does not depend on
 * how many others run beside it.
 */
public interface TokenGenerator {
    /** Number of sequences, B. */
    int batch();

    /**
     * Feeds a prompt to every sequence; {@link Prompt#SKIPPED} slots are characters the model does not see. May
     * be called again to feed more text before the next {@link #next}.
     */
    void prime(int[] slots);

    /**
     * Chooses the next token of every sequence and feeds it to the model.
     *
     * @return the B token ids, in an array the generator reuses on the next call
     * @throws IllegalStateException before any visible token was primed
     */
    int[] next();
}
