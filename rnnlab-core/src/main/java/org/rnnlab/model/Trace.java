package org.rnnlab.model;

/**
 * What a model computes inside while it reads one text, from a zero state: for every layer and step, the hidden
 * state h_t, the cell state c_t (LSTM only) and the gate activations, and the logits of the character after each
 * step. Made by {@link CharModel#trace}, for inspection (which cells follow what, how often gates saturate); the
 * training and generation paths never make one.
 * <pre>
 *   h[l]      (T, H)    h_t of layer l after reading character t
 *   c[l]      (T, H)    c_t of layer l; {@code c} is null unless the cell is an LSTM
 *   gates[l]  (T, G*H)  the activations in the weight rows' order: LSTM i f g o (sigmoid, sigmoid, tanh, sigmoid),
 *                       GRU r z n (sigmoid, sigmoid, tanh); {@code gates} is null for an RNN
 *   logits    (T, V)    row t scores the character after character t
 * </pre>
 * The arrays are the trace's own (no other object holds them) and are not copied on access.
 */
public record Trace(ModelConfig config, int steps, float[][] h, float[][] c, float[][] gates, float[] logits) {
    public Trace {
        if (steps < 1) throw new IllegalArgumentException("a trace needs at least one step, got " + steps);
        int L = config.layers(), H = config.hidden();
        if (h.length != L) throw new IllegalArgumentException("a trace needs h for " + L + " layers, got " + h.length);
        if ((c != null) != config.cell().hasCell()) {
            throw new IllegalArgumentException("a trace has c exactly when the cell is an LSTM (" + config.cell().id() + ")");
        }
        if ((gates != null) != (config.cell().gates() > 1)) {
            throw new IllegalArgumentException("a trace has gates exactly when the cell has them (" + config.cell().id() + ")");
        }
        for (int l = 0; l < L; l++) {
            require("h", l, h[l], (long) steps * H);
            if (c != null) require("c", l, c[l], (long) steps * H);
            if (gates != null) require("gates", l, gates[l], (long) steps * config.cell().gates() * H);
        }
        if (logits.length != (long) steps * config.vocab()) {
            throw new IllegalArgumentException("a trace's logits are (T, V) = " + (long) steps * config.vocab()
                    + " floats, got " + logits.length);
        }
    }

    private static void require(String what, int layer, float[] a, long n) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException("a trace's " + what + "[" + layer + "] holds " + n + " floats, got "
                    + (a == null ? "null" : a.length));
        }
    }

    public int layers() {
        return config.layers();
    }

    public int hidden() {
        return config.hidden();
    }

    /** G, the gate blocks per step in {@link #gates()} (LSTM 4, GRU 3), or 0 for an RNN. */
    public int gateBlocks() {
        return gates == null ? 0 : config.cell().gates();
    }
}
