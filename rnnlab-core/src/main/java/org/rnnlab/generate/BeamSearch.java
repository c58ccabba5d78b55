package org.rnnlab.generate;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;

/**
 * Beam search of width K, the K beams run as one batch of K sequences through {@link CharModel#step}, each
 * with its recurrent state carried.
 *
 * <p>The rule, step by step: every live beam is extended by every character, an extension scoring the beam's
 * total log-probability plus the character's ({@code log_softmax} of the logits, temperature 1, in double); the K
 * best extensions are kept, ties going to the earlier beam and then the lower character index. An extension whose
 * completion now ends with the stop string is <em>finished</em> and set aside; the others are the next step's
 * beams (so a finished extension narrows the beam for one step). After {@code length} characters the live beams
 * are finished too.
 *
 * <p>Length normalisation: finished hypotheses are compared by their total log-probability divided by their
 * number of characters, the mean log-probability per character (GNMT's length penalty with alpha = 1 and no
 * offset); ties go to the one finished first. Without a stop string every hypothesis has {@code length}
 * characters, so this is plain highest-probability beam search; with one, a short completion is not preferred
 * merely for having fewer characters to pay for. Width 1 is greedy decoding exactly: the best extension of the
 * only beam is the argmax, and a finished extension leaves no beam.
 *
 * <p>The search stops early once no live beam can still beat the best finished hypothesis: a beam with total
 * {@code lp <= 0} scores at best {@code lp / length} in the end, since further characters add log-probabilities
 * of at most 0. This bound is exact, so stopping early never changes the answer.
 *
 * <p>Streaming: a character is settled once every hypothesis that can still win (the live beams and the best
 * finished one) shares it; settled characters go to the listener as soon as they are, and the rest when the
 * search ends. One search at a time per object; the model is only read.
 */
public final class BeamSearch {
    private final CharModel model;
    private final int width;
    private final int vocab;
    private final int layers;
    private final int hidden;
    private final CharModel.StepWorkspace ws;
    private State current;           // (L, K, H) beam k's state after its last token
    private State gathered;          // (L, K, H) scratch: the parents' states in the new beams' order
    private final double[] logp;     // (V)
    private final int[] candParent;  // (K) the K best extensions, best first
    private final int[] candToken;   // (K)
    private final double[] candScore; // (K)
    private final double[] beamScore; // (K) total log-probability of each live beam
    private final double[] nextScore; // (K)
    private final int[] feed;        // (K) the tokens of the next step
    private int steps;

    /**
     * The best hypothesis.
     *
     * @param tokens         the completion's token ids
     * @param logProbability its total log-probability (natural log)
     * @param stopped        whether it ended with the stop string (otherwise it ran to the length)
     * @param steps          how many characters the search ran for (less than the length when it stopped early)
     */
    public record Result(int[] tokens, double logProbability, boolean stopped, int steps) {
        /** The length-normalised score: mean log-probability per character. */
        public double score() {
            return logProbability / tokens.length;
        }
    }

    public BeamSearch(CharModel model, int width) {
        if (width < 1) throw new IllegalArgumentException("the beam width must be at least 1, got " + width);
        this.model = model;
        this.width = width;
        this.vocab = model.config().vocab();
        this.layers = model.config().layers();
        this.hidden = model.config().hidden();
        this.ws = model.stepWorkspace(width);
        this.current = model.zeroState(width);
        this.gathered = model.zeroState(width);
        this.logp = new double[vocab];
        this.candParent = new int[width];
        this.candToken = new int[width];
        this.candScore = new double[width];
        this.beamScore = new double[width];
        this.nextScore = new double[width];
        this.feed = new int[width];
    }

    public int width() {
        return width;
    }

    /** Characters searched so far in the current (or last) search; for diagnostics and tests. */
    public int steps() {
        return steps;
    }

