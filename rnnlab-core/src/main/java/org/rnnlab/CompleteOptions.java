package org.rnnlab;

/**
 * How {@link Model#complete} continues a prompt. Build one with {@link #builder()}; every setting has a named
 * default, and the defaults are the notebook's ({@code temperature 0.8}, 200 characters).
 *
 * <pre>{@code
 * CompleteOptions o = CompleteOptions.builder().length(80).temperature(0.5).topP(0.9).seed(7).build();
 * }</pre>
 *
 * @param length      characters to generate, at most (fewer when {@code stop} ends the text); at least 1
 * @param temperature divides the logits before the softmax; lower is more conservative; &gt; 0
 * @param topK        sample only among the k most likely characters (0: all)
 * @param topP        sample only among the most likely characters whose probabilities reach p, in (0, 1]
 * @param greedy      always the most likely character (temperature, top-k and top-p are then ignored)
 * @param beam        beam search with this width (0: sample); returns the most likely continuation
 * @param stop        the text ends once it ends with this string (included); "" for none
 * @param seed        the random seed: the same seed gives the same text; null draws one (returned in the
 *                    {@link Completion})
 * @throws InputException naming the field, for a value out of its range
 */
public record CompleteOptions(int length, double temperature, int topK, double topP, boolean greedy, int beam,
                              String stop, Long seed) {
    public static final int DEFAULT_LENGTH = 200;
    public static final double DEFAULT_TEMPERATURE = 0.8;

    public CompleteOptions {
        if (stop == null) stop = "";
        // The engine's own records check the ranges and name the field; built here to fail at once.
        toEngine(seed == null ? 0 : seed, length, temperature, topK, topP, greedy, beam, stop);
    }

    /** The defaults, to change one setting at a time. */
    public static Builder builder() {
        return new Builder();
    }

    /** These options as a builder. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.length = length;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.greedy = greedy;
        b.beam = beam;
        b.stop = stop;
        b.seed = seed;
        return b;
    }

    org.rnnlab.generate.CompletionOptions toEngine(long seedToUse) {
        return toEngine(seedToUse, length, temperature, topK, topP, greedy, beam, stop);
    }

    private static org.rnnlab.generate.CompletionOptions toEngine(long seed, int length, double temperature, int topK,
                                                                  double topP, boolean greedy, int beam, String stop) {
        return new org.rnnlab.generate.CompletionOptions(length,
                new org.rnnlab.generate.SamplingOptions(temperature, topK, topP, greedy), beam, 1, 0, stop, seed);
    }

    /** A mutable builder with the defaults; not thread-safe. */
    public static final class Builder {
        private int length = DEFAULT_LENGTH;
        private double temperature = DEFAULT_TEMPERATURE;
        private int topK;
        private double topP = 1.0;
        private boolean greedy;
        private int beam;
        private String stop = "";
        private Long seed;

        private Builder() {}

        public Builder length(int characters) {
            this.length = characters;
            return this;
        }

        public Builder temperature(double t) {
            this.temperature = t;
            return this;
        }

        public Builder topK(int k) {
            this.topK = k;
            return this;
        }

        public Builder topP(double p) {
            this.topP = p;
            return this;
        }

        public Builder greedy(boolean on) {
            this.greedy = on;
            return this;
        }

        public Builder beam(int width) {
            this.beam = width;
            return this;
        }

        public Builder stop(String s) {
            this.stop = s;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @throws InputException naming the field, for a value out of its range */
        public CompleteOptions build() {
            return new CompleteOptions(length, temperature, topK, topP, greedy, beam, stop, seed);
        }
    }
}
