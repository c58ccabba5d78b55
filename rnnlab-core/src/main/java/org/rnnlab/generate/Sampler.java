package org.rnnlab.generate;

import java.util.Arrays;
import org.rnnlab.util.Rng;

/**
 * Chooses a character index from one row of logits, by {@link SamplingOptions}: temperature, then top-k, then
 * top-p (nucleus), then one draw from the renormalised distribution. Holds scratch space for a vocabulary of V, so
 * choosing allocates nothing; one sampler per thread.
 *
 * <p>The softmax is computed in double from float logits, subtracting the maximum first, as
 * {@code torch.softmax(logits / T)} does up to float rounding.
 */
public final class Sampler {
    private final SamplingOptions options;
    private final double[] probs; // (V)
    private final Integer[] order; // (V) indices by descending probability, only for top-k/top-p
    private final boolean filters;

    public Sampler(SamplingOptions options, int vocab) {
        this.options = options;
        this.probs = new double[vocab];
        this.filters = options.topK() > 0 && options.topK() < vocab || options.topP() < 1;
        this.order = filters ? new Integer[vocab] : null;
    }

    public SamplingOptions options() {
        return options;
    }

    /** The chosen index for {@code logits[offset .. offset+V)}. */
    public int choose(float[] logits, int offset, Rng rng) {
        int v = probs.length;
        if (options.greedy()) return argmax(logits, offset, v);
        distribution(logits, offset, options.temperature(), probs);
        if (filters) filter();
        double u = rng.nextDouble();
        double total = 0;
        for (double p : probs) total += p;
        double target = u * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < v; i++) {
            if (probs[i] == 0) continue;
            cumulative += probs[i];
            last = i;
            if (target < cumulative) return i;
        }
        return last; // rounding left u*total at the very top: the last character with mass
    }

    /** softmax(logits / temperature) into {@code out} (V), in double. */
    public static void distribution(float[] logits, int offset, double temperature, double[] out) {
        int v = out.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) max = Math.max(max, logits[offset + i] / temperature);
        double sum = 0;
        for (int i = 0; i < v; i++) {
            out[i] = Math.exp(logits[offset + i] / temperature - max);
            sum += out[i];
        }
        for (int i = 0; i < v; i++) out[i] /= sum;
    }

    /** Index of the largest logit; the first one on ties, like {@code torch.argmax}. */
    public static int argmax(float[] logits, int offset, int v) {
        int best = 0;
        for (int i = 1; i < v; i++) {
            if (logits[offset + i] > logits[offset + best]) best = i;
        }
        return best;
    }

    /** Zeroes the probabilities outside top-k and outside the top-p nucleus. */
    private void filter() {
        int v = probs.length;
        for (int i = 0; i < v; i++) order[i] = i;
        // Stable sort: equal probabilities keep index order, so ties are broken the same way every time.
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        int keep = options.topK() > 0 ? Math.min(options.topK(), v) : v;
        if (options.topP() < 1) {
            double cumulative = 0;
            int nucleus = 0;
            while (nucleus < keep) {
                cumulative += probs[order[nucleus]];
                nucleus++;
                if (cumulative >= options.topP()) break;
            }
            keep = nucleus;
        }
        for (int r = keep; r < v; r++) probs[order[r]] = 0;
    }
}
