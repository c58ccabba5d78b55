package org.rnnlab.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Axis ticks: where the labelled marks go and the range the axis covers.
 *
 * <p>Linear axes step by 1, 2 or 5 times a power of ten (the step nearest, on a log scale, to the span divided by
 * the wanted count, as d3's {@code tickIncrement}) and extend the range outwards to whole steps, so the axis begins
 * and ends on a labelled tick: 3.2..187 becomes 0..200 in steps of 50. Tick values are computed as k·step, or k/(1/step)
 * for steps below 1, so 0.3 is 0.3 and not 0.30000000000000004.
 *
 * <p>Log axes cover whole decades, with a major tick at each power of ten and minor ticks at 2..9 times it; past
 * the labels that fit, only every n-th decade is labelled, and past 12 decades the minor ticks are dropped (they
 * would merge into a smear). Values must be positive: the chart, not this class, skips the others.
 *
 * @param min    the axis starts here (a tick)
 * @param max    the axis ends here (a tick)
 * @param major  labelled tick values, ascending, from min to max
 * @param labels the label of each major tick ("" where a crowded log axis leaves one out)
 * @param minor  unlabelled tick values, ascending (only on log axes)
 * @param log    whether positions are proportional to log10 of the value
 */
public record Ticks(double min, double max, List<Double> major, List<String> labels, List<Double> minor, boolean log) {
    public Ticks {
        if (!(min < max)) throw new IllegalArgumentException("an axis needs min < max, got " + min + " .. " + max);
        if (major.size() != labels.size()) {
            throw new IllegalArgumentException(major.size() + " major ticks but " + labels.size() + " labels");
        }
        major = List.copyOf(major);
        labels = List.copyOf(labels);
        minor = List.copyOf(minor);
    }

    /**
     * Ticks for a linear axis over data from {@code lo} to {@code hi} (either order; equal values get a range
     * around them), aiming at about {@code count} intervals. With {@code integer}, steps are at least 1 (epochs,
     * time steps: no tick at 2.5).
     */
    public static Ticks linear(double lo, double hi, int count, boolean integer) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("a linear axis needs finite data, got " + lo + " .. " + hi);
        }
        if (count < 1) throw new IllegalArgumentException("tick count must be >= 1, got " + count);
        double a = Math.min(lo, hi), b = Math.max(lo, hi);
        if (a == b) {
            double pad = a == 0 ? 1 : Math.abs(a) * 0.1;
            if (integer) pad = Math.max(1, pad);
            a -= pad;
            b += pad;
        }
        Step step = Step.near((b - a) / count);
        if (integer && step.value() < 1) step = new Step(1, 0);
        long first = (long) Math.floor(step.divide(a) + 1e-9);
        long last = (long) Math.ceil(step.divide(b) - 1e-9);
        if (first == last) last++;
        List<Double> major = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (long k = first; k <= last; k++) {
            double v = step.times(k);
            major.add(v);
            labels.add(Num.tick(v, step.value()));
        }
        return new Ticks(major.get(0), major.get(major.size() - 1), major, labels, List.of(), false);
    }

    /** {@link #log(double, double, int)} with up to 9 labelled decades. */
    public static Ticks log(double lo, double hi) {
        return log(lo, hi, 9);
    }

    /**
     * Ticks for a log axis over positive data from {@code lo} to {@code hi}: whole decades, minor ticks at 2..9.
     * At most {@code maxLabels} decades are labelled (every n-th, counting from the lowest), so a chart can ask for
     * as many as fit its height.
     */
    public static Ticks log(double lo, double hi, int maxLabels) {
        if (maxLabels < 2) throw new IllegalArgumentException("a log axis needs room for 2 labels, got " + maxLabels);
        if (!(lo > 0) || !(hi > 0) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("a log axis needs positive finite data, got " + lo + " .. " + hi);
        }
        double a = Math.min(lo, hi), b = Math.max(lo, hi);
        int first = (int) Math.floor(Math.log10(a) + 1e-12);
        int last = (int) Math.ceil(Math.log10(b) - 1e-12);
        if (decade(first) > a) first--; // log10 rounding at an exact power of ten
        if (decade(last) < b) last++;
        if (first == last) last++;
        int decades = last - first;
        int every = (decades + maxLabels - 2) / (maxLabels - 1); // ceil(decades / (maxLabels - 1)), so at most maxLabels
        List<Double> major = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Double> minor = new ArrayList<>();
        for (int k = first; k <= last; k++) {
            major.add(decade(k));
            labels.add(Math.floorMod(k - first, every) == 0 ? Num.powerOfTen(k) : "");
            if (k < last && decades <= 12) {
                for (int m = 2; m <= 9; m++) minor.add(Double.parseDouble(m + "e" + k));
            }
        }
        return new Ticks(decade(first), decade(last), major, labels, minor, true);
    }

    /** Where {@code v} falls on the axis, as a fraction: 0 at min, 1 at max (outside for values outside). */
    public double fraction(double v) {
        return log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (v - min) / (max - min);
    }

    /** The major ticks that carry a label, for tests and for callers that lay out their own axes. */
    public List<Double> labelled() {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < major.size(); i++) if (!labels.get(i).isEmpty()) out.add(major.get(i));
        return Collections.unmodifiableList(out);
    }

    private static double decade(int k) {
        return Double.parseDouble("1e" + k); // exact decimal parse: Math.pow(10, -7) is not the double nearest 1e-7
    }

    /**
     * A 1-2-5 step. Steps below 1 are kept as an exact reciprocal (1/0.2 = 5) so that tick k is k/5, a correctly
     * rounded double; beyond 1e-18 (a long's range) the plain double is used and labels still round correctly.
     */
    private record Step(double value, long inverse) {
        static Step near(double raw) {
            int power = (int) Math.floor(Math.log10(raw));
            double error = raw / Math.pow(10, power);
            int factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
            if (factor == 10) {
                factor = 1;
                power++;
            }
            double value = factor * Double.parseDouble("1e" + power);
            if (power >= 0 || power < -18) return new Step(value, 0);
            long inverse = 1;
            for (int i = 0; i < -power; i++) inverse *= 10;
            return new Step(value, inverse / factor); // whole: 10^n divided by 1, 2 or 5
        }

        double divide(double v) {
            return inverse > 0 ? v * inverse : v / value;
        }

        double times(long k) {
            return inverse > 0 ? (double) k / inverse : k * value;
        }
    }
}
