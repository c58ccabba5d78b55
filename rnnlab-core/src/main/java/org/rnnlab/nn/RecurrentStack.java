package org.rnnlab.nn;

import java.util.List;

/**
 * L recurrent layers on top of each other, as PyTorch's {@code num_layers=L, dropout=p}: layer l + 1 reads the
 * outputs of layer l, through inverted dropout in training only, and never after the last layer.
 * <pre>
 *   y_0 = layer_0(x, h0[0], c0[0])
 *   y_l = layer_l(dropout(y_{l-1}), h0[l], c0[l])        dropout only when training and p > 0
 *   output = y_{L-1}; final state (h_T[l], c_T[l]) per layer
 * </pre>
 * States are per layer, {@code [l]} a (B, H) array; c only for the LSTM.
 */
public final class RecurrentStack {
    private final RecurrentLayer[] layers;
    private final Dropout dropout;

    public RecurrentStack(List<? extends RecurrentLayer> layers, double dropout) {
        if (layers.isEmpty()) throw new IllegalArgumentException("a recurrent stack needs at least one layer");
        this.layers = layers.toArray(new RecurrentLayer[0]);
        for (int l = 1; l < this.layers.length; l++) {
            RecurrentLayer below = this.layers[l - 1], layer = this.layers[l];
            if (layer.inputSize() != below.hiddenSize() || layer.hasCell() != below.hasCell()) {
                throw new IllegalArgumentException("layer " + l + " (input " + layer.inputSize() + ") does not fit on "
                        + "layer " + (l - 1) + " (hidden " + below.hiddenSize() + "); layers must be of one kind");
            }
        }
        this.dropout = new Dropout(dropout);
    }

    public int layers() {
        return layers.length;
    }

    public RecurrentLayer layer(int l) {
        return layers[l];
    }

    public int inputSize() {
        return layers[0].inputSize();
    }

    public int hiddenSize() {
        return layers[layers.length - 1].hiddenSize();
    }

    public boolean hasCell() {
        return layers[0].hasCell();
    }

    public double dropout() {
        return dropout.probability();
    }

    public Pass newPass(int batch, int steps) {
        return new Pass(batch, steps, false);
    }

    /** One time step of {@code batch} sequences, each row computed on its own ({@link RecurrentLayer#newStepPass}). */
    public Pass newStepPass(int batch) {
        return new Pass(batch, 1, true);
    }

    public void zeroGrad() {
        for (RecurrentLayer layer : layers) layer.zeroGrad();
    }

    /** {@link RecurrentLayer#freezeSteps()} for every layer. */
    public void freezeSteps() {
        for (RecurrentLayer layer : layers) layer.freezeSteps();
    }

    /** The buffers of one (B, T) batch through every layer. */
    public final class Pass {
        private final RecurrentLayer.Pass[] passes;
        private final float[][] masks;   // [l] (T, B, H) the dropout mask on layer l's output, l < L - 1
        private final float[][] dropped; // [l] (T, B, H) layer l + 1's input when dropout is applied
        private final float[][] dInput;  // [l] (T, B, H) dLoss/d(layer l + 1's input)
        private final float[][] zeroH;   // [l] (B, H) zeros: no gradient reaches the final state
        private final float[][] zeroC;   // [l] (B, H) zeros, or null without a cell
        private final int size;          // T * B * H
        private boolean masked;          // whether the last forward applied dropout

        Pass(int batch, int steps, boolean rows) {
            int last = layers.length - 1;
            passes = new RecurrentLayer.Pass[layers.length];
            for (int l = 0; l < layers.length; l++) {
                passes[l] = rows ? layers[l].newStepPass(batch) : layers[l].newPass(batch, steps);
            }
            size = steps * batch * hiddenSize();
            boolean dropping = dropout.probability() > 0;
            masks = new float[last][dropping ? size : 0];
            dropped = new float[last][dropping ? size : 0];
            dInput = new float[last][size];
            zeroH = new float[layers.length][batch * hiddenSize()];
            zeroC = hasCell() ? new float[layers.length][batch * hiddenSize()] : null;
        }

