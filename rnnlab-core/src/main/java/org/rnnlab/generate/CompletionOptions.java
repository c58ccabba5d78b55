package org.rnnlab.generate;

import org.rnnlab.InputException;

/**
 * One completion request, as {@code rnnlab complete} takes it.
 *
 * @param length   characters to generate, at most (fewer when the stop string ends a sample)
 * @param sampling how characters are drawn (ignored by beam search)
 * @param beam     the beam width, or 0 to sample
 * @param samples  how many samples, computed as one batch (1 with beam search)
 * @param window   0 to carry the state; N to recompute the last N characters for every character, as the notebook
 * @param stop     a sample ends once its completion ends with this string; empty for none
 * @param seed     the random seed; the same seed gives the same text, always
 */
public record CompletionOptions(int length, SamplingOptions sampling, int beam, int samples, int window, String stop,
                                long seed) {
    /** The longest notebook window: every character re-reads it from a zero state, with a buffer per length. */
    public static final int MAX_WINDOW = 10_000;

    public CompletionOptions {
        if (length < 1) throw new InputException("length", "the length must be at least 1 character, got " + length);
        if (sampling == null) throw new InputException(null, "sampling options are required");
        if (beam < 0) throw new InputException("beam", "the beam width must be at least 1 (0 to sample), got " + beam);
        if (samples < 1) throw new InputException("samples", "the number of samples must be at least 1, got " + samples);
        if (window > MAX_WINDOW) {
            throw new InputException("window", "the window must be at most " + MAX_WINDOW + " characters (it re-reads "
                    + "that many for every new one; the notebook's is 40), got " + window);
        }
        if (window < 0) throw new InputException("window", "the window must be at least 1 (0 to carry the state), got "
                + window);
        if (stop == null) throw new InputException("stop", "the stop string may be empty but not null");
        if (beam > 0 && samples > 1) {
            throw new InputException("samples", "beam search returns one best completion; it does not take several samples");
        }
        if (beam > 0 && window > 0) {
            throw new InputException("window", "beam search carries the state; it does not recompute a window");
        }
    }
}
