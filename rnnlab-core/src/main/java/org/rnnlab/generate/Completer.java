package org.rnnlab.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.rnnlab.InputException;
import org.rnnlab.model.CharModel;
import org.rnnlab.text.Vocabulary;

/**
 * Completes prompts as {@code rnnlab complete} does: samples (several as one batch), beam search or the notebook's
 * window, up to a length or a stop string, with the first completion streamed character by character as it is
 * decided. Holds only the model and the vocabulary, both read-only: one completer may serve many threads.
 */
public final class Completer {
    /**
     * One completion (the characters after the prompt).
     *
     * @param text    the completion, the stop string included when it ended one
     * @param stopped whether it ended with the stop string (otherwise it ran to the length)
     * @param score   for beam search, the mean log-probability per character ({@link BeamSearch}); NaN when sampled
     */
    public record Result(String text, boolean stopped, double score) {}

    private final CharModel model;
    private final Vocabulary vocabulary;

    public Completer(CharModel model, Vocabulary vocabulary) {
        if (vocabulary.size() != model.config().vocab()) {
            throw new IllegalArgumentException("the vocabulary has " + vocabulary.size() + " characters but the model "
                    + model.config().vocab());
        }
        this.model = model;
        this.vocabulary = vocabulary;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * The stop string as token ids; an error when it holds a character the model cannot generate, since it could
     * then never match.
     */
    public int[] stopTokens(String stop) {
        List<Integer> unknown = vocabulary.unknown(stop);
        if (!unknown.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (int cp : unknown) sb.append(sb.length() == 0 ? "" : ", ").append(Vocabulary.describe(cp));
            throw new InputException("stop", "the stop string holds " + sb + ", which the model never generates, so"
                    + " it could never match; its vocabulary is \"" + vocabulary.display() + "\"");
        }
        return vocabulary.encode(stop);
    }

    /**
     * Completes {@code prompt} {@code options.samples()} times (once for beam search).
     *
     * @param stream receives the code points of the first completion, in order, as soon as each is decided (for
     *               beam search: once every hypothesis that can still win shares it)
     */
    public List<Result> complete(Prompt prompt, CompletionOptions options, IntConsumer stream) {
        int[] stop = stopTokens(options.stop());
        if (options.beam() > 0) {
            BeamSearch search = new BeamSearch(model, options.beam());
            BeamSearch.Result r = search.search(prompt.slots(), options.length(), stop,
                    id -> stream.accept(vocabulary.codePoint(id)));
            return List.of(new Result(vocabulary.decode(r.tokens()), r.stopped(), r.score()));
        }
        int n = options.samples();
        TokenGenerator g = options.window() > 0
                ? new WindowGenerator(model, options.sampling(), n, options.seed(), options.window())
                : new StepGenerator(model, options.sampling(), n, options.seed());
        g.prime(prompt.slots());
        // Grown as the text grows: a long --length that a stop string ends early holds only what was generated.
        int[][] out = new int[n][Math.min(options.length(), 1024)];
        int[] length = new int[n];
        boolean[] stopped = new boolean[n];
        int running = n;
        for (int t = 0; t < options.length() && running > 0; t++) {
            int[] next = g.next();
            for (int b = 0; b < n; b++) {
                if (stopped[b]) continue;
                if (length[b] == out[b].length) {
                    out[b] = Arrays.copyOf(out[b], (int) Math.min(options.length(), 2L * out[b].length));
                }
                out[b][length[b]++] = next[b];
                if (b == 0) stream.accept(vocabulary.codePoint(next[0]));
                if (endsWith(out[b], length[b], stop)) {
                    stopped[b] = true;
                    running--;
                }
            }
        }
        List<Result> completions = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            int[] ids = Arrays.copyOf(out[b], length[b]);
            completions.add(new Result(vocabulary.decode(ids), stopped[b], Double.NaN));
        }
        return completions;
    }

    private static boolean endsWith(int[] ids, int n, int[] stop) {
        int m = stop.length;
        if (m == 0 || m > n) return false;
        for (int i = 0; i < m; i++) {
            if (ids[n - m + i] != stop[i]) return false;
        }
        return true;
    }
}
