package org.rnnlab.nn;

import java.util.Arrays;

/** The shape rules shared by the recurrent layers' constructors, with errors naming the tensor. */
final class RecurrentShapes {
    private RecurrentShapes() {}

    /** Checks PyTorch's layout for {@code gates} gate blocks and returns {@code {in, H}}. */
    static int[] check(String kind, int gates, Param weightIh, Param weightHh, Param biasIh, Param biasHh) {
        int[] hh = weightHh.shape();
        if (hh.length != 2 || hh[1] < 1 || hh[0] != gates * hh[1]) {
            throw new IllegalArgumentException(weightHh.name() + ": the weight_hh of an " + kind + " layer is (" + gates
                    + "H, H), found " + Arrays.toString(hh));
        }
        int hidden = hh[1];
        int[] ih = weightIh.shape();
        if (ih.length != 2 || ih[0] != gates * hidden || ih[1] < 1) {
            throw new IllegalArgumentException(weightIh.name() + ": expected shape (" + gates * hidden + ", in) for H = "
                    + hidden + ", found " + Arrays.toString(ih));
        }
        biasIh.requireShape(gates * hidden);
        biasHh.requireShape(gates * hidden);
        return new int[] {ih[1], hidden};
    }

    static void requireBatch(int batch, int steps) {
        if (batch < 1 || steps < 1) {
            throw new IllegalArgumentException("batch and steps must be at least 1, got B = " + batch + ", T = " + steps);
        }
    }

    /** At step t of a backward pass: dLoss/dh_t = dOut_t + what came back from step t+1, into {@code into} (T, B, H). */
    static void keepHiddenGradient(float[] into, int t, int bh, float[] fromNext, float[] dOut) {
        if (into == null) return;
        int s = t * bh;
        for (int j = 0; j < bh; j++) into[s + j] = dOut[s + j] + fromNext[j];
    }
}