        public int batch() {
            return passes[0].batch();
        }

        public int steps() {
            return passes[0].steps();
        }

        /** Every layer's {@link RecurrentLayer.Pass#useRows}: a step pass computes its first {@code rows} rows. */
        public void useRows(int rows) {
            for (RecurrentLayer.Pass p : passes) p.useRows(rows);
        }

        /** Runs every layer over {@code x} (T, B, in) from {@code h0[l]} (and {@code c0[l]}), each (B, H). */
        public void forward(float[] x, float[][] h0, float[][] c0, Mode mode) {
            forward(x, false, h0, c0, mode);
        }

        /**
         * {@link #forward} with the first layer's input product already made: {@code projected} (T, B, G*H) holds
         * {@code x W_ih^T} of layer 0 (see {@link RecurrentLayer.Pass#forwardProjected}).
         */
        public void forwardProjected(float[] projected, float[][] h0, float[][] c0, Mode mode) {
            forward(projected, true, h0, c0, mode);
        }

        private void forward(float[] x, boolean projected, float[][] h0, float[][] c0, Mode mode) {
            masked = mode.training() && dropout.probability() > 0;
            float[] in = x;
            for (int l = 0; l < passes.length; l++) {
                if (l == 0 && projected) passes[l].forwardProjected(in, h0[l], hasCell() ? c0[l] : null);
                else passes[l].forward(in, h0[l], hasCell() ? c0[l] : null);
                in = passes[l].output();
                if (masked && l < passes.length - 1) {
                    dropout.forward(in, size, masks[l], dropped[l], mode.dropoutRandom());
                    in = dropped[l];
                }
            }
        }

        /** The top layer's outputs, (T, B, H). */
        public float[] output() {
            return passes[passes.length - 1].output();
        }

        /** Layer {@code layer}'s pass: its outputs, cell states and gate activations of the last forward. */
        public RecurrentLayer.Pass layer(int layer) {
            return passes[layer];
        }

        public float[] finalH(int layer) {
            return passes[layer].finalH();
        }

        public float[] finalC(int layer) {
            return passes[layer].finalC();
        }

        /** Backward with no gradient reaching the final state (it was not used by the loss). */
        public void backward(float[] x, float[] dTop, float[] dx) {
            backward(x, dTop, zeroH, zeroC, dx);
        }

        /**
         * Backpropagates from the gradient of the top outputs {@code dTop} (T, B, H) and of the final state
         * {@code dhT[l]}, {@code dcT[l]} (B, H; {@code dcT} only for the LSTM): adds into every layer's parameter
         * gradients, writes {@code dx} (T, B, in) and the initial-state gradients ({@link #dInitialH(int)}).
         */
        public void backward(float[] x, float[] dTop, float[][] dhT, float[][] dcT, float[] dx) {
            backward(x, dTop, dhT, dcT, dx, null);
        }

        /**
         * {@link #backward(float[], float[], float[][], float[][], float[])}, also writing dLoss/dh_t of the top
         * layer for every step into {@code dhTop} (T, B, H) when it is not {@code null}.
         */
        public void backward(float[] x, float[] dTop, float[][] dhT, float[][] dcT, float[] dx, float[] dhTop) {
            float[] dOut = dTop;
            for (int l = passes.length - 1; l >= 0; l--) {
                float[] in = l == 0 ? x : masked ? dropped[l - 1] : passes[l - 1].output();
                float[] dIn = l == 0 ? dx : dInput[l - 1];
                passes[l].backward(in, dOut, dhT[l], hasCell() ? dcT[l] : null, dIn, l == passes.length - 1 ? dhTop : null);
                if (l > 0 && masked) dropout.backward(dIn, size, masks[l - 1], dIn); // back through the dropout
                dOut = dIn;
            }
        }

        public float[] dInitialH(int layer) {
            return passes[layer].dInitialH();
        }

        public float[] dInitialC(int layer) {
            return passes[layer].dInitialC();
        }
    }
}
