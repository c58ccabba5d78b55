package org.rnnlab.generate;

import java.util.Arrays;
import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;
import org.rnnlab.util.Rng;

/**
 * Generation with the recurrent state carried from step to step: a prompt of P characters costs P steps and each
 * generated character one more, whatever the length. B sequences run as one batch through
 * {@link CharModel#step}.
 *
 * <p>The state is explicit: {@link #state()} is the recurrent state after every token fed so far, prompt and
 * generated, and {@link #logits()} the model's scores for the next one. After set-up nothing allocates.
 *
 * <p>The model is only read: any number of generators, on any threads, may share one model (each has its own
 * workspace, state and random streams); a generator itself belongs to one thread.
 */
public final class StepGenerator implements TokenGenerator {
    private final CharModel model;
    private final int batch;
    private final int vocab;
    private final CharModel.StepWorkspace ws;
    private final State state;       // (L, B, H), advanced in place
    private final Sampler sampler;
    private final Rng[] rngs;        // [b] sequence b's random stream
    private final int[] tokens;      // (B) the tokens fed by the last step
    private float[] logits;          // (B, V) after the last step; null before the first

    /**
     * @param sampling how each next token is chosen
     * @param batch    B, the number of sequences
     * @param seed     seeds sequence b's stream, the b-th split of {@code new Rng(seed)}
     */
    public StepGenerator(CharModel model, SamplingOptions sampling, int batch, long seed) {
        if (batch < 1) throw new IllegalArgumentException("a generator needs at least one sequence, got " + batch);
        this.model = model;
        this.batch = batch;
        this.vocab = model.config().vocab();
        this.ws = model.stepWorkspace(batch);
        this.state = model.zeroState(batch);
        this.sampler = new Sampler(sampling, vocab);
        this.rngs = streams(seed, batch);
        this.tokens = new int[batch];
    }

    /** Sequence b's random stream: the b-th split of {@code new Rng(seed)}, whatever B is. */
    static Rng[] streams(long seed, int batch) {
        Rng base = new Rng(seed);
        Rng[] out = new Rng[batch];
        for (int b = 0; b < batch; b++) out[b] = base.split();
        return out;
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public void prime(int[] slots) {
        for (int id : slots) {
            if (id == Prompt.SKIPPED) continue;
            Arrays.fill(tokens, id);
            logits = model.step(ws, tokens, state, state);
        }
    }

    @Override
    public int[] next() {
        if (logits == null) throw new IllegalStateException("prime the generator with at least one visible token first");
        for (int b = 0; b < batch; b++) tokens[b] = sampler.choose(logits, b * vocab, rngs[b]);
        logits = model.step(ws, tokens, state, state);
        return tokens;
    }

    /** The recurrent state after every token fed so far; live (advanced by the next call), copy it to keep it. */
    public State state() {
        return state;
    }

    /** The scores (B, V) of each sequence's next token; live, or {@code null} before anything was primed. */
    public float[] logits() {
        return logits;
    }
}
