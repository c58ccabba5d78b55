package org.rnnlab.explore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.rnnlab.model.Trace;

/**
 * For each feature of a text, the cells whose activation follows it best: Pearson's correlation between the
 * feature's values and each cell's h_t (and c_t, for an LSTM) over every character, every layer searched. Ranked by
 * |r|, since a cell that is low inside quotes and high outside follows the quotes as well; the sign is kept.
 * Correlation finds cells that follow a feature linearly: a cell that fires only at the opening bracket scores lower
 * on "inside ( )" than one that stays on.
 */
public final class CellFinder {
    private CellFinder() {}

    /** One state of a trace, all its cells: layer {@code layer}'s h or c, (T, H) time-major. */
    public record StateRef(int layer, String kind, float[] values) {
        /** "h", or "L1 h" for a model of several layers. */
        public String label(int layers) {
            return layers == 1 ? kind : "L" + layer + " " + kind;
        }
    }

    /** Cell {@code unit} of state {@code state} (an index into {@link #states}). */
    public record Cell(int state, int unit) {}

    /** A cell and its correlation with a feature. */
    public record Match(Cell cell, double r) {}

    /** The best cells for one feature, best first; none when the feature is constant in this text. */
    public record Finding(TextFeatures.Feature feature, List<Match> matches) {
        public Match best() {
            return matches.isEmpty() ? null : matches.get(0);
        }
    }

    /** The states a finder searches, in order: per layer h, then c for an LSTM. */
    public static List<StateRef> states(Trace trace) {
        List<StateRef> out = new ArrayList<>();
        for (int l = 0; l < trace.layers(); l++) {
            out.add(new StateRef(l, "h", trace.h()[l]));
            if (trace.c() != null) out.add(new StateRef(l, "c", trace.c()[l]));
        }
        return out;
    }

    /** The {@code top} cells of {@code states} for each feature: {@link #best} of {@link #correlations}. */
    public static List<Finding> find(List<StateRef> states, int hidden, List<TextFeatures.Feature> features, int top) {
        return best(features, correlations(states, hidden, features), top);
    }

    /**
     * Pearson's r of every cell of {@code states} with every feature, [feature][state][cell]; NaN where the feature
     * or the cell is constant over the text. One pass over each state: each cell's centred values against every
     * centred feature, O(T x cells x features).
     */
    public static double[][][] correlations(List<StateRef> states, int hidden, List<TextFeatures.Feature> features) {
        int F = features.size(), S = states.size();
        int T = features.isEmpty() ? 0 : features.get(0).values().length;
        double[][] centred = new double[F][T];
        double[] norm = new double[F];
        for (int f = 0; f < F; f++) {
            double[] v = features.get(f).values();
            double mean = 0;
            for (double x : v) mean += x;
            mean /= T;
            for (int t = 0; t < T; t++) {
                centred[f][t] = v[t] - mean;
                norm[f] += centred[f][t] * centred[f][t];
            }
            norm[f] = Math.sqrt(norm[f]);
        }
        double[][][] r = new double[F][S][hidden];
        for (int s = 0; s < S; s++) {
            float[] a = states.get(s).values();
            if (a.length != (long) T * hidden) {
                throw new IllegalArgumentException("state " + s + " holds " + a.length + " values; a text of " + T
                        + " characters and " + hidden + " cells needs " + (long) T * hidden);
            }
            double[] mean = new double[hidden];
            for (int t = 0; t < T; t++) for (int j = 0; j < hidden; j++) mean[j] += a[t * hidden + j];
            for (int j = 0; j < hidden; j++) mean[j] /= T;
            double[] sxx = new double[hidden];
            double[][] sxf = new double[F][hidden];
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < hidden; j++) {
                    double d = a[t * hidden + j] - mean[j];
                    sxx[j] += d * d;
                    for (int f = 0; f < F; f++) sxf[f][j] += d * centred[f][t];
                }
            }
            for (int f = 0; f < F; f++) {
                for (int j = 0; j < hidden; j++) {
                    // a constant feature or cell follows nothing
                    r[f][s][j] = norm[f] == 0 || sxx[j] == 0 ? Double.NaN : sxf[f][j] / (Math.sqrt(sxx[j]) * norm[f]);
                }
            }
        }
        return r;
    }

    /** For each feature, the {@code top} cells of largest |r|, best first (none for a constant feature). */
    public static List<Finding> best(List<TextFeatures.Feature> features, double[][][] r, int top) {
        List<Finding> out = new ArrayList<>();
        for (int f = 0; f < features.size(); f++) {
            List<Match> m = new ArrayList<>();
            for (int s = 0; s < r[f].length; s++) {
                for (int j = 0; j < r[f][s].length; j++) if (!Double.isNaN(r[f][s][j])) m.add(new Match(new Cell(s, j), r[f][s][j]));
            }
            m.sort(Comparator.comparingDouble((Match x) -> -Math.abs(x.r())));
            out.add(new Finding(features.get(f), List.copyOf(m.subList(0, Math.min(top, m.size())))));
        }
        return out;
    }
}
