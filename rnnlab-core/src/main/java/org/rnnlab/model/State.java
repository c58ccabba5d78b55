package org.rnnlab.model;

import java.util.Arrays;

/**
 * The recurrent state of B sequences: per layer l, {@code h[l]} (B, H) and, for the LSTM, {@code c[l]} (B, H).
 * It is an explicit value: forward passes read an initial State and expose a final one, generation carries
 * one from step to step, and truncated BPTT passes the final state of one batch as the initial state of the
 * next. PyTorch's {@code (h_n, c_n)} tensors are (L, B, H): see {@link #fromTensors} and {@link #hTensor()}.
 *
 * <p>The arrays are live (no copies on access), so that nothing allocates in a training or generation loop;
 * states handed out by a workspace are overwritten by its next pass: {@link #copy()} one to keep it.
 */
public final class State {
    private final int batch;
    private final int hidden;
    private final float[][] h; // [l] (B, H)
    private final float[][] c; // [l] (B, H); null without a cell

    State(float[][] h, float[][] c, int batch, int hidden) {
        this.h = h;
        this.c = c;
        this.batch = batch;
        this.hidden = hidden;
    }

    /** The all-zero state, PyTorch's default when no state is passed. */
    public static State zeros(int layers, int batch, int hidden, boolean cell) {
        if (layers < 1 || batch < 1 || hidden < 1) {
            throw new IllegalArgumentException("a state needs L, B, H >= 1, got L = " + layers + ", B = " + batch
                    + ", H = " + hidden);
        }
        return new State(new float[layers][batch * hidden], cell ? new float[layers][batch * hidden] : null, batch,
                hidden);
    }

    public static State zeros(ModelConfig config, int batch) {
        return zeros(config.layers(), batch, config.hidden(), config.cell().hasCell());
    }

    /** A state from PyTorch's layout: {@code h} (L, B, H) and {@code c} (L, B, H) or {@code null}. */
    public static State fromTensors(float[] h, float[] c, int layers, int batch, int hidden) {
        State s = zeros(layers, batch, hidden, c != null);
        int bh = batch * hidden;
        if (h.length != layers * bh || (c != null && c.length != layers * bh)) {
            throw new IllegalArgumentException("state tensors must have L * B * H = " + layers * bh + " entries, found h "
                    + h.length + (c == null ? "" : ", c " + c.length));
        }
        for (int l = 0; l < layers; l++) {
            System.arraycopy(h, l * bh, s.h[l], 0, bh);
            if (c != null) System.arraycopy(c, l * bh, s.c[l], 0, bh);
        }
        return s;
    }

    public int layers() {
        return h.length;
    }

    public int batch() {
        return batch;
    }

    public int hidden() {
        return hidden;
    }

    public boolean hasCell() {
        return c != null;
    }

    /** h of layer l, (B, H); the live array. */
    public float[] h(int layer) {
        return h[layer];
    }

    /** c of layer l, (B, H); the live array. Only for the LSTM. */
    public float[] c(int layer) {
        if (c == null) throw new IllegalStateException("this state has no cell part (only LSTM states do)");
        return c[layer];
    }

    /** h of every layer in PyTorch's layout (L, B, H), a copy. */
    public float[] hTensor() {
        return flatten(h);
    }

    /** c of every layer in PyTorch's layout (L, B, H), a copy. Only for the LSTM. */
    public float[] cTensor() {
        if (c == null) throw new IllegalStateException("this state has no cell part (only LSTM states do)");
        return flatten(c);
    }

    private float[] flatten(float[][] parts) {
        int bh = batch * hidden;
        float[] out = new float[parts.length * bh];
        for (int l = 0; l < parts.length; l++) System.arraycopy(parts[l], 0, out, l * bh, bh);
        return out;
    }

    public State copy() {
        State s = zeros(layers(), batch, hidden, hasCell());
        s.copyFrom(this);
        return s;
    }

    /** Overwrites this state with {@code other}, which must have the same shape; no allocation. */
    public void copyFrom(State other) {
        requireSameShape(other, "copyFrom");
        for (int l = 0; l < h.length; l++) {
            System.arraycopy(other.h[l], 0, h[l], 0, h[l].length);
            if (c != null) System.arraycopy(other.c[l], 0, c[l], 0, c[l].length);
        }
    }

    /** Sets every entry to zero, e.g. at the start of a new document. */
    public void reset() {
        for (int l = 0; l < h.length; l++) {
            Arrays.fill(h[l], 0f);
            if (c != null) Arrays.fill(c[l], 0f);
        }
    }

    void requireSameShape(State other, String what) {
        if (other.layers() != layers() || other.batch != batch || other.hidden != hidden || other.hasCell() != hasCell()) {
            throw new IllegalArgumentException(what + ": state shapes differ, " + describe() + " vs " + other.describe());
        }
    }

    /** Fails unless this state fits the model and batch size. */
    void requireShape(ModelConfig config, int batchSize, String what) {
        if (layers() != config.layers() || batch != batchSize || hidden != config.hidden()
                || hasCell() != config.cell().hasCell()) {
            throw new IllegalArgumentException(what + " has shape " + describe() + ", expected L = " + config.layers()
                    + ", B = " + batchSize + ", H = " + config.hidden()
                    + (config.cell().hasCell() ? " with a cell part (LSTM)" : " without a cell part"));
        }
    }

    String describe() {
        return "L = " + layers() + ", B = " + batch + ", H = " + hidden + (hasCell() ? " (h, c)" : " (h)");
    }

    float[][] hArrays() {
        return h;
    }

    float[][] cArrays() {
        return c;
    }

    @Override
    public String toString() {
        return "State[" + describe() + "]";
    }
}
