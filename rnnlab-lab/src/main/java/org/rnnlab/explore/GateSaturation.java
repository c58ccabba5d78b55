package org.rnnlab.explore;

import java.util.ArrayList;
import java.util.List;
import org.rnnlab.model.CellType;
import org.rnnlab.model.Trace;

/**
 * How often each gate of a recurrent layer is saturated while it reads a text, as Karpathy, Johnson and Fei-Fei
 * (2015) measured: a sigmoid gate is left saturated below {@value #LOW} (nearly closed) and right saturated above
 * {@value #HIGH} (nearly open). A gate that is right saturated almost always is an integrator (a forget gate that
 * keeps its cell), one that is often either is a switch. The sigmoid gates only: LSTM input, forget and output, GRU
 * reset and update (the tanh candidates are not gates). A vanilla RNN has none.
 */
public final class GateSaturation {
    public static final double LOW = 0.1;
    public static final double HIGH = 0.9;

    private GateSaturation() {}

    /** One gate of one layer: per cell, the fraction of steps below {@link #LOW} and above {@link #HIGH}. */
    public record Gate(int layer, String id, String name, double[] left, double[] right) {}

    /** Every sigmoid gate of every layer, layer by layer; empty for an RNN. */
    public static List<Gate> of(Trace trace) {
        List<Gate> out = new ArrayList<>();
        if (trace.gates() == null) return out;
        CellType cell = trace.config().cell();
        // block index in the weight rows, id, name
        String[][] gates = cell == CellType.LSTM
                ? new String[][] {{"0", "input", "input gate"}, {"1", "forget", "forget gate"}, {"3", "output", "output gate"}}
                : new String[][] {{"0", "reset", "reset gate"}, {"1", "update", "update gate"}};
        int T = trace.steps(), H = trace.hidden(), G = trace.gateBlocks();
        for (int l = 0; l < trace.layers(); l++) {
            float[] a = trace.gates()[l];
            for (String[] g : gates) {
                int block = Integer.parseInt(g[0]);
                double[] left = new double[H], right = new double[H];
                for (int t = 0; t < T; t++) {
                    int at = t * G * H + block * H;
                    for (int j = 0; j < H; j++) {
                        float v = a[at + j];
                        if (v < LOW) left[j]++;
                        else if (v > HIGH) right[j]++;
                    }
                }
                for (int j = 0; j < H; j++) {
                    left[j] /= T;
                    right[j] /= T;
                }
                out.add(new Gate(l, g[1], g[2], left, right));
            }
        }
        return out;
    }
}
