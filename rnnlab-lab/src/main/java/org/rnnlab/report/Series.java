package org.rnnlab.report;

import java.util.Arrays;

/**
 * One named line of a {@link LineChart}: points (x[i], y[i]). A point with a NaN or infinite coordinate, or a
 * y at or below 0 on a log axis, is not drawn and breaks the line there (a gap, not a misleading straight segment
 * across the missing value). Arrays are copied in and out: the record is immutable.
 */
public record Series(String name, double[] x, double[] y) {
    public Series {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a series needs a name, got \"" + name + "\"");
        if (x.length != y.length) {
            throw new IllegalArgumentException("series " + name + " has " + x.length + " x values but " + y.length + " y values");
        }
        x = x.clone();
        y = y.clone();
    }

    /** y[i] at x = first + i: a value per epoch (first = 1) or per time step (first = 0). */
    public static Series indexed(String name, int first, double... y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) x[i] = first + i;
        return new Series(name, x, y);
    }

    /** The float values of a training log, widened. */
    public static Series indexed(String name, int first, float[] y) {
        double[] d = new double[y.length];
        for (int i = 0; i < d.length; i++) d[i] = y[i];
        return indexed(name, first, d);
    }

    public int size() {
        return x.length;
    }

    @Override
    public double[] x() {
        return x.clone();
    }

    @Override
    public double[] y() {
        return y.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Series s && name.equals(s.name) && Arrays.equals(x, s.x) && Arrays.equals(y, s.y);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(x) * 17 + Arrays.hashCode(y);
    }

    @Override
    public String toString() {
        return "Series[" + name + ", " + x.length + " points]";
    }
}