    /**
     * Searches for the best completion of a prompt.
     *
     * @param slots   the prompt ({@link Prompt#slots()}; skipped characters are not fed)
     * @param length  the most characters to generate, at least 1
     * @param stop    token ids of the stop string, or an empty array for none
     * @param settled receives each character of the answer, in order, once it is certain
     */
    public Result search(int[] slots, int length, int[] stop, IntConsumer settled) {
        if (length < 1) throw new IllegalArgumentException("the length must be at least 1, got " + length);
        float[] logits = null;
        current.reset();
        for (int id : slots) {
            if (id == Prompt.SKIPPED) continue;
            Arrays.fill(feed, id);
            logits = model.step(ws, feed, current, current);
        }
        if (logits == null) throw new IllegalArgumentException("the prompt has no character for the model to see");

        int[][] token = new int[length][];  // token[t][k]: the t-th character of live beam k at step t
        int[][] parent = new int[length][]; // parent[t][k]: its beam at step t - 1 (rows made as the search gets there)
        int alive = 1;                           // the K rows start equal: only beam 0 is distinct
        beamScore[0] = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        double bestLogP = 0;
        int bestT = -1;
        int bestK = -1;
        boolean bestStopped = false;
        int emitted = 0;
        steps = 0;
        for (int t = 0; t < length; t++) {
            steps = t + 1;
            token[t] = new int[width];
            parent[t] = new int[width];
            int kept = select(logits, alive);
            int live = 0;
            int finishedRank = -1;
            for (int r = 0; r < kept; r++) {
                int p = candParent[r], v = candToken[r];
                boolean stops = endsWithStop(token, parent, t, p, v, stop);
                if (stops || t == length - 1) {
                    double score = candScore[r] / (t + 1);
                    if (score > bestScore) {
                        bestScore = score;
                        bestLogP = candScore[r];
                        bestStopped = stops;
                        finishedRank = r;
                    }
                    continue;
                }
                gather(p, live);
                feed[live] = v;
                nextScore[live] = candScore[r];
                token[t][live] = v;
                parent[t][live] = p;
                live++;
            }
            if (finishedRank >= 0) {
                // the new best finished hypothesis takes the first row no live beam uses (there is one: it is a
                // kept candidate that did not become a beam)
                bestT = t;
                bestK = live;
                token[t][live] = candToken[finishedRank];
                parent[t][live] = candParent[finishedRank];
            }
            emitted = emitSettled(token, parent, t, live, bestT, bestK, emitted, settled);
            if (live == 0) break;
            double bound = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < live; k++) bound = Math.max(bound, nextScore[k] / length);
            if (bestScore >= bound) break;
            for (int k = live; k < width; k++) feed[k] = feed[0]; // rows without a beam: any valid token
            System.arraycopy(nextScore, 0, beamScore, 0, live);
            logits = model.step(ws, feed, gathered, current);
            alive = live;
        }
        int[] best = path(token, parent, bestT, bestK);
        for (int i = emitted; i < best.length; i++) settled.accept(best[i]);
        return new Result(best, bestLogP, bestStopped, steps);
    }

    /** The K best extensions of the live beams into cand*, best first; returns how many (at most K). */
    private int select(float[] logits, int alive) {
        int kept = 0;
        for (int i = 0; i < alive; i++) {
            logSoftmax(logits, i * vocab, logp);
            for (int v = 0; v < vocab; v++) {
                double s = beamScore[i] + logp[v];
                if (kept == width && !(s > candScore[width - 1])) continue; // ties keep the earlier candidate
                int pos = kept < width ? kept++ : width - 1;
                while (pos > 0 && s > candScore[pos - 1]) {
                    candScore[pos] = candScore[pos - 1];
                    candParent[pos] = candParent[pos - 1];
                    candToken[pos] = candToken[pos - 1];
                    pos--;
                }
                candScore[pos] = s;
                candParent[pos] = i;
                candToken[pos] = v;
            }
        }
        return kept;
    }

    /** {@code log_softmax(logits[off .. off+V))} in double, into {@code out}. */
    static void logSoftmax(float[] logits, int off, double[] out) {
        int v = out.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < v; i++) sum += Math.exp(logits[off + i] - max);
        double logZ = max + Math.log(sum);
        for (int i = 0; i < v; i++) out[i] = logits[off + i] - logZ;
    }

    /** Whether beam p's completion followed by v ends with {@code stop}. */
    private static boolean endsWithStop(int[][] token, int[][] parent, int t, int p, int v, int[] stop) {
        int m = stop.length;
        if (m == 0 || m > t + 1 || stop[m - 1] != v) return false;
        int k = p;
        for (int i = m - 2, s = t - 1; i >= 0; i--, s--) {
            if (token[s][k] != stop[i]) return false;
            k = parent[s][k];
        }
        return true;
    }

    /** Copies beam p's state (row p of current) into row k of gathered. */
    private void gather(int p, int k) {
        for (int l = 0; l < layers; l++) {
            System.arraycopy(current.h(l), p * hidden, gathered.h(l), k * hidden, hidden);
            if (current.hasCell()) System.arraycopy(current.c(l), p * hidden, gathered.c(l), k * hidden, hidden);
        }
    }

    /** Emits the characters all remaining contenders share, from {@code emitted} on; returns the new count. */
    private int emitSettled(int[][] token, int[][] parent, int t, int live, int bestT, int bestK, int emitted,
                            IntConsumer settled) {
        int n = live + (bestT >= 0 ? 1 : 0);
        if (n == 0) return emitted;
        int[] nodes = new int[n];
        int depth = bestT >= 0 ? bestT : t;
        for (int k = 0; k < live; k++) {
            int node = k;
            for (int s = t; s > depth; s--) node = parent[s][node];
            nodes[k] = node;
        }
        if (bestT >= 0) nodes[live] = bestK;
        while (depth >= emitted) {
            boolean same = true;
            for (int i = 1; i < n; i++) same &= nodes[i] == nodes[0];
            if (same) {
                int[] prefix = path(token, parent, depth, nodes[0]);
                for (int i = emitted; i <= depth; i++) settled.accept(prefix[i]);
                return depth + 1;
            }
            if (depth == 0) break;
            for (int i = 0; i < n; i++) nodes[i] = parent[depth][nodes[i]];
            depth--;
        }
        return emitted;
    }

    /** The tokens from step 0 to step t of the node in row k at step t. */
    private static int[] path(int[][] token, int[][] parent, int t, int k) {
        int[] out = new int[t + 1];
        for (int s = t; s >= 0; s--) {
            out[s] = token[s][k];
            k = parent[s][k];
        }
        return out;
    }
}
