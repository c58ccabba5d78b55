package org.rnnlab.generate;

import org.rnnlab.model.CharModel;
import org.rnnlab.model.State;
import org.rnnlab.nn.Mode;
import org.rnnlab.util.Rng;

/**
 * The notebook's {@code complete_prompt}: before each character the model reads the last N characters of the
 * text (prompt and completion so far) from a zero state, so each character costs up to N steps. Kept to compare
 * with {@link StepGenerator}, which gives the same distribution as a window longer than the whole text, at one
 * step per character.
 *
 * <p>As in the notebook, the window counts characters of the text, and prompt characters that the model does not
 * see ({@link Prompt#SKIPPED}) still take their place in it. Unlike the notebook, the window also applies to the
 * first character: the notebook's first step reads the whole prompt, however long (the two agree for prompts up
 * to N characters).
 *
 * <p>Each window is read as the notebook's {@code model(input_idx)} reads it: one forward pass over the sequence
 * (the input projection of all its steps in one product), through a workspace kept for each window length.
 */
public final class WindowGenerator implements TokenGenerator {
    private final CharModel model;
    private final int batch;
    private final int vocab;
    private final int window;
    private final CharModel.Workspace[] workspaces; // [T - 1] for windows of T visible characters, made on first use
    private final int[][] inputs;    // [T - 1] (B, T) batch-first
    private final int[][] targets;   // [T - 1] (B, T) zeros: forward scores a target the generator does not use
    private final State zero;        // (L, B, H)
    private final Sampler sampler;
    private final Rng[] rngs;
    private final int[][] ring;      // [N] (B) the last N characters' tokens, or SKIPPED; ring[(start + i) % N]
    private int start;
    private int count;
    private final int[] chosen;      // (B)

    /** @param window N, the number of characters the model sees before each choice */
    public WindowGenerator(CharModel model, SamplingOptions sampling, int batch, long seed, int window) {
        if (batch < 1) throw new IllegalArgumentException("a generator needs at least one sequence, got " + batch);
        if (window < 1) throw new IllegalArgumentException("the window must hold at least 1 character, got " + window);
        this.model = model;
        this.batch = batch;
        this.vocab = model.config().vocab();
        this.window = window;
        this.workspaces = new CharModel.Workspace[window];
        this.inputs = new int[window][];
        this.targets = new int[window][];
        this.zero = model.zeroState(batch);
        this.sampler = new Sampler(sampling, vocab);
        this.rngs = StepGenerator.streams(seed, batch);
        this.ring = new int[window][batch];
        this.chosen = new int[batch];
    }

    @Override
    public int batch() {
        return batch;
    }

    public int window() {
        return window;
    }

    @Override
    public void prime(int[] slots) {
        for (int id : slots) {
            int[] row = push();
            for (int b = 0; b < batch; b++) row[b] = id;
        }
    }

    @Override
    public int[] next() {
        int visible = 0;
        for (int i = 0; i < count; i++) if (ring[(start + i) % window][0] != Prompt.SKIPPED) visible++;
        if (visible == 0) {
            throw new IllegalStateException(count == 0 ? "prime the generator with at least one visible token first"
                    : "the last " + count + " characters of the prompt are all unknown to the model, so a window of "
                      + window + " holds nothing to continue from; widen the window");
        }
        CharModel.Workspace ws = workspaces[visible - 1];
        if (ws == null) {
            ws = workspaces[visible - 1] = model.workspace(batch, visible);
            inputs[visible - 1] = new int[batch * visible];
            targets[visible - 1] = new int[batch * visible];
        }
        int[] in = inputs[visible - 1];
        int t = 0;
        for (int i = 0; i < count; i++) {
            int[] row = ring[(start + i) % window];
            if (row[0] == Prompt.SKIPPED) continue; // the prompt is shared: a skipped place is skipped in every row
            for (int b = 0; b < batch; b++) in[b * visible + t] = row[b];
            t++;
        }
        model.forward(ws, in, targets[visible - 1], zero, Mode.EVAL);
        float[] logits = ws.logits(); // (B, T, V)
        for (int b = 0; b < batch; b++) chosen[b] = sampler.choose(logits, (b * visible + visible - 1) * vocab, rngs[b]);
        System.arraycopy(chosen, 0, push(), 0, batch);
        return chosen;
    }

    /** The ring row for a new last character, dropping the oldest when the window is full. */
    private int[] push() {
        if (count < window) return ring[(start + count++) % window];
        int[] row = ring[start];
        start = (start + 1) % window;
        return row;
    }
}
