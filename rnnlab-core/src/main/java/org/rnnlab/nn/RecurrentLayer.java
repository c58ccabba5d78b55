package org.rnnlab.nn;

import java.util.List;

/**
 * One recurrent layer (one {@code _l{k}} of PyTorch's {@code nn.RNN}, {@code nn.LSTM}, {@code nn.GRU}) with
 * PyTorch's four parameters: {@code weight_ih (G*H, in)}, {@code weight_hh (G*H, H)}, {@code bias_ih (G*H)},
 * {@code bias_hh (G*H)}, where G is the number of gate blocks (1, 4 or 3).
 *
 * <p>The layer holds parameters only. A {@link Pass} holds everything one (B, T) batch needs: the outputs, the
 * cache backward reads, and the gradient buffers; make one per batch shape and reuse it, since nothing
 * allocates after its creation. Buffers are time-major, {@code (T, B, .)}, so that one time step is one
 * contiguous (B, .) block.
 */
public interface RecurrentLayer {
    int inputSize();

    int hiddenSize();

    /** G: the number of gate blocks stacked in the weight rows (RNN 1, LSTM 4, GRU 3). */
    int gates();

    /** Whether the state has a cell part c besides h (only the LSTM). */
    boolean hasCell();

    /** The four parameters in PyTorch's order: weight_ih, weight_hh, bias_ih, bias_hh. */
    List<Param> params();

    /** The buffers for sequences of {@code steps} time steps in batches of {@code batch}. */
    Pass newPass(int batch, int steps);

    /**
     * The buffers for one time step of {@code batch} sequences, for generation: as {@code newPass(batch, 1)}, but
     * its forward computes each sequence's row on its own ({@link org.rnnlab.kernel.Kernel#newRowPanels}), so a
     * sequence's outputs have the same bits in any batch, beside any other sequences.
     */
    Pass newStepPass(int batch);

    /**
     * Declares the weights final (a frozen model): step passes made from now on share row panels of W_ih^T and
     * W_hh^T packed once, instead of packing their own at every step. The same bits either way.
     */
    void freezeSteps();

    /** {@code out (G*H) = x W_ih^T} for one row, as a step pass computes it; after {@link #freezeSteps()}. */
    void stepProjection(float[] x, int xOff, float[] out);

    default void zeroGrad() {
        for (Param p : params()) p.zeroGrad();
    }

    /** One forward and backward pass over a (T, B) batch, with its outputs, cache and gradients. */
    interface Pass {
        int batch();

        int steps();

        /**
         * Runs the layer over {@code x} (T, B, in) from the initial state {@code h0} (B, H) and, for the LSTM,
         * {@code c0} (B, H; ignored and may be {@code null} otherwise). The initial state is copied, so the
         * caller may change or reuse its arrays afterwards (even pass {@link #finalH()} back in).
         */
        void forward(float[] x, float[] h0, float[] c0);

        /**
         * {@link #forward} with the input's product already made: {@code projected} (T, B, G*H) holds
         * {@code x W_ih^T} (no bias), as {@link #forward} would compute it. For a caller that has the product of
         * each possible input at hand (a first layer fed by an embedding), which saves reading W_ih.
         */
        void forwardProjected(float[] projected, float[] h0, float[] c0);

        /**
         * From now on forward computes only the first {@code rows} of its B rows (inputs, states and outputs keep
         * their (B, .) layout; the other rows are neither read nor written). Only a step pass
         * ({@link RecurrentLayer#newStepPass}) takes fewer than B; every pass takes B.
         */
        void useRows(int rows);

        /** h_t for every step, (T, B, H), from the last forward. */
        float[] output();

        /** h_T, (B, H), from the last forward. */
        float[] finalH();

        /** c_T, (B, H), from the last forward; {@code null} without a cell. */
        float[] finalC();

        /**
         * c_t for every step, (T, B, H), from the last forward; {@code null} without a cell. The live buffer (backward
         * reads it): for inspection, never to be written.
         */
        default float[] cells() {
            return null;
        }

        /**
         * The gate activations of every step, (T, B, G*H) in the weight rows' block order (LSTM i f g o, GRU r z n),
         * from the last forward; {@code null} for an RNN, which has no gates. The live buffer, as {@link #cells()}.
         */
        default float[] gateActivations() {
            return null;
        }

        /**
         * Backpropagates through time from the upstream gradients of every output {@code dOut} (T, B, H) and of
         * the final state {@code dhT}, {@code dcT} (B, H; {@code dcT} only for the LSTM): adds into the
         * parameter gradients, writes {@code dx} (T, B, in) and the gradients of the initial state
         * ({@link #dInitialH()}, {@link #dInitialC()}). {@code x} must be the input of the last forward.
         * Inputs are not modified, so backward may run twice (the parameter gradients then add twice).
         */
        default void backward(float[] x, float[] dOut, float[] dhT, float[] dcT, float[] dx) {
            backward(x, dOut, dhT, dcT, dx, null);
        }

        /**
         * {@link #backward(float[], float[], float[], float[], float[])}, also writing into {@code dh} (T, B, H),
         * when it is not {@code null}, dLoss/dh_t for every step: what reaches h_t from its output and from step
         * t+1 (for the LSTM with c_t held fixed). How far back a loss reaches, in one pass.
         */
        void backward(float[] x, float[] dOut, float[] dhT, float[] dcT, float[] dx, float[] dh);

        /** dLoss/dh0, (B, H), from the last backward. */
        float[] dInitialH();

        /** dLoss/dc0, (B, H), from the last backward; {@code null} without a cell. */
        float[] dInitialC();
    }
}
